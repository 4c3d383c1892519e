"""One-click dispatch: who is nearest to help, the dispatch log, and coverage gaps.

Distances are great-circle (haversine) distances on a sphere of the mean Earth radius,
computed as plain SQL math in DuckDB for radius queries (no spatial extension needed) and
with numpy for coverage grids. Travel time is an estimate: the straight line times
``ROAD_FACTOR`` (roads wind through the hills: detour indices of rural Chinese road
networks are typically 1.3–1.5) driven at ``SPEED_KMH`` (an emergency vehicle on county and
township roads, storm conditions). Both are constants of this module and arguments of
:func:`travel_minutes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import shapely

from emergency import geo, queries, store
from emergency.clock import local_now
from emergency.vocab import DISPATCH_STATUSES

# Road distance / straight-line distance; see the module docstring.
ROAD_FACTOR = 1.4
# Mean speed on the road, km/h; see the module docstring.
SPEED_KMH = 40.0
DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 50.0
# A place farther than this from every rescue team is a coverage gap, km.
DEFAULT_GAP_KM = 10.0
# Side of the square cells the county is checked on for coverage gaps, km.
DEFAULT_CELL_KM = 2.0
RESOURCE_TABLES = {"team": "teams", "warehouse": "warehouses", "shelter": "shelters"}
# Rows of the distance matrix computed at once in nearest_km (bounds memory to ~64 MB).
CHUNK_ROWS = 2000


def travel_minutes(distance_km, road_factor: float = ROAD_FACTOR, speed_kmh: float = SPEED_KMH):
    """Return the estimated travel time in minutes for straight-line distances in km.

    Examples
    --------
    >>> float(travel_minutes(10.0))
    21.0
    """
    return np.round(np.asarray(distance_km, dtype=float) * road_factor / speed_kmh * 60, 1)


def needed_categories(needs: pd.DataFrame, incident_type: str | None) -> tuple[str, ...]:
    """Return the stock categories an incident type needs (empty for a plain point: any stock)."""
    if not incident_type:
        return ()
    return tuple(needs.loc[needs["incident_type"] == incident_type, "category"])


@dataclass
class Nearby:
    """What a radius query found around a point, each frame nearest first with distance_km and eta_min."""

    lon: float
    lat: float
    radius_km: float
    categories: tuple[str, ...]
    teams: pd.DataFrame
    warehouses: pd.DataFrame
    shelters: pd.DataFrame
    hazards: pd.DataFrame
    frames: dict = field(init=False, repr=False)

    def __post_init__(self):
        """Index the four frames by resource kind."""
        self.frames = {
            "team": self.teams,
            "warehouse": self.warehouses,
            "shelter": self.shelters,
            "hazard": self.hazards,
        }

    @property
    def people_exposed(self) -> int:
        """Return the people living at the hazard points found."""
        return int(self.hazards["people"].sum()) if not self.hazards.empty else 0


def nearby(
    conn: duckdb.DuckDBPyConnection,
    lon: float,
    lat: float,
    radius_km: float = DEFAULT_RADIUS_KM,
    incident_type: str | None = None,
) -> Nearby:
    """Find the teams, warehouses, free shelters and hazard points within ``radius_km`` of a point.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    lon, lat : float
        The incident or clicked point, WGS84 degrees.
    radius_km : float
        Search radius, km (0 < radius <= MAX_RADIUS_KM).
    incident_type : str, optional
        Incident type code; warehouses must hold stock of a category it needs (see the
        ``incident_needs`` table). Without it any warehouse with stock is listed.

    Returns
    -------
    Nearby
        Frames with distance_km and eta_min (:func:`travel_minutes`), nearest first.
    """
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise ValueError(f"radius must be above 0 and at most {MAX_RADIUS_KM} km, got {radius_km!r}")
    categories = needed_categories(queries.incident_needs(conn), incident_type)
    found = {
        "teams": queries.teams_within(conn, lon, lat, radius_km),
        "warehouses": queries.warehouses_within(conn, lon, lat, radius_km, categories),
        "shelters": queries.shelters_within(conn, lon, lat, radius_km),
        "hazards": queries.hazards_within(conn, lon, lat, radius_km),
    }
    for frame in found.values():
        frame["distance_km"] = frame["distance_km"].round(2)
        frame["eta_min"] = travel_minutes(frame["distance_km"])
    return Nearby(lon, lat, radius_km, categories, **found)


@dataclass(frozen=True)
class Order:
    """One resource to send: a team, a warehouse (with the items to send) or a shelter to open."""

    kind: str
    name: str
    distance_km: float | None = None
    eta_min: float | None = None
    items: str | None = None


def record_dispatch(
    conn: duckdb.DuckDBPyConnection,
    orders: Sequence[Order],
    lon: float,
    lat: float,
    created_by: str,
    incident_id: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> list[int]:
    """Write the orders to the dispatch log with status ``dispatched``, all or nothing.

    Parameters
    ----------
    orders : sequence of Order
        Each names an existing team, warehouse or shelter.
    lon, lat : float
        Where the resources go.
    created_by : str
        The duty officer.
    incident_id : str, optional
        The incident served; None for a point picked on the map.
    note : str, optional
    at : datetime, optional
        Local time; the wall clock by default.

    Returns
    -------
    list of int
        The new dispatch ids.

    Raises
    ------
    ValueError
        Naming the bad order or field; nothing is written.
    """
    created_by = (created_by or "").strip()
    if not orders:
        raise ValueError("choose at least one team, warehouse or shelter to dispatch")
    if not created_by:
        raise ValueError("the dispatching duty officer's name is missing")
    if incident_id is not None and queries.incident(conn, incident_id).empty:
        raise ValueError(f"unknown incident {incident_id!r}")
    for order in orders:
        if order.kind not in RESOURCE_TABLES:
            raise ValueError(f"unknown resource kind {order.kind!r}; use one of {tuple(RESOURCE_TABLES)}")
        # The table name comes from RESOURCE_TABLES, never from input.
        exists = store.scalar(conn, f"SELECT count(*) FROM {RESOURCE_TABLES[order.kind]} WHERE name = ?", [order.name])
        if not exists:
            raise ValueError(f"unknown {order.kind} {order.name!r}")
    when = at or local_now()
    note = (note or "").strip() or None
    ids = []
    with store.transaction(conn) as cursor:
        for order in orders:
            ids.append(
                cursor.execute(
                    """INSERT INTO dispatches (incident_id, lon, lat, resource_kind, resource_name, items,
                                           distance_km, eta_min, status, note, created_by, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'dispatched', ?, ?, ?, ?) RETURNING id""",
                    [
                        incident_id,
                        lon,
                        lat,
                        order.kind,
                        order.name,
                        order.items,
                        order.distance_km,
                        order.eta_min,
                        note,
                        created_by,
                        when,
                        when,
                    ],
                ).fetchone()[0]
            )
    return [int(i) for i in ids]


def set_dispatch_status(
    conn: duckdb.DuckDBPyConnection, dispatch_id: int, status: str, at: datetime | None = None
) -> None:
    """Move a dispatch to ``status`` (a code of DISPATCH_STATUSES); refuses unknown ids and codes."""
    if status not in DISPATCH_STATUSES:
        raise ValueError(f"unknown dispatch status {status!r}; use one of {tuple(DISPATCH_STATUSES)}")
    with store.transaction(conn) as cursor:
        changed = cursor.execute(
            "UPDATE dispatches SET status = ?, updated_at = ? WHERE id = ?",
            [status, at or local_now(), int(dispatch_id)],
        ).fetchone()[0]
    if not changed:
        raise ValueError(f"unknown dispatch {dispatch_id!r}")


def circle_path(lon: float, lat: float, radius_km: float, points: int = 96) -> list[list[float]]:
    """Return a closed ring of ``points`` [lon, lat] pairs at ``radius_km`` around a point (on the sphere).

    Examples
    --------
    >>> ring = circle_path(118.0, 28.0, 10.0)
    >>> round(geo.haversine_km(118.0, 28.0, *ring[0]), 3), ring[0] == ring[-1]
    (10.0, True)
    """
    bearing = np.linspace(0, 2 * np.pi, points + 1)
    angle = radius_km / geo.EARTH_RADIUS_KM
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2 = np.arcsin(np.sin(lat1) * np.cos(angle) + np.cos(lat1) * np.sin(angle) * np.cos(bearing))
    lon2 = lon1 + np.arctan2(
        np.sin(bearing) * np.sin(angle) * np.cos(lat1), np.cos(angle) - np.sin(lat1) * np.sin(lat2)
    )
    ring = np.column_stack([np.degrees(lon2), np.degrees(lat2)]).round(6)
    ring[-1] = ring[0]
    return ring.tolist()


def ring_radii(radius_km: float, step_km: float = 5.0) -> list[float]:
    """Return the radii of the rings drawn for a search: every ``step_km`` below it, then the radius."""
    inner = np.arange(step_km, radius_km, step_km)
    return [*inner[inner < radius_km - 1e-9].round(3).tolist(), float(radius_km)]


# --------------------------------------------------------------------- coverage gaps


def nearest_km(lon, lat, target_lon, target_lat) -> np.ndarray:
    """Return for each point the distance to the nearest target, km (inf when there is none)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    target_lon, target_lat = np.asarray(target_lon, dtype=float), np.asarray(target_lat, dtype=float)
    if target_lon.size == 0:
        return np.full(lon.shape, np.inf)
    out = np.empty(lon.shape)
    for start in range(0, lon.size, CHUNK_ROWS):
        part = slice(start, start + CHUNK_ROWS)
        out[part] = geo.haversine_km(lon[part, None], lat[part, None], target_lon[None, :], target_lat[None, :]).min(
            axis=1
        )
    return out


