"""Create a store for a real county: its outline, name and code, with no demo rows."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import shapely

from emergency import geo, store

__all__ = [
    "CountyError",
    "CountyStore",
    "DATA_TABLES",
    "create_county",
    "held_tables",
    "init_store",
    "read_county_outline",
]

# Tables whose rows are a county's data: a store holding any of them is not empty. The
# demo's own rows live in these same tables, so this check is also what keeps demo and
# real rows apart (emergency.demo.build_demo refuses a store with a county row).
DATA_TABLES = (
    "county",
    "townships",
    "rain_gauges",
    "rainfall",
    "incidents",
    "warehouses",
    "stock",
    "teams",
    "shelters",
    "hazard_points",
    "villages",
    "grids",
    "duty_roster",
    "township_contacts",
)
# Administrative division codes (行政区划代码) of counties are six digits (GB/T 2260).
COUNTY_CODE_PATTERN = re.compile(r"^\d{6}$")
# Columns of an outline file that may carry the division code, to pick one feature of many.
CODE_COLUMNS = ("adcode", "code", "xzqdm", "区划代码", "行政区划代码", "gb")
TIMEZONE = "Asia/Shanghai"


class CountyError(ValueError):
    """A county store cannot be created; the message says why (file, reason)."""


@dataclass(frozen=True)
class CountyStore:
    """What :func:`init_store` created."""

    path: Path
    code: str
    name: str
    area_km2: float
    bbox: tuple[float, float, float, float]


def held_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the data tables of ``conn`` that hold rows (empty list for an empty store)."""
    # Table names are this module's literals, never input.
    return [table for table in DATA_TABLES if store.scalar(conn, f"SELECT count(*) FROM {table}")]


def _feature_codes(frame: pd.DataFrame) -> pd.Series | None:
    for column in frame.columns:
        if str(column).lower() in CODE_COLUMNS:
            return frame[column].astype(str).str.strip()
    return None


