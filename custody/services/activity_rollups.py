"""Activity rollups: how much work was done where, by whom, per day; kept with the ledger.

The assessment (``custody.services.assessment``) counts work, not grams, and
reads only these derived tables, never the ledger:

``activity_rollups`` — records of one *measure* at one node (a booth, or a
transfer room) by one person on one day (the Asia/Shanghai date of the device
time, else the server time, as the tonnage rollups), with the node's village:

- ``pickup``: a bin of a booth handed to a vehicle (collect); at the booth.
- ``deposit``: a bag into a bin of a booth; ``deposit_mismatch``: such a
  deposit flagged ``category_mismatch`` (the bag and the bin disagree).
- ``inspect``: an inspection of a booth, a bin (at its booth) or a bag (at
  the bag itself, in its village); ``keeper_check``: one recorded by a booth
  keeper, ``keeper_mismatch``: such a check that found a wrong category.
- ``room_clear``: a transfer room handed on (load onto a truck);
  ``room_clear_photo``: one with its photo.

``activity_village_days`` — the cells of one measure in one village on one
day, summed: the distinct nodes and the records (what the assessment reads; the
cells themselves for the people's rankings); and measure ``households``: the
village's households with a deposit that day (from the deposit days below).

``household_months`` — per household and month, bit ``d - 1`` set when the
household's bag was deposited on day ``d`` (the household's own village).

Only handover records count (a correction changes a weight or category, not
whether the work was done), so corrections leave these tables alone. They are
written in the append's transaction (``handovers._Appender`` calls
``contribute`` and ``write``) and ``rebuild`` re-derives them from the ledger
in order, giving the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from custody.db.repositories import Connection, Repositories
from custody.domain.model import Action, AssetKind, Flag, Role
from custody.services.rollups import Place, local_day

MEASURES = ("pickup", "deposit", "deposit_mismatch", "inspect", "keeper_check",
            "keeper_mismatch", "room_clear", "room_clear_photo")
_MISMATCH = Flag.CATEGORY_MISMATCH.value


@dataclass
class ActivityDelta:
    """Counts to add, (day, node, actor, measure) -> [village, n], and deposits of bags."""

    cells: dict = field(default_factory=lambda: defaultdict(lambda: [None, 0]))
    deposits: list[dict] = field(default_factory=list)  # {"bag", "day", "month", "bit"}


def _where(place: Place) -> tuple[str | None, str | None]:
    """(booth or transfer room, village) of a place."""
    levels = dict(place)
    return levels.get("booth") or levels.get("transfer_room"), levels.get("village")


def measures_of(action: str | None, role: str, flags: str | None, photo: bool,
                source_kind: str, dest_kind: str) -> tuple[tuple[str, bool], ...]:
    """The (measure, counted at the source?) pairs of one handover record."""
    mismatch = _MISMATCH in (flags or "").split(",")
    found: list[tuple[str, bool]] = []
    if action == Action.DEPOSIT.value and source_kind == AssetKind.BAG and \
            dest_kind == AssetKind.BIN:
        found += [("deposit", False)] + ([("deposit_mismatch", False)] if mismatch else [])
    elif action == Action.COLLECT.value and source_kind == AssetKind.BIN:
        found.append(("pickup", True))
    elif action == Action.INSPECT.value:
        found.append(("inspect", True))
        if role == Role.BOOTH_KEEPER.value:
            found += [("keeper_check", True)] + ([("keeper_mismatch", True)] if mismatch else [])
    elif action == Action.LOAD.value and source_kind == AssetKind.TRANSFER_ROOM:
        found += [("room_clear", True)] + ([("room_clear_photo", True)] if photo else [])
    return tuple(found)


def _add(delta: ActivityDelta, day: date, actor_id: int, measures, source_id: str,
         source_place: Place | None, dest_id: str, dest_place: Place | None) -> None:
    for measure, at_source in measures:
        node, village = _where(source_place if at_source else dest_place)
        node = node or (source_id if at_source else dest_id)
        cell = delta.cells[(day, node, actor_id, measure)]
        cell[0], cell[1] = village, cell[1] + 1


def contribute(delta: ActivityDelta, values: dict, source, dest, source_place: Place,
               dest_place: Place) -> None:
    """Add one appended handover record (not a correction) to a delta written later."""
    measures = measures_of(values["action"], values["role"], values["flags"],
                           values["photo_sha256"] is not None, source.kind, dest.kind)
    if not measures:
        return
    day = local_day(values["device_time_us"], values["server_time_us"])
    _add(delta, day, values["actor_id"], measures, source.asset_id, source_place,
         dest.asset_id, dest_place)
    if measures[0][0] == "deposit":
        delta.deposits.append({"bag": source.asset_id, "day": day, "month": day.replace(day=1),
                               "bit": 1 << (day.day - 1)})


def _rows(delta: ActivityDelta) -> list[dict]:
    return [{"day": k[0], "node_id": k[1], "actor_id": k[2], "measure": k[3], "village": v,
             "count": n} for k, (v, n) in delta.cells.items() if n]


def write(repos: Repositories, delta: ActivityDelta, *, village_days: bool = True) -> None:
    """Add a delta to the tables (in the append's pipeline on PostgreSQL); the rebuild
    leaves the village-days out and derives them from the cells at its end."""
    repos.rollups.add_activity(_rows(delta), village_days=village_days)
    repos.rollups.mark_deposit_days(delta.deposits)


REBUILD_BATCH = 20_000
REBUILD_CELLS = 200_000


def rebuild(conn: Connection, places: dict[str, Place], find_place) -> None:
    """Re-derive the tables from the ledger, in order (inside ``rollup_rebuild.rebuild``).

    ``places`` holds the place of every asset but bags; ``find_place`` reads one.
    """
    repos = Repositories(conn)
    repos.activity.clear()
    delta, months = ActivityDelta(), defaultdict(int)
    for row in repos.activity.moves(REBUILD_BATCH):
        measures = measures_of(row.action, row.role, row.flags, row.photo, row.source_kind,
                               row.dest_kind)
        if not measures:
            continue
        day = local_day(row.device_time_us, row.server_time_us)

        def place_of(asset_id: str, needed: bool) -> Place | None:
            """The place of a side a measure counts at; a bag's is read, not kept."""
            if not needed:  # a deposit counts at the bin: its bag's place is never read
                return None
            return places[asset_id] if asset_id in places else find_place(conn, asset_id)

        at_source = {at for _measure, at in measures}
        _add(delta, day, row.actor_id, measures, row.source_id,
             place_of(row.source_id, True in at_source), row.dest_id,
             place_of(row.dest_id, False in at_source))
        if measures[0][0] == "deposit" and row.household_id is not None:
            months[(day.replace(day=1), row.household_id)] |= 1 << (day.day - 1)
        if len(delta.cells) >= REBUILD_CELLS:  # memory stays bounded on a ledger of years
            write(repos, delta, village_days=False)
            delta = ActivityDelta()
    write(repos, delta, village_days=False)
    villages = repos.activity.household_villages()
    rows = [{"month": m, "household_id": h, "village_id": villages[h], "days": bits}
            for (m, h), bits in sorted(months.items())]
    for start in range(0, len(rows), REBUILD_BATCH):
        repos.activity.add_household_months(rows[start:start + REBUILD_BATCH])
    repos.activity.derive_village_days()


def count_rows(conn: Connection) -> int:
    """How many activity cells there are (for reports)."""
    return Repositories(conn).activity.count()

