"""Grid management hierarchy (网格化管理): villages and grid cells that partition each township.

The demo builds them as Voronoi cells of seeded points clipped to their parent polygon,
smoothed by a few Lloyd steps: every cell lies inside its parent, the cells of a parent
cover it exactly and never overlap. Names (X村, X社区, 第N网格), people and phone numbers
are synthetic and every row is flagged ``is_demo``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely

from emergency import geo
from emergency.demo.names import GIVEN_NAMES, SURNAMES, VILLAGE_FIRST, VILLAGE_SECOND

# A village or community covers about this many km² in the demo (Jiangxi hill country).
VILLAGE_KM2 = 12.0
# Villages per township, fewest and most.
MIN_VILLAGES, MAX_VILLAGES = 4, 14
# Grid cells per village, fewest and most (a grid member looks after 100–300 households).
MIN_GRIDS, MAX_GRIDS = 2, 4
# Lloyd relaxation steps: seeds move to their cell's centre so cells are compact, not slivers.
LLOYD_STEPS = 2
# Village codes: communities 001–199, villages 200–399, as in the national statistical
# division codes (统计用区划代码) where the last three digits say which it is.
COMMUNITY_CODE_START, VILLAGE_CODE_START = 1, 200
# Kinds of village-level units (村 / 社区); labels in i18n "village_kind".
VILLAGE_KINDS = ("village", "community")
# Titles of the township leaders who take turns on duty; labels in i18n "duty_title".
DUTY_TITLES = ("party_secretary", "township_head", "deputy_head", "armed_forces")
# Fake but well-formed mobile numbers, distinct from the other demo prefixes (137/139).
GRID_PHONE_PREFIX = "1360000"
DUTY_PHONE_PREFIX = "1350000"


def partition(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> list[shapely.Geometry]:
    """Split a polygon into ``n`` cells that cover it exactly without overlapping.

    Parameters
    ----------
    polygon : shapely.Geometry
        A valid (multi)polygon.
    n : int
        Number of cells wanted (at least 1).
    rng : numpy.random.Generator
        Draws the seed points (uniform inside the polygon).

    Returns
    -------
    list of shapely.Geometry
        ``n`` polygonal cells, in seed order; a cell may be a MultiPolygon where the
        parent's outline is concave.
    """
    if n <= 1:
        return [polygon]
    min_x, min_y, max_x, max_y = polygon.bounds
    seeds: list[tuple[float, float]] = []
    while len(seeds) < n:
        x = rng.uniform(min_x, max_x, 4 * n)
        y = rng.uniform(min_y, max_y, 4 * n)
        inside = shapely.contains_xy(polygon, x, y)
        seeds.extend(zip(x[inside], y[inside], strict=True))
    points = np.asarray(seeds[:n])
    frame = shapely.box(*shapely.buffer(shapely.box(*polygon.bounds), 0.1).bounds)
    cells: list[shapely.Geometry] = []
    for step in range(LLOYD_STEPS + 1):
        cells = _clipped_voronoi(points, polygon, frame)
        if step < LLOYD_STEPS:
            centres = shapely.point_on_surface(cells)
            centroids = shapely.centroid(cells)
            inside = shapely.contains(polygon, centroids)
            moved = np.where(inside, centroids, centres)
            points = np.column_stack([shapely.get_x(moved), shapely.get_y(moved)])
    return cells


def _clipped_voronoi(points: np.ndarray, polygon: shapely.Geometry, frame: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells of ``points`` (in point order) intersected with ``polygon``, polygonal parts only."""
    regions = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame))
    owner = geo.locate(points[:, 0], points[:, 1], regions)
    cells = []
    for index in owner:
        piece = shapely.intersection(regions[index], polygon)
        parts = [part for part in shapely.get_parts(piece) if part.geom_type == "Polygon" and not part.is_empty]
        cells.append(shapely.union_all(parts) if len(parts) > 1 else parts[0])
    return cells


