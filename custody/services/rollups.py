"""Daily tonnage rollups: kept in step with the ledger, rebuilt from it, read as plain rows.

Definitions (a handover is a *contributing* record when it is not a correction
and its action is not ``inspect``; its kinds decide its measures):

- ``deposited``: bag → bin. Counted at the bin's place.
- ``collected``: waste leaving a bag or bin for a vehicle, transfer room or
  facility (normally bin → cart). Counted at the source's place. This is the
  operational "weight at collection"; deposits are kept apart so a bag weighed
  into a bin and again inside the bin is never counted twice.
- ``room_in``: anything → transfer room (normally cart → room); ``room_out``:
  transfer room → anything (normally room → truck). Counted at the room.
- ``delivered``: anything → facility, the weighbridge weight, the authoritative
  figure. Counted at the facility.

A *place* is a list of (level, node): a bin's booth (``assets.site_id``), the
village (the booth's, else the asset's own), the district (the village's,
else ``南湖区``); a transfer room or facility is its own node at its level, then
its village and district. Villages and districts are named by name, other
nodes by asset id.

Category and weight: each contributing record counts its *portions*, the
grams per category it carried (``custody.domain.contents`` documents the
rules: a move with no declared category carries the source's contents, a
measured weight is authoritative and split over several categories in
proportion). A bag sorted into the wrong bin counts as its own category when
deposited, and stays that category in the bin, the cart and the truck.

Day: the local date in Asia/Shanghai of the device time, else the server time.

Each portion adds its grams and one record to its category's cells (a
record of two categories counts once in each). A correction supersedes the
weight and/or category of the record it corrects (a correction of a
correction applies to the original); fields it leaves empty keep the value in
force, and the record's portions are corrected as the contents rules say.
The rollup subtracts the old contribution and adds the new one;
``corrected_weights`` holds what corrections set (None: not corrected).

The rollups, the portions and the containers' contents are derived and
written inside the append's transaction, so they never disagree with the
ledger; ``custody.services.rollup_rebuild`` re-derives them from the ledger, in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from custody.db.repositories import Connection, Repositories
from custody.domain import contents
from custody.domain.contents import Portion
from custody.domain.model import Action, AssetInfo, AssetKind, Category, RecordKind
from custody.services.assets import DEFAULT_DISTRICT
from custody.services.conversions import from_us

REPORT_TZ = ZoneInfo("Asia/Shanghai")
LEVELS = ("district", "village", "booth", "transfer_room", "facility")
MEASURES = ("deposited", "collected", "room_in", "room_out", "delivered")

_K = AssetKind
_INTO_NETWORK = (_K.VEHICLE, _K.TRANSFER_ROOM, _K.FACILITY)


def measures_of(source_kind: str, dest_kind: str) -> tuple[tuple[str, bool], ...]:
    """The (measure, counted at the source?) pairs a move between these kinds contributes."""
    found = []
    if source_kind == _K.BAG and dest_kind == _K.BIN:
        found.append(("deposited", False))
    if source_kind in (_K.BAG, _K.BIN) and dest_kind in _INTO_NETWORK:
        found.append(("collected", True))
    if dest_kind == _K.TRANSFER_ROOM:
        found.append(("room_in", False))
    if source_kind == _K.TRANSFER_ROOM:
        found.append(("room_out", True))
    if dest_kind == _K.FACILITY:
        found.append(("delivered", False))
    return tuple(found)


MEASURES_BY_KINDS = {(s.value, d.value): measures_of(s, d) for s in AssetKind for d in AssetKind}
_OWN_LEVEL = {_K.BOOTH: "booth", _K.TRANSFER_ROOM: "transfer_room", _K.FACILITY: "facility"}

Place = tuple[tuple[str, str], ...]


def place_of_row(row: tuple) -> Place:
    """The (level, node) pairs of one asset row from the place query."""
    return place(*row)


def place(asset_id: str, kind: str, site_id: str | None, village: str | None,
          district: str | None) -> Place:
    """The (level, node) pairs an asset's tonnage counts at (see the module docstring)."""
    own = _OWN_LEVEL.get(kind)
    nodes = [(own, asset_id)] if own else []
    if kind == _K.BIN and site_id:
        nodes.append(("booth", site_id))
    if village:
        nodes.append(("village", village))
    nodes.append(("district", district or DEFAULT_DISTRICT))
    return tuple(nodes)


