"""Column types the tables share."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (stored naive, in UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: D102
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):  # noqa: D102
        return None if value is None else value.replace(tzinfo=UTC)
