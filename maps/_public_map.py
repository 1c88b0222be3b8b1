"""The public map of one day: sites with their tonnage, flows between them, truck trips."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

import folium

from maps._errors import MapsError
from maps._page import MarkerBatch, PagePanel, PathBatch, fit_to, format_kg, new_map, rounded
from maps._records import Flow, Site, Trip
from maps._text import CATEGORIES, MapText

MIN_FLOW_WIDTH = 1.5
MAX_FLOW_WIDTH = 14.0
TRIP_COLOUR = "#6a1b9a"

# Drawn bottom to top, so the few big facilities stay on top of the many booths.
_KIND_ORDER = ("booth", "transfer_room", "facility")
_ICON_SIZES = {"booth": 12, "transfer_room": 18, "facility": 26}


def flow_width(kg: float, max_kg: float) -> float:
    """Line width in px for kg, square-root scaled to the day's largest flow and clamped."""
    if max_kg <= 0 or kg <= 0:
        return MIN_FLOW_WIDTH
    share = min(1.0, math.sqrt(kg / max_kg))
    return round(MIN_FLOW_WIDTH + (MAX_FLOW_WIDTH - MIN_FLOW_WIDTH) * share, 2)


def _swatch(category: str, text: MapText) -> str:
    """A small box in the category's colour."""
    return f'<i style="background:{escape(text.colours[category])}"></i>'


def _site_popup(site: Site, day: date, text: MapText) -> str:
    """Popup HTML: name, kind and the day's kilograms per category."""
    rows = []
    for category in CATEGORIES:
        rows.append(
            f'<tr class="custody-cat custody-cat-{category}"><th>{_swatch(category, text)}'
            f"{escape(text.categories[category])}</th>"
            f"<td>{format_kg(site.tonnage_kg.get(category, 0.0), text.kg_unit)}</td></tr>"
        )
    total = sum(site.tonnage_kg.values())
    return (
        f'<div class="custody-popup"><strong>{escape(site.name)}</strong>'
        f"<div>{escape(text.site_kinds[site.kind])}</div>"
        f"<table><caption>{day.isoformat()}</caption>{''.join(rows)}"
        f"<tr><th>{escape(text.total)}</th><td>{format_kg(total, text.kg_unit)}</td></tr>"
        "</table></div>"
    )


