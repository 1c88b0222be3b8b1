"""Read side of the supervisor's desk: one asset with its history, one record, and search.

Plain queries returning plain data. Supervisors see actor names and inspection
notes; a bag's household is still never shown.
"""

from __future__ import annotations

import re

from custody.db.engine import Database
from custody.db.repositories import reading
from custody.domain.errors import UnknownAsset, UnknownHandover
from custody.domain.model import ASSET_ID_RE
from custody.services import flag_reviews
from custody.services.conversions import from_e7, from_us
from custody.services.whereabouts import custody_hops, handover_dict

HISTORY = 200  # records shown on an asset page, newest first
FOUND = 20  # matches per kind of search result


def asset_detail(db: Database, asset_id: str) -> dict:
    """The asset, its place, where its waste is now, and what it last did."""
    with reading(db) as repos:
        a = repos.directory.asset_detail(asset_id)
        if a is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        hops = custody_hops(repos.conn, asset_id)
    return {"asset_id": a.asset_id, "kind": a.kind, "category": a.category, "name": a.name,
            "village": a.village_name, "site_id": a.site_id, "site_name": a.site_name,
            "lat": from_e7(a.lat_e7), "lon": from_e7(a.lon_e7), "created_at": a.created_at,
            "container": hops[-1][1] if hops else None,
            "container_kind": hops[-1][2] if hops else None,
            "holding": bool(a.has_state and a.holding),
            "last_seen": from_us(a.last_seen_us) if a.has_state else None,
            "last_seq": a.last_seq if a.has_state else None}


def _with_names(rows) -> list[dict]:
    """Handover rows with their actor's name as plain dicts."""
    return [{**handover_dict(h), "actor_name": h.actor_name} for h in rows]


def history(db: Database, asset_id: str, *, limit: int = HISTORY) -> list[dict]:
    """The asset's records, newest first, each with its reviews and the values in force."""
    with reading(db) as repos:
        rows = _with_names(repos.desk.of_asset(asset_id, limit))
    return _in_force(db, rows)


def _in_force(db: Database, rows: list[dict]) -> list[dict]:
    """Add the reviews of each row, and the weight and category in force after corrections."""
    seqs = [r["seq"] for r in rows]
    reviews = flag_reviews.reviews_of(db, seqs)
    with reading(db) as repos:
        fixed = repos.desk.corrected(seqs)
    for r in rows:
        r["reviews"] = reviews.get(r["seq"], [])
        c = fixed.get(r["seq"])
        r["corrected"] = c is not None
        r["weight_in_force"] = (c.weight_g / 1000 if c.weight_g is not None else None) \
            if c else r["weight_kg"]
        r["category_in_force"] = c.category if c else r["category"]
    return rows


def record(db: Database, seq: int) -> dict:
    """One ledger record, its reviews, the values in force and the corrections of it."""
    with reading(db) as repos:
        found = repos.desk.record(seq)
        if found is None:
            raise UnknownHandover(f"no ledger record number {seq}")
        corrections = _with_names(repos.desk.corrections_of(seq))
    (row,) = _in_force(db, _with_names([found]))
    row["corrections"] = corrections
    row["village"] = flag_reviews.villages_of(db, {row["dest"], row["source"]}).get(row["dest"])
    return row


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere (its wildcards taken literally)."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def search(db: Database, text: str) -> dict:
    """Assets, people and villages whose id or name contains ``text``; a record by number."""
    text = text.strip()[:100]
    found = {"assets": [], "people": [], "villages": [], "record": None}
    if not text:
        return found
    number = text.lstrip("#")
    seq = int(number) if number.isdigit() and len(number) < 19 else None
    with reading(db) as repos:
        return repos.directory.search(_like(text), text.upper(), seq, FOUND)


def is_asset_id(text: str) -> bool:
    """Whether ``text`` (any case) is shaped like an asset id."""
    return bool(ASSET_ID_RE.match(text.strip().upper()))
