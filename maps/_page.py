"""folium plumbing shared by the maps: the page, batched layers and number formats.

folium emits a few hundred bytes of script per object and renders one template each, too
slow and too big for a day of Nanhu (hundreds of markers and lines). The batched layers
embed one JSON array per layer and build the Leaflet objects in a loop in the browser.
Every object still gets its own CSS class, so the DOM can be counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import ElementAddToElement
from folium.map import Layer
from folium.template import Template

from maps._assets import use_local_assets
from maps._errors import MapsError

LANGS = ("zh", "en")

# Where an empty map opens: Nanhu district, Jiaxing.
DEFAULT_CENTER = (30.7642, 120.7830)


def script_json(value: Any) -> str:
    """Compact JSON to embed in a <script>: no '</' or '<!--' that would end or confuse it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Chinese stays UTF-8 (half the bytes of \\uXXXX); the escapes below are valid JS and JSON.
    return (
        text.replace("</", "<\\/")
        .replace("<!--", "\\u003c!--")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


class _Page(Figure):
    """A folium Figure whose <html> element carries the page language."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "{% if this.title %}<title>{{ this.title|e }}</title>{% endif %}\n"
        "    {{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "    {{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>\n"
        "    {{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n"
    )

    def __init__(self, title: str, lang: str) -> None:
        """Make an empty page with a title, in language lang."""
        super().__init__(title=title)
        self.lang = "zh-CN" if lang == "zh" else "en"


class _Rendered(Element):
    """Text already rendered, put on the page as it is.

    branca wraps each rendered macro in a new Element, i.e. a new Jinja template, which
    parses it again: for a day of Nanhu that is half a megabyte of JSON tokenized for
    nothing (most of the build time), and any "{{" in a place name would be evaluated.
    """

    def __init__(self, text: str) -> None:
        """Hold the text."""
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, untouched."""
        return self.text


def render_direct(element: MacroElement, kwargs: dict[str, Any]) -> None:
    """MacroElement.render without the second template pass over the output."""
    figure = element.get_root()
    module = element._template.module
    for part, target in (("header", figure.header), ("html", figure.html),
                         ("script", figure.script)):
        macro = module.__dict__.get(part)
        if macro is not None:
            target.add_child(_Rendered(macro(element, kwargs)), name=element.get_name())
    for child in element._children.values():
        child.render(**kwargs)


class _BatchLayer(Layer):
    """A layer rendered in one pass (see _Rendered), added to its map like any layer."""

    def render(self, **kwargs: Any) -> None:
        """Add the layer to its parent and write its script."""
        if self.show:
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        render_direct(self, kwargs)


class PathBatch(_BatchLayer):
    """An overlay of Leaflet polylines drawn from one embedded array."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function (group, base, items) {
            for (const [latlngs, options, tooltip] of items) {
                const line = new L.CustodyLine(latlngs, Object.assign({}, base, options));
                if (tooltip) { line.bindTooltip(tooltip, {sticky: true}); }
                line.addTo(group);
            }
        })({{ this.get_name() }}, {{ this.base_json }}, {{ this.items_json }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, base: dict[str, Any], items: list[list[Any]]) -> None:
        """Lines share the base options; each item is [latlngs, options, tooltip html]."""
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PathBatch"
        self.base_json = script_json(base)
        self.items_json = script_json(items)


class MarkerBatch(_BatchLayer):
    """An overlay of Leaflet markers with CSS-styled DivIcons, from one embedded array."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function (group, icon, items) {
            for (const [lat, lon, className, html, title, popup] of items) {
                const options = Object.assign({}, icon, {className: className, html: html});
                const marker = L.marker([lat, lon], {icon: L.divIcon(options), title: title,
                                                      alt: title, riseOnHover: true});
                if (popup) { marker.bindPopup(popup); }
                marker.addTo(group);
            }
        })({{ this.get_name() }}, {{ this.icon_json }}, {{ this.items_json }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, icon: dict[str, Any], items: list[list[Any]]) -> None:
        """Icons share the icon options; each item is [lat, lon, class, html, title, popup]."""
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "MarkerBatch"
        self.icon_json = script_json(icon)
        self.items_json = script_json(items)


class PagePanel(MacroElement):
    """A fixed block of trusted HTML laid over the map (legend, date form)."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}{{ this.markup }}{% endmacro %}
        """
    )

    def __init__(self, markup: str) -> None:
        """Wrap already-escaped markup."""
        super().__init__()
        self._name = "PagePanel"
        self.markup = markup

    def render(self, **kwargs: Any) -> None:
        """Write the markup as it is."""
        render_direct(self, kwargs)


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (China does not use miles and feet)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        """A scale control for the map it is added to."""
        super().__init__()
        self._name = "MetricScale"


