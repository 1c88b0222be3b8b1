"""The assets a batch of handovers touches, as the ledger's appender knows them.

``LedgerRepository.open`` reads a batch's assets (with their last seen state
and their tonnage place, as ``AssetRow``) in the round trip that takes the
ledger-head lock; ``known`` turns each into ``Known``, one asset as kept in
memory while the batch is checked; ``AssetRepository.save_states`` writes the
changed states back.
"""

from __future__ import annotations

from dataclasses import dataclass

from custody.db.repositories.assets import HANDED, AssetRow
from custody.domain import contents, model, rules
from custody.domain.model import AssetKind
from custody.services import rollups
from custody.services.conversions import from_e7

__all__ = ["HANDED", "AssetRow", "Known", "held", "known"]


@dataclass
class Known:
    """An asset as the appender knows it: what it is, where it counts, its state row."""

    info: model.AssetInfo
    place: rollups.Place
    state: dict | None  # the asset_states row as stored, None if never seen


def held(asset: Known) -> contents.Contents | None:
    """What a container holds now, from its state row."""
    return contents.decode(asset.state["contents"]) if asset.state else None


def known(row: AssetRow) -> Known:
    """An asset row of ``LedgerRepository.open`` as the appender keeps it."""
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
    return Known(info, place, state)
