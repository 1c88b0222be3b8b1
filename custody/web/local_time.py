"""Times on staff pages as the district reads them: Beijing time, not the server's UTC."""

from __future__ import annotations

from datetime import datetime

from custody.services.rollups import REPORT_TZ


def local_time(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A stored instant (aware datetime or ISO 8601 text) in the district's zone; '' for none.

    Every time the service stores is UTC; a time without a zone is refused
    rather than shown eight hours off.
    """
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return moment.astimezone(REPORT_TZ).strftime(fmt)


def init_app(app) -> None:
    """Make ``local_time`` a template filter."""
    app.add_template_filter(local_time)
