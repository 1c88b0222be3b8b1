"""Geometry of the tonnage page's charts, drawn as inline SVG by the template (no script).

The trend is stacked columns, one per day, week or month, one colour per category;
the village comparison is one bar per village, as long as its kilograms per household
and day, split by category. Here only numbers: the template writes the SVG and the words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from custody.services.tonnage_summary import CATEGORIES, Period, VillageRow

WIDTH, HEIGHT = 400, 220  # the trend's viewBox
LEFT, BOTTOM, TOP = 74, 26, 8  # room for "500.0 公斤" at the left
MAX_LABELS = 8


@dataclass(frozen=True)
class Segment:
    """One category's part of a column or bar."""

    category: str
    kg: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    """One period's column, its label (shown on some only) and its segments."""

    period: Period
    label_x: float
    show_label: bool
    segments: list[Segment]


@dataclass(frozen=True)
class Trend:
    """The trend chart: columns and the y axis ticks (kg, y)."""

    columns: list[Column]
    ticks: list[tuple[float, float]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above value (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def trend(periods: list[Period]) -> Trend:
    """Stacked columns of the periods' kg, scaled to a round maximum."""
    top = nice_ceiling(max((p.total for p in periods), default=0.0))
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(1, len(periods))
    every = max(1, math.ceil(len(periods) / MAX_LABELS))
    columns = []
    for n, period in enumerate(periods):
        x, y, segments = LEFT + n * slot + slot * 0.1, HEIGHT - BOTTOM, []
        for category in CATEGORIES:
            kg = period.kg.get(category, 0.0)
            if kg <= 0:
                continue
            h = kg / top * plot_h
            y -= h
            segments.append(Segment(category, kg, round(x, 2), round(y, 2),
                                    round(slot * 0.8, 2), round(h, 2)))
        columns.append(Column(period, round(x + slot * 0.4, 2), n % every == 0, segments))
    ticks = [(top * f, round(HEIGHT - BOTTOM - plot_h * f, 2)) for f in (0, 0.5, 1)]
    return Trend(columns, ticks)


@dataclass(frozen=True)
class VillageBar:
    """One village's bar: its row and the segments, as percentages of the longest bar."""

    village: VillageRow
    segments: list[tuple[str, float, float]]  # category, kg, width in % of the track


def village_bars(villages: list[VillageRow]) -> list[VillageBar]:
    """Bars as long as each village's kg per household and day (or total, without households)."""
    def length(v: VillageRow) -> float:
        return v.per_household_day if v.per_household_day is not None else v.total

    longest = max((length(v) for v in villages), default=0.0) or 1.0
    bars = []
    for village in villages:
        scale = length(village) / longest * 100 / (village.total or 1.0)
        bars.append(VillageBar(village, [(c, village.kg[c], round(village.kg[c] * scale, 2))
                                         for c in CATEGORIES if village.kg.get(c)]))
    return bars
