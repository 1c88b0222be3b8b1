"""The API contract: every input and answer of the JSON API as a pydantic model.

The same models check requests (``custody.web.api``), describe them in the
generated OpenAPI document, and check the HTML forms that take the same values
(tonnage range, map day). A value that breaks a rule raises an error whose
``type`` is one of the codes in ``custody.web.messages`` where one fits
(``bad_date``, ``bad_range`` ...), so the answer can say what is wrong in the
reader's language.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from custody.services.rollups import LEVELS, MEASURES, REPORT_TZ

MAX_DAYS = 400  # a report range: a year and a bit, never more
# The days a report may name: a day outside cannot hold data, and at the ends of the calendar
# (0001-01-01, 9999-12-31) the day arithmetic of a range or a map would overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# No NUL in text: PostgreSQL cannot store or compare it (an error, not an empty answer).
NO_NUL = r"^[^\x00]*$"


def today() -> date:
    """Today in Jiaxing."""
    return datetime.now(REPORT_TZ).date()


def _day(value: Any) -> Any:
    """A YYYY-MM-DD text as a date; anything else is a ``bad_date``."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if FIRST_DAY <= day <= LAST_DAY:
                return day
    raise PydanticCustomError("bad_date", "{value!r} is not a date like 2026-11-22",
                              {"value": str(value)[:40]})


Day = Annotated[date, BeforeValidator(_day)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100, pattern=NO_NUL)]


def without_blanks(data: dict) -> dict:
    """An HTML form's fields without the blank ones (a field left empty was not given)."""
    return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}


class _Input(BaseModel):
    """A request part; unknown fields are ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class DayRange(_Input):
    """``from`` and ``to`` (YYYY-MM-DD): by default the seven days up to today."""

    day_from: Day | None = Field(None, alias="from", description="first day, YYYY-MM-DD")
    day_to: Day | None = Field(None, alias="to", description="last day, YYYY-MM-DD")

    @model_validator(mode="after")
    def _in_order(self) -> DayRange:
        """Fill the defaults; a reversed or too long range is a ``bad_range``."""
        self.day_to = self.day_to or today()
        self.day_from = self.day_from or self.day_to - timedelta(days=6)
        if self.day_from > self.day_to or (self.day_to - self.day_from).days >= MAX_DAYS:
            raise PydanticCustomError("bad_range", "from must not be after to, and a range "
                                      "is at most {max_days} days", {"max_days": MAX_DAYS})
        return self


class TonnageQuery(DayRange):
    """Daily tonnage of one level, optionally of one node."""

    level: Literal[LEVELS] = Field("village", description="booth: staff only")  # type: ignore[valid-type]
    node: Text | None = None


class TonnagePageQuery(TonnageQuery):
    """The tonnage page's form: the district by default; the trend by day, week or month."""

    level: Literal[LEVELS] = "district"  # type: ignore[valid-type]
    by: Literal["day", "week", "month"] | None = None


class MassBalanceQuery(DayRange):
    """Mass balance of every transfer room, or of one."""

    room: Text | None = None


class MapQuery(_Input):
    """The public map's day (default: the latest day with data)."""

    day: Day | None = None


class DevicesQuery(_Input):
    """Enrolled devices, optionally of one user."""

    user: Text | None = None
    limit: int = Field(500, ge=1, le=500)


class NewDevice(BaseModel):
    """Enrol a phone for a user."""

    user: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)


# --- answers -----------------------------------------------------------------------------

class _Output(BaseModel):
    """An answer; fields may be added later, so clients must ignore unknown ones."""

    model_config = ConfigDict(extra="allow")


class Problem(BaseModel):
    """One bad value of a request."""

    field: str
    code: str
    message: str


class AssetAbout(_Output):
    """A registered asset an answer names: what it is, and what a person calls it."""

    kind: str = Field(description="asset kind identifier (bag, bin, booth, ...)")
    category: str | None = Field(None, description="waste category of a bag or bin")
    name: str | None = Field(None, description="registered name, if any")
    label: str = Field(description="name, or category and kind, in the request's language")


class ErrorDetail(_Output):
    """What went wrong: a stable code and a message in the request's language."""

    code: str
    message: str
    detail: str | None = None
    problems: list[Problem] | None = None
    scan_id: int | None = None


class ErrorBody(BaseModel):
    """The one error shape of every failure."""

    error: ErrorDetail
    assets: dict[str, AssetAbout] | None = Field(
        None, description="a refused scan: the registered assets its photo's codes name")


class Health(BaseModel):
    """The app is up and its database at the right schema."""

    status: Literal["ok"]
    database: str
    schema_: str = Field(alias="schema")


class Me(BaseModel):
    """Who the caller is, and how they proved it."""

    actor_id: int | None
    name: str | None
    role: str
    via: str


class Device(_Output):
    """An enrolled phone (never its token)."""

    id: int
    actor_id: int
    actor_name: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedDevice(Device):
    """A newly enrolled phone and its token, shown this once."""

    token: str


class Devices(BaseModel):
    """Enrolled phones, newest first."""

    devices: list[Device]


TonnageRow = create_model(
    "TonnageRow", __base__=_Output, day=(date, ...), level=(str, ...), node=(str, ...),
    name=(str, ...), category=(str, ...),
    **{f"{m}_kg": (float, ...) for m in MEASURES}, **{f"{m}_count": (int, ...) for m in MEASURES})


class TonnageRows(BaseModel):
    """Daily tonnage per node and category."""

    rows: list[TonnageRow]  # type: ignore[valid-type]


class MassBalanceRow(_Output):
    """In minus out of one transfer room on one day, for one category."""

    day: date
    room: str
    name: str
    category: str
    in_kg: float
    out_kg: float
    gap_kg: float
    gap_share: float | None
    flagged: bool


class MassBalanceRows(BaseModel):
    """Mass balance rows."""

    rows: list[MassBalanceRow]
