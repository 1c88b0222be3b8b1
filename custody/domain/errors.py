"""Domain errors: each one a bad input the caller can correct.

    DomainError
    ├── InvalidHandover   a handover that cannot be recorded as given
    ├── UnknownAsset      no asset with that id
    ├── UnknownActor      no actor with that id
    ├── DuplicateAsset    an asset id that already exists
    └── ImportRejected    a CSV import with bad rows (carries the row errors)
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a caller can correct."""

    code = "bad_request"


class InvalidHandover(DomainError):
    """A handover that cannot be recorded as given."""

    code = "invalid_handover"


class UnknownAsset(DomainError):
    """No asset with that id is registered."""

    code = "unknown_asset"


class UnknownActor(DomainError):
    """No actor with that id is registered."""

    code = "unknown_actor"


class DuplicateAsset(DomainError):
    """An asset with that id already exists."""

    code = "duplicate_asset"


class ImportRejected(DomainError):
    """A CSV import whose rows have errors; nothing was imported."""

    code = "import_rejected"

    def __init__(self, row_errors: list[tuple[int, str]]):
        self.row_errors = row_errors
        lines = [f"row {n}: {msg}" for n, msg in row_errors[:20]]
        more = len(row_errors) - 20
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__(f"{len(row_errors)} bad row(s); nothing imported\n" + "\n".join(lines))
