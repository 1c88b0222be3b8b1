"""The scan API's contract: what a phone posts and the answers it gets.

Same rules as ``custody.web.schemas``: a value that breaks a rule raises an
error whose ``type`` is a code of ``custody.web.messages``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError
from werkzeug.datastructures import FileStorage

from custody.domain.model import Action, Category
from custody.web.schemas import NO_NUL, AssetAbout, _Input, _Output


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
