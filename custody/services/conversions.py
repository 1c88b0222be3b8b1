"""Conversions between domain values and the integer forms the ledger stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime | None) -> int | None:
    """Microseconds since the epoch of an aware datetime."""
    if moment is None:
        return None
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int | None) -> datetime | None:
    """The aware UTC datetime of microseconds since the epoch."""
    if us is None:
        return None
    return _EPOCH + timedelta(microseconds=us)


def to_e7(degrees: float | None) -> int | None:
    """Degrees as integer 1e-7 degrees (about a centimetre)."""
    return None if degrees is None else round(degrees * 10_000_000)


def from_e7(e7: int | None) -> float | None:
    """Integer 1e-7 degrees as degrees."""
    return None if e7 is None else e7 / 10_000_000


def to_cm(metres: float | None) -> int | None:
    """Metres as whole centimetres."""
    return None if metres is None else round(metres * 100)


def from_cm(cm: int | None) -> float | None:
    """Whole centimetres as metres."""
    return None if cm is None else cm / 100


def to_g(kg: float | None) -> int | None:
    """Kilograms as whole grams."""
    return None if kg is None else round(kg * 1000)
