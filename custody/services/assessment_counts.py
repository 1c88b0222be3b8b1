"""What the assessment counts, read from the registry and the rollups (never the ledger).

What is *due* (the denominators of ``custody.domain.assessment``):

- every booth and every transfer room registered in a village is due every
  day of the period (assets carry no dates of service, and the registry is
  what the district assesses against); a booth is due a pickup, a room a
  photographed clearance;
- a collector is due, on each day he picked up in a village, every booth of
  that village (a collector who works two villages is due both);
- an inspector (whoever records inspections, mostly booth keepers) is due, on
  each day he inspected in a village, one inspection per booth of that village;
- every household registered in a village is due a deposit in each period.

Done counts come from ``activity_rollups`` (``custody.services.activity_rollups``
defines the measures) and ``household_months``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from custody.db.repositories import Connection, Repositories
from custody.domain.assessment import HOUSEHOLDS, Counts
from custody.domain.model import AssetKind

PEOPLE_MEASURES = ("pickup", "inspect")


@dataclass
class Registry:
    """The villages (name -> (id, town)) and their booths, rooms and households."""

    villages: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    booths: dict[str, int] = field(default_factory=dict)
    rooms: dict[str, int] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)
    # The first day anything was recorded in the district: nothing is due before it (a
    # district that began mid-month is not rated on the days before it began).
    since: date | None = None

    def booths_on(self, village: str | None, day: date) -> int:
        """Booths due in the village on a day."""
        return self.booths.get(village, 0) if self.in_use(day) else 0

    def rooms_on(self, village: str, day: date) -> int:
        """Transfer rooms due in the village on a day."""
        return self.rooms.get(village, 0) if self.in_use(day) else 0

    def in_use(self, day: date) -> bool:
        """True once the district records its work (on and after its first recorded day)."""
        return self.since is not None and day >= self.since


def registry(conn: Connection) -> Registry:
    """The villages, their towns, booths, rooms and households, read now."""
    found, reads = Registry(), Repositories(conn).assessment
    names = {}
    for vid, name, town in reads.villages():
        found.villages[name] = (vid, town)
        names[vid] = name
    for kind, vid, n in reads.assets_per_village(
            [AssetKind.BOOTH.value, AssetKind.TRANSFER_ROOM.value]):
        target = found.booths if kind == AssetKind.BOOTH.value else found.rooms
        target[names[vid]] = n
    found.households = {names[vid]: n for vid, n in reads.households_per_village().items()}
    found.since = reads.first_day()
    return found


# What ``village_counts`` reads of a village-day's activity, in this order: (measure, "nodes"
# or "records"); a place's row of ``Activity.places`` holds these numbers.
PLACE_SUMS = (("pickup", "nodes"), ("room_clear_photo", "nodes"), ("inspect", "records"),
              ("deposit", "records"), ("deposit_mismatch", "records"),
              ("keeper_check", "records"), ("keeper_mismatch", "records"),
              (HOUSEHOLDS, "nodes"))
_NOTHING = (0,) * len(PLACE_SUMS)


@dataclass
class Activity:
    """The period's activity: per (village, day) the numbers of ``PLACE_SUMS``, and per
    (actor, village, day, measure) (nodes, records) for pickups and inspections."""

    places: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    # (village, day) -> [booths picked up, summed over collectors; collectors at work]
    work: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def households_on(self, village: str, day: date) -> int:
        """The village's households with a deposit on the day."""
        return self.places.get((village, day), _NOTHING)[7]


def activity(conn: Connection, first: date, last: date) -> Activity:
    """The activity of the days: per village-day (one row each) and per person."""
    found, reads = Activity(), Repositories(conn).assessment
    for village, day, *sums in reads.activity_by_place(first, last, PLACE_SUMS):
        found.places[(village, day)] = sums
    for actor, village, day, measure, nodes, records in reads.activity_by_person(
            first, last, PEOPLE_MEASURES):
        found.people[(actor, village, day, measure)] = (nodes, int(records))
        if measure == "pickup":
            cell = found.work[(village, day)]
            cell[0], cell[1] = cell[0] + nodes, cell[1] + 1
    return found


def village_counts(reg: Registry, act: Activity, village: str, first: date, last: date,
                   depositing: int, into: Counts | None = None) -> Counts:
    """A village's counts over the days (``depositing``: its households with a deposit),
    added to ``into`` if given (the trend sums every village's: no Counts each)."""
    counted = first <= last  # a period not begun yet: nothing is due
    c = into if into is not None else Counts()
    c.households += reg.households.get(village, 0) if counted else 0
    c.households_depositing += depositing
    day = first
    while day <= last:
        booths = reg.booths_on(village, day)
        c.booths_due += booths
        c.rooms_due += reg.rooms_on(village, day)
        done = act.places.get((village, day))
        if done is not None:  # in the order of PLACE_SUMS
            c.booths_collected += done[0]
            c.rooms_cleared += done[1]
            c.inspections += done[2]
            c.deposits += done[3]
            c.deposit_mismatches += done[4]
            c.keeper_checks += done[5]
            c.keeper_mismatches += done[6]
        picked, collectors = act.work.get((village, day), (0, 0))
        c.work_done += picked
        c.work_due += booths * collectors
        day += timedelta(days=1)
    return c


def people(reg: Registry, act: Activity, measure: str, first: date, last: date) -> dict:
    """Actor id -> (done, due, villages): pickups (booths picked up) or inspections."""
    found: dict[int, list] = {}
    for (actor, village, day, m), (nodes, records) in act.people.items():
        if m != measure or not first <= day <= last:
            continue
        row = found.setdefault(actor, [0, 0, set()])
        row[0] += nodes if measure == "pickup" else records
        row[1] += reg.booths_on(village, day) if village else 0
        if village:
            row[2].add(village)
    return {a: (done, due, sorted(vs)) for a, (done, due, vs) in found.items()}


def actor_names(conn: Connection, ids) -> dict[int, str]:
    """The names of these actors."""
    if not ids:
        return {}
    return Repositories(conn).assessment.actor_names(sorted(ids))
