"""The public map of one day: sites with their tonnage, flows between them, truck trips."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

import folium

from maps._errors import MapsError
from maps._page import (
    MarkerBatch,
    PagePanel,
    PathBatch,
    bilingual,
    fit_to,
    format_kg,
    new_map,
    plain_bilingual,
    rounded,
)
from maps._records import (
    CATEGORIES,
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    SITE_KIND_LABELS,
    Flow,
    Site,
    Trip,
)

MIN_FLOW_WIDTH = 1.5
MAX_FLOW_WIDTH = 14.0
TRIP_COLOUR = "#6a1b9a"

TITLE = ("垃圾分类去向地图", "Where sorted waste went")
DAY_LABEL = ("日期", "Date")
SHOW_LABEL = ("查看", "Show")
TOTAL_LABEL = ("合计", "Total")
TRIPS_LABEL = ("清运车辆轨迹", "Truck trips")
FLOWS_LABEL = ("流向", "flows")
VEHICLE_LABEL = ("车辆", "Vehicle")
LEGEND_LABEL = ("图例", "Legend")

# Drawn bottom to top, so the few big facilities stay on top of the many booths.
_KIND_ORDER = ("booth", "transfer_room", "facility")
_ICON_SIZES = {"booth": 12, "transfer_room": 18, "facility": 26}


def flow_width(kg: float, max_kg: float) -> float:
    """Line width in px for kg, square-root scaled to the day's largest flow and clamped."""
    if max_kg <= 0 or kg <= 0:
        return MIN_FLOW_WIDTH
    share = min(1.0, math.sqrt(kg / max_kg))
    return round(MIN_FLOW_WIDTH + (MAX_FLOW_WIDTH - MIN_FLOW_WIDTH) * share, 2)


def _site_popup(site: Site, day: date, lang: str) -> str:
    """Popup HTML: name, kind and the day's kilograms per category, in both languages."""
    rows = []
    for category in CATEGORIES:
        rows.append(
            f'<tr class="custody-cat custody-cat-{category}"><th><i></i>'
            f"{bilingual(CATEGORY_LABELS[category], lang)}</th>"
            f"<td>{format_kg(site.tonnage_kg.get(category, 0.0))}</td></tr>"
        )
    total = sum(site.tonnage_kg.values())
    return (
        f'<div class="custody-popup"><strong>{escape(site.name)}</strong>'
        f"<div>{bilingual(SITE_KIND_LABELS[site.kind], lang)}</div>"
        f"<table><caption>{day.isoformat()}</caption>{''.join(rows)}"
        f"<tr><th>{bilingual(TOTAL_LABEL, lang)}</th><td>{format_kg(total)}</td></tr>"
        "</table></div>"
    )