def grid_cells(outline_wkb: bytes, cell_km: float = DEFAULT_CELL_KM) -> pd.DataFrame:
    """Return the centres of square cells of about ``cell_km`` that fall inside an outline.

    Cells are a regular lon/lat grid whose steps equal ``cell_km`` at the outline's mean
    latitude; a cell belongs to the outline when its centre does.
    """
    shape = shapely.from_wkb(bytes(outline_wkb))
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    step_lat = cell_km / (np.pi / 180 * geo.EARTH_RADIUS_KM)
    step_lon = step_lat / np.cos(np.radians((min_lat + max_lat) / 2))
    lons = np.arange(min_lon + step_lon / 2, max_lon, step_lon)
    lats = np.arange(min_lat + step_lat / 2, max_lat, step_lat)
    grid_lon, grid_lat = (a.ravel() for a in np.meshgrid(lons, lats))
    inside = shapely.contains_xy(shape, grid_lon, grid_lat)
    return pd.DataFrame({"lon": grid_lon[inside], "lat": grid_lat[inside]})


@dataclass
class Coverage:
    """Coverage gaps: cells and townships too far from any team, townships short of shelter."""

    max_km: float
    cell_km: float
    cells: pd.DataFrame  # lon, lat, township, team_km, gap
    townships: pd.DataFrame  # code, name, cells, gap_cells, gap_share, farthest_km, label_km, gap
    shelters: pd.DataFrame  # from queries.shelter_gaps, plus gap


