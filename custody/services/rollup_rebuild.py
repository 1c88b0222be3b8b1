"""Re-deriving the rollups, portions and contents from the whole ledger, in order.

Used after a migration that adds derived data and to check the incremental
rollups (``custody.services.rollups`` keeps them in step on every append).
"""

from __future__ import annotations

from collections.abc import Callable

from custody.db.engine import Database
from custody.db.repositories import RebuildRepository, writing
from custody.domain import contents
from custody.domain.contents import Portion
from custody.domain.model import Action, AssetInfo, AssetKind, Category, RecordKind
from custody.services import activity_rollups
from custody.services.rollups import (
    MEASURES_BY_KINDS,
    Place,
    add_portions,
    find_place,
    local_day,
    new_delta,
    place_of_row,
    write,
)

REBUILD_BATCH = 20_000  # ledger rows per fetch
REBUILD_CELLS = 200_000  # rollup cells summed in memory before they are written


def rebuild(db: Database, progress: Callable[[int], None] | None = None) -> int:
    """Re-derive the rollups, portions and contents from the whole ledger, in order.

    Returns the rollup row count. The contents of every container are replayed
    from the first record (``custody.domain.contents``), so each record gets
    the portions it got when it was appended.
    """
    with writing(db) as repos:
        conn, derived = repos.conn, repos.rebuild
        derived.clear_derived()
        in_force = _fold_corrections(derived)
        derived.add_in_force([{"seq": seq, "weight_g": w, "category": c}
                              for seq, (w, c) in in_force.items()])
        places = {row.asset_id: place_of_row(row)
                  for row in derived.places_except(AssetKind.BAG.value)}
        held: dict[str, contents.Contents] = {}
        given: set[str] = set()  # the bags that gave themselves (contents rule 1)
        delta, portion_rows = new_delta(), []
        stream = derived.ledger(RecordKind.HANDOVER.value, Action.INSPECT.value, REBUILD_BATCH)
        for row in stream:
            if progress:
                progress(1)
            portions = _replay(held, given, row)
            portion_rows.extend({"seq": row.seq, "category": p.category, "grams": p.grams,
                                 "estimated": p.estimated} for p in portions)
            measures = MEASURES_BY_KINDS[(row.source_kind, row.dest_kind)]
            if measures:
                if row.seq in in_force:
                    portions = contents.corrected(portions, *in_force[row.seq])

                def place_of(at_source: bool, row=row) -> Place:
                    asset_id = row.source_id if at_source else row.dest_id
                    if asset_id not in places:  # a bag: looked up when first needed
                        places[asset_id] = find_place(conn, asset_id)
                    return places[asset_id]

                add_portions(delta, 1, measures,
                             local_day(row.device_time_us, row.server_time_us), portions,
                             place_of)
            if len(delta) >= REBUILD_CELLS:  # memory stays bounded on a ledger of years
                write(repos, delta)
                delta = new_delta()
            if len(portion_rows) >= REBUILD_BATCH:
                derived.add_portions(portion_rows)
                portion_rows = []
        write(repos, delta)
        derived.add_portions(portion_rows)
        _write_contents(derived, held)
        activity_rollups.rebuild(conn, places, find_place)  # the assessment's counts
        return derived.rollup_count()


def _info(asset_id: str, kind: str, category: str | None) -> AssetInfo:
    return AssetInfo(asset_id, AssetKind(kind), Category(category) if category else None)


def _replay(held: dict[str, contents.Contents], given: set[str], row) -> tuple[Portion, ...]:
    """One ledger record's portions, moving the contents it moved (kept in ``held``; the
    bags that gave themselves in ``given``)."""
    source = _info(row.source_id, row.source_kind, row.source_cat)
    dest = _info(row.dest_id, row.dest_kind, row.dest_cat)
    carried = contents.carry(
        action=Action(row.action) if row.action else None, source=source, dest=dest,
        source_contents=held.get(row.source_id), dest_contents=held.get(row.dest_id),
        declared=row.category, weight_g=row.weight_g, given=row.source_id in given)
    if source.kind is AssetKind.BAG and row.action != Action.INSPECT.value:
        given.add(row.source_id)
    for asset_id, after in ((row.source_id, carried.source_after),
                            (row.dest_id, carried.dest_after)):
        if after is not None:
            held[asset_id] = after
    return carried.portions


def _write_contents(derived: RebuildRepository, held: dict[str, contents.Contents]) -> None:
    """The replayed contents (and whether each holds waste) into the containers' states."""
    derived.set_contents([{"id": asset_id, "text": contents.encode(found), "holding": bool(found)}
                          for asset_id, found in sorted(held.items())])


def _fold_corrections(derived: RebuildRepository) -> dict[int, tuple[int | None, str | None]]:
    """What corrections set (weight, category; None: not set) per corrected record, in order."""
    corrections = derived.corrections(RecordKind.CORRECTION.value)
    target = {c.seq: c.corrects_seq for c in corrections}
    in_force: dict[int, tuple[int | None, str | None]] = {}
    for c in corrections:
        root = c.corrects_seq
        while root in target:
            root = target[root]
        weight_g, category = in_force.get(root, (None, None))
        in_force[root] = (c.weight_g if c.weight_g is not None else weight_g,
                          c.category or category)
    return in_force
