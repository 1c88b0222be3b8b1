"""The tonnage a resident reads: totals and shares per category, a trend, villages compared.

Read from the daily rollups only, summed in the database: a year of a village is a
few hundred rows per category, and comparing every village is one grouped query, so
the page costs the same however many scans there were. Weights are kilograms.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import vocabulary
from custody.db.engine import Database
from custody.db.repositories import Repositories, reading

CATEGORIES = tuple(vocabulary.CATEGORIES)
PERIODS = ("day", "week", "month")
MEASURES = ("collected", "delivered")
# The levels whose rollups hold what the facilities weighed in: a village or booth has
# none of its own (its waste is mixed with others' in the trucks), so shows none.
WEIGHED_IN_AT = ("district", "facility")


@dataclass(frozen=True)
class Period:
    """One bar of the trend: the first day of a day, week (Monday) or month, and its kg."""

    start: date
    kg: dict[str, float]  # category -> kg collected

    @property
    def total(self) -> float:
        """All categories."""
        return sum(self.kg.values())


@dataclass(frozen=True)
class VillageRow:
    """One village's collected kg per category over the range, and per household and day."""

    name: str
    kg: dict[str, float]
    households: int
    days: int

    @property
    def total(self) -> float:
        """All categories."""
        return sum(self.kg.values())

    @property
    def per_household_day(self) -> float | None:
        """kg per registered household per day, when the village has households."""
        return self.total / self.households / self.days if self.households else None


@dataclass(frozen=True)
class Summary:
    """Everything the tonnage page shows for one choice of range, level, node and period."""

    totals: dict[str, dict[str, float]]  # measure -> category -> kg
    periods: list[Period]
    villages: list[VillageRow] = field(default_factory=list)

    def share(self, category: str, measure: str = "collected") -> float:
        """The category's share of the measure's total (0 when nothing was weighed)."""
        whole = sum(self.totals[measure].values())
        return self.totals[measure].get(category, 0.0) / whole if whole else 0.0


def period_start(day: date, by: str) -> date:
    """The first day of the day's period: itself, its week's Monday, or its month's 1st."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def summarise(db: Database, day_from: date, day_to: date, level: str, node: str | None,
              by: str) -> Summary:
    """Totals, the trend by ``by`` and (for the district or a village) the villages compared."""
    if by not in PERIODS:
        raise ValueError(f"by must be one of {', '.join(PERIODS)}")
    totals = {m: dict.fromkeys(CATEGORIES, 0.0) for m in MEASURES}
    by_period: dict[date, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0.0))
    with reading(db) as repos:
        for day, category, collected_g, delivered_g in repos.reports.grams_per_day(
                level, node, day_from, day_to, MEASURES):
            if category not in totals["collected"]:
                continue
            day = date.fromisoformat(day) if isinstance(day, str) else day
            collected, delivered = int(collected_g or 0) / 1000, int(delivered_g or 0) / 1000
            totals["collected"][category] += collected
            totals["delivered"][category] += delivered
            by_period[period_start(day, by)][category] += collected
        villages = _villages(repos, day_from, day_to) if level in ("district", "village") \
            else []
    periods = _every_period(day_from, day_to, by, by_period)
    return Summary(totals, periods, villages)


def _every_period(day_from: date, day_to: date, by: str,
                  found: dict[date, dict[str, float]]) -> list[Period]:
    """One Period per day, week or month of the range, empty ones included (gaps show)."""
    periods, start = [], period_start(day_from, by)
    while start <= day_to:
        periods.append(Period(start, found.get(start) or dict.fromkeys(CATEGORIES, 0.0)))
        if by == "day":
            start += timedelta(days=1)
        elif by == "week":
            start += timedelta(days=7)
        else:
            start = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return periods


def _villages(repos: Repositories, day_from: date, day_to: date) -> list[VillageRow]:
    """Every village's collected kg per category over the range, biggest per household first."""
    rows = repos.reports.collected_per_village(day_from, day_to)
    homes = repos.reports.households_per_village_name()
    kg: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CATEGORIES, 0.0))
    for village, category, grams in rows:
        if category in CATEGORIES:
            kg[village][category] += int(grams or 0) / 1000
    days = (day_to - day_from).days + 1
    found = [VillageRow(name, amounts, homes.get(name, 0), days) for name, amounts in kg.items()]
    return sorted(found, key=lambda v: (-(v.per_household_day or 0), -v.total, v.name))


def nodes(db: Database, level: str) -> list[tuple[str, str]]:
    """(node id, name) of every place a level can show, for the page's choice of node."""
    with reading(db) as repos:
        if level == "district":
            return [(d, d) for d in repos.reports.districts()]
        if level == "village":
            return [(v, v) for v in repos.reports.village_names()]
        return [(a, n or a) for a, n in repos.reports.named_assets(level)]


def auto_period(day_from: date, day_to: date) -> str:
    """Days for a month or less, weeks up to half a year, months beyond."""
    days = (day_to - day_from).days + 1
    return "day" if days <= 31 else "week" if days <= 183 else "month"
