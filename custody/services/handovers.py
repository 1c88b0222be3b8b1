"""Recording handovers into the ledger: the rules, the hash chain, the derived state."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import Connection, Integer, String, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from custody.db.engine import Database
from custody.db.prepared import BulkInsert, Prepared, fetch_all, pipeline
from custody.db.schema import Actor, Asset, AssetState, Handover, HandoverPortion, LedgerHead
from custody.domain import contents, model, rules
from custody.domain.errors import DomainError, InvalidHandover, UnknownActor, UnknownAsset
from custody.domain.ledger import LEDGER_FIELDS, record_hash
from custody.domain.model import Action, AssetKind, Flag, HandoverDraft, RecordKind
from custody.services import activity_rollups, rollups
from custody.services.conversions import from_cm, from_e7, from_us, to_cm, to_e7, to_g, to_us
from custody.services.whereabouts import reached_facility

T = TypeVar("T")


@dataclass(frozen=True)
class RecordedHandover:
    """What the ledger now holds for one handover.

    A scanned move that repeats the current state is not appended: its ``seq``
    and ``hash`` are None and ``repeat_of`` names the record it repeats. A
    weighbridge confirmation is appended as a correction: ``corrects_seq``
    names the delivery it weighed (custody.domain.contents, rule 8).
    """

    seq: int | None
    hash: str | None
    source: str
    dest: str
    action: str | None
    flags: tuple[str, ...]
    server_time: datetime
    repeat_of: int | None = None
    corrects_seq: int | None = None


def record(db: Database, draft: HandoverDraft, *, max_speed_kmh: float = 120.0,
           now: datetime | None = None) -> RecordedHandover:
    """Check one handover against the rules and append it to the ledger (one transaction)."""
    with db.write_engine.begin() as conn:
        return append(conn, draft, max_speed_kmh=max_speed_kmh, now=now)


def record_many(db: Database, drafts: Sequence[HandoverDraft], *, max_speed_kmh: float = 120.0,
                times: Sequence[datetime | None] | None = None
                ) -> list[RecordedHandover | DomainError]:
    """Append several handovers in one transaction (one commit, one fsync).

    Each draft gets its own answer: its record, or the DomainError that refused
    it. A refused draft leaves nothing behind, since every check comes before
    any change. ``times`` optionally fixes each server time. The assets and
    actors of the whole batch are read at once and the records written in bulk,
    so a batch costs a few statements however many drafts it holds.
    """
    results: list[RecordedHandover | DomainError] = []
    times = times or [None] * len(drafts)
    with db.write_engine.begin() as conn:
        appender = _Appender(conn, max_speed_kmh)
        appender.load(drafts)
        for draft, now in zip(drafts, times, strict=True):
            try:
                results.append(appender.add(draft, now))
            except DomainError as exc:
                results.append(exc)
        appender.flush()
    return results


def append(conn: Connection, draft: HandoverDraft, *, max_speed_kmh: float = 120.0,
           now: datetime | None = None) -> RecordedHandover:
    """Append one handover inside an open write transaction (the caller commits).

    This is the hot path of the whole system: on PostgreSQL it costs two round
    trips (the reads, then the writes) before the caller's commit.
    """
    return append_all(conn, [draft], max_speed_kmh=max_speed_kmh, now=now)[0][0]


def append_all(conn: Connection, drafts: Sequence[HandoverDraft], *,
               max_speed_kmh: float = 120.0, now: datetime | None = None,
               alongside: Callable[[list[RecordedHandover]], T] | None = None,
               count_once: bool = False) -> tuple[list[RecordedHandover], T | None]:
    """Append drafts in order inside an open write transaction; the first refusal raises.

    Every draft is checked and sealed before anything is written, then all are
    written together: two round trips on PostgreSQL however many drafts. Given
    the records, ``alongside`` sends the caller's own statements in the round
    trip that writes them (a scan's attempt row goes there); what it returns is
    returned with the records. With ``count_once`` (a phone's scan), a move
    that repeats the current state is answered, not appended, and a
    weighbridge weighing of a delivery confirms it (custody.domain.contents).
    """
    appender = _Appender(conn, max_speed_kmh, count_once=count_once)
    appender.load(drafts)
    recorded = [appender.add(draft, now) for draft in drafts]
    extra = appender.flush(alongside=(lambda: alongside(recorded)) if alongside else None)
    return recorded, extra


@dataclass
class _Known:
    """An asset as the appender knows it: what it is, where it counts, its state row."""

    info: model.AssetInfo
    place: rollups.Place
    state: dict | None  # the asset_states row as stored, None if never seen


class _Appender:
    """Appends drafts in order inside one open write transaction, writing in bulk.

    ``load`` takes the ledger-head lock and reads the assets and actors of the
    drafts; ``add`` checks one draft, seals its record and keeps it (with the new
    asset states and rollup amounts) in memory; ``flush`` writes what is kept.
    The in-memory states are what the next draft's rules see, so a batch gives
    the same records, hash for hash, as one transaction per draft. Anything that
    must read the ledger itself (a correction, a bag seen before) flushes first.
    """

    def __init__(self, conn: Connection, max_speed_kmh: float, *, count_once: bool = False):
        self.conn = conn
        self.max_speed_kmh = max_speed_kmh
        self.count_once = count_once
        self.head: tuple[int, str] | None = None
        self.known: dict[str, _Known] = {}
        self.actors: dict[int, bool] = {}
        self.rows: list[dict] = []
        self.portions: list[dict] = []
        self.changed: set[str] = set()
        self.delta = rollups.new_delta()
        self.activity = activity_rollups.ActivityDelta()

    def load(self, drafts: Sequence[HandoverDraft]) -> None:
        """Lock the head; read the drafts' assets (with states and places) and actors."""
        conn = self.conn
        asset_ids = sorted({d.source for d in drafts} | {d.dest for d in drafts})
        actor_ids = sorted({d.actor_id for d in drafts})
        with pipeline(conn):  # one round trip on PostgreSQL
            head = _LOCK_HEAD.submit(conn)
            found_assets = _read(_ASSETS_WITH_STATES, conn, asset_ids)
            found_actors = _read(_ACTORS, conn, actor_ids)
            (self.head,) = fetch_all(head)
            asset_rows, actor_rows = fetch_all(found_assets), fetch_all(found_actors)
        self.actors.update((actor_id, bool(active)) for actor_id, active in actor_rows)
        for row in asset_rows:
            self.known[row[0]] = _known(_AssetRow(*row))

    def add(self, draft: HandoverDraft, now: datetime | None) -> RecordedHandover:
        """Check one draft and seal its record; raise its DomainError before any change."""
        source = self._asset(draft.source)
        dest = self._asset(draft.dest)
        if not self.actors.get(draft.actor_id):
            raise UnknownActor(f"no active actor with id {draft.actor_id}")
        server_time = now or datetime.now(UTC)
        action = draft.action or rules.expected_action(source.info.kind, dest.info.kind)
        confirming = False
        handed = source.state or {}
        if (self.count_once and draft.corrects_seq is None and action is not None
                and action is not Action.INSPECT
                and contents.repeats(handed.get("handed_to"), draft.dest)):
            if not contents.confirms(action, draft.role, to_g(draft.weight_kg),
                                     bool(handed.get("handed_weighed"))):
                return RecordedHandover(None, None, draft.source, draft.dest, action.value,
                                        (Flag.REPEAT_SCAN.value,), server_time,
                                        repeat_of=handed.get("handed_seq"))
            draft = dataclasses.replace(draft, corrects_seq=handed["handed_seq"])
            confirming = True
        is_correction = draft.corrects_seq is not None
        if is_correction:
            self.flush()  # the corrected record, and the rollups it changes, must be there
            if not _RECORD_EXISTS.execute(self.conn, {"seq": draft.corrects_seq}):
                raise InvalidHandover(f"record {draft.corrects_seq} does not exist")
        source_state, dest_state = self._state(source), self._state(dest)
        carried = None
        if is_correction:
            flags: tuple[str, ...] = tuple(sorted(set(draft.flags_extra)))
        else:
            carried = contents.carry(
                action=action, source=source.info, dest=dest.info,
                source_contents=_held(source), dest_contents=_held(dest),
                declared=draft.category.value if draft.category else None,
                weight_g=to_g(draft.weight_kg))
            flags = tuple(sorted(set(rules.evaluate(rules.RuleContext(
                draft=draft, source=source.info, dest=dest.info, source_state=source_state,
                dest_state=dest_state, seen_at=draft.device_time or server_time,
                max_speed_kmh=self.max_speed_kmh,
            ))) | set(carried.flags)))
        head_seq, head_hash = self.head
        point = draft.point
        values = {
            "seq": head_seq + 1,
            "prev_hash": head_hash,
            "record_kind": (RecordKind.CORRECTION if is_correction
                            else RecordKind.HANDOVER).value,
            "action": action.value if action else None,
            "source_id": draft.source,
            "dest_id": draft.dest,
            "actor_id": draft.actor_id,
            "role": draft.role.value,
            "device_time_us": to_us(draft.device_time),
            "server_time_us": to_us(server_time),
            "lat_e7": to_e7(point.lat) if point else None,
            "lon_e7": to_e7(point.lon) if point else None,
            "accuracy_cm": to_cm(point.accuracy_m) if point else None,
            "photo_sha256": draft.photo_sha256,
            "weight_g": to_g(draft.weight_kg),
            "category": draft.category.value if draft.category else None,
            "flags": ",".join(flags) or None,
            "corrects_seq": draft.corrects_seq,
            "note": draft.note or None,
        }
        digest = record_hash([values[name] for name in LEDGER_FIELDS])
        # Every check is done: from here on the draft is recorded.
        if is_correction:
            rollups.apply_correction(self.conn, values)
            if confirming:  # a second weighbridge scan of this delivery is a repeat
                source.state = {**source.state, "handed_weighed": True}
                self.changed.add(source.info.asset_id)
        else:
            rollups.contribute(self.delta, values, source.info, dest.info,
                               {source.info.asset_id: source.place,
                                dest.info.asset_id: dest.place}, carried.portions)
            activity_rollups.contribute(self.activity, values, source.info, dest.info,
                                        source.place, dest.place)
            self.portions.extend({"seq": values["seq"], "category": p.category,
                                  "grams": p.grams, "estimated": p.estimated}
                                 for p in carried.portions)
            self._move(values, source, dest, action, carried, draft)
        self.rows.append({**values, "hash": digest})
        self.head = (values["seq"], digest)
        return RecordedHandover(values["seq"], digest, draft.source, draft.dest,
                                values["action"], flags, server_time,
                                corrects_seq=draft.corrects_seq if confirming else None)

    def flush(self, alongside: Callable[[], T] | None = None) -> T | None:
        """Write the kept records, the head, the asset states and the rollup amounts.

        ``alongside`` sends more statements in the same round trip; its result is returned.
        """
        if not self.rows and alongside is None:
            return None
        conn = self.conn
        with pipeline(conn):  # one round trip on PostgreSQL
            if self.rows:
                _INSERT_HANDOVER.execute(conn, self.rows)
                _MOVE_HEAD.execute(conn, {"seq": self.head[0], "hash": self.head[1]})
                if self.portions:
                    _INSERT_PORTIONS.execute(conn, self.portions)
                _UPSERT_STATE.execute(conn, [self.known[a].state for a in sorted(self.changed)])
                rollups.write(conn, self.delta)
                activity_rollups.write(conn, self.activity)
            extra = alongside() if alongside else None
        self.rows, self.changed, self.delta, self.portions = [], set(), rollups.new_delta(), []
        self.activity = activity_rollups.ActivityDelta()
        return extra

    def _asset(self, asset_id: str) -> _Known:
        found = self.known.get(asset_id)
        if found is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        return found

    def _state(self, asset: _Known) -> model.AssetState:
        """The rules' view of where and when the asset was last seen."""
        row = asset.state
        if row is None:
            return model.AssetState()
        reached = False
        if asset.info.kind is AssetKind.BAG:
            self.flush()  # the custody walk reads the ledger
            reached = reached_facility(self.conn, asset.info.asset_id)
        return model.AssetState(
            last_seq=row["last_seq"], last_seen=from_us(row["last_seen_us"]),
            last_point=rules.point_or_none(from_e7(row["lat_e7"]), from_e7(row["lon_e7"]),
                                           from_cm(row["accuracy_cm"])),
            holding=bool(row["holding"]), reached_facility=reached,
        )

    def _move(self, values: dict, source: _Known, dest: _Known, action: Action | None,
              carried: contents.Carry, draft: HandoverDraft) -> None:
        """Record where both assets were seen, what containers hold, who handed to whom."""
        moves_waste = action is not Action.INSPECT
        seen = values["device_time_us"] or values["server_time_us"]
        for asset, receives in ((source, False), (dest, True)):
            old = asset.state or {}
            held = carried.dest_after if receives else carried.source_after
            row = {"asset_id": asset.info.asset_id, "last_seq": values["seq"],
                   "last_seen_us": seen, "lat_e7": values["lat_e7"],
                   "lon_e7": values["lon_e7"], "accuracy_cm": values["accuracy_cm"],
                   "holding": bool(old.get("holding")), "contents": old.get("contents"),
                   **{k: old.get(k) for k in _HANDED}}
            if moves_waste:
                if asset.info.kind in model.CONTAINER_KINDS:
                    row.update(holding=bool(held), contents=contents.encode(held))
                if receives:
                    row.update(dict.fromkeys(_HANDED))
                else:
                    row.update(handed_to=dest.info.asset_id, handed_seq=values["seq"],
                               handed_weighed=contents.weighbridge_weighed(
                                   action, draft.role, values["weight_g"]))
            old = asset.state
            if values["lat_e7"] is None and old is not None and old["lat_e7"] is not None \
                    and old["lon_e7"] is not None:
                row.update(lat_e7=old["lat_e7"], lon_e7=old["lon_e7"],
                           accuracy_cm=old["accuracy_cm"])
            asset.state = row
            self.changed.add(asset.info.asset_id)


_LOCK_HEAD = Prepared(select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1)
                      .with_for_update())
_MOVE_HEAD = Prepared(update(LedgerHead).where(LedgerHead.id == 1).values(
    seq=bindparam("seq"), hash=bindparam("hash")))
_RECORD_EXISTS = Prepared(select(Handover.seq).where(Handover.seq == bindparam("seq")))
_INSERT_HANDOVER = BulkInsert(Handover.__table__)
_INSERT_PORTIONS = BulkInsert(HandoverPortion.__table__)
_HANDED = ("handed_to", "handed_seq", "handed_weighed")


def _held(asset: _Known) -> contents.Contents | None:
    """What a container holds now, from its state row."""
    return contents.decode(asset.state["contents"]) if asset.state else None
# Reading a batch's assets and actors through their primary keys: a few ids as
# an IN list of bind parameters (PostgreSQL plans that as index lookups), many
# as one table of ids joined to the keys (PostgreSQL unnests an array, SQLite
# walks a JSON list), so a batch of 10,000 drafts is one statement too.
FEW_IDS = 8


def _wanted(dialect: str, type_, few: int) -> tuple:
    """(FROM clause, id column, WHERE clause) naming the ids to read."""
    if few:
        return None, None, [bindparam(f"p{i}") for i in range(few)]
    if dialect == "postgresql":
        ids = bindparam("ids", type_=ARRAY(type_))
        table = func.unnest(ids).table_valued("id").render_derived()
        return table, table.c.id, None
    table = func.json_each(bindparam("ids")).table_valued("value")
    return table, table.c.value, None


def _reader(build: Callable, type_) -> dict:
    """Prepared readers by (dialect, IN-list size, or 0 for the id table)."""
    return {(d, few): build(*_wanted(d, type_, few))
            for d in ("postgresql", "sqlite") for few in (0, *range(1, FEW_IDS + 1))}


def _read(readers: dict, conn: Connection, ids: Sequence):
    """Submit the reader that suits this many ids; returns its cursor."""
    dialect = conn.dialect.name
    if len(ids) <= FEW_IDS:
        return readers[(dialect, len(ids) or 1)].submit(
            conn, {f"p{i}": v for i, v in enumerate(ids or [None])})
    param = list(ids) if dialect == "postgresql" else json.dumps(list(ids))
    return readers[(dialect, 0)].submit(conn, {"ids": param})


def _assets_with_states(table, table_id, in_list) -> Prepared:
    """The named assets, with their last seen state and their tonnage place."""
    stmt = select(Asset.asset_id, Asset.kind, Asset.category, Asset.lat_e7, Asset.lon_e7,
                  AssetState.last_seq, AssetState.last_seen_us,
                  AssetState.lat_e7.label("seen_lat"), AssetState.lon_e7.label("seen_lon"),
                  AssetState.accuracy_cm, AssetState.holding, AssetState.contents,
                  AssetState.handed_to, AssetState.handed_seq, AssetState.handed_weighed,
                  *rollups.PLACE_COLUMNS)
    if in_list is None:
        stmt = stmt.select_from(table).join(Asset, Asset.asset_id == table_id)
    else:
        stmt = stmt.where(Asset.asset_id.in_(in_list))
    return Prepared(rollups.join_place(
        stmt.outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)))


