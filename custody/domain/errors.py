"""Every error a caller can correct, in one tree.

Services and the domain raise these and nothing else for a caller's mistake;
each class names its API error ``code``. Only the web layer turns one into an
answer: its HTTP status, and the catalog's words for its code
(``custody.web.errors``, ``custody.web.scan_answers``). The message given to an
error is a technical English detail, never words meant for the page.

    DomainError                  a caller's mistake; ``code`` is its API error code
    ├── NotFound                 the thing named does not exist
    │   ├── UnknownAsset         no asset with that id
    │   ├── UnknownActor         no active user with that id or name
    │   ├── UnknownDevice        no enrolled phone with that id
    │   ├── UnknownHandover      no ledger record with that number
    │   └── UnknownVillage       no village of that name
    ├── NotAllowed               the caller may not do this
    │   ├── RoleNotAllowed       the actor's role may not post this action
    │   └── EnrolmentUnusable    an enrolment code unknown, used, expired or of a deactivated user
    ├── Conflict                 it clashes with what is already there
    │   ├── DuplicateAsset       an asset id (or demo actor name) that already exists
    │   ├── DuplicateUser        a user name that already exists
    │   ├── IdempotencyConflict  a scan's key already used for a different upload
    │   └── NotFlagged           a review of a record that has no flag
    ├── BadInput                 a value the caller must put right
    │   ├── BadPassword          a password outside the length rules
    │   ├── ReasonRequired       a correction or dismissal without its reason
    │   ├── NothingToCorrect     a correction that changes nothing
    │   ├── BadPeriod            an assessment period not day, week, month or quarter
    │   └── ImportRejected       a CSV import with bad rows (carries the row errors)
    └── MoveRefused              a move (a handover, a scan's photo) that cannot be recorded
        ├── InvalidHandover      a handover the ledger cannot take as given
        ├── WeightRequired       this role posts this action only with the measured weight
        ├── AmbiguousWeight      one weight for several handovers
        ├── ScanNotUnderstood    the codes in the photo do not say who gave and who received
        └── PhotoRefused         the upload is no evidence of a move
            ├── NotAPhoto        not an image the decoder can open
            │   └── PhotoTooLarge  an image too large to decode
            ├── UnreadablePhoto  an image the decoder could not finish reading
            ├── NoCode           a photo in which the decoder found no code at all
            └── NoValidCode      codes read, but none a genuine label of a registered asset

Outside the tree: the libraries' own errors (``scanners.ScanError``,
``labels.CodeError``), which the services translate into the tree, and
``custody.domain.ledger.MalformedRecord``, a stored value no honest writer
produces (a fault, not a caller's mistake).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """Base of every error a caller can correct."""

    code = "bad_request"


# ---------------------------------------------------------------- not found
class NotFound(DomainError):
    """The thing named does not exist."""

    code = "not_found"


class UnknownAsset(NotFound):
    """No asset with that id is registered."""

    code = "unknown_asset"


class UnknownActor(NotFound):
    """No (active) actor with that id or name."""

    code = "unknown_actor"


class UnknownDevice(NotFound):
    """No enrolled device with that id."""

    code = "unknown_device"


class UnknownHandover(NotFound):
    """No ledger record with that number."""

    code = "unknown_handover"


class UnknownVillage(NotFound):
    """No village of that name is registered."""

    code = "unknown_village"


# ---------------------------------------------------------------- not allowed
class NotAllowed(DomainError):
    """The caller may not do this."""

    code = "forbidden"


class RoleNotAllowed(NotAllowed):
    """The actor's role may not post this action (``allowed``: the actions it may post)."""

    code = "role_not_allowed"

    def __init__(self, message: str, *, role: str = "", action: str = "",
                 allowed: Sequence[str] = ()):
        super().__init__(message)
        self.role, self.action, self.allowed = role, action, list(allowed)


class EnrolmentUnusable(NotAllowed):
    """An enrolment code that is unknown, used, expired or whose person was deactivated."""

    code = "enrolment_unusable"

    def __init__(self, reason: str):
        super().__init__(f"this enrolment code is {reason}")
        self.reason = reason  # 'unknown' | 'used' | 'expired' | 'deactivated'


# ---------------------------------------------------------------- conflict
class Conflict(DomainError):
    """It clashes with what is already there."""

    code = "conflict"


class DuplicateAsset(Conflict):
    """An asset with that id already exists."""

    code = "duplicate_asset"


class DuplicateUser(Conflict):
    """A user with that name already exists."""

    code = "duplicate_user"


class IdempotencyConflict(Conflict):
    """The same idempotency key was used for a different upload."""

    code = "idempotency_conflict"


class NotFlagged(Conflict):
    """Only a flagged handover is reviewed."""

    code = "not_flagged"


# ---------------------------------------------------------------- bad input
class BadInput(DomainError):
    """A value the caller must put right."""

    code = "bad_request"


class BadPassword(BadInput):
    """A password that does not meet the rules."""

    code = "bad_password"


class ReasonRequired(BadInput):
    """A correction, or a dismissal, needs a reason in words."""

    code = "reason_required"


class NothingToCorrect(BadInput):
    """A correction that changes neither the weight nor the category."""

    code = "nothing_to_correct"


class BadPeriod(BadInput):
    """A period that is not day, week, month or quarter."""

    code = "bad_period"


class ImportRejected(BadInput):
    """A CSV import whose rows have errors; nothing was imported."""

    code = "import_rejected"

    def __init__(self, row_errors: list[tuple[int, str]]):
        self.row_errors = row_errors
        lines = [f"row {n}: {msg}" for n, msg in row_errors[:20]]
        more = len(row_errors) - 20
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(row_errors)} bad row(s); nothing imported\n" + "\n".join(lines))


# ---------------------------------------------------------------- refusals of a move
class MoveRefused(DomainError):
    """A move (a handover, a scan's photo) that cannot be recorded as given."""

    code = "invalid_handover"


class InvalidHandover(MoveRefused):
    """A handover that cannot be recorded as given."""

    code = "invalid_handover"


class WeightRequired(MoveRefused):
    """This role posts this action only with a measured weight."""

    code = "weight_required"


class AmbiguousWeight(MoveRefused):
    """One weight given for a scan that implies several handovers."""

    code = "ambiguous_weight"


class ScanNotUnderstood(MoveRefused):
    """The codes in the photo do not say who gave and who received."""

    code = "scan_not_understood"


class PhotoRefused(MoveRefused):
    """The upload is no evidence of a move."""

    code = "not_a_photo"


class NotAPhoto(PhotoRefused):
    """Not an image the decoder can open (``kind``: the decoder's reason)."""

    code = "not_a_photo"

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind


class PhotoTooLarge(NotAPhoto):
    """An image too large to decode."""


class UnreadablePhoto(PhotoRefused):
    """An image the decoder could not finish reading (``kind``: the decoder's reason)."""

    code = "unreadable_photo"

    def __init__(self, message: str = "the decoder could not read the photo", kind: str = ""):
        super().__init__(message)
        self.kind = kind


class NoCode(PhotoRefused):
    """A photo in which the decoder found no code at all."""

    code = "no_code"


class NoValidCode(PhotoRefused):
    """Codes were read, but none is a genuine label of a registered asset."""

    code = "no_valid_code"


def nearest(table: Mapping[type, T], error: Exception, default: T) -> T:
    """The table's entry for the error's class, else for its nearest ancestor, else default."""
    for cls in type(error).__mro__:
        if cls in table:
            return table[cls]
    return default
