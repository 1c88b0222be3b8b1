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
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError
from werkzeug.datastructures import FileStorage

import vocabulary
from custody.domain.model import Action, Category, Role
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


class ScanHeaders(BaseModel):
    """The idempotency key: new for each scan, the same on every retry of it."""

    idempotency_key: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                      max_length=100, pattern=NO_NUL)] = Field(
        alias="Idempotency-Key")


Photo = Annotated[FileStorage, WithJsonSchema({"type": "string", "format": "binary"})]


class ScanForm(_Input):
    """What a phone posts (multipart/form-data): the photo and what the collector did."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="ignore")

    photo: Photo
    action: Action
    weight_kg: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False)
    category: Category | None = None
    client_time: AwareDatetime | None = None
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(None, ge=0, lt=100_000, allow_inf_nan=False)
    note: Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)] | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> ScanForm:
        """A GPS fix has both coordinates."""
        if (self.lat is None) != (self.lon is None):
            raise PydanticCustomError("invalid_request", "send both lat and lon, or neither")
        return self


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


class HandoverOut(_Output):
    """A handover a scan recorded."""

    seq: int
    hash: str
    source: str
    dest: str
    action: str | None
    flags: list[str]
    server_time: datetime
    corrects_seq: int | None = None  # a weighbridge weighing confirming that delivery


class RepeatOut(_Output):
    """A move the scan repeats: already recorded, counted once (nothing appended)."""

    source: str
    dest: str
    repeat_of: int | None


class ScanRecorded(_Output):
    """A scan that was understood (also the stored answer a retry gets).

    201 ``recorded``: it appended handovers. 200 ``repeat``: every move it
    shows is already recorded (``repeats``), so nothing was appended.
    """

    scan_id: int
    status: Literal["recorded", "repeat"]
    photo_sha256: str
    codes: list[dict[str, Any]]
    flags: list[str]
    handovers: list[HandoverOut]
    repeats: list[RepeatOut] = []
    exif_ignored: list[str] = Field(
        [], description="camera (EXIF) values left out as unusable: gps_no_fix, "
        "gps_not_a_number, gps_out_of_range, gps_incomplete, time_unset, time_unreadable, "
        "time_no_zone, zone_unreadable; the scan is recorded all the same")


    assets: dict[str, AssetAbout] = Field(
        default_factory=dict, description="the assets the codes and handovers name, by id")


class ScanAttempt(BaseModel):
    """One scan attempt and the answer it got."""

    scan_id: int
    http_status: int
    status: str
    answer: dict[str, Any]


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


# --- the supervisor's desk: flags and their reviews ------------------------------------------

FlagId = Literal[tuple(vocabulary.FLAGS)]  # type: ignore[valid-type]
Decision = Literal[tuple(vocabulary.REVIEW_DECISIONS)]  # type: ignore[valid-type]
SEQ_MAX = 2**63 - 1


class FlagsQuery(_Input):
    """Flagged handovers, newest first, narrowed by review state, flag, village, person, days."""

    state: Literal["open", "reviewed"] | None = Field(None, description="open: not yet reviewed")
    flag: FlagId | None = None
    village: Text | None = None
    person: Text | None = Field(None, description="the name of who recorded the handover")
    day_from: Day | None = Field(None, alias="from", description="first day, YYYY-MM-DD")
    day_to: Day | None = Field(None, alias="to", description="last day, YYYY-MM-DD")
    before: int | None = Field(None, ge=1, le=SEQ_MAX, description="page: records below this")
    limit: int = Field(50, ge=1, le=200)

    @model_validator(mode="after")
    def _in_order(self) -> FlagsQuery:
        """A reversed range is a ``bad_range``."""
        if self.day_from and self.day_to and self.day_from > self.day_to:
            raise PydanticCustomError("bad_range", "from must not be after to", {})
        return self


class ReviewIn(_Input):
    """A supervisor's decision on a flagged handover; ``correct`` appends a correction."""

    decision: Decision
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = \
        Field(None, description="the reason; required to dismiss or correct")
    weight_kg: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False,
                                    description="correct: the right weight")
    category: Category | None = Field(None, description="correct: the right category")

    @model_validator(mode="after")
    def _complete(self) -> ReviewIn:
        """Dismissing and correcting need a reason; a correction changes something."""
        if self.decision != "confirm" and not self.note:
            raise PydanticCustomError("reason_required", "give the reason")
        if self.decision == "correct" and self.weight_kg is None and self.category is None:
            raise PydanticCustomError("nothing_to_correct", "give the right weight or category")
        return self


class ReviewOut(_Output):
    """One review of a flagged handover."""

    id: int
    decision: str
    note: str | None
    reviewer: str
    reviewed_at: datetime
    correction_seq: int | None


class InspectionNote(_Output):
    """A booth keeper's (or other inspector's) note on an asset of a flagged handover."""

    seq: int
    asset: str
    note: str
    inspector: str


class FlagOut(_Output):
    """A flagged handover, its review state, every review of it (oldest first), and the
    newest inspection notes on its assets."""

    seq: int
    server_time: datetime
    action: str | None
    source: str
    dest: str
    actor_name: str
    role: str
    weight_kg: float | None
    category: str | None
    flags: list[str]
    note: str | None
    photo_sha256: str | None
    village: str | None
    state: Literal["open", "reviewed"]
    review: ReviewOut | None
    reviews: list[ReviewOut]
    inspections: list[InspectionNote] = []


class FlagsPage(BaseModel):
    """One page of flagged handovers; ``next_before`` asks for the next page."""

    flags: list[FlagOut]
    next_before: int | None


class ReviewCreated(ReviewOut):
    """The review just recorded."""

    seq: int


class CorrectionIn(_Input):
    """Correct a handover's weight or category (a new linked record), with the reason."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = \
        None
    weight_kg: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False)
    category: Category | None = None

    @model_validator(mode="after")
    def _complete(self) -> CorrectionIn:
        """A reason, and something to change."""
        if not self.reason:
            raise PydanticCustomError("reason_required", "give the reason")
        if self.weight_kg is None and self.category is None:
            raise PydanticCustomError("nothing_to_correct", "give the right weight or category")
        return self


class HandoversQuery(_Input):
    """The handovers list and its exports, narrowed by action, village, person and days."""

    action: Action | None = None
    village: Text | None = None
    person: Text | None = None
    day_from: Day | None = Field(None, alias="from")
    day_to: Day | None = Field(None, alias="to")
    before: int | None = Field(None, ge=1, le=SEQ_MAX)

    @model_validator(mode="after")
    def _in_order(self) -> HandoversQuery:
        """A reversed range is a ``bad_range``."""
        if self.day_from and self.day_to and self.day_from > self.day_to:
            raise PydanticCustomError("bad_range", "from must not be after to", {})
        return self


Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]


class NewUserForm(_Input):
    """A new user who signs in with a password."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Role
    password: Password


class RoleForm(_Input):
    """Another role for a user."""

    role: Role


class PasswordForm(_Input):
    """A new password for a user (they are signed out everywhere)."""

    password: Password
