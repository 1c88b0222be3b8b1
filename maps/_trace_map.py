"""The small map of one asset's path, for the public trace page."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from maps._page import MarkerBatch, PathBatch, fit_to, new_map, plain_bilingual, rounded
from maps._records import TracePoint

TITLE = ("去向追踪", "Trace")
PATH_LABEL = ("路径", "Path")
STOPS_LABEL = ("经过地点", "Places seen")
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
    asset_base_url: str,
    lang: str = "zh",
    title: str | None = None,
) -> str:
    """A standalone HTML map of where one asset was seen, in time order (meant for an iframe)."""
    stops = sorted(points, key=lambda p: p.time)
    folium_map = new_map(
        title=title or plain_bilingual(TITLE, lang),
        lang=lang,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        asset_base_url=asset_base_url,
    )
    latlngs = [rounded(p.lat, p.lon) for p in stops]
    base = {"color": PATH_COLOUR, "weight": 4, "opacity": 0.8}
    path_items = [[latlngs, {"className": "custody-trace-path"}, ""]] if len(stops) > 1 else []
    PathBatch(plain_bilingual(PATH_LABEL, lang), base, path_items).add_to(folium_map)
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
    icon = {"iconSize": [22, 22], "popupAnchor": [0, -11]}
    MarkerBatch(plain_bilingual(STOPS_LABEL, lang), icon, items).add_to(folium_map)
    fit_to(folium_map, [(p.lat, p.lon) for p in stops])
    return folium_map.get_root().render()
