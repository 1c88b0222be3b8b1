"""Recording handovers into the ledger, and reading where an asset is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from custody.db.engine import Database
from custody.db.schema import Actor, Asset, AssetState, Handover, LedgerHead
from custody.domain import model, rules
from custody.domain.errors import InvalidHandover, UnknownActor, UnknownAsset
from custody.domain.ledger import LEDGER_FIELDS, record_hash
from custody.domain.model import Action, AssetKind, HandoverDraft, RecordKind
from custody.services.conversions import from_cm, from_e7, from_us, to_cm, to_e7, to_g, to_us
from custody.services.unit_of_work import UnitOfWork

# A bag's waste is followed from container to container at most this far.
MAX_CUSTODY_HOPS = 32


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
    """Check one handover against the rules and append it to the ledger."""
    with UnitOfWork(db, write=True) as uow:
        result = record_in(uow.session, draft, max_speed_kmh=max_speed_kmh, now=now)
        uow.commit()
    return result


def record_in(session: Session, draft: HandoverDraft, *, max_speed_kmh: float = 120.0,
              now: datetime | None = None) -> RecordedHandover:
    """Append one handover inside an open write session (the caller commits).

    This is the hot path of the whole system, so it speaks Core SQL over the
    session's connection: one locked read of the head, one read of both
    assets with their states, one insert, one head update, one upsert.
    """
    conn = session.connection()
    head_seq, head_hash = conn.execute(_LOCK_HEAD).one()
    found = {row.asset_id: row for row in conn.execute(_ASSETS_WITH_STATES,
                                                         {"ids": [draft.source, draft.dest]})}
    source, source_state = _asset_and_state(session, found, draft.source)
    dest, dest_state = _asset_and_state(session, found, draft.dest)
    if not conn.execute(_ACTIVE_ACTOR, {"id": draft.actor_id}).scalar():
        raise UnknownActor(f"no active actor with id {draft.actor_id}")
    if draft.corrects_seq is not None and conn.execute(
            select(Handover.seq).where(Handover.seq == draft.corrects_seq)).scalar() is None:
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
    conn.execute(insert(Handover), [{**values, "hash": digest}])
    conn.execute(_MOVE_HEAD, {"seq": values["seq"], "hash": digest})
    if not is_correction:
        _update_states(conn, values, source, dest, source_state, dest_state, action)
    return RecordedHandover(values["seq"], digest, draft.source, draft.dest, values["action"],
                            flags, server_time)


_LOCK_HEAD = select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1).with_for_update()
_MOVE_HEAD = update(LedgerHead).where(LedgerHead.id == 1).values(
    seq=bindparam("seq"), hash=bindparam("hash"))
_ACTIVE_ACTOR = select(Actor.active).where(Actor.id == bindparam("id"))
_ASSETS_WITH_STATES = (
    select(Asset.asset_id, Asset.kind, Asset.category, Asset.lat_e7, Asset.lon_e7,
           AssetState.last_seq, AssetState.last_seen_us, AssetState.lat_e7.label("seen_lat"),
           AssetState.lon_e7.label("seen_lon"), AssetState.accuracy_cm, AssetState.holding)
    .outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)
    .where(Asset.asset_id.in_(bindparam("ids", expanding=True)))
)


def _asset_and_state(session: Session, found: dict, asset_id: str
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
    reached = kind is AssetKind.BAG and _resolve_container(session, asset_id)[-1][1] == "facility"
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
    conn.execute(_UPSERT_STATE[conn.dialect.name], rows)


def _upsert_state(insert_fn) -> object:
    """INSERT .. ON CONFLICT DO UPDATE for asset_states, built once per dialect."""
    stmt = insert_fn(AssetState)
    return stmt.on_conflict_do_update(
        index_elements=[AssetState.asset_id],
        set_={c: stmt.excluded[c] for c in ("last_seq", "last_seen_us", "lat_e7", "lon_e7",
                                            "accuracy_cm", "holding")},
    )


_UPSERT_STATE = {"postgresql": _upsert_state(pg_insert), "sqlite": _upsert_state(sqlite_insert)}


def _resolve_container(session: Session, asset_id: str) -> list[tuple[Handover, str]]:
    """Follow an asset's waste from container to container: [(handover, dest kind), ...].

    The waste in a container goes with the container's next outgoing handover.
    Returns [(None, own kind)] for an asset never handed on.
    """
    path: list[tuple[Handover, str]] = []
    current, after = asset_id, -1
    for _ in range(MAX_CUSTODY_HOPS):
        nxt = session.scalars(
            select(Handover)
            .where(Handover.source_id == current, Handover.seq > after,
                   Handover.record_kind == RecordKind.HANDOVER.value,
                   Handover.action.is_distinct_from(Action.INSPECT.value))
            .order_by(Handover.seq).limit(1)
        ).first()
        if nxt is None:
            break
        dest = session.get(Asset, nxt.dest_id)
        path.append((nxt, dest.kind))
        current, after = nxt.dest_id, nxt.seq
        if dest.kind == AssetKind.FACILITY:
            break
    return path or [(None, model.kind_of(asset_id).value)]  # type: ignore[list-item]


@dataclass(frozen=True)
class Whereabouts:
    """Where an asset is now, and the records that say so."""

    asset_id: str
    kind: str
    category: str | None
    container: str | None
    reached_facility: bool
    path: list[dict]
    history: list[dict]


def where(db: Database, asset_id: str) -> Whereabouts:
    """The asset's current container (its waste, followed hop by hop) and its history."""
    with db.read() as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        hops = [(h, k) for h, k in _resolve_container(session, asset_id) if h is not None]
        history = session.scalars(
            select(Handover)
            .where((Handover.source_id == asset_id) | (Handover.dest_id == asset_id))
            .order_by(Handover.seq)
        ).all()
        return Whereabouts(
            asset_id=asset_id, kind=asset.kind, category=asset.category,
            container=hops[-1][0].dest_id if hops else None,
            reached_facility=bool(hops) and hops[-1][1] == AssetKind.FACILITY.value,
            path=[handover_dict(h) for h, _ in hops],
            history=[handover_dict(h) for h in history],
        )


def handover_dict(h: Handover) -> dict:
    """A stored handover as plain data for pages, APIs and the CLI."""
    return {
        "seq": h.seq, "hash": h.hash, "record_kind": h.record_kind, "action": h.action,
        "source": h.source_id, "dest": h.dest_id, "actor_id": h.actor_id, "role": h.role,
        "device_time": _iso(from_us(h.device_time_us)),
        "server_time": _iso(from_us(h.server_time_us)),
        "lat": from_e7(h.lat_e7), "lon": from_e7(h.lon_e7),
        "accuracy_m": from_cm(h.accuracy_cm), "photo_sha256": h.photo_sha256,
        "weight_kg": None if h.weight_g is None else h.weight_g / 1000,
        "category": h.category, "flags": h.flags.split(",") if h.flags else [],
        "corrects_seq": h.corrects_seq, "note": h.note,
    }


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 with a Z, or None."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")
