"""Recording handovers into the ledger: the rules, the hash chain, the derived state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from custody.db.engine import Database
from custody.db.prepared import Prepared, pipeline
from custody.db.schema import Actor, Asset, AssetState, Handover, LedgerHead
from custody.domain import model, rules
from custody.domain.errors import DomainError, InvalidHandover, UnknownActor, UnknownAsset
from custody.domain.ledger import LEDGER_FIELDS, record_hash
from custody.domain.model import Action, AssetKind, HandoverDraft, RecordKind
from custody.services import rollups
from custody.services.conversions import from_cm, from_e7, from_us, to_cm, to_e7, to_g, to_us
from custody.services.whereabouts import reached_facility


@dataclass(frozen=True)
class RecordedHandover:
    """What the ledger now holds for one handover."""

    seq: int
    hash: str
    source: str
    dest: str
    action: str | None
    flags: tuple[str, ...]
    server_time: datetime


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
    it. A refused draft leaves nothing behind, since ``append`` checks
    everything before it writes. ``times`` optionally fixes each server time.
    """
    results: list[RecordedHandover | DomainError] = []
    times = times or [None] * len(drafts)
    with db.write_engine.begin() as conn:
        for draft, now in zip(drafts, times, strict=True):
            try:
                results.append(append(conn, draft, max_speed_kmh=max_speed_kmh, now=now))
            except DomainError as exc:
                results.append(exc)
    return results


def append(conn: Connection, draft: HandoverDraft, *, max_speed_kmh: float = 120.0,
           now: datetime | None = None) -> RecordedHandover:
    """Append one handover inside an open write transaction (the caller commits).

    This is the hot path of the whole system, so it speaks Core SQL: one
    locked read of the head, one read of both assets with their states, one of
    the actor, then one insert, one head update and one upsert. Every check
    comes before the first write.
    """
    with pipeline(conn):  # one round trip on PostgreSQL for the three reads
        cursors = (_LOCK_HEAD.submit(conn),
                   _ASSETS_WITH_STATES.submit(conn, {"a": draft.source, "b": draft.dest}),
                   _ACTIVE_ACTOR.submit(conn, {"id": draft.actor_id}))
        head, assets_found, active = (_fetch_all(c) for c in cursors)
    ((head_seq, head_hash),) = head
    found = {row[0]: _AssetRow(*row) for row in assets_found}
    source, source_state = _asset_and_state(conn, found, draft.source)
    dest, dest_state = _asset_and_state(conn, found, draft.dest)
    if not active or not active[0][0]:
        raise UnknownActor(f"no active actor with id {draft.actor_id}")
    if draft.corrects_seq is not None and not _RECORD_EXISTS.execute(
            conn, {"seq": draft.corrects_seq}):
        raise InvalidHandover(f"record {draft.corrects_seq} does not exist")
    server_time = now or datetime.now(UTC)
    is_correction = draft.corrects_seq is not None
    action = draft.action or rules.expected_action(source.kind, dest.kind)
    if is_correction:
        flags: tuple[str, ...] = ()
    else:
        flags = rules.evaluate(rules.RuleContext(
            draft=draft, source=source, dest=dest, source_state=source_state,
            dest_state=dest_state, seen_at=draft.device_time or server_time,
            max_speed_kmh=max_speed_kmh,
        ))
    point = draft.point
    values = {
        "seq": head_seq + 1,
        "prev_hash": head_hash,
        "record_kind": (RecordKind.CORRECTION if is_correction else RecordKind.HANDOVER).value,
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
    rollups.apply(conn, values, source, dest)
    with pipeline(conn):  # one round trip on PostgreSQL for the ledger writes
        _INSERT_HANDOVER.execute(conn, {**values, "hash": digest})
        _MOVE_HEAD.execute(conn, {"seq": values["seq"], "hash": digest})
        if not is_correction:
            _update_states(conn, values, source, dest, source_state, dest_state, action)
    return RecordedHandover(values["seq"], digest, draft.source, draft.dest, values["action"],
                            flags, server_time)


_LOCK_HEAD = Prepared(select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1)
                      .with_for_update())