def read_county_outline(
    path: str | os.PathLike, crs: str | None = "gcj02", code: str | None = None
) -> shapely.Geometry:
    """Read a county outline file into one valid WGS84 (Multi)Polygon.

    A file holding several divisions (a city's districts) gives the feature whose code
    column (``adcode``, ``code``, ``区划代码`` …) equals ``code``; a file of one division
    gives the union of its features.

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, Shapefile (``.shp`` or ``.zip``) or GeoPackage.
    crs : str or None
        CRS of the file's coordinates: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09`` or an
        EPSG code (see :func:`emergency.geo.to_wgs84`); None trusts the file's own CRS.
    code : str, optional
        The county's division code, used to pick a feature when there are several.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon

    Raises
    ------
    CountyError
        Unreadable file, no polygon, or several divisions and none with ``code``.
    """
    import pyogrio  # GIS files are read by pyogrio (GDAL) only, as in the import readers; loaded on use

    name = Path(path).name
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as error:  # pyogrio raises several types; all mean "cannot read this file"
        raise CountyError(f"{name}: cannot read the outline file ({error})") from error
    if frame.empty:
        raise CountyError(f"{name}: the file holds no feature")
    codes = _feature_codes(frame)
    if len(frame) > 1 and codes is not None and codes.nunique() > 1:
        chosen = frame[codes == str(code)] if code else frame.iloc[0:0]
        if chosen.empty:
            raise CountyError(
                f"{name}: the file holds {len(frame)} divisions; none has code {code!r} "
                f"(codes: {', '.join(codes.head(20))})"
            )
        frame = chosen
    if crs is None:
        if frame.crs is not None:
            frame = frame.to_crs("EPSG:4326")
        geoms = np.asarray(frame.geometry.values, dtype=object)
    else:
        geoms = geo.geometry_to_wgs84(np.asarray(frame.geometry.values, dtype=object), crs)
    outline = shapely.make_valid(shapely.union_all(shapely.make_valid(geoms)))
    polygons = [p for p in shapely.get_parts(outline) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise CountyError(f"{name}: the file holds no polygon")
    outline = shapely.union_all(polygons)
    lon_min, lat_min, lon_max, lat_max = outline.bounds
    if not (lon_min >= 73 and lon_max <= 136 and lat_min >= 3 and lat_max <= 54):
        raise CountyError(
            f"{name}: the outline lies outside China (lon {lon_min:.2f}–{lon_max:.2f}, "
            f"lat {lat_min:.2f}–{lat_max:.2f}); is the CRS right?"
        )
    return outline


def create_county(conn: duckdb.DuckDBPyConnection, outline: shapely.Geometry, name: str, code: str) -> None:
    """Record the county a new, empty store serves (one transaction).

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        A migrated store without data rows.
    outline : shapely.Geometry
        The county's (Multi)Polygon in WGS84 lon/lat.
    name : str
        Display name (婺源县).
    code : str
        Six-digit division code (361130).

    Raises
    ------
    CountyError
        Bad name or code, or the store already holds data (demo or real): rows of two
        counties, or demo and real rows, are never mixed in one store.
    """
    name, code = str(name).strip(), str(code).strip()
    if not name:
        raise CountyError("the county name is empty")
    if not COUNTY_CODE_PATTERN.match(code):
        raise CountyError(f"the county code must be six digits (行政区划代码), got {code!r}")
    held = held_tables(conn)
    if held:
        meta = store.get_meta(conn)
        what = "demo" if meta.get("is_demo") == "true" else meta.get("county_name", "")
        raise CountyError(f"the store already holds data ({what}: {', '.join(held)}); use a new file for {name}")
    minx, miny, maxx, maxy = outline.bounds
    with store.transaction(conn) as cursor:
        cursor.execute(
            "INSERT INTO county VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [code, name, geo.geometry_to_wkb(outline), geo.area_km2(outline), minx, miny, maxx, maxy],
        )
        for key, value in (("county_code", code), ("county_name", name), ("is_demo", "false"), ("timezone", TIMEZONE)):
            cursor.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def init_store(
    path: str | os.PathLike,
    outline_path: str | os.PathLike,
    name: str,
    code: str,
    crs: str | None = "gcj02",
) -> CountyStore:
    """Create (or fill an empty) store at ``path`` for a county from its outline file.

    Parameters
    ----------
    path : str or PathLike
        DuckDB file; created when missing, refused when it already holds data.
    outline_path : str or PathLike
        The county's boundary file (see :func:`read_county_outline`).
    name, code : str
        Display name and six-digit division code.
    crs : str or None
        CRS of the outline's coordinates (``gcj02`` for most Chinese web boundaries).

    Returns
    -------
    CountyStore

    Raises
    ------
    CountyError
        As :func:`read_county_outline` and :func:`create_county`; nothing is written then.

    Examples
    --------
    >>> init_store("wuyuan.duckdb", "data/wuyuan_361130_gcj02.geojson", "婺源县", "361130")  # doctest: +SKIP
    """
    outline = read_county_outline(outline_path, crs=crs, code=code)
    if store.pgstore.is_url(path):  # a PostgreSQL server store: nothing to remove on refusal
        conn = store.connect(path)
        try:
            create_county(conn, outline, name, code)
        finally:
            conn.close()
        return CountyStore(
            store.describe(path), str(code).strip(), str(name).strip(), geo.area_km2(outline), tuple(outline.bounds)
        )
    path = Path(path)
    existed = path.exists()
    conn = store.connect(path)
    try:
        create_county(conn, outline, name, code)
        conn.execute("CHECKPOINT")
    except CountyError:
        conn.close()
        if not existed:  # nothing of a refused store stays behind
            path.unlink(missing_ok=True)
            Path(f"{path}.wal").unlink(missing_ok=True)
        raise
    conn.close()
    return CountyStore(path, str(code).strip(), str(name).strip(), geo.area_km2(outline), tuple(outline.bounds))
