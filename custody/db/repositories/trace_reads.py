"""What the public trace page reads: an asset, its handovers, their vehicles and sites.

Core ``select()`` on the reader engine (a page, read once per request); only
registered places and names are read, never a household or an actor.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Row, select
from sqlalchemy.orm import aliased

from custody.db.schema import Asset, Handover, Village


class TraceRepository:
    """The reads behind ``custody.services.trace``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def asset(self, asset_id: str) -> Row | None:
        """(kind, category, village name) of a registered asset; None if there is none."""
        return self.conn.execute(select(Asset.kind, Asset.category, Village.name)
                                 .outerjoin(Village, Village.id == Asset.village_id)
                                 .where(Asset.asset_id == asset_id)).first()

    def recent_seqs(self, asset_id: str, limit: int) -> list[int]:
        """The numbers of the asset's newest records, oldest of them first."""
        return list(self.conn.scalars(
            select(Handover.seq).where((Handover.source_id == asset_id)
                                       | (Handover.dest_id == asset_id))
            .order_by(Handover.seq.desc()).limit(limit)))[::-1]

    def handovers(self, seqs: Sequence[int]) -> list[Row]:
        """These records, in order."""
        return self.conn.execute(select(Handover.__table__).where(Handover.seq.in_(list(seqs)))
                                 .order_by(Handover.seq)).all()

    def vehicle(self, source_id: str, dest_id: str) -> Row | None:
        """(asset_id, name) of the vehicle among a handover's two ends, the source's first."""
        return self.conn.execute(
            select(Asset.asset_id, Asset.name)
            .where(Asset.asset_id.in_((source_id, dest_id)), Asset.kind == "vehicle")
            .order_by(Asset.asset_id == dest_id)).first()

    def site(self, asset_id: str) -> Row | None:
        """(kind, name, lat_e7, lon_e7, and its booth's bn, blat, blon) of an asset."""
        booth = aliased(Asset)
        return self.conn.execute(
            select(Asset.kind, Asset.name, Asset.lat_e7, Asset.lon_e7, booth.name.label("bn"),
                   booth.lat_e7.label("blat"), booth.lon_e7.label("blon"))
            .outerjoin(booth, booth.asset_id == Asset.site_id)
            .where(Asset.asset_id == asset_id)).first()
