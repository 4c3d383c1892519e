"""Shape store rows into what a deck.gl layer draws: GeoJSON features, escaped tooltips, view fit."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import shapely

# Simplification tolerance in degrees (~30 m): invisible at county zoom, trims the payload.
SIMPLIFY_DEG = 0.0003
# Coordinate grid in degrees (~1 m) for the JSON sent to the browser.
PRECISION_DEG = 1e-5
# deck.gl's world is 512 px wide at zoom 0 (not 256 as for raster tiles).
WORLD_PX = 512


def shapes_geojson(wkb: Iterable[bytes]) -> list[dict]:
    """Return simplified, rounded GeoJSON geometry dicts for WKB polygons (vectorized in shapely)."""
    # DuckDB returns BLOBs as bytearray, which shapely does not take.
    geoms = shapely.from_wkb([bytes(blob) for blob in wkb])
    geoms = shapely.set_precision(shapely.simplify(geoms, SIMPLIFY_DEG), PRECISION_DEG)
    return [shapely.geometry.mapping(geom) for geom in geoms]


def feature_collection(geometries: list[dict], properties: pd.DataFrame) -> dict:
    """Pair geometries with the rows of ``properties`` (same order) as a FeatureCollection."""
    records = properties.to_dict("records")
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": geometry, "properties": record}
            for geometry, record in zip(geometries, records, strict=True)
        ],
    }


def tooltip_text(title: str, rows: Iterable[tuple[str, object]]) -> str:
    """Return a tooltip as plain text lines: the title, then "name：value" per row.

    The deck's one tooltip template shows it with ``white-space: pre-line``; Streamlit
    HTML-escapes every value it puts into the template (streamlit 1.67 DeckGlJsonChart),
    so user text (names, addresses) is shown as text, never parsed as markup.
    """
    lines = [str(title)]
    for name, value in rows:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = "—"
        lines.append(f"{name}：{value}" if name else str(value))
    return "\n".join(lines)


def fit_view(
    min_lon: float, min_lat: float, max_lon: float, max_lat: float, width_px: int = 900, height_px: int = 620
) -> dict:
    """Return longitude, latitude and zoom that fit a bounding box in a viewport (Web Mercator)."""

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(max_lon - min_lon, 1e-6) / 360
    lat_span = max(mercator_y(max_lat) - mercator_y(min_lat), 1e-6) / (2 * math.pi)
    zoom = min(math.log2(width_px / WORLD_PX / lon_span), math.log2(height_px / WORLD_PX / lat_span))
    return {
        "longitude": (min_lon + max_lon) / 2,
        "latitude": (min_lat + max_lat) / 2,
        # Keep a margin around the county.
        "zoom": round(zoom - 0.2, 2),
    }
