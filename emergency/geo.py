"""Coordinate systems (WGS84, CGCS2000, GCJ-02, BD-09, projected) and geometry helpers, vectorized."""

from __future__ import annotations

import functools
from collections.abc import Callable
from os import PathLike

import numpy as np
import pyproj
import shapely

__all__ = [
    "area_km2",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "geometry_to_wgs84",
    "geometry_to_wkb",
    "haversine_km",
    "haversine_sql",
    "locate",
    "outline_of",
    "read_boundary_file",
    "read_outline",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
    "wkb_to_geometry",
]

# Krasovsky 1940 semi-major axis (m) and eccentricity squared, as used by the GCJ-02 obfuscation.
GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323
# BD-09 rotates and scales GCJ-02 around this "x_pi" constant, then shifts by these degrees.
BD_X_PI = np.pi * 3000.0 / 180.0
BD_DLON = 0.0065
BD_DLAT = 0.006
# Rough box (lon/lat degrees) outside which GCJ-02 applies no offset; the de facto standard test.
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)
# Fixed-point inversions stop once the correction is below this (degrees, ~1e-6 m) or after MAX_ITER steps.
INVERSE_TOL_DEG = 1e-11
INVERSE_MAX_ITER = 30
# Mean Earth radius (IUGG R1) for haversine distances, km.
EARTH_RADIUS_KM = 6371.0088
# Kilometres per degree of latitude (its length at the equator, the shortest: boxes built with it
# are never too small) and per degree of longitude at the equator (multiply by cos(lat)), for
# bounding boxes, grid cells and local flat frames; distances themselves use the haversine.
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320

_GEOD = pyproj.Geod(ellps="WGS84")


