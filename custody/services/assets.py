"""Registering assets, villages and actors."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import vocabulary
from custody.db.engine import Database
from custody.db.repositories import AccountRepository, RegistryRepository
from custody.domain.errors import DomainError, DuplicateAsset, ImportRejected, UnknownAsset
from custody.domain.model import AssetKind, Category, Role, make_asset_id
from custody.services import towns
from custody.services.conversions import to_e7
from custody.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from custody.db.repositories.accounts import Actor

DEFAULT_DISTRICT = "南湖区"


@dataclass(frozen=True)
class NewAsset:
    """What is needed to register one asset."""

    kind: AssetKind
    category: Category | None = None
    name: str | None = None
    village: str | None = None
    lat: float | None = None
    lon: float | None = None
    site_id: str | None = None
    household: str | None = None
    treatment: str | None = None  # a facility's kind of treatment (vocabulary)
    town: str | None = None  # the village's town or subdistrict (镇/街道), if given

    def validate(self) -> None:
        """Raise DomainError when the fields do not fit the kind."""
        if self.kind.has_category and self.category is None:
            raise DomainError(f"a {self.kind} needs a category")
        if self.kind.is_fixed and (self.lat is None or self.lon is None):
            raise DomainError(f"a {self.kind} needs its registered location (lat, lon)")
        if (self.lat is None) != (self.lon is None):
            raise DomainError("give both lat and lon, or neither")
        if self.lat is not None and not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise DomainError(f"location out of range: {self.lat}, {self.lon}")
        if self.household and self.kind is not AssetKind.BAG:
            raise DomainError("only bags belong to a household")
        if self.household and not self.village:
            raise DomainError("a household needs its village")
        if self.town and not self.village:
            raise DomainError("a town is given for the asset's village: name the village")
        if self.treatment and self.kind is not AssetKind.FACILITY:
            raise DomainError("only a treatment facility has a kind of treatment")
        if self.treatment and self.treatment not in vocabulary.TREATMENT_KINDS:
            raise DomainError(f"unknown treatment {self.treatment!r}: one of "
                              f"{', '.join(vocabulary.TREATMENT_KINDS)}")


def register(db: Database, assets: Iterable[NewAsset]) -> list[str]:
    """Register assets in one transaction; returns their new ids in order."""
    with UnitOfWork(db, write=True) as uow:
        ids = register_in(uow.registry, assets)
        uow.commit()
    return ids


def register_in(registry: RegistryRepository, assets: Iterable[NewAsset]) -> list[str]:
    """Register assets inside an open unit of work (the caller commits).

    Works in bulk: one query for the villages, sites and households each names,
    one insert of the new households and one of the assets, however many there are.
    """
    assets = list(assets)
    for new in assets:
        new.validate()
    now = datetime.now(UTC)
    serials = {kind: iter(r) for kind, r in
               _reserve_serials(registry, [new.kind for new in assets]).items()}
    villages: dict[str, int] = {}
    for name in sorted({new.village for new in assets if new.village}):
        _village_id(registry, name, villages)
    towns.place_villages(registry, {new.village: new.town for new in assets if new.town})
    sites = registry.kinds_of({new.site_id for new in assets if new.site_id})
    households = registry.household_ids({(villages[new.village], new.household)
                                          for new in assets if new.household})
    rows, ids = [], []
    for new in assets:
        if new.site_id is not None and sites.get(new.site_id) != AssetKind.BOOTH:
            raise UnknownAsset(f"site {new.site_id} is not a registered booth")
        serial = next(serials[new.kind])
        asset_id = make_asset_id(new.kind, serial)
        village_id = villages[new.village] if new.village else None
        rows.append({
            "asset_id": asset_id, "kind": new.kind.value, "serial": serial,
            "category": new.category.value if new.category else None, "name": new.name,
            "village_id": village_id, "site_id": new.site_id,
            "household_id": households[(village_id, new.household)] if new.household else None,
            "lat_e7": to_e7(new.lat), "lon_e7": to_e7(new.lon), "created_at": now,
            "treatment": new.treatment,
        })
        sites[asset_id] = new.kind  # a booth can be the site of bins later in the list
        ids.append(asset_id)
    registry.add_assets(rows)
    return ids


def _reserve_serials(registry: RegistryRepository, kinds: list[AssetKind]
                     ) -> dict[AssetKind, range]:
    """Reserve unused serials per kind (the write transaction keeps them unique)."""
    reserved = registry.reserve_serials({kind.value: n for kind, n in Counter(kinds).items()})
    return {AssetKind(kind): serials for kind, serials in reserved.items()}


def _village_id(registry: RegistryRepository, name: str, cache: dict[str, int]) -> int:
    """The id of a village, registering it on first mention."""
    if name not in cache:
        cache[name] = registry.village_id(name, DEFAULT_DISTRICT)
    return cache[name]


CSV_COLUMNS = ("kind", "category", "name", "village", "lat", "lon", "site", "household",
               "treatment", "town")


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    imported: list[str]
    skipped: list[tuple[int, str]]


def parse_csv(text: str) -> tuple[list[tuple[int, NewAsset]], list[tuple[int, str]]]:
    """Parse asset rows; returns (good rows, errors) with 1-based line numbers."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"kind"} - set(reader.fieldnames or ())
    if missing:
        raise ImportRejected([(1, f"header lacks column(s): {', '.join(sorted(missing))}")])
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise ImportRejected([(1, f"unknown column(s): {', '.join(sorted(unknown))}")])
    good, bad = [], []
    for line_no, row in enumerate(reader, start=2):
        try:
            good.append((line_no, _row_to_asset(row)))
        except (DomainError, ValueError) as exc:
            bad.append((line_no, str(exc)))
    return good, bad


