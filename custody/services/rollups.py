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
ledger; ``rebuild`` re-derives them from the ledger, in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from custody.db.engine import Database
from custody.db.prepared import BulkInsert, Prepared
from custody.db.schema import (
    Asset,
    AssetState,
    CorrectedWeight,
    DailyRollup,
    Handover,
    HandoverPortion,
    Village,
)
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


_MEASURES = {(s.value, d.value): measures_of(s, d) for s in AssetKind for d in AssetKind}
_OWN_LEVEL = {_K.BOOTH: "booth", _K.TRANSFER_ROOM: "transfer_room", _K.FACILITY: "facility"}

# What an asset's place is read from: its site (a bin's booth), and the village
# of the site, else its own. Select these columns and join with ``join_place``.
PLACE_COLUMNS = (Asset.site_id, Village.name, Village.district)


def join_place(stmt):
    """``stmt``, which selects from assets, joined to the site and village of each asset."""
    site = aliased(Asset)
    return (stmt.outerjoin(site, site.asset_id == Asset.site_id)
            .outerjoin(Village, Village.id == func.coalesce(site.village_id, Asset.village_id)))


_PLACE_QUERY = join_place(select(Asset.asset_id, Asset.kind, *PLACE_COLUMNS))
_ONE_PLACE = Prepared(_PLACE_QUERY.where(Asset.asset_id == bindparam("id")))

Place = tuple[tuple[str, str], ...]


def _place(row: tuple) -> Place:
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


def _find_place(conn: Connection, asset_id: str) -> Place:
    """The place of one asset, read now."""
    (row,) = _ONE_PLACE.execute(conn, {"id": asset_id})
    return _place(row)


def local_day(device_time_us: int | None, server_time_us: int) -> date:
    """The Asia/Shanghai date of a handover: device time, else server time."""
    return from_us(device_time_us or server_time_us).astimezone(REPORT_TZ).date()


Delta = dict[tuple[str, date, str, str, str], list[int]]


