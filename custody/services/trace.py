"""The public trace of one asset: where its waste went, at registered places only.

A bag's trace follows the vehicles that really carried its waste (its
category, custody.domain.contents) and names each one (which cart, which truck).

Nothing private leaves here: no household, no GPS fix of a bag (a deposit is
shown at its booth's registered place), no actor names. Times are local
(Asia/Shanghai).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custody.db.engine import Database
from custody.db.repositories import TraceRepository, reading
from custody.domain.errors import UnknownAsset
from custody.services.conversions import from_e7, from_us
from custody.services.rollups import REPORT_TZ
from custody.services.whereabouts import custody_hops

LOCAL = REPORT_TZ  # the district's day, as the reports count it
RECENT = 20


@dataclass(frozen=True)
class Stop:
    """One step of the public timeline."""

    seq: int
    time: datetime
    action: str | None
    source: str
    dest: str
    place: str | None
    lat: float | None
    lon: float | None
    photo_sha256: str | None
    flags: tuple[str, ...]
    vehicle: str | None = None  # the cart or truck that gave or took the waste, by name


@dataclass(frozen=True)
class Trace:
    """An asset and its public timeline."""

    asset_id: str
    kind: str
    category: str | None
    village: str | None
    reached_facility: bool
    stops: list[Stop]


def public_trace(db: Database, asset_id: str) -> Trace:
    """The asset's public timeline: its waste's path (bags) or its recent handovers."""
    with reading(db) as repos:
        reads = repos.trace
        row = reads.asset(asset_id)
        if row is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        if row.kind == "bag":
            seqs = [seq for seq, _, _ in custody_hops(repos.conn, asset_id)]
        else:
            seqs = reads.recent_seqs(asset_id, RECENT)
        stops = [_stop(reads, h) for h in reads.handovers(seqs)] if seqs else []
    return Trace(asset_id, row.kind, row.category, row[2],
                 bool(stops) and stops[-1].action == "deliver" and row.kind == "bag", stops)


def _stop(reads: TraceRepository, h) -> Stop:
    """One handover placed at the registered site it happened at."""
    site = _site_of(reads, h)
    return Stop(seq=h.seq, time=from_us(h.device_time_us or h.server_time_us).astimezone(LOCAL),
                action=h.action, source=h.source_id, dest=h.dest_id,
                place=site.name if site else None,
                lat=from_e7(site.lat_e7) if site else None,
                lon=from_e7(site.lon_e7) if site else None,
                photo_sha256=h.photo_sha256, flags=tuple(h.flags.split(",")) if h.flags else (),
                vehicle=_vehicle_of(reads, h))


def _vehicle_of(reads: TraceRepository, h) -> str | None:
    """The name (else the id) of the vehicle that gave or took the waste in a handover."""
    found = reads.vehicle(h.source_id, h.dest_id)
    return (found.name or found.asset_id) if found else None


def _site_of(reads: TraceRepository, h):
    """The fixed asset a handover happened at: the dest or source if fixed, or a bin's booth."""
    for asset_id in (h.dest_id, h.source_id):
        found = reads.site(asset_id)
        if found is None:
            continue
        if found.kind in ("booth", "transfer_room", "facility") and found.lat_e7 is not None:
            return _Site(found.name or asset_id, found.lat_e7, found.lon_e7)
        if found.kind == "bin" and found.blat is not None:
            return _Site(found.bn or "", found.blat, found.blon)
    return None


@dataclass(frozen=True)
class _Site:
    name: str
    lat_e7: int
    lon_e7: int
