"""Deterministic synthetic demo county (上饶市广信区): townships, gauges, a 7-day June storm, incidents, resources."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import shapely

from emergency import clock, commandline, config, geo, pgstore, shared_cache, store, vocab
from emergency.demo.contacts import demo_contacts
from emergency.demo.hierarchy import demo_duty_roster, demo_hierarchy
from emergency.demo.minimums import demo_minimums
from emergency.demo.names import GIVEN_NAMES, SURNAMES, VILLAGE_FIRST, VILLAGE_SECOND
from emergency.sql import quote_identifier, quote_literal

__all__ = ["build_demo", "build_demo_file", "ensure_demo", "main", "table_checksums"]

COUNTY_CODE = "361104"
COUNTY_NAME = "广信区"
DATA_NOTE = "township boundaries and all figures are synthetic demo data"
# Every row the demo writes carries this in its ``source`` column.
SOURCE = "demo"

# The storm: 5-minute steps ending 2026-06-15 00:05 ... 2026-06-22 00:00 (local time).
STORM_START = datetime(2026, 6, 15)
STEP_MIN = 5
N_STEPS = 7 * 24 * 60 // STEP_MIN
# "Now" of the demo: the end of the last interval; updated_at values never pass it.
DEMO_NOW = STORM_START + timedelta(minutes=STEP_MIN * N_STEPS)

# Rows per kind at scale 1; ``scale`` multiplies all of them (the 7 days stay).
BASE_COUNTS = {"gauges": 60, "incidents": 300, "warehouses": 15, "teams": 25, "shelters": 80, "hazards": 150}
# Total population at scale 1, and the share living in the three 街道 around the district seat.
TOTAL_POPULATION = 700_000

# Townships: real names of 广信区's 街道/镇/乡 with hand-placed seed points (WGS84) for the
# synthetic Voronoi boundaries; the 街道 cluster by the seat next to 信州区, and a fixed
# population only for them (the rest share the remainder by area). Codes follow this order.
TOWNSHIPS: tuple[tuple[str, float, float, int | None], ...] = (
    ("旭日街道", 117.925, 28.440, 115_000),
    ("罗桥街道", 117.893, 28.452, 60_000),
    ("兴园街道", 117.918, 28.412, 55_000),
    ("董团乡", 117.800, 28.420, None),
    ("郑坊镇", 117.770, 28.760, None),
    ("望仙乡", 117.870, 28.770, None),
    ("清水乡", 117.840, 28.660, None),
    ("四十八镇", 117.740, 28.630, None),
    ("石人乡", 117.960, 28.620, None),
    ("皂头镇", 117.780, 28.530, None),
    ("煌固镇", 117.985, 28.540, None),
    ("花厅镇", 117.890, 28.550, None),
    ("茶亭镇", 117.960, 28.330, None),
    ("尊桥乡", 118.070, 28.340, None),
    ("上泸镇", 118.170, 28.270, None),
    ("华坛山镇", 117.900, 28.270, None),
    ("田墩镇", 118.030, 28.230, None),
    ("枫岭头镇", 118.130, 28.160, None),
    ("黄沙岭乡", 117.960, 28.180, None),
    ("湖村乡", 117.990, 28.080, None),
    ("五府山镇", 118.100, 28.040, None),
)

# Terrain: lowland (~80 m) in the north, rising to the south, plus two massifs (lon, lat,
# height m, radius deg): 灵山 in the north and 五府山 on the Fujian border.
LOWLAND_M = 80.0
SOUTH_RISE_M = 650.0
MASSIFS = ((117.93, 28.58, 950.0, 0.035), (118.07, 28.03, 750.0, 0.06))
MAX_ELEVATION_M = 1500.0

# The storm's flat local frame: origin near the county's centre (lon, lat), kilometres per
# degree at its latitude, and the county's half width and half height in km. 110.9 is the
# degree of latitude there (110.86 km at 28.4° N), the demo's own value on purpose (geo's
# KM_PER_DEG_LAT is the equator's); kept so the generated demo stays the same.
STORM_ORIGIN = (117.96, 28.40)
LOCAL_KM_PER_DEG_LAT = 110.9
LOCAL_KM_PER_DEG_LON = geo.KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(STORM_ORIGIN[1]))
HALF_EXTENT_KM = (26.0, 48.0)
# Storm episodes: (start hours after STORM_START, duration h, strength). Strength >= 1 gets a
# quasi-stationary "training" cell pinned near a gauge, which makes the red-signal totals;
# the last episode is still raining at DEMO_NOW so the dashboard opens on a live situation.
EPISODES = ((14.0, 10.0, 0.6), (44.0, 22.0, 1.1), (86.0, 6.0, 0.5), (118.0, 22.0, 1.0), (152.0, 18.0, 0.8))
# Mean steering wind of the Meiyu front, km/h towards the east-northeast.
STEERING_KMH = (26.0, 8.0)

INCIDENT_TEXT = {
    "flood": "河水漫溢，农田和村道受淹",
    "flash_flood": "山洪冲毁路基，沿河群众需转移",
    "landslide": "山体滑坡，土方堵塞道路",
    "debris_flow": "泥石流冲出沟口，掩埋部分农田",
    "waterlogging": "低洼路段积水，车辆通行困难",
    "collapse": "连续降雨致老旧土坯房倒塌",
    "traffic": "道路塌方，交通中断",
    "other": "电力线路受损，局部停电",
}
# Incident type probabilities (columns in INCIDENT_TYPES order) on low, middle and high ground.
INCIDENT_TYPE_P = {
    "low": (0.30, 0.08, 0.04, 0.00, 0.38, 0.07, 0.08, 0.05),
    "mid": (0.26, 0.22, 0.20, 0.03, 0.15, 0.05, 0.06, 0.03),
    "high": (0.12, 0.36, 0.30, 0.08, 0.02, 0.04, 0.06, 0.02),
}
# Elevation bounds (m) separating low, middle and high ground.
LOW_HIGH_M = (150.0, 350.0)

HAZARD_ZH = {"flash_flood": "山洪", "landslide": "滑坡", "debris_flow": "泥石流", "waterlogging": "内涝"}
# Hazard kind probabilities (HAZARD_KINDS order) on low, middle and high ground.
HAZARD_KIND_P = {
    "low": (0.25, 0.20, 0.05, 0.50),
    "mid": (0.35, 0.35, 0.10, 0.20),
    "high": (0.30, 0.45, 0.20, 0.05),
}

# Relief stock: item, category code, unit, typical quantity in an ordinary warehouse.
STOCK_ITEMS: tuple[tuple[str, str, str, float], ...] = (
    ("编织袋", "flood_control", "条", 20_000),
    ("麻袋", "flood_control", "条", 5_000),
    ("土工布", "flood_control", "卷", 60),
    ("抽水泵", "flood_control", "台", 8),
    ("救生衣", "rescue_equipment", "件", 400),
    ("救生圈", "rescue_equipment", "个", 150),
    ("冲锋舟", "rescue_equipment", "艘", 3),
    ("橡皮艇", "rescue_equipment", "艘", 4),
    ("帐篷", "living", "顶", 120),
    ("棉被", "living", "床", 600),
    ("折叠床", "living", "张", 200),
    ("矿泉水", "living", "箱", 500),
    ("方便面", "living", "箱", 400),
    ("药品箱", "medical", "箱", 60),
    ("急救包", "medical", "套", 150),
    ("发电机", "power_comms", "台", 6),
    ("照明灯", "power_comms", "套", 40),
    ("卫星电话", "power_comms", "部", 4),
)
# Items every warehouse holds; the others are stocked with this probability.
CORE_ITEMS = ("编织袋", "救生衣", "帐篷", "棉被", "药品箱", "发电机", "照明灯")
OPTIONAL_ITEM_P = 0.6

# Teams: share of all teams, name suffix, member range.
TEAM_SPECS = {
    "fire_rescue": (0.12, "消防救援站", (15, 45)),
    "flood_rescue": (0.32, "防汛抢险队", (20, 60)),
    "militia": (0.28, "民兵应急排", (20, 50)),
    "medical": (0.16, "卫生院医疗救护队", (8, 20)),
    "social": (0.12, "志愿救援队", (10, 40)),
}
# Shelters: kind probability, name suffix, capacity range.
SHELTER_SPECS = {
    "school": (0.40, "小学", (200, 1200)),
    "stadium": (0.06, "体育馆", (800, 2000)),
    "community_center": (0.30, "村委会", (50, 400)),
    "park": (0.12, "应急避难公园", (300, 2000)),
    "other": (0.12, "文化礼堂", (50, 300)),
}

# Tables the demo fills, in load order; build_demo returns their row counts in this order.
DEMO_TABLES = (
    "meta",
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
    "township_contacts",
    "stock_minimums",
    "villages",
    "grids",
    "duty_roster",
)


# ---------------------------------------------------------------------------- geography


def _terrain_m(lon, lat) -> np.ndarray:
    """Synthetic ground elevation (m): lowland north, hills rising south, 灵山 and 五府山 massifs."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    rise = np.clip((28.42 - lat) / 0.42, 0.0, 1.0) ** 1.3
    height = LOWLAND_M + SOUTH_RISE_M * rise
    for m_lon, m_lat, m_height, radius in MASSIFS:
        height = height + m_height * np.exp(-((lon - m_lon) ** 2 + (lat - m_lat) ** 2) / (2 * radius**2))
    # Ridges and valleys so neighbouring gauges differ; fades out on the northern plain.
    texture = 120.0 * np.sin(lon * 61.0) * np.cos(lat * 47.0) * (0.3 + rise)
    return np.clip(height + texture, LOWLAND_M, MAX_ELEVATION_M)


