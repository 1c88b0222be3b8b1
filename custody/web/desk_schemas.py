"""The supervisor's desk in the API contract: flags, reviews, corrections, lists, people.

Same rules as ``custody.web.schemas``: a value that breaks a rule raises an
error whose ``type`` is a code of ``custody.web.messages`` (``bad_range``,
``reason_required``, ``nothing_to_correct`` ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

import vocabulary
from custody.domain.model import Action, Category, Role
from custody.web.schemas import Day, Text, _Input, _Output

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
