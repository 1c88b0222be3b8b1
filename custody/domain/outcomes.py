"""What a handover or a scan came to: the results the services hand back to their callers.

A service answers with one of these, or raises an error of ``custody.domain.errors``;
how a result is shown (its HTTP status, its JSON, its words in each language) is the
web layer's choice (``custody.web.scan_answers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custody.domain.errors import DomainError
from custody.domain.model import Action


@dataclass(frozen=True)
class RecordedHandover:
    """What the ledger now holds for one handover.

    A scanned move that repeats the current state is not appended: its ``seq``
    and ``hash`` are None and ``repeat_of`` names the record it repeats. A
    weighbridge confirmation is appended as a correction: ``corrects_seq``
    names the delivery it weighed (custody.domain.contents, rule 8).
    """

    seq: int | None
    hash: str | None
    source: str
    dest: str
    action: str | None
    flags: tuple[str, ...]
    server_time: datetime
    repeat_of: int | None = None
    corrects_seq: int | None = None


@dataclass(frozen=True)
class Repeat:
    """A scanned move that was already recorded (``repeat_of``: that record's seq)."""

    source: str
    dest: str
    repeat_of: int | None


@dataclass(frozen=True)
class ScanRecorded:
    """A scan that was understood: the handovers it appended, the moves it only repeated.

    ``codes`` reports each code read from the photo; ``exif_ignored`` names the
    camera values left out as unusable.
    """

    action: Action
    photo_sha256: str
    codes: list[dict]
    handovers: list[RecordedHandover]  # appended, each with its seq
    repeats: list[Repeat]
    flags: list[str]
    exif_ignored: list[str]

    @property
    def state(self) -> str:
        """The attempt's state: ``recorded`` when it appended, else ``repeat_scan``."""
        return "recorded" if self.handovers else "repeat_scan"


@dataclass(frozen=True)
class ScanRefusal:
    """A scan that recorded nothing: the error that refused it.

    ``codes`` reports the codes read from the photo when the refusal came after
    they were read and checked (None before: the role, the photo itself).
    """

    error: DomainError
    codes: list[dict] | None = None

    @property
    def state(self) -> str:
        """The attempt's state: the refusal's error code."""
        return self.error.code


ScanOutcome = ScanRecorded | ScanRefusal