def _townships(outline) -> pd.DataFrame:
    """Voronoi cells of the TOWNSHIPS seeds clipped to the outline; stray pieces go to a neighbour."""
    seeds = shapely.points([(lon, lat) for _, lon, lat, _ in TOWNSHIPS])
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=shapely.box(*outline.buffer(0.5).bounds))
    cells = np.asarray(shapely.get_parts(cells), dtype=object)
    owner = geo.locate(shapely.get_x(seeds), shapely.get_y(seeds), cells)
    clipped = shapely.intersection(cells[owner], outline)
    # A cell crossing the 信州区 notch splits in two; keep the part holding the seed and hand
    # each stray part to the township it shares the longest border with.
    kept, strays = [], []
    for index, (geom, seed) in enumerate(zip(clipped, seeds, strict=True)):
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
        home = next(p for p in parts if p.covers(seed))
        kept.append(home)
        strays.extend((index, p) for p in parts if p is not home)
    for index, part in sorted(strays, key=lambda item: -item[1].area):
        shared = [
            part.boundary.intersection(other.boundary).length if j != index else -1.0 for j, other in enumerate(kept)
        ]
        target = int(np.argmax(shared))
        kept[target] = shapely.union(kept[target], part)
    geoms = np.asarray(kept, dtype=object)
    area = geo.area_km2(geoms)
    label = shapely.point_on_surface(geoms)  # = representative_point()
    population = _population(area, shapely.get_x(label), shapely.get_y(label))
    return pd.DataFrame(
        {
            "code": [f"{COUNTY_CODE}{i + 1:03d}" for i in range(len(TOWNSHIPS))],
            "name": [name for name, *_ in TOWNSHIPS],
            "geometry": geoms,
            "area_km2": area,
            "population": population,
            "label_lon": shapely.get_x(label),
            "label_lat": shapely.get_y(label),
            "is_demo": True,
        }
    )


