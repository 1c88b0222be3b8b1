"""The assessment's rows of benchmarks/reports.py: its queries and the monthly bulletin."""

from __future__ import annotations

import time
from datetime import date

from flask import Flask

from custody.db.engine import Database
from custody.domain.assessment import DEFAULT_WEIGHTS
from custody.services import assessment
from custody.web import bulletin, i18n
from custody.web.assessment_pages import KPI_NAMES


def measure(db: Database, kind: str, day: date, repeat: int, latency) -> list[tuple]:
    """p50/p95 of the assessment of every village over a day, week, month and quarter, and
    the month's bulletin (assessment + PDF) build time."""
    rows = []
    for period in ("day", "week", "month", "quarter"):
        p50, p95, n = latency(lambda p=period: assessment.assess(
            db, p, day, DEFAULT_WEIGHTS)["villages"], repeat if period != "quarter" else
            max(5, repeat // 5))
        rows.append((kind, f"assessment, a {period} of every village, towns, people and trend "
                     f"({n} villages): p50 / p95 ms", f"{p50:.1f} / {p95:.1f}",
                     "p95 ≤ 200" if period == "month" else ""))
    app = Flask("bench")
    i18n.init_app(app)
    times, size = [], 0
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        for _ in range(3):
            start = time.perf_counter()
            pdf = bulletin.render(assessment.assess(db, "month", day, DEFAULT_WEIGHTS),
                                  KPI_NAMES)
            times.append(time.perf_counter() - start)
            size = len(pdf)
    rows.append((kind, f"monthly bulletin of {day:%Y-%m} ({size / 1e3:.0f} kB PDF): build s",
                 f"{max(times):.2f}", "≤ 10 s"))
    return rows
