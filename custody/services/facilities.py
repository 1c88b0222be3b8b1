"""What a treatment facility does with the waste it receives, for the public trace page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from custody.db.engine import Database
from custody.db.schema import Asset


@dataclass(frozen=True)
class Treatment:
    """A facility's name and its registered kind of treatment (a vocabulary identifier)."""

    facility_id: str
    name: str
    kind: str


def treatment_at(db: Database, facility_id: str | None) -> Treatment | None:
    """The registered treatment of a facility; None if it is not a facility or has none."""
    if not facility_id:
        return None
    with db.read() as session:
        row = session.execute(select(Asset.name, Asset.treatment)
                              .where(Asset.asset_id == facility_id,
                                     Asset.kind == "facility")).first()
    if row is None or not row.treatment:
        return None
    return Treatment(facility_id, row.name or facility_id, row.treatment)