def coverage_gaps(
    conn: duckdb.DuckDBPyConnection, max_km: float = DEFAULT_GAP_KM, cell_km: float = DEFAULT_CELL_KM
) -> Coverage:
    """Find where help is far.

    Grid cells and townships beyond ``max_km`` of every team, and townships whose shelter
    capacity is below the people living at their hazard points.

    Parameters
    ----------
    max_km : float
        Straight-line distance beyond which a place counts as uncovered.
    cell_km : float
        Grid cell size for the county-wide check.

    Returns
    -------
    Coverage
        ``cells`` (every cell with its nearest-team distance and township), ``townships``
        (share of their cells uncovered; ``gap`` when any cell or the township's label
        point is uncovered), ``shelters`` (``gap`` where shortfall > 0).
    """
    if not max_km > 0 or not cell_km > 0:
        raise ValueError("coverage distance and cell size must be above 0 km")
    county = queries.county(conn)
    townships = queries.townships(conn)
    teams = queries.teams(conn)
    cells = (
        grid_cells(county["geometry"].iloc[0], cell_km) if not county.empty else pd.DataFrame({"lon": [], "lat": []})
    )
    cells["team_km"] = nearest_km(cells["lon"], cells["lat"], teams["lon"], teams["lat"])
    cells["gap"] = cells["team_km"] > max_km
    cells["township"] = None
    for code, wkb in zip(townships["code"], townships["geometry"], strict=True):
        inside = shapely.contains_xy(shapely.from_wkb(bytes(wkb)), cells["lon"].to_numpy(), cells["lat"].to_numpy())
        cells.loc[inside, "township"] = code
    per_township = cells.groupby("township").agg(
        cells=("gap", "size"), gap_cells=("gap", "sum"), farthest_km=("team_km", "max")
    )
    summary = townships[["code", "name", "label_lon", "label_lat"]].merge(
        per_township, left_on="code", right_index=True, how="left"
    )
    summary["cells"] = summary["cells"].fillna(0).astype(int)
    summary["gap_cells"] = summary["gap_cells"].fillna(0).astype(int)
    summary["gap_share"] = (summary["gap_cells"] / summary["cells"].where(summary["cells"] > 0)).fillna(0).round(3)
    summary["label_km"] = nearest_km(summary["label_lon"], summary["label_lat"], teams["lon"], teams["lat"]).round(2)
    summary["farthest_km"] = summary["farthest_km"].round(2)
    summary["gap"] = (summary["gap_cells"] > 0) | (summary["label_km"] > max_km)
    summary = summary.sort_values(["gap_share", "label_km"], ascending=False, kind="stable").reset_index(drop=True)
    shelters = queries.shelter_gaps(conn)
    shelters["gap"] = shelters["shortfall"] > 0
    return Coverage(max_km, cell_km, cells, summary.drop(columns=["label_lon", "label_lat"]), shelters)
