"""Public and trace maps: plain records in, standalone folium/Leaflet HTML out.

No Flask, no database, no `custody` import. Pages are in one language: the caller gives
the words and the category colours as a `MapText` (by default the English names and the
palette of the neutral `vocabulary` package). The pages load their scripts and styles
from `asset_base_url`, where the app serves the files under `STATIC_DIR`; only the
tile layer comes from elsewhere.
"""

from maps._assets import STATIC_DIR, asset_files
from maps._errors import MapsError
from maps._gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from maps._legend import flow_width, width_samples
from maps._privacy import MERGED_NAME, merge_small_booths
from maps._public_map import flow_offsets, public_map_html
from maps._records import Flow, Site, SitePhoto, TracePoint, Trip
from maps._text import CATEGORIES, SITE_KINDS, MapText, vocabulary_text
from maps._tiles import TILE_CRS, TILE_PROVIDERS, TileProvider, display_position
from maps._trace_map import trace_map_html

__all__ = [
    "CATEGORIES",
    "MERGED_NAME",
    "SITE_KINDS",
    "STATIC_DIR",
    "TILE_CRS",
    "TILE_PROVIDERS",
    "Flow",
    "MapText",
    "MapsError",
    "Site",
    "SitePhoto",
    "TileProvider",
    "TracePoint",
    "Trip",
    "asset_files",
    "display_position",
    "flow_offsets",
    "flow_width",
    "gcj02_to_wgs84",
    "merge_small_booths",
    "public_map_html",
    "trace_map_html",
    "vocabulary_text",
    "wgs84_to_gcj02",
    "width_samples",
]