def _row_to_asset(row: dict[str, str | None]) -> NewAsset:
    """One CSV row as a NewAsset, or ValueError/DomainError naming the bad field."""
    def text(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    def number(name: str) -> float | None:
        value = text(name)
        try:
            return None if value is None else float(value)
        except ValueError:
            raise ValueError(f"{name} is not a number: {value!r}") from None

    kind_text, category_text = text("kind"), text("category")
    try:
        kind = AssetKind(kind_text)
    except ValueError:
        raise ValueError(f"unknown kind {kind_text!r}") from None
    try:
        category = Category(category_text) if category_text else None
    except ValueError:
        raise ValueError(f"unknown category {category_text!r}") from None
    new = NewAsset(kind=kind, category=category, name=text("name"), village=text("village"),
                   lat=number("lat"), lon=number("lon"), site_id=text("site"),
                   household=text("household"), treatment=text("treatment"),
                   town=text("town"))
    new.validate()
    return new


def import_csv(db: Database, text: str, *, skip_bad: bool = False) -> ImportReport:
    """Import assets from CSV: all rows or none, unless ``skip_bad``."""
    good, bad = parse_csv(text)
    if bad and not skip_bad:
        raise ImportRejected(bad)
    with UnitOfWork(db, write=True) as uow:
        imported = []
        for line_no, new in good:
            try:
                with uow.session.begin_nested():
                    imported.extend(register_in(uow.registry, [new]))
            except DomainError as exc:
                if not skip_bad:
                    raise ImportRejected([(line_no, str(exc))]) from exc
                bad.append((line_no, str(exc)))
        uow.commit()
    return ImportReport(imported=imported, skipped=sorted(bad))


def add_actor(db: Database, name: str, role: Role) -> int:
    """Register a person who records handovers; returns their id."""
    with UnitOfWork(db, write=True) as uow:
        if uow.accounts.actor_named(name):
            raise DuplicateAsset(f"an actor named {name!r} already exists")
        actor_id = uow.accounts.add_actor(name, role.value, datetime.now(UTC)).id
        uow.commit()
        return actor_id


def actor_by_name(db: Database, name: str) -> Actor | None:
    """The actor with that name, if any."""
    with db.read() as session:
        return AccountRepository(session).actor_named(name)


def reserve_serials(db: Database, kind: AssetKind, count: int) -> range:
    """Burn ``count`` serials of a kind for a batch that is registered later (or never)."""
    if not 0 < count <= 1_000_000:
        raise DomainError(f"count must be 1 to 1,000,000, not {count}")
    with UnitOfWork(db, write=True) as uow:
        serials = _reserve_serials(uow.registry, [kind] * count)[kind]
        uow.commit()
    return serials


def register_batch(db: Database, template: NewAsset, serials: range) -> list[str]:
    """Register one asset per reserved serial, all like ``template``, in one transaction."""
    template.validate()
    now = datetime.now(UTC)
    with UnitOfWork(db, write=True) as uow:
        village_id = _village_id(uow.registry, template.village, {}) if template.village \
            else None
        rows = [{"asset_id": make_asset_id(template.kind, serial), "kind": template.kind.value,
                 "serial": serial, "category": template.category.value if template.category
                 else None, "name": template.name, "village_id": village_id,
                 "site_id": template.site_id, "household_id": None,
                 "lat_e7": to_e7(template.lat), "lon_e7": to_e7(template.lon),
                 "created_at": now} for serial in serials]
        uow.registry.add_assets(rows)
        uow.commit()
    return [row["asset_id"] for row in rows]
