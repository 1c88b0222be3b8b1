"""Custody's vocabulary: identifiers, their Chinese and English names, and the category palette.

A neutral package with no dependencies, so that the web app, the label printer
and the map builder, which must not import one another, all say the same words.

    vocabulary.CATEGORIES["kitchen"].name("en")      # "Kitchen waste"
    vocabulary.name("flag", "off_path", "zh")         # "路径异常"
    vocabulary.category_colours()                     # {"kitchen": "#009A44", ...}
"""

from vocabulary._terms import (
    ACTIONS,
    ASSET_KINDS,
    CATEGORIES,
    DEFAULT_LANG,
    FLAGS,
    LANGS,
    NEUTRAL_COLOUR,
    REPORT_LEVELS,
    REVIEW_DECISIONS,
    ROLES,
    TABLES,
    TREATMENT_KINDS,
    Term,
    category_colours,
    name,
)

__all__ = [
    "ACTIONS",
    "ASSET_KINDS",
    "CATEGORIES",
    "DEFAULT_LANG",
    "FLAGS",
    "LANGS",
    "NEUTRAL_COLOUR",
    "REPORT_LEVELS",
    "REVIEW_DECISIONS",
    "ROLES",
    "TABLES",
    "TREATMENT_KINDS",
    "Term",
    "category_colours",
    "name",
]