def _actors(table, table_id, in_list) -> Prepared:
    """The named actors and whether each is active."""
    stmt = select(Actor.id, Actor.active)
    if in_list is None:
        return Prepared(stmt.select_from(table).join(Actor, Actor.id == table_id))
    return Prepared(stmt.where(Actor.id.in_(in_list)))


_ASSETS_WITH_STATES = _reader(_assets_with_states, String)
_ACTORS = _reader(_actors, Integer)


class _AssetRow(NamedTuple):
    """One row of _ASSETS_WITH_STATES."""

    asset_id: str
    kind: str
    category: str | None
    lat_e7: int | None
    lon_e7: int | None
    last_seq: int | None
    last_seen_us: int | None
    seen_lat: int | None
    seen_lon: int | None
    accuracy_cm: int | None
    holding: bool | None
    contents: str | None
    handed_to: str | None
    handed_seq: int | None
    handed_weighed: bool | None
    site_id: str | None
    village: str | None
    district: str | None


def _known(row: _AssetRow) -> _Known:
    """An asset row of _ASSETS_WITH_STATES as the appender keeps it."""
    kind = AssetKind(row.kind)
    info = model.AssetInfo(row.asset_id, kind,
                           model.Category(row.category) if row.category else None,
                           rules.point_or_none(from_e7(row.lat_e7), from_e7(row.lon_e7), None))
    place = rollups.place(row.asset_id, row.kind, row.site_id, row.village, row.district)
    state = None if row.last_seq is None else {
        "asset_id": row.asset_id, "last_seq": row.last_seq, "last_seen_us": row.last_seen_us,
        "lat_e7": row.seen_lat, "lon_e7": row.seen_lon, "accuracy_cm": row.accuracy_cm,
        "holding": bool(row.holding), "contents": row.contents, "handed_to": row.handed_to,
        "handed_seq": row.handed_seq, "handed_weighed": row.handed_weighed}
    return _Known(info, place, state)


_UPSERT_STATE = BulkInsert(AssetState.__table__, conflict=lambda stmt: stmt.on_conflict_do_update(
    index_elements=[AssetState.asset_id],
    set_={c: stmt.excluded[c] for c in ("last_seq", "last_seen_us", "lat_e7", "lon_e7",
                                        "accuracy_cm", "holding", "contents",
                                        *_HANDED)}))