def find_place(conn: Connection, asset_id: str) -> Place:
    """The place of one asset, read now."""
    return place_of_row(Repositories(conn).rollups.place_row(asset_id))


def local_day(device_time_us: int | None, server_time_us: int) -> date:
    """The Asia/Shanghai date of a handover: device time, else server time."""
    return from_us(device_time_us or server_time_us).astimezone(REPORT_TZ).date()


Delta = dict[tuple[str, date, str, str, str], list[int]]


def add_portions(delta: Delta, sign: int, measures, day: date, portions,
                 place_of: Callable[[bool], Place]) -> None:
    """Add (or with sign -1 take away) one record's portions to each of its nodes."""
    for measure, at_source in measures:
        for level, node in place_of(at_source):
            for portion in portions:
                cell = delta[(level, day, node, portion.category, measure)]
                cell[0] += sign * portion.grams
                cell[1] += sign


def _legacy_portions(weight_g: int | None, declared: str | None, source_cat: str | None,
                     dest_cat: str | None) -> tuple[Portion, ...]:
    """The one portion of a record appended before portions were kept (until a rebuild)."""
    return (Portion(declared or source_cat or dest_cat or Category.OTHER.value, weight_g or 0),)


def new_delta() -> Delta:
    """An empty delta: (level, day, node, category, measure) -> [grams, records]."""
    return defaultdict(lambda: [0, 0])


def contribute(delta: Delta, values: dict, source: AssetInfo, dest: AssetInfo,
               places: dict[str, Place], portions) -> None:
    """Add one handover record (not a correction) to a delta the append writes later.

    ``places`` holds the place of both assets (read with them by the append);
    ``portions`` what it carried.
    """
    if values["action"] == Action.INSPECT.value:
        return
    measures = MEASURES_BY_KINDS[(source.kind.value, dest.kind.value)]
    if not measures:
        return

    def place_of(at_source: bool) -> Place:
        return places[source.asset_id if at_source else dest.asset_id]

    day = local_day(values["device_time_us"], values["server_time_us"])
    add_portions(delta, 1, measures, day, portions, place_of)


def apply_correction(repos: Repositories, values: dict) -> None:
    """Replace the corrected record's contribution by its corrected one (written now).

    It reads the corrected record, so every earlier record must be written first.
    """
    rollups = repos.rollups
    root = rollups.record(values["corrects_seq"])
    while root.record_kind == RecordKind.CORRECTION.value:
        root = rollups.record(root.corrects_seq)
    old = rollups.weight_in_force(root.seq) or (None, None)
    new = (values["weight_g"] if values["weight_g"] is not None else old[0],
           values["category"] or old[1])
    rollups.set_weight_in_force(root.seq, *new)
    measures = MEASURES_BY_KINDS[(root.source_kind, root.dest_kind)]
    if not measures or root.action == Action.INSPECT.value:
        return
    portions = tuple(Portion(*p) for p in rollups.portions_of(root.seq)) \
        or _legacy_portions(root.weight_g, root.category, root.source_cat, root.dest_cat)
    places = {a: place_of_row(rollups.place_row(a)) for a in (root.source_id, root.dest_id)}

    def place_of(at_source: bool) -> Place:
        return places[root.source_id if at_source else root.dest_id]

    day = local_day(root.device_time_us, root.server_time_us)
    delta = new_delta()
    for sign, (weight_g, category) in ((-1, old), (1, new)):
        add_portions(delta, sign, measures, day,
                     contents.corrected(portions, weight_g, category), place_of)
    write(repos, delta)
    rollups.drop_empty_cells(list(delta))


def _rows(delta: Delta) -> list[dict]:
    """Rollup rows from a delta, leaving out keys that did not change."""
    return [{"level": k[0], "day": k[1], "node_id": k[2], "category": k[3], "measure": k[4],
             "grams": g, "count": n} for k, (g, n) in delta.items() if g or n]


def write(repos: Repositories, delta: Delta) -> None:
    """Add a delta to the rollups (one bulk upsert: one round trip in a pipeline)."""
    repos.rollups.add_daily(_rows(delta))
