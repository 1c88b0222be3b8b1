"""Public and trace maps: plain records in, standalone folium/Leaflet HTML out.

No Flask, no database, no `custody` import. The pages load their scripts and styles
from `asset_base_url`, where the app serves the files under `STATIC_DIR`; only the
tile layer comes from elsewhere.
"""

from maps._assets import STATIC_DIR, asset_files
from maps._errors import MapsError
from maps._privacy import merge_small_booths
from maps._public_map import flow_width, public_map_html
from maps._records import (
    CATEGORIES,
    CATEGORY_COLOURS,
    CATEGORY_LABELS,
    SITE_KIND_LABELS,
    SITE_KINDS,
    Flow,
    Site,
    TracePoint,
    Trip,
)
from maps._trace_map import trace_map_html

__all__ = [
    "CATEGORIES",
    "CATEGORY_COLOURS",
    "CATEGORY_LABELS",
    "SITE_KINDS",
    "SITE_KIND_LABELS",
    "STATIC_DIR",
    "Flow",
    "MapsError",
    "Site",
    "TracePoint",
    "Trip",
    "asset_files",
    "flow_width",
    "merge_small_booths",
    "public_map_html",
    "trace_map_html",
]