def _site_layers(sites: Sequence[Site], day: date, text: MapText) -> list[MarkerBatch]:
    """One marker layer per site kind."""
    layers = []
    for kind in _KIND_ORDER:
        items = [
            [
                *rounded(s.lat, s.lon),
                f"custody-site custody-site-{kind}",
                "",
                s.name,
                _site_popup(s, day, text),
            ]
            for s in sites
            if s.kind == kind
        ]
        size = _ICON_SIZES[kind]
        icon = {"iconSize": [size, size], "popupAnchor": [0, -size // 2]}
        layers.append(MarkerBatch(text.site_kinds[kind], icon, items))
    return layers


def _flow_layers(flows: Sequence[Flow], by_id: dict[str, Site], text: MapText) -> list[PathBatch]:
    """One line layer per category; the biggest category lowest, and thin lines over thick."""
    for flow in flows:
        for site_id in (flow.from_site_id, flow.to_site_id):
            if site_id not in by_id:
                raise MapsError(f"flow refers to unknown site {site_id!r}")
    max_kg = max((f.kg for f in flows), default=0.0)
    totals = {c: sum(f.kg for f in flows if f.category == c) for c in CATEGORIES}
    layers = []
    for category in sorted(CATEGORIES, key=lambda c: -totals[c]):
        label = text.categories[category]
        items = []
        for flow in sorted((f for f in flows if f.category == category), key=lambda f: -f.kg):
            start, end = by_id[flow.from_site_id], by_id[flow.to_site_id]
            tooltip = (
                f"{escape(start.name)} → {escape(end.name)}<br>"
                f"{escape(label)}: {format_kg(flow.kg, text.kg_unit)}"
            )
            options = {
                "className": f"custody-flow custody-flow-{category}",
                "weight": flow_width(flow.kg, max_kg),
            }
            items.append(
                [[rounded(start.lat, start.lon), rounded(end.lat, end.lon)], options, tooltip]
            )
        base = {"color": text.colours[category], "opacity": 0.8, "lineCap": "butt"}
        layers.append(PathBatch(f"{label} · {text.flows}", base, items))
    return layers


def _trip_layer(trips: Sequence[Trip], text: MapText) -> PathBatch:
    """All trucks' trips of the day as dashed lines."""
    items = []
    for trip in trips:
        tooltip = f"{escape(text.vehicle)} {escape(trip.vehicle_id)}"
        if trip.points:
            first, last = trip.points[0][2], trip.points[-1][2]
            tooltip += f"<br>{first:%H:%M}–{last:%H:%M}"
        latlngs = [rounded(lat, lon) for lat, lon, _ in trip.points]
        items.append([latlngs, {"className": "custody-trip"}, tooltip])
    base = {"color": TRIP_COLOUR, "weight": 3, "opacity": 0.9, "dashArray": "6 6"}
    return PathBatch(text.trips, base, items)


def _panel(day: date, text: MapText) -> PagePanel:
    """The day picker, a notice if any, and the legend."""
    categories = "".join(
        f'<li class="custody-cat custody-cat-{c}">{_swatch(c, text)}'
        f"{escape(text.categories[c])}</li>"
        for c in CATEGORIES
    )
    kinds = "".join(
        f'<li><i class="custody-legend-icon custody-legend-{k}"></i>'
        f"{escape(text.site_kinds[k])}</li>"
        for k in reversed(_KIND_ORDER)
    )
    notice = (f'<p class="custody-notice" role="alert">{escape(text.notice)}</p>'
              if text.notice else "")
    languages = " ".join(
        f'<a href="{escape(url)}" data-lang="{escape(code)}"'
        f'{" aria-current=" + chr(34) + "true" + chr(34) if current else ""}>{escape(name)}</a>'
        for code, name, url, current in text.languages)
    switch = f'<nav class="custody-langs langs">{languages}</nav>' if languages else ""
    return PagePanel(
        '<div class="custody-panel">'
        f"{switch}<h1>{escape(text.title)}</h1>{notice}"
        '<form class="custody-day-form" method="get">'
        f'<label for="custody-day">{escape(text.day)}</label> '
        f'<input id="custody-day" type="date" name="day" value="{day.isoformat()}" required '
        'onchange="if (this.value) this.form.submit()"> '
        f'<button type="submit">{escape(text.show)}</button></form>'
        f"<details open><summary>{escape(text.legend)}</summary>"
        f'<ul class="custody-legend">{categories}{kinds}'
        f'<li class="custody-legend-trip"><i></i>{escape(text.trips)}</li></ul></details>'
        "</div>"
    )


def public_map_html(
    sites: Iterable[Site],
    flows: Iterable[Flow],
    trips: Iterable[Trip],
    *,
    day: date,
    tiles_url: str | None,
    tiles_attribution: str = "",
    asset_base_url: str,
    lang: str = "en",
    text: MapText | None = None,
) -> str:
    """The public map page of one day, as a standalone HTML document in one language."""
    text = text or MapText()
    sites, flows, trips = list(sites), list(flows), list(trips)
    by_id = {site.id: site for site in sites}
    if len(by_id) != len(sites):
        raise MapsError("site ids must be unique")
    folium_map = new_map(
        title=f"{text.title} {day.isoformat()}",
        lang=lang,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        asset_base_url=asset_base_url,
    )
    for layer in [
        *_flow_layers(flows, by_id, text),
        _trip_layer(trips, text),
        *_site_layers(sites, day, text),
    ]:
        layer.add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    _panel(day, text).add_to(folium_map)
    positions = [(s.lat, s.lon) for s in sites]
    positions += [(lat, lon) for t in trips for lat, lon, _ in t.points]
    fit_to(folium_map, positions)
    return folium_map.get_root().render()
