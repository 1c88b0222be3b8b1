"""The public map's panel: title, day picker, what the map shows, and a legend of every mark.

The legend names every line and marker the map can draw: the four category colours,
line widths with the tonnage they stand for, each kind of place (merged booths too) and
the dashed truck trips. It folds away (``details.custody-fold``, closed on a phone by
custody-maps.js) so the map stays visible.
"""

from __future__ import annotations

import math
from datetime import date
from html import escape

from maps._page import PagePanel, format_weight
from maps._text import CATEGORIES, MapText

MIN_FLOW_WIDTH = 2.0
MAX_FLOW_WIDTH = 16.0
TRIP_COLOUR = "#6a1b9a"
KIND_ORDER = ("booth", "transfer_room", "facility")  # drawn bottom to top


def flow_width(kg: float, max_kg: float) -> float:
    """Line width in px for kg: proportional to the day's largest flow, never under the minimum."""
    if max_kg <= 0 or kg <= 0:
        return MIN_FLOW_WIDTH
    return round(max(MIN_FLOW_WIDTH, MAX_FLOW_WIDTH * min(1.0, kg / max_kg)), 2)


def _nice(kg: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above kg."""
    if kg <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(kg))
    return max(step * power for step in (1, 2, 5) if step * power <= kg)


def width_samples(max_kg: float) -> list[tuple[float, float]]:
    """A few round tonnages and their line widths, for the width legend (largest first)."""
    samples: list[float] = []
    for share in (1.0, 0.25, 0.05):
        kg = _nice(max_kg * share)
        if kg > 0 and kg not in samples:
            samples.append(kg)
    return [(kg, flow_width(kg, max_kg)) for kg in samples]


def _line_swatch(colour: str, width: float = 5, dash: str = "") -> str:
    """A short horizontal line as an inline SVG."""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<svg class="custody-line-swatch" width="36" height="18" aria-hidden="true">'
            f'<line x1="2" y1="9" x2="34" y2="9" stroke="{escape(colour)}" '
            f'stroke-width="{width}"{dash_attr}/></svg>')


def _legend(text: MapText, max_kg: float) -> str:
    """The legend: colours, widths, places and trips."""
    colours = "".join(
        f'<li class="custody-cat custody-cat-{c}">{_line_swatch(text.colours[c])}'
        f"{escape(text.categories[c])}</li>" for c in CATEGORIES)
    widths = "".join(
        f'<li class="custody-legend-width">{_line_swatch("#555", width)}'
        f"{format_weight(kg, text.kg_unit, text.t_unit)}</li>"
        for kg, width in width_samples(max_kg))
    kinds = "".join(
        f'<li><i class="custody-legend-icon custody-legend-{k}"></i>'
        f"{escape(text.site_kinds[k])}</li>" for k in reversed(KIND_ORDER))
    kinds += (f'<li><i class="custody-legend-icon custody-legend-booth custody-legend-merged">'
              f"</i>{escape(text.merged)}</li>")
    trip = (f'<li class="custody-legend-trip">{_line_swatch(TRIP_COLOUR, 3, "6 6")}'
            f"{escape(text.trips)}</li>")
    return (f'<h2>{escape(text.lines_of)}</h2><ul class="custody-legend">{colours}</ul>'
            + (f'<h2>{escape(text.width_title)}</h2><ul class="custody-legend">{widths}</ul>'
               if widths else "")
            + f'<h2>{escape(text.places_of)}</h2><ul class="custody-legend">{kinds}{trip}</ul>')


def panel(day: date, text: MapText, max_kg: float) -> PagePanel:
    """The title, language switch, day picker with its note, and the folding legend."""
    notice = (f'<p class="custody-notice" role="alert">{escape(text.notice)}</p>'
              if text.notice else "")
    languages = " ".join(
        f'<a href="{escape(url)}" data-lang="{escape(code)}"'
        f'{" aria-current=" + chr(34) + "true" + chr(34) if current else ""}>{escape(name)}</a>'
        for code, name, url, current in text.languages)
    switch = f'<nav class="custody-langs langs">{languages}</nav>' if languages else ""
    note = (f'<p class="custody-day-note" id="custody-day-note">{escape(text.day_note)}</p>'
            if text.day_note else "")
    described = ' aria-describedby="custody-day-note"' if text.day_note else ""
    links = "".join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in text.links)
    links = f'<nav class="custody-links">{links}</nav>' if links else ""
    return PagePanel(
        '<div class="custody-panel">'
        f'<div class="custody-head">{switch}<h1>{escape(text.title)}</h1></div>{notice}'
        '<form class="custody-day-form" method="get">'
        f'<label for="custody-day">{escape(text.day)}</label> '
        f'<input id="custody-day" type="date" name="day" value="{day.isoformat()}" required'
        f'{described} onchange="if (this.value) this.form.submit()"> '
        f'<button type="submit">{escape(text.show)}</button></form>{note}{links}'
        f'<details class="custody-fold" open><summary>{escape(text.about)}</summary>'
        f'<p class="custody-summary">{escape(text.summary)}</p>{_legend(text, max_kg)}'
        "</details></div>"
    )