def _site_layers(sites: Sequence[Site], day: date, lang: str) -> list[MarkerBatch]:
    """One marker layer per site kind."""
    layers = []
    for kind in _KIND_ORDER:
        items = [
            [
                *rounded(s.lat, s.lon),
                f"custody-site custody-site-{kind}",
                "",
                s.name,
                _site_popup(s, day, lang),
            ]
            for s in sites
            if s.kind == kind
        ]
        size = _ICON_SIZES[kind]
        icon = {"iconSize": [size, size], "popupAnchor": [0, -size // 2]}
        layers.append(MarkerBatch(plain_bilingual(SITE_KIND_LABELS[kind], lang), icon, items))
    return layers


def _flow_layers(flows: Sequence[Flow], by_id: dict[str, Site], lang: str) -> list[PathBatch]:
    """One line layer per category; the biggest category lowest, and thin lines over thick."""
    for flow in flows:
        for site_id in (flow.from_site_id, flow.to_site_id):
            if site_id not in by_id:
                raise MapsError(f"flow refers to unknown site {site_id!r}")
    max_kg = max((f.kg for f in flows), default=0.0)
    totals = {c: sum(f.kg for f in flows if f.category == c) for c in CATEGORIES}
    layers = []
    for category in sorted(CATEGORIES, key=lambda c: -totals[c]):
        label = CATEGORY_LABELS[category]
        items = []
        for flow in sorted((f for f in flows if f.category == category), key=lambda f: -f.kg):
            start, end = by_id[flow.from_site_id], by_id[flow.to_site_id]
            tooltip = (
                f"{escape(start.name)} → {escape(end.name)}<br>"
                f"{bilingual(label, lang)}: {format_kg(flow.kg)}"
            )
            options = {
                "className": f"custody-flow custody-flow-{category}",
                "weight": flow_width(flow.kg, max_kg),
            }
            items.append(
                [[rounded(start.lat, start.lon), rounded(end.lat, end.lon)], options, tooltip]
            )
        base = {"color": CATEGORY_COLOURS[category], "opacity": 0.8, "lineCap": "butt"}
        name = f"{plain_bilingual(label, lang)} · {plain_bilingual(FLOWS_LABEL, lang)}"
        layers.append(PathBatch(name, base, items))
    return layers


def _trip_layer(trips: Sequence[Trip], lang: str) -> PathBatch:
    """All trucks' trips of the day as dashed lines."""
    items = []
    for trip in trips:
        tooltip = f"{bilingual(VEHICLE_LABEL, lang)} {escape(trip.vehicle_id)}"
        if trip.points:
            first, last = trip.points[0][2], trip.points[-1][2]
            tooltip += f"<br>{first:%H:%M}–{last:%H:%M}"
        latlngs = [rounded(lat, lon) for lat, lon, _ in trip.points]
        items.append([latlngs, {"className": "custody-trip"}, tooltip])
    base = {"color": TRIP_COLOUR, "weight": 3, "opacity": 0.9, "dashArray": "6 6"}
    return PathBatch(plain_bilingual(TRIPS_LABEL, lang), base, items)


def _panel(day: date, lang: str) -> PagePanel:
    """The day picker and the legend."""
    categories = "".join(
        f'<li class="custody-cat custody-cat-{c}"><i></i>{bilingual(CATEGORY_LABELS[c], lang)}</li>'
        for c in CATEGORIES
    )
    kinds = "".join(
        f'<li><i class="custody-legend-icon custody-legend-{k}"></i>'
        f"{bilingual(SITE_KIND_LABELS[k], lang)}</li>"
        for k in reversed(_KIND_ORDER)
    )
    return PagePanel(
        '<div class="custody-panel">'
        f"<h1>{bilingual(TITLE, lang)}</h1>"
        '<form class="custody-day-form" method="get">'
        f'<label for="custody-day">{bilingual(DAY_LABEL, lang)}</label> '
        f'<input id="custody-day" type="date" name="day" value="{day.isoformat()}" required '
        'onchange="if (this.value) this.form.submit()"> '
        f'<button type="submit">{bilingual(SHOW_LABEL, lang)}</button></form>'
        f"<details open><summary>{bilingual(LEGEND_LABEL, lang)}</summary>"
        f'<ul class="custody-legend">{categories}{kinds}'
        f'<li class="custody-legend-trip"><i></i>{bilingual(TRIPS_LABEL, lang)}</li></ul></details>'
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
    lang: str = "zh",
) -> str:
    """The public map page of one day, as a standalone HTML document."""
    sites, flows, trips = list(sites), list(flows), list(trips)
    by_id = {site.id: site for site in sites}
    if len(by_id) != len(sites):
        raise MapsError("site ids must be unique")
    title = f"{plain_bilingual(TITLE, lang)} {day.isoformat()}"
    folium_map = new_map(
        title=title,
        lang=lang,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        asset_base_url=asset_base_url,
    )
    for layer in [
        *_flow_layers(flows, by_id, lang),
        _trip_layer(trips, lang),
        *_site_layers(sites, day, lang),
    ]:
        layer.add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    _panel(day, lang).add_to(folium_map)
    positions = [(s.lat, s.lon) for s in sites]
    positions += [(lat, lon) for t in trips for lat, lon, _ in t.points]
    fit_to(folium_map, positions)
    return folium_map.get_root().render()
