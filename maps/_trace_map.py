"""The small map of one asset's path, for the public trace page."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from maps._page import MarkerBatch, PathBatch, fit_to, new_map, rounded
from maps._records import TracePoint
from maps._text import MapText
from maps._tiles import display_position

PATH_COLOUR = "#1f5fbf"


def _stop_class(index: int, count: int) -> str:
    """CSS classes of the index-th of count stops: first and last are marked."""
    classes = ["custody-trace-point"]
    if index == 0:
        classes.append("custody-trace-point-first")
    if index == count - 1:
        classes.append("custody-trace-point-last")
    return " ".join(classes)


def trace_map_html(
    points: Iterable[TracePoint],
    *,
    tiles_url: str | None,
    tiles_attribution: str = "",
    tiles_crs: str = "wgs84",
    tiles_subdomains: str = "abc",
    asset_base_url: str,
    lang: str = "en",
    title: str | None = None,
    text: MapText | None = None,
) -> str:
    """A standalone HTML map of where one asset was seen, in time order (meant for an iframe)."""
    text = text or MapText()
    shift = display_position(tiles_crs)
    stops = [TracePoint(*shift(p.lat, p.lon), p.time, p.label)
             for p in sorted(points, key=lambda p: p.time)]
    folium_map = new_map(
        title=title or text.trace_title,
        lang=lang,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        asset_base_url=asset_base_url,
        tiles_subdomains=tiles_subdomains,
    )
    latlngs = [rounded(p.lat, p.lon) for p in stops]
    base = {"color": PATH_COLOUR, "weight": 4, "opacity": 0.8}
    path_items = [[latlngs, {"className": "custody-trace-path"}, ""]] if len(stops) > 1 else []
    PathBatch(text.path, base, path_items).add_to(folium_map)
    items = []
    for index, stop in enumerate(stops):
        when = stop.time.strftime("%Y-%m-%d %H:%M")
        items.append(
            [
                *rounded(stop.lat, stop.lon),
                _stop_class(index, len(stops)),
                f"<span>{index + 1}</span>",
                f"{index + 1}. {stop.label} · {when}",
                f'<div class="custody-popup"><strong>{index + 1}. {escape(stop.label)}</strong>'
                f"<div>{when}</div></div>",
            ]
        )
    icon = {"iconSize": [44, 44], "popupAnchor": [0, -11]}  # a 44 px touch target
    MarkerBatch(text.places, icon, items).add_to(folium_map)
    fit_to(folium_map, [(p.lat, p.lon) for p in stops])
    return folium_map.get_root().render()
