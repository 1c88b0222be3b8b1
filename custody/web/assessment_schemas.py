"""The assessment's part of the API contract: its query and its answer (pydantic models)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from custody.domain.assessment import KPIS, PERIODS
from custody.services.assessment import LEVELS
from custody.web.schemas import Day, _Input, _Output

Period = Literal[PERIODS]  # type: ignore[valid-type]
Level = Literal[LEVELS]  # type: ignore[valid-type]


class AssessmentQuery(_Input):
    """The day, week, month or quarter holding ``date`` (default: today), one level's ranking."""

    period: Period = Field("month", description="day, week (Monday to Sunday), month, quarter")
    day: Day | None = Field(None, alias="date", description="a day in the period, YYYY-MM-DD")
    level: Level = Field("village", description="village, town, collector or inspector")


class AssessmentPageQuery(_Input):
    """The assessment page's choices (every level is on the page)."""

    period: Period = "month"
    day: Day | None = Field(None, alias="date")


class Kpis(_Output):
    """The KPIs (shares, 0–1; inspection: per booth and day) and the composite (0–100);
    null where nothing was due."""

    booth_signin: float | None
    room_signin: float | None
    work_rate: float | None
    inspection: float | None
    sorting: float | None
    household: float | None
    composite: float | None


class PlaceRank(Kpis):
    """A village (with its town and counts) or a town (with its number of villages); its rank
    is null when it has no composite or when nothing was recorded in the period."""

    rank: int | None
    name: str
    town: str | None = None
    villages: int | None = None
    counts: dict[str, int] | None = None


class PersonRank(_Output):
    """A collector (booths picked up / due) or an inspector (inspections / booths due)."""

    rank: int | None
    name: str
    done: int
    due: int
    rate: float | None
    villages: list[str]


class TrendPoint(Kpis):
    """The district's KPIs over one step of the period."""

    first: date
    last: date


class AssessmentOut(BaseModel):
    """One level's ranking over the period, and the district's trend."""

    period: Period
    date: date
    first: date
    last: date
    level: Level
    weights: dict[str, float] = Field(description=f"per KPI: {', '.join(KPIS)}")
    recorded: bool = Field(description="false when nothing was recorded in the period: then "
                                       "no row is ranked (every rank is null)")
    rows: list[PlaceRank] | list[PersonRank]
    trend: list[TrendPoint]
