"""The declarative base every table derives from (custody.db.schema lists the tables)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every table."""
