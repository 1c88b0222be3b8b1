"""The words and colours a map shows, given by the caller in one language.

The maps take them as data: the app passes its catalog's words and the
``vocabulary`` names of the page's language. The defaults are the vocabulary's
English names and palette, so the library works alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import vocabulary

CATEGORIES: tuple[str, ...] = tuple(vocabulary.CATEGORIES)
SITE_KINDS: tuple[str, ...] = ("booth", "transfer_room", "facility")


def _names(table: Mapping[str, vocabulary.Term], ids: tuple[str, ...], lang: str):
    """Read-only id -> name in ``lang``."""
    return MappingProxyType({i: table[i].name(lang) for i in ids})


@dataclass(frozen=True)
class MapText:
    """Everything a map page says, in one language, and the category colours."""

    title: str = "Where sorted waste went"
    day: str = "Date"
    show: str = "Show"
    total: str = "Total"
    trips: str = "Truck trips"
    flows: str = "flows"
    vehicle: str = "Vehicle"
    legend: str = "Legend"
    trace_title: str = "Trace"
    path: str = "Path"
    places: str = "Places seen"
    kg_unit: str = "kg"
    t_unit: str = "t"
    notice: str = ""  # a message to show above the day picker (e.g. a refused day)
    day_note: str = ""  # which day is shown and why (e.g. today has no data yet)
    summary: str = ("Each line is waste of one category carried between two places on this "
                    "day; the thicker the line, the more waste. Tap a place for its figures.")
    about: str = "Legend"  # the folding block with the sentence and the legend
    width_title: str = "Line width: waste carried"
    kg_in: str = "In"
    kg_out: str = "Out"
    photos: str = "Clearance photos"
    merged: str = "Several small booths together (privacy)"
    lines_of: str = "Line colour: category"
    places_of: str = "Places"
    # Links to other pages (label, url), e.g. to type a code; shown under the day picker.
    links: tuple[tuple[str, str], ...] = ()
    # The language switch: (code, name, url, is the page's language) for each language.
    languages: tuple[tuple[str, str, str, bool], ...] = ()
    categories: Mapping[str, str] = field(
        default_factory=lambda: _names(vocabulary.CATEGORIES, CATEGORIES, "en"))
    site_kinds: Mapping[str, str] = field(
        default_factory=lambda: _names(vocabulary.ASSET_KINDS, SITE_KINDS, "en"))
    colours: Mapping[str, str] = field(default_factory=vocabulary.category_colours)


def vocabulary_text(lang: str, **words: str) -> MapText:
    """A MapText with the vocabulary's names in ``lang`` and the given words."""
    return MapText(categories=_names(vocabulary.CATEGORIES, CATEGORIES, lang),
                   site_kinds=_names(vocabulary.ASSET_KINDS, SITE_KINDS, lang), **words)
