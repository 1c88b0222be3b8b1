"""The asset register: assets, their serials, villages, towns and households.

An ORM session serves these (``UnitOfWork.registry``), like the accounts: they
are written by the desk and the CLI a batch at a time, where the ORM costs
nothing that matters; a batch's assets and households go in as bulk inserts
(``_BULK_ROWS`` rows an executemany) and are looked up by IN lists of at most
``_IN_ROWS`` values. Reads for pages (names, treatments, label rows) are Core
``select()`` on the session's connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from custody.db.schema import Asset, AssetSerial, Household, Town, Village

_BULK_ROWS = 5_000  # rows per executemany
_IN_ROWS = 500  # values per IN list


class RegistryRepository:
    """The ``assets``, ``asset_serials``, ``villages``, ``towns`` and ``households`` tables."""

    def __init__(self, session: Session):
        self.session = session

    def reserve_serials(self, counts: Mapping[str, int]) -> dict[str, range]:
        """Reserve unused serials per kind (the write transaction keeps them unique)."""
        reserved = {}
        for kind, count in counts.items():
            row = self.session.execute(
                select(AssetSerial).where(AssetSerial.kind == kind).with_for_update()
            ).scalar_one_or_none()
            if row is None:
                row = AssetSerial(kind=kind, last_serial=0)
                self.session.add(row)
            reserved[kind] = range(row.last_serial + 1, row.last_serial + count + 1)
            row.last_serial += count
        return reserved

    def village_id(self, name: str, district: str) -> int:
        """The id of a village, registering it (in ``district``) on first mention."""
        village = self.session.scalars(select(Village).where(Village.name == name)).one_or_none()
        if village is None:
            village = Village(name=name, district=district)
            self.session.add(village)
            self.session.flush()
        return village.id

    def kinds_of(self, asset_ids: set[str]) -> dict[str, str]:
        """The kind of each registered asset among ``asset_ids``."""
        ordered = sorted(asset_ids)
        found: dict[str, str] = {}
        for start in range(0, len(ordered), _IN_ROWS):
            found.update(self.session.execute(select(Asset.asset_id, Asset.kind).where(
                Asset.asset_id.in_(ordered[start:start + _IN_ROWS]))).all())
        return found

    def household_ids(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """The id of each (village id, household ref), registering those not seen before."""
        by_village: dict[int, list[str]] = {}
        for village_id, ref in sorted(keys):
            by_village.setdefault(village_id, []).append(ref)

        def lookup() -> dict[tuple[int, str], int]:
            found = {}
            for village_id, refs in by_village.items():
                for start in range(0, len(refs), _IN_ROWS):
                    found.update(((village_id, ref), hid) for hid, ref in self.session.execute(
                        select(Household.id, Household.ref).where(
                            Household.village_id == village_id,
                            Household.ref.in_(refs[start:start + _IN_ROWS]))).all())
            return found

        found = lookup()
        missing = [{"village_id": v, "ref": r} for v, r in sorted(keys) if (v, r) not in found]
        if missing:
            self.session.execute(insert(Household), missing)
            found = lookup()
        return found

    def add_assets(self, rows: Sequence[dict]) -> None:
        """Insert asset rows (dicts of the ``assets`` columns), a bulk insert at a time."""
        self.session.flush()
        for start in range(0, len(rows), _BULK_ROWS):
            self.session.execute(insert(Asset), list(rows[start:start + _BULK_ROWS]))

    def districts_of(self, villages: Sequence[str]) -> dict[str, str]:
        """{village name: its district} of these villages that are registered."""
        return dict(self.session.execute(select(Village.name, Village.district)
                                         .where(Village.name.in_(sorted(villages)))).all())

    def town_ids(self, names: Sequence[str]) -> dict[str, int]:
        """{town name: id} of these towns that are registered."""
        return dict(self.session.execute(select(Town.name, Town.id)
                                         .where(Town.name.in_(sorted(names)))).all())

    def add_town(self, name: str, district: str) -> int:
        """Register a town; its id."""
        town = Town(name=name, district=district)
        self.session.add(town)
        self.session.flush()
        return town.id

    def place_village(self, village: str, town_id: int) -> None:
        """Put a village in a town."""
        self.session.execute(update(Village).where(Village.name == village)
                             .values(town_id=town_id))

    def towns_of(self) -> dict[str, str | None]:
        """{village name: its town's name, or None}."""
        return dict(self.session.execute(select(Village.name, Town.name)
                                         .outerjoin(Town, Town.id == Village.town_id)).all())

    def described(self, ids: Sequence[str]) -> list[Row]:
        """(asset_id, kind, category, name) of these registered assets."""
        return self.session.execute(select(Asset.asset_id, Asset.kind, Asset.category,
                                           Asset.name).where(Asset.asset_id.in_(ids))).all()

    def treatment(self, facility_id: str, facility_kind: str) -> Row | None:
        """(name, treatment) of a registered facility; None if there is none."""
        return self.session.execute(select(Asset.name, Asset.treatment)
                                    .where(Asset.asset_id == facility_id,
                                           Asset.kind == facility_kind)).first()

    def label_rows(self, ids: Sequence[str] | None, village: str | None, kind: str | None
                   ) -> Iterator[Row]:
        """(asset_id, kind, category, name, village) of the assets named, in id order."""
        stmt = (select(Asset.asset_id, Asset.kind, Asset.category, Asset.name,
                       Village.name.label("village"))
                .outerjoin(Village, Village.id == Asset.village_id).order_by(Asset.asset_id))
        if ids:
            stmt = stmt.where(Asset.asset_id.in_(ids))
        if village:
            stmt = stmt.where(Village.name == village)
        if kind:
            stmt = stmt.where(Asset.kind == kind)
        yield from self.session.execute(stmt)
