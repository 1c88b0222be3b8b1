"""Read side of the supervisor's desk: one asset with its history, one record, and search.

Plain queries returning plain data. Supervisors see actor names and inspection
notes; a bag's household is still never shown.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from custody.db.engine import Database
from custody.db.schema import Actor, Asset, AssetState, CorrectedWeight, Handover, Village
from custody.domain.errors import UnknownAsset, UnknownHandover
from custody.domain.model import ASSET_ID_RE
from custody.services import flag_reviews
from custody.services.conversions import from_e7, from_us
from custody.services.whereabouts import custody_hops, handover_dict

HISTORY = 200  # records shown on an asset page, newest first
FOUND = 20  # matches per kind of search result


def asset_detail(db: Database, asset_id: str) -> dict:
    """The asset, its place, where its waste is now, and what it last did."""
    site = aliased(Asset)
    stmt = (select(Asset, Village.name, site.name, AssetState)
            .outerjoin(site, site.asset_id == Asset.site_id)
            .outerjoin(Village, Village.id == func.coalesce(site.village_id, Asset.village_id))
            .outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)
            .where(Asset.asset_id == asset_id))
    with db.read() as session:
        found = session.execute(stmt).first()
        if found is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        a, village, site_name, state = found
        hops = custody_hops(session.connection(), asset_id)
    return {"asset_id": a.asset_id, "kind": a.kind, "category": a.category, "name": a.name,
            "village": village, "site_id": a.site_id, "site_name": site_name,
            "lat": from_e7(a.lat_e7), "lon": from_e7(a.lon_e7), "created_at": a.created_at,
            "container": hops[-1][1] if hops else None,
            "container_kind": hops[-1][2] if hops else None,
            "holding": bool(state and state.holding),
            "last_seen": from_us(state.last_seen_us) if state else None,
            "last_seq": state.last_seq if state else None}


def _with_names(stmt) -> list[dict]:
    """Handover rows of ``stmt`` (selecting Handover, Actor.name) as plain dicts."""
    return [{**handover_dict(h), "actor_name": name} for h, name in stmt]


def history(db: Database, asset_id: str, *, limit: int = HISTORY) -> list[dict]:
    """The asset's records, newest first, each with its reviews and the values in force."""
    stmt = (select(Handover, Actor.name).join(Actor, Actor.id == Handover.actor_id)
            .where(or_(Handover.source_id == asset_id, Handover.dest_id == asset_id))
            .order_by(Handover.seq.desc()).limit(limit))
    with db.read() as session:
        rows = _with_names(session.execute(stmt))
    return _in_force(db, rows)


def _in_force(db: Database, rows: list[dict]) -> list[dict]:
    """Add the reviews of each row, and the weight and category in force after corrections."""
    seqs = [r["seq"] for r in rows]
    reviews = flag_reviews.reviews_of(db, seqs)
    with db.read() as session:
        fixed = {c.seq: c for c in session.scalars(
            select(CorrectedWeight).where(CorrectedWeight.seq.in_(seqs)))} if seqs else {}
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
    with db.read() as session:
        found = _with_names(session.execute(
            select(Handover, Actor.name).join(Actor, Actor.id == Handover.actor_id)
            .where(Handover.seq == seq)))
        if not found:
            raise UnknownHandover(f"no ledger record number {seq}")
        corrections = _with_names(session.execute(
            select(Handover, Actor.name).join(Actor, Actor.id == Handover.actor_id)
            .where(Handover.corrects_seq == seq).order_by(Handover.seq)))
    (row,) = _in_force(db, found)
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
    pattern = _like(text)
    upper = text.upper()
    with db.read() as session:
        stmt = (select(Asset.asset_id, Asset.kind, Asset.category, Asset.name)
                .where(or_(Asset.asset_id == upper,
                           Asset.name.like(pattern, escape="\\")))
                .order_by(Asset.asset_id).limit(FOUND))
        found["assets"] = [dict(r._mapping) for r in session.execute(stmt)]
        found["people"] = [dict(r._mapping) for r in session.execute(
            select(Actor.name, Actor.role, Actor.active)
            .where(Actor.name.like(pattern, escape="\\")).order_by(Actor.name).limit(FOUND))]
        found["villages"] = list(session.scalars(
            select(Village.name).where(Village.name.like(pattern, escape="\\"))
            .order_by(Village.name).limit(FOUND)))
        number = text.lstrip("#")
        if number.isdigit() and len(number) < 19:
            found["record"] = session.scalar(select(Handover.seq)
                                             .where(Handover.seq == int(number)))
    return found


def is_asset_id(text: str) -> bool:
    """Whether ``text`` (any case) is shaped like an asset id."""
    return bool(ASSET_ID_RE.match(text.strip().upper()))
