"""What a label shows: the label record, the four GB/T 19095-2019 categories and the asset kinds."""

from __future__ import annotations

from dataclasses import dataclass

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


# GB/T 19095-2019: kitchen green, recyclable blue, hazardous red, other grey (sRGB approximations).
CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("kitchen", "厨余垃圾", "Kitchen waste", "#00843D"),
        Category("recyclable", "可回收物", "Recyclable", "#005BAC"),
        Category("hazardous", "有害垃圾", "Hazardous waste", "#E60012"),
        Category("other", "其他垃圾", "Other waste", "#6E6E6E"),
    )
}
KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind("bag", "袋", "Bag"),
        Kind("bin", "桶", "Bin"),
        Kind("booth", "投放亭", "Booth"),
        Kind("transfer_room", "中转房", "Transfer room"),
        Kind("vehicle", "车辆", "Vehicle"),
        Kind("facility", "处理设施", "Facility"),
    )
}
# Fixed assets carry no category: their band is neutral black, never a category colour.
NEUTRAL_COLOUR = "#000000"
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

    @property
    def band_colour(self) -> str:
        """The colour of the label band: the category colour, or neutral for fixed assets."""
        return CATEGORIES[self.category].colour if self.category else NEUTRAL_COLOUR


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` to an (r, g, b) tuple of 0-255 ints."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