def _population(area: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    fixed = np.array([p or 0 for *_, p in TOWNSHIPS], dtype=float)
    # Rural density falls with elevation: mountain townships are large but thinly settled.
    weight = np.where(fixed > 0, 0.0, area**0.7 * (LOWLAND_M / _terrain_m(lon, lat)) ** 0.5)
    rest = TOTAL_POPULATION - fixed.sum()
    return (fixed + np.round(rest * weight / weight.sum(), -2)).astype(np.int64)


def _points_in(polygons: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points, point ``i`` strictly inside ``polygons[which[i]]`` (rejection sampling)."""
    bounds = shapely.bounds(polygons)[which]
    lon = np.empty(which.shape[0])
    lat = np.empty(which.shape[0])
    pending = np.arange(which.shape[0])
    while pending.size:
        box = bounds[pending]
        x = rng.uniform(box[:, 0], box[:, 2])
        y = rng.uniform(box[:, 1], box[:, 3])
        inside = shapely.contains_xy(polygons[which[pending]], x, y)
        lon[pending[inside]] = x[inside]
        lat[pending[inside]] = y[inside]
        pending = pending[~inside]
    return lon, lat


def _spread_points(polygons: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """About evenly spread points over the union of ``polygons`` (a jittered grid), with their polygon index."""
    minx, miny, maxx, maxy = shapely.total_bounds(polygons)
    union_area = float(shapely.area(polygons).sum())
    spacing = np.sqrt(union_area / n)
    gx, gy = np.meshgrid(np.arange(minx, maxx, spacing), np.arange(miny, maxy, spacing))
    lon = gx.ravel() + rng.uniform(0, spacing, gx.size)
    lat = gy.ravel() + rng.uniform(0, spacing, gy.size)
    which = geo.locate(lon, lat, polygons)
    inside = np.flatnonzero(which >= 0)
    if inside.size >= n:
        pick = np.sort(rng.choice(inside, size=n, replace=False))
        return lon[pick], lat[pick], which[pick]
    # Ragged outlines can leave the grid a few points short: top up uniformly by area.
    extra = rng.choice(polygons.shape[0], size=n - inside.size, p=shapely.area(polygons) / union_area)
    ex, ey = _points_in(polygons, extra, rng)
    return np.r_[lon[inside], ex], np.r_[lat[inside], ey], np.r_[which[inside], extra]


def _choose_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of a (rows, categories) probability matrix, by inverse CDF."""
    cumulative = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random(probabilities.shape[0])[:, None]
    return np.minimum((draws > cumulative).sum(axis=1), probabilities.shape[1] - 1)


def _by_ground(elevation: np.ndarray, table: dict[str, tuple[float, ...]]) -> np.ndarray:
    """Row-wise probabilities from a low/mid/high table according to elevation."""
    low, high = LOW_HIGH_M
    level = np.digitize(elevation, [low, high])
    return np.asarray([table["low"], table["mid"], table["high"]], dtype=float)[level]


def _villages(rng: np.random.Generator, n: int) -> np.ndarray:
    first = rng.integers(0, len(VILLAGE_FIRST), n)
    second = rng.integers(0, len(VILLAGE_SECOND), n)
    return np.char.add(np.asarray(VILLAGE_FIRST)[first], np.asarray(VILLAGE_SECOND)[second])


def _addresses(township_names: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Plausible addresses: "<街道><x>社区<n>栋" in the streets, "<乡镇><x>村<n>组" elsewhere."""
    n = township_names.shape[0]
    names = township_names.astype(str)
    is_street = np.char.endswith(names, "街道")
    place = np.char.add(np.char.add(names, _villages(rng, n)), np.where(is_street, "社区", "村"))
    number = rng.integers(1, 13, n).astype(str)
    return np.char.add(np.char.add(place, number), np.where(is_street, "栋", "组"))


def _people(rng: np.random.Generator, n: int) -> np.ndarray:
    surname = np.asarray(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    given = np.asarray(GIVEN_NAMES)[rng.integers(0, len(GIVEN_NAMES), n)]
    return np.char.add(surname, given)


def _phones(first: int, n: int) -> list[str]:
    # Well-formed but unassigned-looking mobile numbers: 139 0000 0001, 139 0000 0002, ...
    return [f"139{i:08d}" for i in range(first, first + n)]


def _unique(names: pd.Series) -> pd.Series:
    """Append （2）, （3） ... to repeated names so they can serve as primary keys."""
    repeat = names.groupby(names).cumcount()
    return names.where(repeat == 0, names + "（" + (repeat + 1).astype(str) + "）")


def _scaled(kind: str, scale: float) -> int:
    return max(1, int(round(BASE_COUNTS[kind] * scale)))


# ------------------------------------------------------------------------------- storm


def _storm_rates(lon: np.ndarray, lat: np.ndarray, elevation: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rain rate (mm/h) per gauge and 5-minute step from moving Gaussian rain cells.

    Each episode of the Meiyu front brings two broad stratiform shields, a swarm of small
    convective cells drifting with the steering wind, and (for strong episodes) a
    quasi-stationary training cell pinned near a random gauge.
    """
    x = (lon - STORM_ORIGIN[0]) * LOCAL_KM_PER_DEG_LON
    y = (lat - STORM_ORIGIN[1]) * LOCAL_KM_PER_DEG_LAT
    half_w, half_h = HALF_EXTENT_KM
    cells = []  # (t0 h, life h, peak mm/h, sigma km, x_mid, y_mid, vx, vy)
    for start, duration, strength in EPISODES:
        start = start + rng.normal(0, 2.0)
        duration = duration * rng.uniform(0.8, 1.2)
        vx, vy = STEERING_KMH[0] * rng.uniform(0.7, 1.3), STEERING_KMH[1] * rng.uniform(0.3, 1.5)
        for _ in range(2):
            cells.append(
                (
                    start,
                    duration,
                    3.5 * strength * rng.uniform(0.6, 1.4),
                    rng.uniform(35, 60),
                    rng.normal(0, 15),
                    rng.normal(0, 25),
                    vx * 0.8,
                    vy * 0.8,
                )
            )
        n_convective = rng.poisson(duration * 1.6 * strength)
        for _ in range(n_convective):
            life = rng.uniform(1.0, 4.0)
            cells.append(
                (
                    start + rng.uniform(0, duration - life / 2),
                    life,
                    float(np.clip(rng.lognormal(np.log(14), 0.5), 5, 50)),
                    rng.uniform(4, 12),
                    rng.uniform(-half_w - 10, half_w + 10),
                    rng.uniform(-half_h - 10, half_h + 10),
                    vx + rng.normal(0, 6),
                    vy + rng.normal(0, 6),
                )
            )
        if strength >= 1.0:
            anchor = rng.integers(0, x.shape[0])
            cells.append(
                (
                    start + duration * rng.uniform(0.3, 0.6),
                    rng.uniform(4.0, 5.0),
                    rng.uniform(52, 60),
                    rng.uniform(5, 7),
                    x[anchor] + rng.normal(0, 1.5),
                    y[anchor] + rng.normal(0, 1.5),
                    rng.normal(0, 2),
                    rng.normal(0, 2),
                )
            )
    # Orographic lift: up to +35 % on the highest ground.
    uplift = 1.0 + 0.35 * (elevation - LOWLAND_M) / (MAX_ELEVATION_M - LOWLAND_M)
    rates = np.zeros((x.shape[0], N_STEPS), dtype=np.float32)
    step_h = STEP_MIN / 60.0
    for t0, life, peak, sigma, x_mid, y_mid, vx, vy in cells:
        # Interval (k*5, (k+1)*5] min is represented by its midpoint.
        first = max(0, int(np.floor(t0 / step_h)))
        last = min(N_STEPS, int(np.ceil((t0 + life) / step_h)))
        if last <= first:
            continue
        t = (np.arange(first, last) + 0.5) * step_h
        envelope = np.sin(np.pi * np.clip((t - t0) / life, 0.0, 1.0)) ** 2
        t_mid = t0 + life / 2
        cx = x_mid + vx * (t - t_mid)
        cy = y_mid + vy * (t - t_mid)
        d2 = (x[:, None] - cx[None, :]) ** 2 + (y[:, None] - cy[None, :]) ** 2
        rates[:, first:last] += (peak * envelope[None, :] * np.exp(-d2 / (2 * sigma**2))).astype(np.float32)
    return rates * uplift[:, None].astype(np.float32)


# --------------------------------------------------------------------------- the tables


def _gauges(townships: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    polygons = townships["geometry"].to_numpy()
    lon, lat, which = _spread_points(polygons, n, rng)
    # Code order follows north to south, west to east on a ~5 km grid, like a station list.
    order = np.lexsort((lon, -np.round(lat / 0.05)))
    lon, lat, which = lon[order], lat[order], which[order]
    elevation = np.round(_terrain_m(lon, lat) + rng.normal(0, 25, n)).clip(LOWLAND_M, MAX_ELEVATION_M)
    short = townships["name"].str.replace(r"(街道|镇|乡)$", "", regex=True).to_numpy()[which]
    names = pd.Series(np.char.add(np.char.add(short.astype(str), _villages(rng, n)), "站"))
    width = max(4, len(str(n)))
    return pd.DataFrame(
        {
            "code": [f"GX{i + 1:0{width}d}" for i in range(n)],
            "name": _unique(names),
            "kind": np.asarray(vocab.GAUGE_KINDS)[_choose_rows(rng, np.tile([0.82, 0.12, 0.06], (n, 1)))],
            "township": townships["code"].to_numpy()[which],
            "lon": lon,
            "lat": lat,
            "elevation_m": elevation,
            "source": SOURCE,
        }
    )


def _rainfall(gauges: pd.DataFrame, mm: np.ndarray) -> pd.DataFrame:
    """Long rainfall rows in time-major order, so DuckDB's per-block min/max of ts prune time windows."""
    n_gauges = mm.shape[0]
    ends = pd.date_range(STORM_START + timedelta(minutes=STEP_MIN), periods=N_STEPS, freq=f"{STEP_MIN}min")
    # A categorical station column keeps 10 M repeated codes cheap in memory and to load.
    station = pd.Categorical.from_codes(np.tile(np.arange(n_gauges), N_STEPS), categories=gauges["code"])
    return pd.DataFrame(
        {
            "station": station,
            "ts": np.repeat(ends.to_numpy(dtype="datetime64[us]"), n_gauges),
            "mm": mm.T.ravel(),
            "interval_min": np.int16(STEP_MIN),
        }
    )


def _incidents(
    townships: pd.DataFrame, gauges: pd.DataFrame, rates: np.ndarray, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    polygons = townships["geometry"].to_numpy()
    # Hourly rain ending at each step drives where and when incidents happen.
    per_step = rates * (STEP_MIN / 60.0)
    cumulative = np.cumsum(per_step, axis=1, dtype=np.float64)
    window = 60 // STEP_MIN
    hourly = cumulative.copy()
    hourly[:, window:] -= cumulative[:, :-window]
    weight = np.clip(hourly - 5.0, 0.0, None)
    if weight.sum() == 0:
        weight = np.ones_like(weight)
    drawn = rng.choice(weight.size, size=n, p=(weight / weight.sum()).ravel())
    station, step = np.divmod(drawn, N_STEPS)
    severity = hourly[station, step]
    # Scatter around the gauge (sigma ~2.5 km); redraw any that land outside the county.
    lon = gauges["lon"].to_numpy()[station].copy()
    lat = gauges["lat"].to_numpy()[station].copy()
    which = np.full(n, -1)
    for _ in range(50):
        pending = np.flatnonzero(which < 0)
        if not pending.size:
            break
        try_lon = lon[pending] + rng.normal(0, 2.5 / LOCAL_KM_PER_DEG_LON, pending.size)
        try_lat = lat[pending] + rng.normal(0, 2.5 / LOCAL_KM_PER_DEG_LAT, pending.size)
        found = geo.locate(try_lon, try_lat, polygons)
        hit = found >= 0
        lon[pending[hit]], lat[pending[hit]], which[pending[hit]] = try_lon[hit], try_lat[hit], found[hit]
    missing = which < 0  # the gauge itself is inside its township
    which[missing] = geo.locate(lon[missing], lat[missing], polygons)

    minutes = (step + 1) * STEP_MIN + rng.integers(0, 40, n)
    occurred = STORM_START + pd.to_timedelta(np.minimum(minutes, N_STEPS * STEP_MIN - 1), unit="min")
    types = np.asarray(list(vocab.INCIDENT_TYPES))[_choose_rows(rng, _by_ground(_terrain_m(lon, lat), INCIDENT_TYPE_P))]
    is_street = townships["name"].str.endswith("街道").to_numpy()[which]
    types = np.where(is_street & np.isin(types, ["landslide", "debris_flow", "flash_flood"]), "waterlogging", types)

    deaths = (rng.random(n) < 0.01).astype(np.int64)
    injured = rng.poisson(0.15, n)
    missing_people = (rng.random(n) < 0.01).astype(np.int64)
    trapped = np.where(np.isin(types, ["flood", "flash_flood", "waterlogging"]), rng.poisson(0.6, n), 0)
    loss = np.round(np.clip(rng.lognormal(np.log(8.0), 1.0, n), 0.5, 600.0), 1)
    # A few 较大 (grade III) incidents at the heaviest rain: 3-9 deaths, >= 10 injured or >= 1000万 loss.
    n_major = max(3, int(round(n * 0.01)))
    major = np.argsort(-severity, kind="stable")[:n_major]
    grade_kind = np.arange(n_major) % 3
    deaths[major[grade_kind == 0]] = rng.integers(3, 6, (grade_kind == 0).sum())
    injured[major[grade_kind == 1]] = rng.integers(10, 15, (grade_kind == 1).sum())
    loss[major[grade_kind == 2]] = np.round(rng.uniform(1000, 2500, (grade_kind == 2).sum()), 1)

    age_h = (DEMO_NOW - occurred).total_seconds().to_numpy() / 3600.0
    # Older incidents are more often closed; fresh open ones are mostly still pending.
    closed = rng.random(n) < 1 - np.exp(-age_h / 36.0)
    pending_status = ~closed & (rng.random(n) < np.exp(-age_h / 6.0))
    status = np.where(closed, "closed", np.where(pending_status, "pending", "active"))
    handled_h = np.where(
        closed,
        np.minimum(age_h, rng.uniform(1, 30, n)),
        np.where(pending_status, np.minimum(age_h, rng.uniform(0.05, 0.4, n)), age_h * rng.uniform(0.2, 1.0, n)),
    )
    updated = occurred + pd.to_timedelta(np.floor(handled_h * 60), unit="min")

    address = _addresses(townships["name"].to_numpy()[which], rng)
    text = pd.Series(pd.Series(types).map(INCIDENT_TEXT).to_numpy())
    for count, word in ((deaths, "人死亡"), (injured, "人受伤"), (missing_people, "人失踪"), (trapped, "人被困")):
        text = text.where(count == 0, text + "，" + pd.Series(count).astype(str) + word)

    frame = pd.DataFrame(
        {
            "type": types,
            "occurred_at": occurred.to_numpy(dtype="datetime64[us]"),
            "township": townships["code"].to_numpy()[which],
            "address": address,
            "lon": lon,
            "lat": lat,
            "deaths": deaths,
            "injured": injured,
            "missing": missing_people,
            "trapped": trapped,
            "loss_10k_yuan": loss,
            "status": status,
            "source": SOURCE,
            "updated_at": updated.to_numpy(dtype="datetime64[us]"),
            "description": text.to_numpy(),
        }
    )
    frame = frame.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    day = frame["occurred_at"].dt.strftime("%Y%m%d")
    sequence = frame.groupby(day).cumcount() + 1
    width = max(4, len(str(int(sequence.max()))))
    frame.insert(0, "id", "INC-" + day + "-" + sequence.astype(str).str.zfill(width))
    return frame


def _placed(townships: pd.DataFrame, n: int, rng: np.random.Generator, weight: np.ndarray) -> tuple[np.ndarray, ...]:
    """Township index (drawn by ``weight``) and a random point inside it, for ``n`` features."""
    which = rng.choice(len(townships), size=n, p=weight / weight.sum())
    lon, lat = _points_in(townships["geometry"].to_numpy(), which, rng)
    return which, lon, lat


def _warehouses(townships: pd.DataFrame, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    # The first warehouse is the district centre in the seat; the rest follow population.
    which, lon, lat = _placed(townships, n, rng, townships["population"].to_numpy(dtype=float))
    which[0] = 0
    lon[:1], lat[:1] = _points_in(townships["geometry"].to_numpy(), which[:1], rng)
    names = townships["name"].to_numpy()[which]
    label = pd.Series(np.char.add(names.astype(str), "应急物资储备库"))
    label.iloc[0] = f"{COUNTY_NAME}应急物资储备中心"
    warehouses = pd.DataFrame(
        {
            "name": _unique(label),
            "township": townships["code"].to_numpy()[which],
            "address": _addresses(names, rng),
            "manager": _people(rng, n),
            "phone": _phones(1, n),
            "lon": lon,
            "lat": lat,
        }
    )
    items = pd.DataFrame(STOCK_ITEMS, columns=["item", "category", "unit", "typical"])
    held = np.isin(items["item"], CORE_ITEMS)[None, :] | (rng.random((n, len(items))) < OPTIONAL_ITEM_P)
    size = np.where(np.arange(n) == 0, 5.0, 1.0)[:, None] * rng.lognormal(0, 0.4, (n, len(items)))
    quantity = np.maximum(1.0, np.round(items["typical"].to_numpy()[None, :] * size))
    restocked = (
        STORM_START
        - timedelta(days=3)
        + pd.to_timedelta(rng.integers(0, 9 * 24 * 60, (n, len(items))).ravel(), unit="min")
    )
    w_idx, i_idx = np.nonzero(held)
    stock = pd.DataFrame(
        {
            "warehouse": warehouses["name"].to_numpy()[w_idx],
            "item": items["item"].to_numpy()[i_idx],
            "category": items["category"].to_numpy()[i_idx],
            "quantity": quantity[w_idx, i_idx],
            "unit": items["unit"].to_numpy()[i_idx],
            "updated_at": restocked.to_numpy(dtype="datetime64[us]").reshape(n, len(items))[w_idx, i_idx],
        }
    )
    return warehouses, stock


def _teams(townships: pd.DataFrame, n: int, rng: np.random.Generator, first_phone: int) -> pd.DataFrame:
    kinds = list(TEAM_SPECS)
    share = np.array([spec[0] for spec in TEAM_SPECS.values()])
    kind = _choose_rows(rng, np.tile(share, (n, 1)))
    which, lon, lat = _placed(townships, n, rng, townships["population"].to_numpy(dtype=float) ** 0.5)
    suffix = np.asarray([spec[1] for spec in TEAM_SPECS.values()])[kind]
    low = np.array([spec[2][0] for spec in TEAM_SPECS.values()])[kind]
    high = np.array([spec[2][1] for spec in TEAM_SPECS.values()])[kind]
    return pd.DataFrame(
        {
            "name": _unique(pd.Series(np.char.add(townships["name"].to_numpy()[which].astype(str), suffix))),
            "kind": np.asarray(kinds)[kind],
            "members": rng.integers(low, high + 1),
            "leader": _people(rng, n),
            "phone": _phones(first_phone, n),
            "township": townships["code"].to_numpy()[which],
            "lon": lon,
            "lat": lat,
        }
    )


def _shelters(
    townships: pd.DataFrame, gauges: pd.DataFrame, storm_total: np.ndarray, n: int, rng: np.random.Generator
) -> pd.DataFrame:
    kind = _choose_rows(rng, np.tile([spec[0] for spec in SHELTER_SPECS.values()], (n, 1)))
    which, lon, lat = _placed(townships, n, rng, townships["population"].to_numpy(dtype=float))
    suffix = np.asarray([spec[1] for spec in SHELTER_SPECS.values()])[kind]
    low = np.array([spec[2][0] for spec in SHELTER_SPECS.values()])[kind]
    high = np.array([spec[2][1] for spec in SHELTER_SPECS.values()])[kind]
    capacity = (np.round(rng.integers(low, high + 1) / 10) * 10).astype(np.int64)
    names = np.char.add(np.char.add(townships["name"].to_numpy()[which].astype(str), _villages(rng, n)), suffix)
    # Evacuees are still sheltered where the nearest gauge saw the most rain over the week.
    tree = shapely.STRtree(shapely.points(gauges["lon"].to_numpy(), gauges["lat"].to_numpy()))
    nearest = tree.query_nearest(shapely.points(lon, lat), all_matches=False)[1]
    open_p = np.clip((storm_total[nearest] - 200.0) / 300.0, 0.0, 0.5)
    in_use = rng.random(n) < open_p
    occupancy = np.where(in_use, np.floor(capacity * rng.uniform(0.05, 0.9, n)), 0).astype(np.int64)
    return pd.DataFrame(
        {
            "name": _unique(pd.Series(names)),
            "kind": np.asarray(list(SHELTER_SPECS))[kind],
            "capacity": capacity,
            "occupancy": occupancy,
            "township": townships["code"].to_numpy()[which],
            "lon": lon,
            "lat": lat,
        }
    )


def _hazard_points(townships: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    # Hazards crowd where it is steep: weight townships by area times mean elevation.
    ground = _terrain_m(townships["label_lon"].to_numpy(), townships["label_lat"].to_numpy())
    which, lon, lat = _placed(townships, n, rng, townships["area_km2"].to_numpy() * ground)
    kinds = np.asarray(list(vocab.HAZARD_KINDS))[_choose_rows(rng, _by_ground(_terrain_m(lon, lat), HAZARD_KIND_P))]
    people = np.clip(np.round(rng.lognormal(np.log(40), 1.0, n)), 5, 500).astype(np.int64)
    one_hour = np.round(rng.uniform(20, 60, n))
    three_hour = np.round(np.clip(one_hour * rng.uniform(1.6, 2.2, n), 40, 120))
    day = np.round(np.clip(three_hour * rng.uniform(1.7, 2.4, n), 80, 250))
    kind_zh = pd.Series(kinds).map(HAZARD_ZH).to_numpy().astype(str)
    names = np.char.add(
        np.char.add(np.char.add(townships["name"].to_numpy()[which].astype(str), _villages(rng, n)), kind_zh), "隐患点"
    )
    width = max(4, len(str(n)))
    return pd.DataFrame(
        {
            "id": [f"HZ{i + 1:0{width}d}" for i in range(n)],
            "name": names,
            "kind": kinds,
            "township": townships["code"].to_numpy()[which],
            "lon": lon,
            "lat": lat,
            "people": people,
            "households": np.maximum(1, np.round(people / 3.2)).astype(np.int64),
            "critical_mm_1h": one_hour,
            "critical_mm_3h": three_hour,
            "critical_mm_24h": day,
        }
    )


# --------------------------------------------------------------------------- public API


def _insert(cursor: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    view = f"demo_{table}"
    cursor.register(view, frame)
    try:
        # Table names come from DEMO_TABLES, never from input; BY NAME matches columns.
        cursor.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
    finally:
        cursor.unregister(view)


def build_demo(
    conn: duckdb.DuckDBPyConnection, scale: float = 1.0, seed: int = 42, replace: bool = False
) -> dict[str, int]:
    """Fill an empty, migrated store with the synthetic 广信区 demo, in one transaction.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        Store opened with :func:`emergency.store.connect`; its data tables must be empty.
    scale : float
        Multiplies the number of gauges, incidents and resources (the storm keeps its
        7 days of 5-minute steps, so rainfall rows grow as 60 * scale * 2016).
    seed : int
        Seed of the one random generator; equal seeds give identical stores.
    replace : bool
        Empty the demo's tables in the same transaction first (a demo rebuilt on a server store:
        readers see the old demo until the new one is whole, never an empty store).

    Returns
    -------
    dict[str, int]
        Row count per table, in ``DEMO_TABLES`` order.

    Raises
    ------
    ValueError
        If ``scale`` is not positive or the store already holds data.

    Examples
    --------
    >>> from emergency import store
    >>> build_demo(store.connect(":memory:"))["rain_gauges"]
    60
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    cursor = conn.cursor()
    try:
        filled = [t for t in DEMO_TABLES[1:] if cursor.execute(f"SELECT count(*) FROM {t}").fetchone()[0]]
        if filled and not replace:
            raise ValueError(f"build_demo needs an empty store; these tables hold rows: {', '.join(filled)}")
        rng = np.random.default_rng(seed)
        outline = geo.read_outline(config.DEMO_OUTLINE_PATH, crs="gcj02")
        townships = _townships(outline)
        gauges = _gauges(townships, _scaled("gauges", scale), rng)
        rates = _storm_rates(gauges["lon"].to_numpy(), gauges["lat"].to_numpy(), gauges["elevation_m"].to_numpy(), rng)
        # Round in float64 so stored values are the nearest doubles to whole tenths.
        mm = np.round(rates.astype(np.float64) * (STEP_MIN / 60.0), 1)
        incidents = _incidents(townships, gauges, rates, _scaled("incidents", scale), rng)
        warehouses, stock = _warehouses(townships, _scaled("warehouses", scale), rng)
        teams = _teams(townships, _scaled("teams", scale), rng, first_phone=len(warehouses) + 1)
        shelters = _shelters(townships, gauges, mm.sum(axis=1), _scaled("shelters", scale), rng)
        hazards = _hazard_points(townships, _scaled("hazards", scale), rng)

        minx, miny, maxx, maxy = outline.bounds
        frames = {
            "meta": pd.DataFrame(
                {
                    "key": [
                        "county_code",
                        "county_name",
                        "is_demo",
                        "timezone",
                        "data_note",
                        "demo_seed",
                        "demo_scale",
                    ],
                    "value": [
                        COUNTY_CODE,
                        COUNTY_NAME,
                        "true",
                        clock.TIMEZONE_NAME,
                        DATA_NOTE,
                        str(seed),
                        repr(float(scale)),
                    ],
                }
            ),
            "county": pd.DataFrame(
                {
                    "code": [COUNTY_CODE],
                    "name": [COUNTY_NAME],
                    "geometry": [geo.geometry_to_wkb(outline)],
                    "area_km2": [geo.area_km2(outline)],
                    "min_lon": [minx],
                    "min_lat": [miny],
                    "max_lon": [maxx],
                    "max_lat": [maxy],
                }
            ),
            "townships": townships.assign(geometry=list(geo.geometry_to_wkb(townships["geometry"].to_numpy()))),
            "rain_gauges": gauges,
            "rainfall": _rainfall(gauges, mm),
            "incidents": incidents,
            "warehouses": warehouses,
            "stock": stock,
            "teams": teams,
            "shelters": shelters,
            "hazard_points": hazards,
            # Warning recipients, drawn last so the tables above keep their values.
            "township_contacts": demo_contacts(townships["code"].tolist(), rng),
            # Minimum stock per item: derived from the typical holdings, no random draw.
            "stock_minimums": demo_minimums(STOCK_ITEMS),
            # Villages, grid cells and the duty roster, drawn after everything above.
            **demo_hierarchy(townships, rng),
            "duty_roster": demo_duty_roster(townships["code"].tolist(), STORM_START.date(), DEMO_NOW.date(), rng),
        }
        del rates, mm
        cursor.execute("BEGIN TRANSACTION")
        try:
            if replace:
                cursor.execute("DELETE FROM meta WHERE key <> 'schema_version'")
                for table in (*DEMO_TABLES[1:], "rain_hourly"):
                    cursor.execute(f"DELETE FROM {table}")  # table names are this module's constants
            cursor.execute("DELETE FROM meta WHERE list_contains(?, key)", [list(frames["meta"]["key"])])
            for table in DEMO_TABLES:
                _insert(cursor, table, frames[table])
            store.refresh_rain_hourly(cursor)
            shared_cache.bump_in(cursor)  # app replicas drop what they cached of the store before
            cursor.execute("COMMIT")
        except Exception:
            cursor.execute("ROLLBACK")
            raise
        return {table: cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in DEMO_TABLES}
    finally:
        cursor.close()


def _refuse_real_store(path: Path) -> None:
    """Raise ValueError if ``path`` is a real county's store (demo and real data never mix)."""
    if not path.exists():
        return
    try:
        conn = store.connect(path, read_only=True)
    except duckdb.Error:
        return  # unreadable or held by a process: not known to be real; the old behaviour stands
    try:
        is_demo = store.get_meta(conn).get("is_demo")
    except duckdb.Error:
        return
    finally:
        conn.close()
    if is_demo == "false":
        raise ValueError(f"{path} is a real county's store; the demo is built only into a new file or a demo store")


def build_demo_file(path: str | os.PathLike, scale: float = 1.0, seed: int = 42) -> dict[str, int]:
    """Build the demo into a new DuckDB file and move it onto ``path`` atomically.

    The store is written to ``<path>.tmp-<pid>`` and renamed with :func:`os.replace`, so
    readers never see half a demo and racing builders each leave a complete file.

    Parameters
    ----------
    path : str or PathLike
        Destination; replaced if it exists.
    scale, seed
        As for :func:`build_demo`.

    Returns
    -------
    dict[str, int]
        Row count per table.
    """
    if pgstore.is_url(path):
        return _build_demo_server(str(path), scale, seed)
    path = Path(path)
    _refuse_real_store(path)  # a real county's store is never replaced by the demo
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        conn = store.connect(tmp)
        try:
            counts = build_demo(conn, scale=scale, seed=seed)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        # A WAL left by an older file at ``path`` would be replayed onto the new one.
        Path(f"{path}.wal").unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return counts


def _build_demo_server(url: str, scale: float, seed: int) -> dict[str, int]:
    """Build the demo into a PostgreSQL server store: a demo store is emptied first, a real one refused."""
    conn = store.connect(url)
    try:
        meta = store.get_meta(conn)
        if meta.get("is_demo") == "false":
            raise ValueError(
                f"{store.describe(url)} is a real county's store; the demo is built only into an empty or demo store"
            )
        # Under the import lock: no import or feed run writes while the demo is replaced, in one
        # transaction: readers (the app replicas) see the old demo until the new one is whole.
        with store.process_lock(conn, "import"):
            return build_demo(conn, scale=scale, seed=seed, replace=True)
    finally:
        conn.close()


def ensure_demo(path: str | os.PathLike) -> bool:
    """Build the scale-1 demo at ``path`` unless a store is already there; return True if built."""
    if store.exists(path):
        return False
    build_demo_file(path)
    return True


def table_checksums(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Order-independent checksum of every table's contents, for determinism checks.

    Each row is rendered as text, hashed with MD5 and the hashes XOR-ed together, so
    the result depends only on the set of rows, not on storage or scan order.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        Any open store.

    Returns
    -------
    dict[str, str]
        Table name -> hex digest, for every base table in the main schema, sorted by name.
    """
    tables = store.run(
        conn,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_catalog = current_database() "
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
    )["table_name"]
    sums = {}
    for table in tables:
        # table is read from the catalogue, not user input; quoted as an identifier anyway.
        quoted = quote_identifier(table)
        # The replicas' cache stamp (a random value each write, emergency.shared_cache) is no content.
        skip = f" WHERE t.key <> {quote_literal(shared_cache.KEY)}" if table == "meta" else ""
        count, digest = store.run(
            conn,
            f"SELECT count(*) AS n, CAST(bit_xor(md5_number(CAST(t AS VARCHAR))) AS VARCHAR) AS x FROM {quoted} AS t"
            + skip,
        ).iloc[0]
        sums[table] = hashlib.md5(f"{count}:{digest}".encode()).hexdigest()
    return sums


def main(argv: list[str] | None = None, prog: str | None = None, description: str | None = None) -> int:
    """Run ``python -m emergency demo [--path P] [--scale S] [--seed N]``.

    The old form ``python -m emergency.demo`` is an alias. ``prog`` and ``description`` are the help's
    (``python -m emergency`` passes its own: the command's name and docstring).
    """
    parser = commandline.parser(prog or "python -m emergency.demo", description or "Build the synthetic demo store.")
    parser.add_argument(
        "--path",
        type=config.store_arg,
        default=config.store_target(),
        help="DuckDB file to (re)create, or a postgresql:// server store to fill (default: the configured store)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies gauges, incidents and resources")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = build_demo_file(args.path, scale=args.scale, seed=args.seed)
    except ValueError as error:  # a real store is refused with a message, not a traceback
        print(f"demo refused: {error}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    for table, count in counts.items():
        print(f"{table:<14}{count:>12,}")
    print(f"built {store.describe(args.path)} in {seconds:.1f} s")
    return 0
