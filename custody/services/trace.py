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
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from custody.db.engine import Database
from custody.db.schema import Asset, Handover, Village
from custody.domain.errors import UnknownAsset
from custody.services.conversions import from_e7, from_us
from custody.services.whereabouts import custody_hops

LOCAL = ZoneInfo("Asia/Shanghai")
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
    with db.read() as session:
        row = session.execute(select(Asset.kind, Asset.category, Village.name)
                              .outerjoin(Village, Village.id == Asset.village_id)
                              .where(Asset.asset_id == asset_id)).first()
        if row is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        conn = session.connection()
        if row.kind == "bag":
            seqs = [seq for seq, _, _ in custody_hops(conn, asset_id)]
        else:
            seqs = list(session.scalars(
                select(Handover.seq).where((Handover.source_id == asset_id)
                                           | (Handover.dest_id == asset_id))
                .order_by(Handover.seq.desc()).limit(RECENT)))[::-1]
        stops = [_stop(session, h) for h in session.scalars(
            select(Handover).where(Handover.seq.in_(seqs)).order_by(Handover.seq))] if seqs else []
    return Trace(asset_id, row.kind, row.category, row[2],
                 bool(stops) and stops[-1].action == "deliver" and row.kind == "bag", stops)


def _stop(session, h: Handover) -> Stop:
    """One handover placed at the registered site it happened at."""
    site = _site_of(session, h)
    return Stop(seq=h.seq, time=from_us(h.device_time_us or h.server_time_us).astimezone(LOCAL),
                action=h.action, source=h.source_id, dest=h.dest_id,
                place=site.name if site else None,
                lat=from_e7(site.lat_e7) if site else None,
                lon=from_e7(site.lon_e7) if site else None,
                photo_sha256=h.photo_sha256, flags=tuple(h.flags.split(",")) if h.flags else (),
                vehicle=_vehicle_of(session, h))


def _vehicle_of(session, h: Handover) -> str | None:
    """The name (else the id) of the vehicle that gave or took the waste in a handover."""
    found = session.execute(
        select(Asset.asset_id, Asset.name)
        .where(Asset.asset_id.in_((h.source_id, h.dest_id)), Asset.kind == "vehicle")
        .order_by(Asset.asset_id == h.dest_id)).first()
    return (found.name or found.asset_id) if found else None


def _site_of(session, h: Handover):
    """The fixed asset a handover happened at: the dest or source if fixed, or a bin's booth."""
    booth = aliased(Asset)
    for asset_id in (h.dest_id, h.source_id):
        found = session.execute(
            select(Asset.kind, Asset.name, Asset.lat_e7, Asset.lon_e7, booth.name.label("bn"),
                   booth.lat_e7.label("blat"), booth.lon_e7.label("blon"))
            .outerjoin(booth, booth.asset_id == Asset.site_id)
            .where(Asset.asset_id == asset_id)).first()
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
