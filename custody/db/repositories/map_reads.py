"""What the day map reads: sites, the day's vehicle moves and their portions, booths.

Core ``select()`` on the reader engine; no raw cursor (the map is a page, read
once per request; ``benchmarks/reports.py`` times it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.orm import aliased

from custody.db.schema import Asset, Handover, HandoverPortion, Village


class MapRepository:
    """The reads behind ``custody.services.map_view``."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def sites(self, kinds: Sequence[str]) -> list[Row]:
        """(asset_id, kind, name, lat_e7, lon_e7) of the placed assets of these kinds."""
        return self.conn.execute(
            select(Asset.asset_id, Asset.kind, Asset.name, Asset.lat_e7, Asset.lon_e7)
            .where(Asset.kind.in_(tuple(kinds)), Asset.lat_e7.is_not(None))).all()

    def moves(self, lo_us: int, hi_us: int, actions: Sequence[str]
              ) -> tuple[list[Row], dict[int, list[tuple[str, float]]]]:
        """(the handovers of these actions stamped lo..hi by the server, in order, with the
        source's site and category; {seq: [(category, kg)]} of what each carried)."""
        of_moves = (Handover.server_time_us.between(lo_us, hi_us),
                    Handover.action.in_(tuple(actions)), Handover.record_kind == "handover")
        moves = self.conn.execute(
            select(Handover.seq, Handover.action, Handover.source_id, Handover.dest_id,
                   Handover.weight_g, Handover.category, Handover.device_time_us,
                   Handover.server_time_us, Handover.photo_sha256, Asset.site_id,
                   Asset.category.label("src_cat"))
            .join(Asset, Asset.asset_id == Handover.source_id).where(*of_moves)
            .order_by(Handover.seq)).all()
        # The moves' portions only: the day's deposits have theirs too, twenty times as many.
        # (benchmarks/reports.py, SQLite, 5.1 million handovers: the day's records p50
        # 0.47 s -> 0.12 s with the indexes of migration 0012; GET /map 0.47 s -> 0.16 s.)
        carried: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for seq, category, grams in self.conn.execute(
                select(HandoverPortion.seq, HandoverPortion.category, HandoverPortion.grams)
                .join(Handover, Handover.seq == HandoverPortion.seq).where(*of_moves)):
            carried[seq].append((category, grams / 1000))
        return moves, carried

    def booth_villages(self) -> dict[str, str]:
        """{booth: its village's name}."""
        return dict(self.conn.execute(
            select(Asset.asset_id, Village.name).join(Village, Village.id == Asset.village_id)
            .where(Asset.kind == "booth")).all())

    def households_per_booth(self, lo_us: int, hi_us: int) -> dict[str, int]:
        """Booth -> distinct households whose bags went into its bins in lo..hi (server time).

        One grouped index range, answered from the indexes alone
        (``ix_handovers_action_time``, ``ix_assets_household_site``, migration 0012).
        ``benchmarks/reports.py``, SQLite, a 176-day prefix of the Nanhu-size year (5.1
        million handovers, ~28,000 deposits a day): p50 0.09 s -> 0.02 s.
        """
        bag, bin_ = aliased(Asset), aliased(Asset)
        return dict(self.conn.execute(
            select(bin_.site_id, func.count(bag.household_id.distinct()))
            .select_from(Handover)
            .join(bag, bag.asset_id == Handover.source_id)
            .join(bin_, bin_.asset_id == Handover.dest_id)
            .where(Handover.server_time_us.between(lo_us, hi_us), Handover.action == "deposit",
                   Handover.record_kind == "handover", bin_.site_id.is_not(None))
            .group_by(bin_.site_id)).all())
