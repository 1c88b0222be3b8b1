"""The assets and actors a batch of handovers touches, as the ledger's appender knows them.

``read_assets`` and ``read_actors`` read a batch's assets (with their last seen
state and their tonnage place) and actors through their primary keys, in the
round trip that takes the ledger-head lock; ``Known`` is one asset as kept in
memory while the batch is checked; ``UPSERT_STATE`` writes the changed states back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, Integer, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from custody.db.prepared import BulkInsert, Prepared
from custody.db.schema import Actor, Asset, AssetState
from custody.domain import contents, model, rules
from custody.domain.model import AssetKind
from custody.services import rollups
from custody.services.conversions import from_e7

HANDED = ("handed_to", "handed_seq", "handed_weighed")


@dataclass
class Known:
    """An asset as the appender knows it: what it is, where it counts, its state row."""

    info: model.AssetInfo
    place: rollups.Place
    state: dict | None  # the asset_states row as stored, None if never seen


def held(asset: Known) -> contents.Contents | None:
    """What a container holds now, from its state row."""
    return contents.decode(asset.state["contents"]) if asset.state else None


# Reading a batch's assets and actors through their primary keys: a few ids as
# an IN list of bind parameters (PostgreSQL plans that as index lookups), many
# as one table of ids joined to the keys (PostgreSQL unnests an array, SQLite
# walks a JSON list), so a batch of 10,000 drafts is one statement too.
FEW_IDS = 8


def _wanted(dialect: str, type_, few: int) -> tuple:
    """(FROM clause, id column, WHERE clause) naming the ids to read."""
    if few:
        return None, None, [bindparam(f"p{i}") for i in range(few)]
    if dialect == "postgresql":
        ids = bindparam("ids", type_=ARRAY(type_))
        table = func.unnest(ids).table_valued("id").render_derived()
        return table, table.c.id, None
    table = func.json_each(bindparam("ids")).table_valued("value")
    return table, table.c.value, None


def _reader(build: Callable, type_) -> dict:
    """Prepared readers by (dialect, IN-list size, or 0 for the id table)."""
    return {(d, few): build(*_wanted(d, type_, few))
            for d in ("postgresql", "sqlite") for few in (0, *range(1, FEW_IDS + 1))}


def _read(readers: dict, conn: Connection, ids: Sequence):
    """Submit the reader that suits this many ids; returns its cursor."""
    dialect = conn.dialect.name
    if len(ids) <= FEW_IDS:
        return readers[(dialect, len(ids) or 1)].submit(
            conn, {f"p{i}": v for i, v in enumerate(ids or [None])})
    param = list(ids) if dialect == "postgresql" else json.dumps(list(ids))
    return readers[(dialect, 0)].submit(conn, {"ids": param})


def _assets_with_states(table, table_id, in_list) -> Prepared:
    """The named assets, with their last seen state and their tonnage place."""
    stmt = select(Asset.asset_id, Asset.kind, Asset.category, Asset.lat_e7, Asset.lon_e7,
                  AssetState.last_seq, AssetState.last_seen_us,
                  AssetState.lat_e7.label("seen_lat"), AssetState.lon_e7.label("seen_lon"),
                  AssetState.accuracy_cm, AssetState.holding, AssetState.contents,
                  AssetState.handed_to, AssetState.handed_seq, AssetState.handed_weighed,
                  *rollups.PLACE_COLUMNS)
    if in_list is None:
        stmt = stmt.select_from(table).join(Asset, Asset.asset_id == table_id)
    else:
        stmt = stmt.where(Asset.asset_id.in_(in_list))
    return Prepared(rollups.join_place(
        stmt.outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)))


def _actors(table, table_id, in_list) -> Prepared:
    """The named actors and whether each is active."""
    stmt = select(Actor.id, Actor.active)
    if in_list is None:
        return Prepared(stmt.select_from(table).join(Actor, Actor.id == table_id))
    return Prepared(stmt.where(Actor.id.in_(in_list)))


_ASSETS_WITH_STATES = _reader(_assets_with_states, String)
_ACTORS = _reader(_actors, Integer)


def read_assets(conn: Connection, ids: Sequence[str]):
    """Submit the read of these assets with their states and places; returns its cursor."""
    return _read(_ASSETS_WITH_STATES, conn, ids)


def read_actors(conn: Connection, ids: Sequence[int]):
    """Submit the read of these actors and whether each is active; returns its cursor."""
    return _read(_ACTORS, conn, ids)


class AssetRow(NamedTuple):
    """One row of ``read_assets``."""

    asset_id: str
    kind: str
    category: str | None
    lat_e7: int | None
    lon_e7: int | None
    last_seq: int | None
    last_seen_us: int | None
    seen_lat: int | None
    seen_lon: int | None
    accuracy_cm: int | None
    holding: bool | None
    contents: str | None
    handed_to: str | None
    handed_seq: int | None
    handed_weighed: bool | None
    site_id: str | None
    village: str | None
    district: str | None


def known(row: AssetRow) -> Known:
    """An asset row of ``read_assets`` as the appender keeps it."""
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


UPSERT_STATE = BulkInsert(AssetState.__table__, conflict=lambda stmt: stmt.on_conflict_do_update(
    index_elements=[AssetState.asset_id],
    set_={c: stmt.excluded[c] for c in ("last_seq", "last_seen_us", "lat_e7", "lon_e7",
                                        "accuracy_cm", "holding", "contents",
                                        *HANDED)}))
