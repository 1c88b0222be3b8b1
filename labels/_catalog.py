"""What a label shows: the label record, and the words and colours printed on it.

The words and colours come from a ``Catalog`` that renderers take as a parameter, so a
deployment can print its own vocabulary; ``DEFAULT_CATALOG`` holds the project's one
vocabulary (the neutral ``vocabulary`` package): the four GB/T 19095-2019 categories with
their palette and the six asset kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import vocabulary

from ._identity import KIND_LETTERS


@dataclass(frozen=True, slots=True)
class Category:
    """A waste category as printed: stable id, Chinese and English names, sRGB colour."""

    id: str
    name_zh: str
    name_en: str
    colour: str


@dataclass(frozen=True, slots=True)
class Kind:
    """An asset kind as printed: stable id, Chinese and English names."""

    id: str
    name_zh: str
    name_en: str


# The one vocabulary's words and GB/T 19095-2019 palette, never a second table.
CATEGORIES: dict[str, Category] = {
    t.id: Category(t.id, t.zh, t.en, t.colour) for t in vocabulary.CATEGORIES.values()}
KINDS: dict[str, Kind] = {t.id: Kind(t.id, t.zh, t.en) for t in vocabulary.ASSET_KINDS.values()}
# Fixed assets carry no category: their band is neutral, never a category colour.
NEUTRAL_COLOUR = vocabulary.NEUTRAL_COLOUR
assert set(KINDS) == set(KIND_LETTERS)


@dataclass(frozen=True, slots=True)
class LabelData:
    """One label to print: the signed code, the asset ID, its kind, category and site."""

    code: str
    asset_id: str
    kind: str
    category: str | None = None
    site_name: str | None = None

    def __post_init__(self) -> None:
        """Reject kinds and categories the label cannot show."""
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}; expected {sorted(CATEGORIES)}")



@dataclass(frozen=True, eq=False)  # hashed by identity: renderers cache per catalog
class Catalog:
    """The words and colours printed on labels: category and kind names, band colours."""

    categories: Mapping[str, Category]
    kinds: Mapping[str, Kind]
    neutral_colour: str = NEUTRAL_COLOUR

    def band(self, kind: str, category: str | None) -> tuple[Category | Kind, str]:
        """What the band names (the category, else the kind) and its colour."""
        if category is not None:
            named = self.categories[category]
            return named, named.colour
        return self.kinds[kind], self.neutral_colour


DEFAULT_CATALOG = Catalog(CATEGORIES, KINDS)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` to an (r, g, b) tuple of 0-255 ints."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