def _contribute(delta: Delta, sign: int, measures, day: date, portions,
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
    measures = _MEASURES[(source.kind.value, dest.kind.value)]
    if not measures:
        return

    def place_of(at_source: bool) -> Place:
        return places[source.asset_id if at_source else dest.asset_id]

    _contribute(delta, 1, measures, local_day(values["device_time_us"], values["server_time_us"]),
                portions, place_of)


_SRC, _DST = aliased(Asset), aliased(Asset)
_ROOT_ROW = (
    select(Handover.seq, Handover.record_kind, Handover.corrects_seq, Handover.action,
           Handover.weight_g, Handover.category, Handover.device_time_us,
           Handover.server_time_us, Handover.source_id, Handover.dest_id,
           _SRC.kind.label("source_kind"), _SRC.category.label("source_cat"),
           _DST.kind.label("dest_kind"), _DST.category.label("dest_cat"))
    .join(_SRC, _SRC.asset_id == Handover.source_id)
    .join(_DST, _DST.asset_id == Handover.dest_id)
)
_ONE_ROOT = _ROOT_ROW.where(Handover.seq == bindparam("seq"))


def apply_correction(conn: Connection, values: dict) -> None:
    """Replace the corrected record's contribution by its corrected one (written now).

    It reads the corrected record, so every earlier record must be written first.
    """
    root = conn.execute(_ONE_ROOT, {"seq": values["corrects_seq"]}).one()
    while root.record_kind == RecordKind.CORRECTION.value:
        root = conn.execute(_ONE_ROOT, {"seq": root.corrects_seq}).one()
    in_force = conn.execute(select(CorrectedWeight.weight_g, CorrectedWeight.category)
                            .where(CorrectedWeight.seq == root.seq)).first()
    old = tuple(in_force) if in_force else (None, None)
    new = (values["weight_g"] if values["weight_g"] is not None else old[0],
           values["category"] or old[1])
    conn.execute(_UPSERT_CORRECTED[conn.dialect.name],
                 [{"seq": root.seq, "weight_g": new[0], "category": new[1]}])
    measures = _MEASURES[(root.source_kind, root.dest_kind)]
    if not measures or root.action == Action.INSPECT.value:
        return
    portions = tuple(Portion(*p) for p in conn.execute(
        select(HandoverPortion.category, HandoverPortion.grams, HandoverPortion.estimated)
        .where(HandoverPortion.seq == root.seq).order_by(HandoverPortion.category))) \
        or _legacy_portions(root.weight_g, root.category, root.source_cat, root.dest_cat)
    places = {a: _find_place(conn, a) for a in (root.source_id, root.dest_id)}

    def place_of(at_source: bool) -> Place:
        return places[root.source_id if at_source else root.dest_id]

    day = local_day(root.device_time_us, root.server_time_us)
    delta = new_delta()
    for sign, (weight_g, category) in ((-1, old), (1, new)):
        _contribute(delta, sign, measures, day, contents.corrected(portions, weight_g, category),
                    place_of)
    write(conn, delta)
    keys = [and_(DailyRollup.level == k[0], DailyRollup.day == k[1], DailyRollup.node_id == k[2],
                 DailyRollup.category == k[3], DailyRollup.measure == k[4]) for k in delta]
    conn.execute(delete(DailyRollup).where(DailyRollup.count == 0, or_(*keys)))


def _rows(delta: Delta) -> list[dict]:
    """Rollup rows from a delta, leaving out keys that did not change."""
    return [{"level": k[0], "day": k[1], "node_id": k[2], "category": k[3], "measure": k[4],
             "grams": g, "count": n} for k, (g, n) in delta.items() if g or n]


def write(conn: Connection, delta: Delta) -> None:
    """Add a delta to the rollups (one bulk upsert: one round trip in a pipeline)."""
    rows = _rows(delta)
    if not rows:
        return
    if conn.dialect.name == "sqlite":  # the raw driver: dates as SQLAlchemy's Date stores them
        for row in rows:
            row["day"] = row["day"].isoformat()
    _UPSERT_ROLLUP.execute(conn, rows)


_UPSERT_ROLLUP = BulkInsert(
    DailyRollup.__table__,
    conflict=lambda stmt: stmt.on_conflict_do_update(
        index_elements=[DailyRollup.level, DailyRollup.day, DailyRollup.node_id,
                        DailyRollup.category, DailyRollup.measure],
        set_={"grams": DailyRollup.grams + stmt.excluded.grams,
              "count": DailyRollup.count + stmt.excluded.count}))


def _upsert_corrected(insert_fn) -> object:
    """INSERT .. ON CONFLICT DO UPDATE for the values in force, built once per dialect."""
    stmt = insert_fn(CorrectedWeight)
    return stmt.on_conflict_do_update(
        index_elements=[CorrectedWeight.seq],
        set_={"weight_g": stmt.excluded.weight_g, "category": stmt.excluded.category})


_UPSERT_CORRECTED = {"postgresql": _upsert_corrected(pg_insert),
                     "sqlite": _upsert_corrected(sqlite_insert)}

REBUILD_BATCH = 20_000  # ledger rows per fetch
REBUILD_CELLS = 200_000  # rollup cells summed in memory before they are written


def rebuild(db: Database, progress: Callable[[int], None] | None = None) -> int:
    """Re-derive the rollups, portions and contents from the whole ledger, in order.

    Returns the rollup row count. The contents of every container are replayed
    from the first record (``custody.domain.contents``), so each record gets
    the portions it got when it was appended.
    """
    from custody.services import activity_rollups  # it imports this module

    with db.write_engine.begin() as conn:
        for table in (DailyRollup, CorrectedWeight, HandoverPortion):
            conn.execute(delete(table))
        in_force = _fold_corrections(conn)
        if in_force:
            conn.execute(insert(CorrectedWeight), [
                {"seq": seq, "weight_g": w, "category": c} for seq, (w, c) in in_force.items()])
        places = {row.asset_id: _place(row) for row in conn.execute(
            _PLACE_QUERY.where(Asset.kind != _K.BAG.value))}
        held: dict[str, contents.Contents] = {}
        delta, portion_rows = new_delta(), []
        stream = conn.execute(
            _ROOT_ROW.where(Handover.record_kind == RecordKind.HANDOVER.value,
                            Handover.action.is_distinct_from(Action.INSPECT.value))
            .order_by(Handover.seq)
            .execution_options(stream_results=True, yield_per=REBUILD_BATCH))
        for row in stream:
            if progress:
                progress(1)
            portions = _replay(held, row)
            portion_rows.extend({"seq": row.seq, "category": p.category, "grams": p.grams,
                                 "estimated": p.estimated} for p in portions)
            measures = _MEASURES[(row.source_kind, row.dest_kind)]
            if measures:
                if row.seq in in_force:
                    portions = contents.corrected(portions, *in_force[row.seq])

                def place_of(at_source: bool, row=row) -> Place:
                    asset_id = row.source_id if at_source else row.dest_id
                    if asset_id not in places:  # a bag: looked up when first needed
                        places[asset_id] = _find_place(conn, asset_id)
                    return places[asset_id]

                _contribute(delta, 1, measures, local_day(row.device_time_us,
                                                          row.server_time_us),
                            portions, place_of)
            if len(delta) >= REBUILD_CELLS:  # memory stays bounded on a ledger of years
                write(conn, delta)
                delta = new_delta()
            if len(portion_rows) >= REBUILD_BATCH:
                conn.execute(insert(HandoverPortion), portion_rows)
                portion_rows = []
        write(conn, delta)
        if portion_rows:
            conn.execute(insert(HandoverPortion), portion_rows)
        _write_contents(conn, held)
        activity_rollups.rebuild(conn, places, _find_place)  # the assessment's counts
        return conn.execute(select(func.count()).select_from(DailyRollup)).scalar_one()


def _info(asset_id: str, kind: str, category: str | None) -> AssetInfo:
    return AssetInfo(asset_id, AssetKind(kind), Category(category) if category else None)


def _replay(held: dict[str, contents.Contents], row) -> tuple[Portion, ...]:
    """One ledger record's portions, moving the contents it moved (kept in ``held``)."""
    source = _info(row.source_id, row.source_kind, row.source_cat)
    dest = _info(row.dest_id, row.dest_kind, row.dest_cat)
    carried = contents.carry(
        action=Action(row.action) if row.action else None, source=source, dest=dest,
        source_contents=held.get(row.source_id), dest_contents=held.get(row.dest_id),
        declared=row.category, weight_g=row.weight_g)
    for asset_id, after in ((row.source_id, carried.source_after),
                            (row.dest_id, carried.dest_after)):
        if after is not None:
            held[asset_id] = after
    return carried.portions


def _write_contents(conn: Connection, held: dict[str, contents.Contents]) -> None:
    """The replayed contents (and whether each holds waste) into the containers' states."""
    rows = [{"id": asset_id, "text": contents.encode(found), "holding": bool(found)}
            for asset_id, found in sorted(held.items())]
    if rows:
        conn.execute(update(AssetState).where(AssetState.asset_id == bindparam("id"))
                     .values(contents=bindparam("text"), holding=bindparam("holding")), rows)


def _fold_corrections(conn: Connection) -> dict[int, tuple[int | None, str | None]]:
    """What corrections set (weight, category; None: not set) per corrected record, in order."""
    corrections = conn.execute(
        select(Handover.seq, Handover.corrects_seq, Handover.weight_g, Handover.category)
        .where(Handover.record_kind == RecordKind.CORRECTION.value).order_by(Handover.seq)).all()
    target = {c.seq: c.corrects_seq for c in corrections}
    in_force: dict[int, tuple[int | None, str | None]] = {}
    for c in corrections:
        root = c.corrects_seq
        while root in target:
            root = target[root]
        weight_g, category = in_force.get(root, (None, None))
        in_force[root] = (c.weight_g if c.weight_g is not None else weight_g,
                          c.category or category)
    return in_force