def _as_float(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _out(lon: np.ndarray, lat: np.ndarray):
    # Hand scalars back as Python floats so scalar callers never see 0-d arrays.
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


def _outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    west, south, east, north = CHINA_BOX
    return (lon < west) | (lon > east) | (lat < south) | (lat > north)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 offset (degrees) to add to WGS84 ``lon``/``lat``."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = np.radians(lat)
    magic = 1.0 - GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((GCJ_A * (1.0 - GCJ_EE)) / (magic * sqrtmagic) * np.pi)
    dlon = dlon * 180.0 / (GCJ_A / sqrtmagic * np.cos(radlat) * np.pi)
    outside = _outside_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def _invert(forward: Callable, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(x) == (lon, lat)`` by fixed-point iteration; the offsets vary slowly, so it contracts."""
    x, y = lon.copy(), lat.copy()
    for _ in range(INVERSE_MAX_ITER):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if max(np.max(np.abs(dx), initial=0.0), np.max(np.abs(dy), initial=0.0)) < INVERSE_TOL_DEG:
            break
    return x, y


def _wgs_to_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _gcj_to_bd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * BD_X_PI)
    return z * np.cos(theta) + BD_DLON, z * np.sin(theta) + BD_DLAT


def _bd_to_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _invert(_gcj_to_bd, lon, lat)


def _gcj_to_wgs(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _invert(_wgs_to_gcj, lon, lat)


def wgs84_to_gcj02(lon, lat):
    """Convert WGS84 lon/lat to GCJ-02 (the "Mars" grid used by Amap, Tencent, Tianditu-free apps).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees; arrays broadcast together.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02, floats for scalar input, arrays otherwise.
        Points outside China are returned unchanged.

    Examples
    --------
    >>> wgs84_to_gcj02(116.404, 39.915)
    (116.41024449916938, 39.91640428150164)
    """
    return _out(*_wgs_to_gcj(*_as_float(lon, lat)))


def gcj02_to_wgs84(lon, lat):
    """Convert GCJ-02 lon/lat to WGS84, the exact inverse of :func:`wgs84_to_gcj02`.

    Solved by fixed-point iteration (to ~1e-6 m), not the common one-step
    approximation that can be off by a metre or more.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84.
    """
    return _out(*_gcj_to_wgs(*_as_float(lon, lat)))


def gcj02_to_bd09(lon, lat):
    """Convert GCJ-02 lon/lat to BD-09 (Baidu Maps).

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09.
    """
    return _out(*_gcj_to_bd(*_as_float(lon, lat)))


def bd09_to_gcj02(lon, lat):
    """Convert BD-09 lon/lat to GCJ-02, the exact inverse of :func:`gcj02_to_bd09`.

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02.
    """
    return _out(*_bd_to_gcj(*_as_float(lon, lat)))


def wgs84_to_bd09(lon, lat):
    """Convert WGS84 lon/lat to BD-09 (via GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS84 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09.
    """
    return _out(*_gcj_to_bd(*_wgs_to_gcj(*_as_float(lon, lat))))


def bd09_to_wgs84(lon, lat):
    """Convert BD-09 lon/lat to WGS84 (via GCJ-02).

    Parameters
    ----------
    lon, lat : float or array_like
        BD-09 degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84.
    """
    return _out(*_gcj_to_wgs(*_bd_to_gcj(*_as_float(lon, lat))))


def _identity(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return lon, lat


def _bd_to_wgs(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _gcj_to_wgs(*_bd_to_gcj(lon, lat))


# Named systems pyproj does not know (GCJ-02, BD-09) or that we treat as WGS84: CGCS2000
# (EPSG:4490) differs from WGS84 by centimetres, far below what a county map shows.
NAMED_CRS: dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]] = {
    "wgs84": _identity,
    "cgcs2000": _identity,
    "gcj02": _gcj_to_wgs,
    "bd09": _bd_to_wgs,
}


@functools.lru_cache(maxsize=32)
def _pyproj_to_wgs84(crs: str) -> pyproj.Transformer:
    try:
        source = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as error:
        names = ", ".join(sorted(NAMED_CRS))
        raise ValueError(
            f"unknown coordinate system {crs!r}: use one of {names} or an EPSG code such as 'EPSG:4548'"
        ) from error
    return pyproj.Transformer.from_crs(source, "EPSG:4326", always_xy=True)


def _converter(crs: str) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    if not isinstance(crs, str) or not crs.strip():
        raise ValueError(f"unknown coordinate system {crs!r}")
    named = NAMED_CRS.get(crs.strip().lower().replace("-", "").replace("_", ""))
    if named is not None:
        return named
    transformer = _pyproj_to_wgs84(crs.strip())
    return lambda x, y: tuple(np.asarray(v, dtype=float) for v in transformer.transform(x, y))


def to_wgs84(lon, lat, crs: str):
    """Convert coordinates in ``crs`` to WGS84 lon/lat.

    Parameters
    ----------
    lon, lat : float or array_like
        Coordinates in ``crs``: degrees for geographic systems, easting/northing
        metres for projected ones (x first, as in ``always_xy=True``).
    crs : str
        ``"wgs84"``, ``"cgcs2000"``, ``"gcj02"``, ``"bd09"`` (case and dashes ignored),
        or anything pyproj understands, e.g. ``"EPSG:4548"`` (CGCS2000 3-degree
        Gauss-Kruger, CM 117E) or ``"EPSG:32650"``.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84 degrees.

    Raises
    ------
    ValueError
        If ``crs`` is neither a named system nor understood by pyproj.

    Examples
    --------
    >>> to_wgs84(116.41024449916938, 39.91640428150164, "gcj02")
    (116.404, 39.915)
    """
    convert = _converter(crs)
    return _out(*convert(*_as_float(lon, lat)))


def geometry_to_wgs84(geom, crs: str):
    """Convert a shapely geometry (or array of them) from ``crs`` to WGS84.

    Parameters
    ----------
    geom : shapely.Geometry or array_like of them
        Geometry in ``crs``.
    crs : str
        As for :func:`to_wgs84`.

    Returns
    -------
    shapely.Geometry or numpy.ndarray
        Same shape as ``geom``, coordinates in WGS84 lon/lat.
    """
    convert = _converter(crs)

    def _apply(coords: np.ndarray) -> np.ndarray:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, _apply)


def haversine_km(lon1, lat1, lon2, lat2):
    """Return the great-circle distance in km between WGS84 points (numpy broadcasting).

    The one distance formula of the package; :func:`haversine_sql` is the same formula in SQL.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Degrees.

    Returns
    -------
    float or numpy.ndarray
        Distance in km on a sphere of radius ``EARTH_RADIUS_KM`` (a float for scalar input).

    Examples
    --------
    >>> round(haversine_km(118.0, 28.0, 118.0, 29.0), 3)
    111.195
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(distance) if distance.ndim == 0 else distance


def haversine_sql(lon1: str, lat1: str, lon2: str, lat2: str) -> str:
    """Return SQL of the great-circle distance in km between two SQL expressions (columns or ``?``) in degrees.

    The same formula and radius as :func:`haversine_km`. The expressions are spliced into the text:
    pass column names or ``?`` placeholders only, never values.
    """
    return (
        f"(2 * {EARTH_RADIUS_KM} * asin(sqrt("
        f"pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
        f"cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2))))"
    )


def area_km2(geom):
    """Geodesic area on the WGS84 ellipsoid, in square kilometres.

    Parameters
    ----------
    geom : shapely.Geometry or array_like of them
        Polygonal geometry in WGS84 lon/lat.

    Returns
    -------
    float or numpy.ndarray
        Area in km²; 0 for empty or non-areal geometries.
    """
    geoms = np.asarray(geom, dtype=object)
    # pyproj sums signed ring areas: rings are oriented first (exteriors counter-clockwise, holes
    # clockwise), else a hole drawn the exterior's way is added and an exclave drawn the other
    # way is subtracted.
    geoms = np.asarray(shapely.orient_polygons(geoms), dtype=object)
    # pyproj measures one geometry per call; callers pass at most a few hundred polygons.
    areas = np.array(
        [abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6 if g is not None else 0.0 for g in geoms.ravel()],
        dtype=float,
    ).reshape(geoms.shape)
    return float(areas) if areas.ndim == 0 else areas


def _polygonal(geom) -> shapely.Geometry:
    """Keep only the polygons of ``geom`` (make_valid can add stray lines or points)."""
    parts = shapely.get_parts(geom)
    polygons = [p for p in shapely.get_parts(parts) if p.geom_type in ("Polygon", "MultiPolygon")]
    merged = shapely.union_all(polygons) if polygons else shapely.Polygon()
    if merged.geom_type == "GeometryCollection":
        merged = shapely.MultiPolygon([p for p in shapely.get_parts(merged) if p.geom_type == "Polygon"])
    return merged


def read_outline(path: str | PathLike, crs: str | None = "gcj02") -> shapely.Geometry:
    """Read a boundary file and return its outline as one valid (Multi)Polygon in WGS84.

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, Shapefile, GeoPackage or anything pyogrio reads.
    crs : str or None
        The coordinate system of the file's coordinates (see :func:`to_wgs84`).
        Chinese web boundaries are usually GCJ-02 whatever the file claims, hence
        the default. ``None`` trusts the file's own CRS (WGS84 if it has none).

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        Union of all features, made valid, in WGS84 lon/lat.

    Examples
    --------
    >>> from emergency.config import DEMO_OUTLINE_PATH
    >>> round(area_km2(read_outline(DEMO_OUTLINE_PATH)))
    2234
    """
    return outline_of(read_boundary_file(path), crs)


def read_boundary_file(path: str | PathLike, layer: str | None = None, encoding: str | None = None):
    """Read the features of a GIS file (the one place that reads them: outlines and the import's GIS files).

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, Shapefile (``.shp`` or ``.zip``), GeoPackage or anything pyogrio reads.
    layer : str, optional
        The layer to read (a GeoPackage's layer; see :func:`boundary_layers`); the first by default.
    encoding : str, optional
        Text encoding of the attributes (a .dbf without .cpg, e.g. ``gbk``); GDAL's guess by default.

    Returns
    -------
    geopandas.GeoDataFrame
        The features with their attributes and the file's own CRS (None when it states none).
    """
    import pyogrio  # GIS files are read by pyogrio (GDAL) only; loaded on use

    return pyogrio.read_dataframe(path, layer=layer, encoding=encoding)


def boundary_layers(path: str | PathLike) -> tuple[str, ...]:
    """Return the names of the layers of a GIS file, in the file's order.

    Parameters
    ----------
    path : str or PathLike
        A file :func:`read_boundary_file` reads.

    Returns
    -------
    tuple of str
        The layer names (one for GeoJSON or a Shapefile).
    """
    import pyogrio

    return tuple(str(name) for name in pyogrio.list_layers(path)[:, 0])


def outline_of(frame, crs: str | None = "gcj02") -> shapely.Geometry:
    """Return the union of a boundary file's features as one valid (Multi)Polygon in WGS84.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Features from :func:`read_boundary_file`.
    crs : str or None
        The coordinate system of the coordinates (see :func:`to_wgs84`); None trusts the
        frame's own CRS (WGS84 if it has none).

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        Empty when the features hold no polygon.
    """
    if crs is None:
        if frame.crs is not None:
            frame = frame.to_crs("EPSG:4326")
        geoms = np.asarray(frame.geometry.values, dtype=object)
    else:
        geoms = geometry_to_wgs84(np.asarray(frame.geometry.values, dtype=object), crs)
    outline = shapely.make_valid(shapely.union_all(shapely.make_valid(geoms)))
    return _polygonal(outline)


def locate(lon, lat, polygons) -> np.ndarray:
    """Index of the polygon containing each point, or -1 where none does.

    Parameters
    ----------
    lon, lat : array_like
        Point coordinates (same CRS as ``polygons``).
    polygons : array_like of shapely.Geometry
        Non-overlapping polygons, e.g. townships; if several contain a point the
        lowest index wins.

    Returns
    -------
    numpy.ndarray
        ``int64`` indexes into ``polygons``, shaped like ``lon``.
    """
    lon, lat = _as_float(lon, lat)
    points = shapely.points(lon.ravel(), lat.ravel())
    tree = shapely.STRtree(np.asarray(polygons, dtype=object))
    point_idx, poly_idx = tree.query(points, predicate="within")
    none = np.iinfo(np.int64).max
    result = np.full(points.shape[0], none, dtype=np.int64)
    np.minimum.at(result, point_idx, poly_idx.astype(np.int64))
    result[result == none] = -1
    return result.reshape(lon.shape)


def geometry_to_wkb(geom):
    """Encode a geometry (or array of them) as WKB bytes, as stored in the ``geometry`` columns."""
    return shapely.to_wkb(geom)


# DuckDB hands BLOB columns to pandas as bytearray, which shapely.from_wkb rejects.
_as_bytes = np.frompyfunc(lambda blob: None if blob is None else bytes(blob), 1, 1)


def wkb_to_geometry(blob):
    """Decode WKB (bytes, bytearray, or an array/Series of them) from the store into shapely geometries."""
    if isinstance(blob, (bytes, str)):
        return shapely.from_wkb(blob)
    if isinstance(blob, (bytearray, memoryview)):
        return shapely.from_wkb(bytes(blob))
    return shapely.from_wkb(_as_bytes(np.asarray(blob, dtype=object)))
