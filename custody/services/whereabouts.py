"""Where an asset is now: its waste followed from container to container."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custody.db.engine import Database
from custody.db.repositories import Connection, Repositories, reading
from custody.domain.errors import UnknownAsset
from custody.domain.model import AssetKind
from custody.services.conversions import from_cm, from_e7, from_us

# A bag's waste is followed from container to container at most this far.
MAX_CUSTODY_HOPS = 32

def custody_hops(conn: Connection, asset_id: str) -> list[tuple[int, str, str]]:
    """[(seq, container, container kind), ...] that the asset's waste went through.

    The waste in a container goes with the container's next outgoing handover
    that carried its category (custody.domain.contents: a kitchen truck
    loading at a room takes only the kitchen waste): when the asset's first
    move carried one category, later hops follow that category.
    """
    ledger = Repositories(conn).ledger
    hops: list[tuple[int, str, str]] = []
    current, after, category = asset_id, -1, None
    for _ in range(MAX_CUSTODY_HOPS):
        found = ledger.next_out(current, after, category)
        if found is None:
            break
        seq, dest_id, kind = found
        if not hops:
            carried = ledger.categories_of(seq)
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
    with reading(db) as repos:
        asset = repos.assets.kind_and_category(asset_id)
        if asset is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        hops = custody_hops(repos.conn, asset_id)
        path = repos.ledger.records([h[0] for h in hops])
        history = repos.ledger.history_of(asset_id)
        kind, category = asset
        return Whereabouts(
            asset_id=asset_id, kind=kind, category=category,
            container=hops[-1][1] if hops else None,
            reached_facility=bool(hops) and hops[-1][2] == AssetKind.FACILITY.value,
            path=[handover_dict(h) for h in path],
            history=[handover_dict(h) for h in history],
        )


def handover_dict(h) -> dict:
    """A stored handover (a record or its row) as plain data for pages, APIs and the CLI."""
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