_MOVE_HEAD = Prepared(update(LedgerHead).where(LedgerHead.id == 1).values(
    seq=bindparam("seq"), hash=bindparam("hash")))
_ACTIVE_ACTOR = Prepared(select(Actor.active).where(Actor.id == bindparam("id")))
_RECORD_EXISTS = Prepared(select(Handover.seq).where(Handover.seq == bindparam("seq")))
_INSERT_HANDOVER = Prepared(insert(Handover).values(
    {c.name: bindparam(c.name) for c in Handover.__table__.columns}))
_ASSETS_WITH_STATES = Prepared(
    select(Asset.asset_id, Asset.kind, Asset.category, Asset.lat_e7, Asset.lon_e7,
           AssetState.last_seq, AssetState.last_seen_us, AssetState.lat_e7.label("seen_lat"),
           AssetState.lon_e7.label("seen_lon"), AssetState.accuracy_cm, AssetState.holding)
    .outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)
    .where(or_(Asset.asset_id == bindparam("a"), Asset.asset_id == bindparam("b")))
)


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


def _asset_and_state(conn: Connection, found: dict, asset_id: str
                     ) -> tuple[model.AssetInfo, model.AssetState]:
    """The rules' view of one asset: what it is and where it was last seen."""
    row = found.get(asset_id)
    if row is None:
        raise UnknownAsset(f"no asset {asset_id} is registered")
    kind = AssetKind(row.kind)
    location = rules.point_or_none(from_e7(row.lat_e7), from_e7(row.lon_e7), None)
    info = model.AssetInfo(asset_id, kind, model.Category(row.category) if row.category
                           else None, location)
    if row.last_seq is None:
        return info, model.AssetState()
    reached = kind is AssetKind.BAG and reached_facility(conn, asset_id)
    state = model.AssetState(
        last_seq=row.last_seq, last_seen=from_us(row.last_seen_us),
        last_point=rules.point_or_none(from_e7(row.seen_lat), from_e7(row.seen_lon),
                                       from_cm(row.accuracy_cm)),
        holding=bool(row.holding), reached_facility=reached,
    )
    return info, state


def _update_states(conn: Connection, values: dict, source: model.AssetInfo,
                   dest: model.AssetInfo, source_state: model.AssetState,
                   dest_state: model.AssetState, action: Action | None) -> None:
    """Record where both assets were seen, and which containers now hold waste."""
    moves_waste = action is not Action.INSPECT
    seen = values["device_time_us"] or values["server_time_us"]
    rows = []
    for asset, state, holding in ((source, source_state, False), (dest, dest_state, True)):
        if not (moves_waste and asset.kind in model.CONTAINER_KINDS):
            holding = state.holding
        row = {"asset_id": asset.asset_id, "last_seq": values["seq"], "last_seen_us": seen,
               "lat_e7": values["lat_e7"], "lon_e7": values["lon_e7"],
               "accuracy_cm": values["accuracy_cm"], "holding": holding}
        if values["lat_e7"] is None and state.last_point is not None:
            p = state.last_point
            row.update(lat_e7=to_e7(p.lat), lon_e7=to_e7(p.lon), accuracy_cm=to_cm(p.accuracy_m))
        rows.append(row)
    _UPSERT_STATE[conn.dialect.name].execute_many(conn, rows)


def _upsert_state(insert_fn) -> object:
    """INSERT .. ON CONFLICT DO UPDATE for asset_states, built once per dialect."""
    stmt = insert_fn(AssetState)
    return stmt.on_conflict_do_update(
        index_elements=[AssetState.asset_id],
        set_={c: stmt.excluded[c] for c in ("last_seq", "last_seen_us", "lat_e7", "lon_e7",
                                            "accuracy_cm", "holding")},
    )


_UPSERT_STATE = {"postgresql": Prepared(_upsert_state(pg_insert)),
                 "sqlite": Prepared(_upsert_state(sqlite_insert))}


def _fetch_all(cursor) -> list[tuple]:
    """Every row of a submitted statement, closing its cursor."""
    try:
        return cursor.fetchall()
    finally:
        cursor.close()
