"""The demo district's printed labels: one PDF sheet per village and kind, one per shared kind.

Sheets come from ``label_sheets.reprint`` (``label_sheets.issue`` registers
anonymous assets, while the demo's have households, booths and places), under
``<data>/labels``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, func, or_, select

from custody.config import Settings
from custody.db.engine import Database
from custody.db.schema import Asset, Village
from custody.domain.errors import UnknownAsset
from custody.domain.model import AssetKind
from custody.services import label_sheets

VILLAGE_KINDS = (AssetKind.BOOTH, AssetKind.BIN, AssetKind.TRANSFER_ROOM, AssetKind.BAG)
SHARED_KINDS = (AssetKind.VEHICLE, AssetKind.FACILITY)


@dataclass(frozen=True)
class Sheet:
    """One written PDF and how many labels it holds."""

    path: Path
    labels: int


def sheet_count(db: Database, villages: list[str]) -> int:
    """How many labels ``write_sheets`` will print for these villages."""
    stmt = (select(func.count()).select_from(Asset)
            .outerjoin(Village, Village.id == Asset.village_id)
            .where(or_(Asset.kind.in_([k.value for k in SHARED_KINDS]),
                       and_(Village.name.in_(villages),
                            Asset.kind.in_([k.value for k in VILLAGE_KINDS])))))
    with db.read() as session:
        return session.scalar(stmt)


def write_sheets(db: Database, settings: Settings, villages: list[str], out_dir: Path,
                 progress: Callable[[int], None] | None = None) -> list[Sheet]:
    """Print every label of these villages and the shared kinds; ``progress`` gets labels done."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(v, k, out_dir / f"{v}-{k.value}.pdf") for v in villages for k in VILLAGE_KINDS]
    jobs += [(None, k, out_dir / f"{k.value}.pdf") for k in SHARED_KINDS]
    sheets: list[Sheet] = []
    done = 0
    for village, kind, path in jobs:
        try:
            count = label_sheets.reprint(
                db, settings, village=village, kind=kind, out=path,
                progress=(lambda n, base=done: progress(base + n)) if progress else None)
        except UnknownAsset:  # a village without this kind: no sheet rather than an empty one
            continue
        done += count
        sheets.append(Sheet(path, count))
    return sheets




def label_folder(settings: Settings) -> Path:
    """Where the demo's label sheets are written."""
    return Path(settings.data_dir) / "labels"
