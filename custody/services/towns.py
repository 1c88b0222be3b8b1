"""Towns and subdistricts (镇/街道): the level above villages in the district assessment.

A village is in at most one town. A town is registered on first mention, by
name (unique, like village names), in the village's district.
"""

from __future__ import annotations

from collections.abc import Mapping

from custody.db.engine import Database
from custody.db.repositories import RegistryRepository
from custody.domain.errors import BadInput, UnknownVillage
from custody.services.unit_of_work import UnitOfWork


def place_villages(registry: RegistryRepository, towns_of: Mapping[str, str]) -> None:
    """Put each named village in its town (registering towns first named here)."""
    if not towns_of:
        return
    villages = registry.districts_of(sorted(towns_of))
    missing = sorted(set(towns_of) - set(villages))
    if missing:
        raise UnknownVillage(f"no village named {', '.join(missing)}")
    names = sorted(set(towns_of.values()))
    ids = registry.town_ids(names)
    for village, town in sorted(towns_of.items()):
        if town not in ids:
            ids[town] = registry.add_town(town, villages[village])
        registry.place_village(village, ids[town])


def set_town(db: Database, village: str, town: str) -> None:
    """Put one village in a town."""
    town, village = town.strip(), village.strip()
    if not town or len(town) > 100:
        raise BadInput("a town's name is 1 to 100 characters")
    with UnitOfWork(db, write=True) as uow:
        place_villages(uow.registry, {village: town})
        uow.commit()


def towns_of(db: Database) -> dict[str, str | None]:
    """Village name -> its town's name (None: in no town)."""
    with db.read() as session:
        return RegistryRepository(session).towns_of()
