"""What a treatment facility does with the waste it receives, for the public trace page."""

from __future__ import annotations

from dataclasses import dataclass

from custody.db.engine import Database
from custody.db.repositories import RegistryRepository


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
        row = RegistryRepository(session).treatment(facility_id, "facility")
    if row is None or not row.treatment:
        return None
    return Treatment(facility_id, row.name or facility_id, row.treatment)
