"""Where an asset is now: its waste followed from container to container."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from custody.db.engine import Database
from custody.db.schema import Asset, Handover, HandoverPortion
from custody.domain.errors import UnknownAsset
from custody.domain.model import Action, AssetKind, RecordKind
from custody.services.conversions import from_cm, from_e7, from_us

# A bag's waste is followed from container to container at most this far.
MAX_CUSTODY_HOPS = 32

# Every scan of a bag seen before walks this: through SQLAlchemy's execution layer a
# step costs 15 to 18 µs of CPU more than on the raw cursor on SQLite and 24 to 45 µs
# on PostgreSQL (benchmarks/statements.py), under 1 % of a scan's web CPU.
_NEXT_OUT = (select(Handover.seq, Handover.dest_id, Asset.kind)
        .join(Asset, Asset.asset_id == Handover.dest_id)
        .where(Handover.source_id == bindparam("asset"),
               Handover.seq > bindparam("after"),
               Handover.record_kind == RecordKind.HANDOVER.value,
               Handover.action.is_distinct_from(Action.INSPECT.value))
        .order_by(Handover.seq).limit(1))
# The next outgoing handover that carried a portion of this category.
_NEXT_OUT_OF = _NEXT_OUT.join(HandoverPortion, (HandoverPortion.seq == Handover.seq)
                              & (HandoverPortion.category == bindparam("category")))
_CATEGORIES = select(HandoverPortion.category).where(HandoverPortion.seq == bindparam("seq"))


def custody_hops(conn: Connection, asset_id: str) -> list[tuple[int, str, str]]:
    """[(seq, container, container kind), ...] that the asset's waste went through.

    The waste in a container goes with the container's next outgoing handover
    that carried its category (custody.domain.contents: a kitchen truck
    loading at a room takes only the kitchen waste): when the asset's first
    move carried one category, later hops follow that category.
    """
    hops: list[tuple[int, str, str]] = []
    current, after, category = asset_id, -1, None
    for _ in range(MAX_CUSTODY_HOPS):
        if category is None:
            found = conn.execute(_NEXT_OUT, {"asset": current, "after": after}).first()
        else:
            found = conn.execute(_NEXT_OUT_OF, {"asset": current, "after": after,
                                                "category": category}).first()
        if found is None:
            break
        seq, dest_id, kind = found
        if not hops:
            carried = conn.execute(_CATEGORIES, {"seq": seq}).scalars().all()
            category = carried[0] if len(carried) == 1 else None
        hops.append((seq, dest_id, kind))
        current, after = dest_id, seq
        if kind == AssetKind.FACILITY.value:
            break
    return hops


def reached_facility(conn: Connection, asset_id: str) -> bool:
    """True when the asset's waste has been delivered to a facility."""
    hops = custody_hops(conn, asset_id)
    return bool(hops) and hops[-1][2] == AssetKind.FACILITY.value


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
        hops = custody_hops(session.connection(), asset_id)
        path = session.scalars(select(Handover).where(Handover.seq.in_([h[0] for h in hops]))
                               .order_by(Handover.seq)).all() if hops else []
        history = session.scalars(
            select(Handover)
            .where((Handover.source_id == asset_id) | (Handover.dest_id == asset_id))
            .order_by(Handover.seq)
        ).all()
        return Whereabouts(
            asset_id=asset_id, kind=asset.kind, category=asset.category,
            container=hops[-1][1] if hops else None,
            reached_facility=bool(hops) and hops[-1][2] == AssetKind.FACILITY.value,
            path=[handover_dict(h) for h in path],
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
