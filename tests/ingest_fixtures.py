"""Department-style files the import tests generate: every format, both encodings, every CRS, and broken ones.

Coordinates sit in the tiny store's county (tests/tiny.py: 117.9–118.1 E, 28.3–28.4 N).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyproj
import shapely

from emergency import geo
from emergency.ingest.benchmark import write_rainfall_csv

# WGS84 points inside the tiny county: (code, name, township name, lon, lat).
GAUGES = [
    ("S1", "西山站", "西镇", 117.931234, 28.351234),
    ("S2", "东河站", "东乡", 118.061111, 28.377777),
    ("S3", "南岭站", None, 118.012345, 28.312345),  # no township: assigned by point-in-polygon (东乡)
]
# A projected CRS the bureau's surveyors use: CGCS2000 3-degree Gauss-Kruger, CM 117E.
PROJECTED = "EPSG:4548"


def convert(lon, lat, crs: str):
    """WGS84 -> ``crs`` (the inverse of what the import does)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    forward = {
        "wgs84": lambda x, y: (x, y),
        "cgcs2000": lambda x, y: (x, y),
        "gcj02": geo.wgs84_to_gcj02,
        "bd09": geo.wgs84_to_bd09,
    }
    if crs in forward:
        return forward[crs](lon, lat)
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return transformer.transform(lon, lat)


def gauges_csv(
    path: Path, crs: str = "wgs84", encoding: str = "utf-8", headers=("站码", "站名", "乡镇", "经度", "纬度", "站类")
) -> Path:
    x, y = convert([g[3] for g in GAUGES], [g[4] for g in GAUGES], crs)
    frame = pd.DataFrame(
        {
            headers[0]: [g[0] for g in GAUGES],
            headers[1]: [g[1] for g in GAUGES],
            headers[2]: [g[2] or "" for g in GAUGES],
            headers[3]: [f"{v:.9f}" for v in x],
            headers[4]: [f"{v:.9f}" for v in y],
            headers[5]: ["自动站", "水文站", "automatic"],
        }
    )
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def rainfall_csv(
    path: Path, encoding: str = "utf-8", bad_rows: bool = True, headers=("测站编码", "时间", "降雨量(mm)")
) -> Path:
    """Hourly rain of the tiny gauges G1..G3 on 2026-06-21, plus one row per rejection reason."""
    lines = [",".join(headers)]
    for hour in range(1, 7):
        for station, mm in (("G1", 1.5), ("G2", 0.5), ("G3", 0.0)):
            lines.append(f"{station},2026-06-21 {hour:02d}:00,{mm * hour:.1f}")
    if bad_rows:
        lines += [
            "G1,,1.0",  # missing time
            "G1,2026-06-21 07:00,abc",  # bad number
            "G1,2026-06-21 08:00,-2",  # negative
            "G1,2026-06-21 09:00,999.9",  # sentinel
            "G1,2026-06-21 10:00,800",  # impossible in one hour
            "西二站,2026-06-21 07:00,1.0",  # a gauge named instead of coded: accepted as G2
            "G7,2026-06-21 07:00,1.0",  # unknown station
            "G1,2026-06-21 01:00,9.9",  # duplicate of the first G1 row
            "G1,2099-01-01 00:00,1.0",  # future
            "G1,明天,1.0",  # bad time
        ]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def incidents_xlsx(path: Path) -> Path:
    """A workbook with two sheets: incidents (Chinese labels, Excel dates) and a notes sheet."""
    incidents = pd.DataFrame(
        {
            "事件编号": ["E1", "E2", "E3", "E4", "E5"],
            "事件类型": ["山洪", "滑坡", "洪水", "地震", "内涝"],
            "发生时间": [
                pd.Timestamp("2026-06-21 03:10"),
                pd.Timestamp("2026-06-21 04:00"),
                "2026/6/21 5:30",
                "2026-06-21 06:00",
                46194.25,
            ],
            "乡镇": ["西镇", None, "东乡", "西镇", None],
            "经度": [117.95, 118.05, None, 117.95, 28.35],
            "纬度": [28.35, 28.36, None, 28.35, 117.95],  # E5: swapped lon/lat
            "死亡人数": [0, 1, 0, 0, 0],
            "处置状态": ["已处置", "处置中", "已完成", "待处置", "待处置"],
            "直接经济损失（万元）": [12.5, 3, 0, 0, 1],
        }
    )
    notes = pd.DataFrame({"说明": ["本表由区应急局值班室整理"]})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        notes.to_excel(writer, sheet_name="说明", index=False)
        incidents.to_excel(writer, sheet_name="灾情", index=False)
    return path


