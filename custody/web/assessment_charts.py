"""Geometry of the assessment page's charts, drawn as inline SVG by the template (no script).

The trend is one line per KPI (shares 0–100 %, inspections per booth capped at
100 %) and the composite, over the period's steps; the ranking is one bar per
village or town, as long as its composite. Only numbers here: the template
writes the SVG and the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from custody.domain.assessment import KPIS

WIDTH, HEIGHT = 400, 200
LEFT, BOTTOM, TOP, RIGHT = 36, 22, 8, 18
SERIES = (*KPIS, "composite")
COLOURS = {"booth_signin": "#1d5a8a", "room_signin": "#7a4fa0", "work_rate": "#2e7d32",
           "inspection": "#b26a00", "sorting": "#00838f", "household": "#ad1457",
           "composite": "#222222"}
MAX_LABELS = 7


@dataclass(frozen=True)
class Line:
    """One series: its key, colour and the polylines of its points (a gap splits it)."""

    key: str
    colour: str
    paths: list[str]
    dots: list[tuple[float, float, float]]  # x, y, value in %


@dataclass(frozen=True)
class Trend:
    """The trend chart: lines, x labels (x, first day of the step) and y ticks (%, y)."""

    lines: list[Line]
    labels: list[tuple[float, object]]
    ticks: list[tuple[int, float]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM


def _percent(key: str, value: float | None) -> float | None:
    if value is None:
        return None
    return min(100.0, value if key == "composite" else value * 100)


def trend(points: list[dict]) -> Trend:
    """The lines of the trend's points (each a dict with the KPIs, composite and ``first``)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    step = plot_w / max(1, len(points) - 1)

    def xy(n: int, percent: float) -> tuple[float, float]:
        x = LEFT + (n * step if len(points) > 1 else plot_w / 2)
        return round(x, 2), round(HEIGHT - BOTTOM - percent / 100 * plot_h, 2)

    lines = []
    for key in SERIES:
        paths, current, dots = [], [], []
        for n, point in enumerate(points):
            percent = _percent(key, point.get(key))
            if percent is None:
                if current:
                    paths.append(" ".join(current))
                current = []
                continue
            x, y = xy(n, percent)
            current.append(f"{x},{y}")
            dots.append((x, y, round(percent, 1)))
        if current:
            paths.append(" ".join(current))
        lines.append(Line(key, COLOURS[key], paths, dots))
    every = max(1, -(-len(points) // MAX_LABELS))
    labels = [(xy(n, 0)[0], p["first"]) for n, p in enumerate(points) if n % every == 0]
    ticks = [(v, xy(0, v)[1]) for v in (0, 50, 100)]
    return Trend(lines, labels, ticks)


def bars(rows: list[dict]) -> list[tuple[dict, float]]:
    """Each ranked row with its bar's length in % of the width (its composite)."""
    return [(r, max(0.0, min(100.0, r["composite"] or 0.0))) for r in rows]