def _syllable_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """Two-syllable place names not yet in ``taken`` (the demo's village syllables)."""
    names = []
    while len(names) < n:
        name = str(rng.choice(VILLAGE_FIRST)) + str(rng.choice(VILLAGE_SECOND))
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _people(rng: np.random.Generator, n: int) -> list[str]:
    return [str(s) + str(g) for s, g in zip(rng.choice(SURNAMES, n), rng.choice(GIVEN_NAMES, n), strict=True)]


def demo_hierarchy(townships: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Return synthetic villages and grid cells for the demo townships (labelled demo).

    Parameters
    ----------
    townships : pandas.DataFrame
        code, name, geometry (shapely, WGS84), area_km2, population.
    rng : numpy.random.Generator
        The demo's one generator; the same seed gives the same hierarchy.

    Returns
    -------
    dict of pandas.DataFrame
        ``villages`` and ``grids``, rows of the tables of the same names (geometry as WKB).
    """
    village_rows, grid_rows = [], []
    for township in townships.itertuples():
        street = township.name.endswith("街道")
        count = int(np.clip(round(township.area_km2 / VILLAGE_KM2), MIN_VILLAGES, MAX_VILLAGES))
        cells = partition(township.geometry, count, rng)
        names = _syllable_names(rng, count, set())
        shares = rng.dirichlet(np.full(count, 4.0))
        first = COMMUNITY_CODE_START if street else VILLAGE_CODE_START
        for index, (cell, syllables, share) in enumerate(zip(cells, names, shares, strict=True)):
            code = f"{township.code}{first + index:03d}"
            village_rows.append(
                {
                    "code": code,
                    "name": syllables + ("社区" if street else "村"),
                    "kind": "community" if street else "village",
                    "township": township.code,
                    "geometry": cell,
                    "population": int(round(township.population * share)),
                }
            )
            grids = partition(cell, int(rng.integers(MIN_GRIDS, MAX_GRIDS + 1)), rng)
            for number, grid in enumerate(grids, start=1):
                grid_rows.append(
                    {
                        "code": f"{code}{number:02d}",
                        "name": f"{syllables}{'社区' if street else '村'}第{number}网格",
                        "village": code,
                        "township": township.code,
                        "geometry": grid,
                    }
                )
    villages = _with_shape_columns(pd.DataFrame(village_rows))
    grids = _with_shape_columns(pd.DataFrame(grid_rows))
    grids["keeper"] = _people(rng, len(grids))
    grids["phone"] = [f"{GRID_PHONE_PREFIX}{i:04d}" for i in range(1, len(grids) + 1)]
    return {"villages": villages, "grids": grids}


def _with_shape_columns(frame: pd.DataFrame) -> pd.DataFrame:
    geoms = frame["geometry"].to_numpy(dtype=object)
    label = shapely.point_on_surface(geoms)
    return frame.assign(
        geometry=list(geo.geometry_to_wkb(geoms)),
        area_km2=geo.area_km2(geoms),
        label_lon=shapely.get_x(label),
        label_lat=shapely.get_y(label),
        is_demo=True,
    )


def demo_duty_roster(township_codes: Sequence[str], first: date, last: date, rng: np.random.Generator) -> pd.DataFrame:
    """Return a synthetic duty roster: one leader of each township per day, four taking turns.

    Parameters
    ----------
    township_codes : sequence of str
    first, last : datetime.date
        The days covered, both included.
    rng : numpy.random.Generator

    Returns
    -------
    pandas.DataFrame
        Rows of ``duty_roster``: township, duty_date, name, title, phone, is_demo.
    """
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    leaders = len(DUTY_TITLES)
    names = _people(rng, leaders * len(township_codes))
    rows = []
    for t_index, code in enumerate(township_codes):
        for d_index, day in enumerate(days):
            # Start the rotation at a different leader in each township.
            leader = (d_index + t_index) % leaders
            person = t_index * leaders + leader
            rows.append(
                {
                    "township": code,
                    "duty_date": day,
                    "name": names[person],
                    "title": DUTY_TITLES[leader],
                    "phone": f"{DUTY_PHONE_PREFIX}{person + 1:04d}",
                    "is_demo": True,
                }
            )
    return pd.DataFrame(rows)
