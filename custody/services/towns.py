"""Towns and subdistricts (镇/街道): the level above villages in the district assessment.

A village is in at most one town. A town is registered on first mention, by
name (unique, like village names), in the village's district.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from custody.db.engine import Database
from custody.db.schema import Town, Village
from custody.domain.errors import BadInput, UnknownVillage
from custody.services.unit_of_work import UnitOfWork


def place_villages(session: Session, towns_of: Mapping[str, str]) -> None:
    """Put each named village in its town (registering towns first named here)."""
    if not towns_of:
        return
    villages = dict(session.execute(select(Village.name, Village.district)
                                    .where(Village.name.in_(sorted(towns_of)))).all())
    missing = sorted(set(towns_of) - set(villages))
    if missing:
        raise UnknownVillage(f"no village named {', '.join(missing)}")
    names = sorted(set(towns_of.values()))
    ids = dict(session.execute(select(Town.name, Town.id).where(Town.name.in_(names))).all())
    for village, town in sorted(towns_of.items()):
        if town not in ids:
            found = Town(name=town, district=villages[village])
            session.add(found)
            session.flush()
            ids[town] = found.id
        session.execute(update(Village).where(Village.name == village)
                        .values(town_id=ids[town]))


def set_town(db: Database, village: str, town: str) -> None:
    """Put one village in a town."""
    town, village = town.strip(), village.strip()
    if not town or len(town) > 100:
        raise BadInput("a town's name is 1 to 100 characters")
    with UnitOfWork(db, write=True) as uow:
        place_villages(uow.session, {village: town})
        uow.commit()


def towns_of(db: Database) -> dict[str, str | None]:
    """Village name -> its town's name (None: in no town)."""
    with db.read() as session:
        return dict(session.execute(select(Village.name, Town.name)
                                    .outerjoin(Town, Town.id == Village.town_id)).all())
