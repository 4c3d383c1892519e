"""Import templates per kind: the Chinese headers the import maps by itself and one example row."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd
import shapely

from emergency import export, geo, i18n, queries
from emergency.ingest.kinds import KINDS, VALUE_SYNONYMS, Kind, suggest_mapping

__all__ = ["TemplatePlace", "place_of", "template_csv", "template_frame", "template_headers", "template_xlsx"]

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Half the side of the example square drawn for polygon kinds, degrees (~1 km).
EXAMPLE_HALF_SIDE_DEG = 0.005
# Example times lie in the past, so the future-time check never rejects a template row.
EXAMPLE_TIME = "2025-06-21 08:00"
EXAMPLE_DATE = "2025-06-21"


@dataclass(frozen=True)
class TemplatePlace:
    """Where a template's example row lies: a point inside the county and a township there."""

    lon: float
    lat: float
    township: str
    county_code: str


def place_of(conn: duckdb.DuckDBPyConnection) -> TemplatePlace:
    """Pick an example place for a store: a point inside its first township (or its county) and that township's code."""
    townships = queries.townships(conn)
    county = queries.county(conn)
    code = str(county["code"].iloc[0]) if len(county) else "000000"
    if len(townships):
        area = geo.wkb_to_geometry(townships["geometry"].iloc[0])
        township = str(townships["code"].iloc[0])
    elif len(county):
        area = geo.wkb_to_geometry(county["geometry"].iloc[0])
        township = f"{code}100"
    else:
        return TemplatePlace(116.397, 39.909, f"{code}100", code)
    point = shapely.point_on_surface(area)
    return TemplatePlace(round(point.x, 6), round(point.y, 6), township, code)


def template_headers(kind: Kind) -> dict[str, str]:
    """Field -> header for a kind: its first Chinese synonym the import maps back to the field.

    Examples
    --------
    >>> template_headers(KINDS["rainfall"])["mm"]
    '雨量'
    """
    headers: dict[str, str] = {}
    for field in kind.fields:
        chinese = [s for s in field.synonyms if _CJK.search(s) and s not in headers.values()]
        for candidate in [*chinese, field.name]:
            trial = {**headers, field.name: candidate}
            mapped = suggest_mapping(kind, list(trial.values()))
            if all(mapped[name] == header for name, header in trial.items()):
                headers[field.name] = candidate
                break
    return headers


def _code_label(vocabulary: str, code: str) -> str:
    """Return a Chinese spelling of a code that the import maps back to it (label, else first synonym)."""
    if code in i18n.CODE_LABELS.get(vocabulary, {}):
        return i18n.label(vocabulary, code, "zh")
    return VALUE_SYNONYMS[vocabulary][code][0]


def _examples(kind: str, place: TemplatePlace) -> dict[str, object]:
    half = EXAMPLE_HALF_SIDE_DEG
    square = shapely.box(place.lon - half, place.lat - half, place.lon + half, place.lat + half).wkt
    gauge = f"{place.county_code}01"
    village = f"{place.township}001"
    warehouse = "县应急物资储备库"
    water = f"{place.county_code}W1"
    common = {"township": place.township, "lon": place.lon, "lat": place.lat, "phone": "13800000000"}
    rows = {
        "townships": {"code": place.township, "name": "示例镇", "population": 30000, "wkt": square},
        "rain_gauges": {
            "code": gauge,
            "name": "示例雨量站",
            "kind": _code_label("gauge_kind", "automatic"),
            "elevation_m": 120.0,
            "source": "县水利局",
        },
        "rainfall": {"station": gauge, "ts": EXAMPLE_TIME, "mm": 2.5, "interval_min": 60},
        "incidents": {
            "id": "SJ-0001",
            "type": _code_label("incident_type", "landslide"),
            "occurred_at": EXAMPLE_TIME,
            "address": "示例村村道",
            "deaths": 0,
            "injured": 0,
            "missing": 0,
            "trapped": 2,
            "loss_10k_yuan": 1.5,
            "status": _code_label("incident_status", "pending"),
            "source": "乡镇上报",
            "updated_at": EXAMPLE_TIME,
            "description": "道路边坡滑塌，2 人被困",
        },
        "warehouses": {"name": warehouse, "address": "示例路 1 号", "manager": "张三"},
        "stock": {
            "warehouse": warehouse,
            "item": "救生衣",
            "category": _code_label("stock_category", "flood_control"),
            "quantity": 200,
            "unit": "件",
            "updated_at": EXAMPLE_TIME,
        },
        "teams": {
            "name": "示例防汛抢险队",
            "kind": _code_label("team_kind", "flood_rescue"),
            "members": 30,
            "leader": "李四",
        },
        "shelters": {
            "name": "示例中学避难场所",
            "kind": _code_label("shelter_kind", "school"),
            "capacity": 500,
            "occupancy": 0,
        },
        "hazard_points": {
            "id": "HP-0001",
            "name": "示例滑坡隐患点",
            "kind": _code_label("hazard_kind", "landslide"),
            "people": 25,
            "households": 8,
            "critical_mm_1h": 30.0,
            "critical_mm_3h": 60.0,
            "critical_mm_24h": 120.0,
        },
        "villages": {
            "code": village,
            "name": "示例村",
            "kind": _code_label("village_kind", "village"),
            "population": 1200,
            "wkt": square,
        },
        "grids": {"code": f"{village}01", "name": "示例网格一", "village": village, "keeper": "王五", "wkt": square},
        "duty_roster": {"duty_date": EXAMPLE_DATE, "name": "赵六", "title": _code_label("duty_title", "township_head")},
        "water_stations": {
            "code": water,
            "name": "示例水文站",
            "kind": _code_label("water_kind", "river"),
            "river": "示例河",
            "basin": "示例流域",
            "address": "示例村河段",
            "source": "县水利局",
        },
        "water_levels": {"station": water, "ts": EXAMPLE_TIME, "level_m": 65.32, "flow_m3s": 120.0},
        "water_thresholds": {"station": water, "warning_level_m": 66.0, "guarantee_level_m": 68.5},
        "flood_limits": {"station": water, "begin_md": "0401", "end_md": "0630", "limit_level_m": 64.0},
    }
    return {**common, **rows[kind]}


def template_frame(kind: str, place: TemplatePlace) -> pd.DataFrame:
    """One-row frame with a kind's Chinese headers and an example row at ``place`` (WGS84).

    Parameters
    ----------
    kind : str
        A key of :data:`emergency.ingest.kinds.KINDS`.
    place : TemplatePlace
        From :func:`place_of`, so the example row passes the out-of-area check.

    Returns
    -------
    pandas.DataFrame
    """
    spec = KINDS[kind]
    headers = template_headers(spec)
    example = _examples(kind, place)
    return pd.DataFrame({headers[f.name]: [example.get(f.name, "")] for f in spec.fields})


def template_csv(kind: str, place: TemplatePlace) -> bytes:
    """Write the template as CSV (UTF-8 with BOM, so Excel opens the Chinese headers)."""
    return export.to_csv(template_frame(kind, place))


def template_xlsx(kind: str, place: TemplatePlace) -> bytes:
    """Write the template as an XLSX workbook with one sheet named after the kind."""
    return export.to_xlsx({i18n.t(f"ingest.kind.{kind}", "zh"): template_frame(kind, place)})