def hazards_geojson(path: Path) -> Path:
    frame = geopandas.GeoDataFrame(
        {
            "编号": ["H1", "H2", "H3"],
            "名称": ["西山滑坡", "东沟泥石流", "远方隐患"],
            "类型": ["滑坡", "泥石流", "山洪"],
            "威胁人数": [12, 30, 5],
        },
        geometry=shapely.points([[117.93, 28.33], [118.07, 28.39], [119.5, 29.5]]),
        crs="EPSG:4326",
    )
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def shelters_gpkg(path: Path) -> Path:
    lon, lat = np.array([117.91, 118.09]), np.array([28.31, 28.39])
    frame = geopandas.GeoDataFrame(
        {"场所名称": ["西镇中学", "东乡体育馆"], "场所类型": ["学校", "体育馆"], "可容纳人数": [500, 1200]},
        geometry=shapely.points(np.column_stack(convert(lon, lat, PROJECTED))),
        crs=PROJECTED,
    )
    frame.to_file(path, driver="GPKG", layer="避难场所", engine="pyogrio")
    return path


TOWNSHIP_SQUARES = {
    "999999001": ("西镇", shapely.box(117.9, 28.3, 118.0, 28.4)),
    "999999002": ("东乡", shapely.box(118.0, 28.3, 118.1, 28.4)),
}


def townships_shapefile(
    folder: Path, crs: str = PROJECTED, with_cpg: bool = False, bowtie: bool = False, name: str = "乡镇"
) -> Path:
    """The tiny townships as a GBK Shapefile in a projected CRS (no .cpg unless asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(TOWNSHIP_SQUARES)
    names = [TOWNSHIP_SQUARES[c][0] for c in codes]
    geoms = [geo.geometry_to_wgs84(TOWNSHIP_SQUARES[c][1], "wgs84") for c in codes]
    if bowtie:
        codes.append("999999003")
        names.append("自交乡")
        geoms.append(shapely.Polygon([(117.92, 28.32), (117.98, 28.38), (117.98, 28.32), (117.92, 28.38)]))
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    projected = [
        shapely.transform(g, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))) for g in geoms
    ]
    frame = geopandas.GeoDataFrame(
        {"XZQDM": codes, "XZQMC": names, "人口": [1200, 3400, 10][: len(codes)]}, geometry=projected, crs=crs
    )
    path = folder / f"{name}.shp"
    frame.to_file(path, driver="ESRI Shapefile", engine="pyogrio", encoding="GBK")
    if not with_cpg:
        path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def zip_shapefile(shp: Path, target: Path, drop: str | None = None) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(shp.parent.glob(f"{shp.stem}.*")):
            if drop and part.suffix.lower() == drop:
                continue
            archive.write(part, part.name)
    return target


def big_rainfall_csv(path: Path, rows: int, stations: int = 100, interval_min: int = 5, start_step: int = 0) -> Path:
    """A regular rainfall series of ``rows`` rows over gauges B0000.. (concurrency tests, benchmark)."""
    return write_rainfall_csv(path, rows, stations=stations, interval_min=interval_min, start_step=start_step)


def big_gauges(stations: int = 100) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [f"B{i:04d}" for i in range(stations)],
            "name": [f"基准站{i}" for i in range(stations)],
            "lon": 118.0,
            "lat": 28.35,
        }
    )