def check_lang(lang: str) -> None:
    """Raise MapsError unless lang is 'zh' or 'en'."""
    if lang not in LANGS:
        raise MapsError(f"unknown lang {lang!r}; expected one of {LANGS}")


def format_kg(kg: float, unit: str = "kg") -> str:
    """A weight for people: '1,234.5 kg' (never '-0.0 kg')."""
    return f"{round(kg, 1) + 0.0:,.1f} {unit}"  # -0.0 + 0.0 is 0.0


def format_weight(kg: float, kg_unit: str = "kg", t_unit: str = "t") -> str:
    """A weight in the unit people read it in: '850.0 kg' below a tonne, '12.35 t' above."""
    if abs(round(kg, 1)) >= 1000:
        return f"{round(kg / 1000, 2) + 0.0:,.2f} {t_unit}"
    return format_kg(kg, kg_unit)


def rounded(lat: float, lon: float) -> list[float]:
    """A position rounded to about a metre, to keep the page small."""
    return [round(lat, 5), round(lon, 5)]


def new_map(
    *,
    title: str,
    lang: str,
    tiles_url: str | None,
    tiles_attribution: str,
    asset_base_url: str,
    tiles_subdomains: str = "abc",
) -> folium.Map:
    """A folium map on its own page, with local assets and the configured tile layer only."""
    check_lang(lang)
    folium_map = folium.Map(location=DEFAULT_CENTER, zoom_start=12, tiles=None)
    MetricScale().add_to(folium_map)
    _Page(title=title, lang=lang).add_child(folium_map)
    use_local_assets(folium_map, asset_base_url)
    if tiles_url:
        if not tiles_attribution:
            raise MapsError("tiles_attribution is required with tiles_url")
        folium.TileLayer(
            tiles=tiles_url, attr=tiles_attribution, name="tiles", control=False, max_zoom=19,
            subdomains=tiles_subdomains,
        ).add_to(folium_map)
    return folium_map


class FitBeside(MacroElement):
    """Open the map on a box, kept clear of the page's panel (beside it, or below on a phone)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, bounds) {
            if (L.custodyFoldOnPhone) { L.custodyFoldOnPhone(); }
            var panel = document.querySelector(".custody-panel"), left = 24, top = 24;
            if (panel) {
                var box = panel.getBoundingClientRect(), rect = map.getContainer()
                    .getBoundingClientRect();
                if (rect.width - box.right > rect.width / 2) { left = box.right - rect.left + 16; }
                else { top = box.bottom - rect.top + 16; }
            }
            map.fitBounds(bounds, {paddingTopLeft: [left, top], paddingBottomRight: [24, 24],
                                   maxZoom: 16});
        })({{ this._parent.get_name() }}, {{ this.bounds_json }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        """Fit to [[south, west], [north, east]]."""
        super().__init__()
        self._name = "FitBeside"
        self.bounds_json = script_json(bounds)


def fit_to(folium_map: folium.Map, positions: Iterable[Sequence[float]]) -> None:
    """Open the map on the box around positions, if there are any, clear of the panel."""
    lats, lons = [], []
    for lat, lon in positions:
        lats.append(lat)
        lons.append(lon)
    if lats:
        FitBeside([[min(lats), min(lons)], [max(lats), max(lons)]]).add_to(folium_map)
