"""Issuing and reprinting label sheets: assets from the database, PDFs from ``labels``.

Issuing a batch never leaves half of it behind: serials are reserved first
(a short transaction; a reserved serial is never handed out again), the PDF
is written from them with no lock held, and only then are the assets
registered, in one transaction. If the PDF fails nothing is registered; if
the registration fails the PDF is removed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import labels
from custody.config import Settings
from custody.db.engine import Database
from custody.db.repositories import RegistryRepository
from custody.domain.errors import DomainError, UnknownAsset
from custody.domain.model import AssetKind, Category, make_asset_id
from custody.services import assets

Progress = Callable[[int], None]


# The words and colours printed on labels: the one vocabulary's (labels builds it from it).
CATALOG = labels.DEFAULT_CATALOG


def identity(settings: Settings) -> labels.IdentityScheme:
    """The deployment's QR identity scheme (host and HMAC keys from settings)."""
    return labels.IdentityScheme(settings.code_host, settings.code_keys, settings.code_key_id)


@dataclass(frozen=True)
class Batch:
    """What an issue run produced."""

    asset_ids: list[str]
    labels: int
    out: Path


def issue(db: Database, settings: Settings, *, kind: AssetKind, category: Category | None,
          count: int, village: str | None, out: Path, layout: str = "a4",
          progress: Progress | None = None) -> Batch:
    """Register ``count`` new assets and write their label sheet to ``out``."""
    template = assets.NewAsset(kind=kind, category=category, village=village)
    if kind.is_fixed:
        raise DomainError(f"a {kind.value} needs its own name and location: register it with "
                          "`custody assets add`, then reprint its label")
    template.validate()
    scheme = identity(settings)
    serials = assets.reserve_serials(db, kind, count)
    ids = [make_asset_id(kind, s) for s in serials]
    data = (labels.LabelData(scheme.make_code(a), a, kind.value,
                             category.value if category else None, village) for a in ids)
    written = labels.write_sheet(data, out, layout=layout, progress=progress, catalog=CATALOG)
    try:
        assets.register_batch(db, template, serials)
    except BaseException:
        Path(out).unlink(missing_ok=True)
        raise
    return Batch(ids, written, Path(out))


def reprint(db: Database, settings: Settings, *, codes: list[str] | None = None,
            village: str | None = None, kind: AssetKind | None = None, out: Path | os.PathLike,
            layout: str = "a4", progress: Progress | None = None) -> int:
    """Write the labels of existing assets (by code or id, by village, or by kind)."""
    scheme = identity(settings)
    ids = [_asset_id_of(scheme, c) for c in codes] if codes else None
    if not (ids or village or kind):
        raise DomainError("name the labels to reprint: codes, a village or a kind")
    rows = list(_select(db, ids, village, kind))
    if ids:
        missing = sorted(set(ids) - {r.asset_id for r in rows})
        if missing:
            raise UnknownAsset(f"no asset {', '.join(missing)} is registered")
    if not rows:
        raise UnknownAsset("no registered asset matches")
    data = (_label(scheme, r) for r in rows)
    return labels.write_sheet(data, out, layout=layout, progress=progress, catalog=CATALOG)


def label_data(db: Database, scheme: labels.IdentityScheme, asset_ids: list[str]
               ) -> dict[str, labels.LabelData]:
    """The printed label of each of these registered assets, as a sheet draws it."""
    return {r.asset_id: _label(scheme, r) for r in _select(db, asset_ids, None, None)}


def _label(scheme: labels.IdentityScheme, row) -> labels.LabelData:
    """One asset row's label: its signed code, id, kind, category and name or village."""
    return labels.LabelData(scheme.make_code(row.asset_id), row.asset_id, row.kind, row.category,
                            row.name or row.village)


def _asset_id_of(scheme: labels.IdentityScheme, text: str) -> str:
    """An asset id from a bare id or a scanned code (verified)."""
    text = text.strip()
    if len(text) == 9:
        return text.upper()
    try:
        return scheme.verify(text)
    except labels.CodeError as exc:
        raise DomainError(f"{text[:60]}: {exc}") from exc


def _select(db: Database, ids: list[str] | None, village: str | None,
            kind: AssetKind | None) -> Iterator:
    """Assets with their village names, in id order."""
    with db.read() as session:
        yield from RegistryRepository(session).label_rows(ids, village,
                                                          kind.value if kind else None)
