"""What a phone shows for the assets a scan touched: kind, category and name, not only codes."""

from __future__ import annotations

from custody.db.engine import Database
from custody.db.repositories import RegistryRepository

MAX_ASSETS = 50  # a photo holds a handful of labels; never read more than this


def asset_ids_in(body: dict) -> list[str]:
    """The asset ids a scan answer names: its genuine codes and its handovers' ends."""
    ids: list[str] = []
    codes = body.get("codes") or (body.get("error") or {}).get("codes") or []
    for code in codes:
        if isinstance(code, dict) and code.get("asset_id"):
            ids.append(code["asset_id"])
    for handover in body.get("handovers") or []:
        ids.extend([handover["source"], handover["dest"]])
    return list(dict.fromkeys(ids))[:MAX_ASSETS]


def describe(db: Database, ids: list[str]) -> dict[str, dict]:
    """{asset id: {kind, category, name}} of the registered ones (households never shown)."""
    if not ids:
        return {}
    with db.read() as session:
        rows = RegistryRepository(session).described(ids)
        return {r.asset_id: {"kind": r.kind, "category": r.category, "name": r.name}
                for r in rows}
