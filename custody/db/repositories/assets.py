"""Assets as the scan path reads them: by id, with their last seen state and place.

Every statement here runs on the raw driver cursor (``custody.db.prepared``), sent
in the round trip that takes the ledger-head lock (``LedgerRepository.open``) or,
for a scan's codes, in one round trip of its own: the append path, where
``benchmarks/ledger.py`` and ``benchmarks/scan_path.py --callgrind`` show that
SQLAlchemy's execution layer would cost ~0.1 ms of CPU per statement, more than
SQLite needs to run it.

Reading a batch's assets and actors through their primary keys: a few ids as an
IN list of bind parameters (PostgreSQL plans that as index lookups), many as one
table of ids joined to the keys (PostgreSQL unnests an array, SQLite walks a
JSON list), so a batch of 10,000 drafts is one statement too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, Integer, String, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from custody.db.prepared import BulkInsert, Prepared, fetch_all, pipeline
from custody.db.schema import Actor, Asset, AssetState, Handover, Village

HANDED = ("handed_to", "handed_seq", "handed_weighed")
FEW_IDS = 8

# What an asset's place is read from: its site (a bin's booth), and the village
# of the site, else its own. Select these columns and join with ``join_place``.
PLACE_COLUMNS = (Asset.site_id, Village.name, Village.district)


def join_place(stmt):
    """``stmt``, which selects from assets, joined to the site and village of each asset."""
    site = aliased(Asset)
    return (stmt.outerjoin(site, site.asset_id == Asset.site_id)
            .outerjoin(Village, Village.id == func.coalesce(site.village_id, Asset.village_id)))


class AssetRow(NamedTuple):
    """One asset with its state and place, as ``AssetRepository.submit_with_states`` reads it."""

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


class AssetRepository:
    """The ``assets`` and ``asset_states`` tables (and the actors an append names)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def named_by_codes(self, ids: Sequence[str], photo_sha: str
                       ) -> tuple[list[tuple], dict[tuple[str, str], int]]:
        """([(asset id, kind, lat_e7, lon_e7)] of the registered ones among ``ids``,
        {(source, dest): first seq} of the moves this photo already recorded); one round
        trip on PostgreSQL."""
        conn = self.conn
        with pipeline(conn):
            cursors = [_ASSET.submit(conn, {"id": asset_id}) for asset_id in ids]
            earlier_use = _MOVES_WITH_PHOTO.submit(conn, {"sha": photo_sha})
            rows = [row for cursor in cursors for row in fetch_all(cursor)]
            reused = {(source, dest): seq
                      for source, dest, seq in reversed(fetch_all(earlier_use))}
        return rows, reused

    def kind_and_category(self, asset_id: str) -> tuple[str, str | None] | None:
        """(kind, category) of a registered asset."""
        return self.conn.execute(select(Asset.kind, Asset.category)
                                 .where(Asset.asset_id == asset_id)).first()

    def submit_with_states(self, ids: Sequence[str]):
        """Send the read of these assets with states and places; rows by ``fetch``."""
        return _read(_ASSETS_WITH_STATES, self.conn, ids)

    def submit_actors(self, ids: Sequence[int]):
        """Send the read of these actors and whether each is active; rows by ``fetch``."""
        return _read(_ACTORS, self.conn, ids)

    def save_states(self, states: Sequence[dict]) -> None:
        """Write these asset-state rows over the stored ones (one bulk upsert)."""
        _UPSERT_STATE.execute(self.conn, states)


def fetch(cursor) -> list[tuple]:
    """The rows of a statement sent with one of the ``submit_*`` methods."""
    return fetch_all(cursor)


_ASSET = Prepared(select(Asset.asset_id, Asset.kind, Asset.lat_e7, Asset.lon_e7)
                  .where(Asset.asset_id == bindparam("id")))
# The moves a photo is already evidence for: the same photo again adds no second move.
_MOVES_WITH_PHOTO = Prepared(select(Handover.source_id, Handover.dest_id, Handover.seq).where(
    Handover.photo_sha256 == bindparam("sha"), Handover.record_kind == "handover")
    .order_by(Handover.seq))


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
                  *PLACE_COLUMNS)
    if in_list is None:
        stmt = stmt.select_from(table).join(Asset, Asset.asset_id == table_id)
    else:
        stmt = stmt.where(Asset.asset_id.in_(in_list))
    return Prepared(join_place(stmt.outerjoin(AssetState, AssetState.asset_id == Asset.asset_id)))


def _actors(table, table_id, in_list) -> Prepared:
    """The named actors and whether each is active."""
    stmt = select(Actor.id, Actor.active)
    if in_list is None:
        return Prepared(stmt.select_from(table).join(Actor, Actor.id == table_id))
    return Prepared(stmt.where(Actor.id.in_(in_list)))


_ASSETS_WITH_STATES = _reader(_assets_with_states, String)
_ACTORS = _reader(_actors, Integer)

_UPSERT_STATE = BulkInsert(AssetState.__table__, conflict=lambda stmt: stmt.on_conflict_do_update(
    index_elements=[AssetState.asset_id],
    set_={c: stmt.excluded[c] for c in ("last_seq", "last_seen_us", "lat_e7", "lon_e7",
                                        "accuracy_cm", "holding", "contents",
                                        *HANDED)}))
