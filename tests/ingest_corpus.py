"""A corpus of department-style files another county might send, each with what the import must do.

Written by the tests (not the demo generator): every kind and format, categories outside the
code lists, header variants (township office words, hydrology database fields), units, workbooks
of several sheets, blank cells, stock for unknown warehouses, records without coordinates, and
odd or hostile files. Each case names the stored and rejected counts and the reasons, or the
reason the whole file is refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas
import pandas as pd
import shapely


@dataclass(frozen=True)
class Case:
    """One file: how to write it, its kind and options, and the expected outcome."""

    name: str
    kind: str
    write: Callable[[Path], Path]
    accepted: int | None = None
    rejected: int = 0
    reasons: dict = field(default_factory=dict)  # row (or "sheet!row") -> reason
    error: str | None = None  # reason code of a refused file
    options: dict = field(default_factory=dict)
    check: Callable | None = None  # (conn, report) -> None, extra assertions


def _text(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(text.replace("\n", newline).encode(encoding))
        return path

    return write


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return write


def _workbook(name: str, sheets: dict[str, pd.DataFrame], title: str | None = None) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, frame in sheets.items():
                frame.to_excel(writer, sheet_name=sheet, index=False, startrow=2 if title else 0)
                if title:
                    writer.sheets[sheet].cell(row=1, column=1, value=title)
        return path

    return write


def _geojson(name: str, frame: dict, geometries) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        geopandas.GeoDataFrame(frame, geometry=geometries, crs="EPSG:4326").to_file(
            path, driver="GeoJSON", engine="pyogrio"
        )
        return path

    return write


def _zip(name: str, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w", method) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        return path

    return write


def _scalar(conn, sql: str):
    return conn.execute(sql).fetchone()[0]


RAIN = "测站编码,时间,降雨量\n"


def DAY(d, values):
    return pd.DataFrame(
        {
            "站码": ["G1", "G2", "G3"][: len(values)],
            "时间": [f"2026-06-{d} 08:00"] * len(values),
            "雨量(mm)": values,
        }
    )


SQUARE = shapely.box(117.92, 28.32, 117.98, 28.38)
EAST_SQUARE = shapely.box(118.02, 28.32, 118.08, 28.38)


def cases() -> list[Case]:
    """Every file of the corpus with its expected outcome."""
    return [
        # --- rain gauges and rainfall ---
        Case(
            "gauges-hydrology-db",
            "rain_gauges",
            _text(
                "ST_STBPRP_B.csv",
                "STCD,STNM,STTP,LGTD,LTTD,DTMEL\nR01,西镇水文,水位站,117.95,28.35,120\nR02,东乡遥测,遥测站,118.05,28.36,\n",
            ),
            accepted=2,
            check=lambda c, r: _scalar(c, "SELECT kind FROM rain_gauges WHERE code = 'R01'") == "hydrological",
        ),
        Case(
            "gauges-gbk-township-words",
            "rain_gauges",
            _text(
                "雨量站.csv",
                "站码,站名,站类,乡镇（街道）,经度,纬度\nR11,西镇站,气象站,西镇,117.95,28.35\nR12,东乡站,自动站,东乡,118.05,28.35\n",
                encoding="gbk",
            ),
            accepted=2,
            check=lambda c, r: r.others == {"kind": {"气象站": 1}},
        ),
        Case(
            "rain-hydrology-fields",
            "rainfall",
            _text(
                "ST_PPTN_R.csv",
                "STCD,TM,DRP,INTV\nG1,2026-06-21 01:00:00,1.5,1\nG2,2026-06-21 01:00:00,,1\nG3,2026-06-21"
                " 01:00:00,0,1\n",
            ),
            accepted=2,
            rejected=1,
            reasons={3: "missing"},
        ),
        Case(
            "rain-in-cm",
            "rainfall",
            _text("雨量cm.csv", "测站编码,时间,降雨量(cm)\nG1,2026-06-21 01:00,1.2\nG2,2026-06-21 01:00,0.3\n"),
            accepted=2,
            check=lambda c, r: r.conversions[0]["factor"] == 10.0,
        ),
        Case(
            "rain-cell-units",
            "rainfall",
            _text(
                "雨量单位.csv",
                RAIN + "G1,2026-06-21 02:00,12毫米\nG2,2026-06-21 02:00,3 mm\nG3,2026-06-21 02:00,2公斤\n",
            ),
            accepted=2,
            rejected=1,
            reasons={4: "bad_number"},
        ),
        Case(
            "rain-sheets-per-day",
            "rainfall",
            _workbook(
                "六月逐日雨量.xlsx",
                {
                    "填表说明": pd.DataFrame({"说明": ["每日一表"]}),
                    "21日": DAY(21, [1.0, 2.0, 3.0]),
                    "22日": DAY(21, [1.0, -1.0]).assign(时间=["2026-06-21 09:00"] * 2),
                    "汇总": pd.DataFrame({"合计": [6]}),
                },
            ),
            accepted=4,
            rejected=1,
            reasons={"22日!3": "negative_rain"},
            check=lambda c, r: [s for s, _ in r.sheets_skipped] == ["填表说明", "汇总"],
        ),
        Case(
            "rain-sheet-narrowed",
            "rainfall",
            _workbook("逐日.xlsx", {"20日": DAY(20, [1.0]), "21日": DAY(21, [1.0, 2.0])}),
            accepted=2,
            options={"sheet": "21日"},
        ),
        Case(
            "rain-mixed-line-ends",
            "rainfall",
            _bytes(
                "混合换行.csv",
                (RAIN + "G1,2026-06-21 03:00,1\r\nG2,2026-06-21 03:00,2\nG3,2026-06-21 03:00,3\r\n").encode(),
            ),
            accepted=3,
        ),
        Case(
            "rain-utf16",
            "rainfall",
            _text("utf16.csv", RAIN + "G1,2026-06-21 04:00,1\n", encoding="utf-16"),
            accepted=1,
        ),
        Case(
            "rain-semicolon-bom",
            "rainfall",
            _bytes("分号.csv", "\ufeff测站编码;时间;降雨量\nG1;2026/6/21 5:00;1.5\n".encode()),
            accepted=1,
        ),
        Case(
            "rain-implausible-times",
            "rainfall",
            _text(
                "坏时间.csv",
                RAIN + "G1,1899-12-30 00:00,1\nG1,0001-01-01,1\nG1,2999-01-01 00:00,1\nG1,2026-06-21 06:00,1\n",
            ),
            accepted=1,
            rejected=3,
            reasons={2: "implausible_time", 3: "implausible_time", 4: "future_time"},
        ),
        Case(
            "rain-sentinels-and-unknown-gauge",
            "rainfall",
            _text("雨量.csv", RAIN + "G1,2026-06-21 07:00,999.9\nG9,2026-06-21 07:00,1\nG2,2026-06-21 07:00,400\n"),
            accepted=0,
            rejected=3,
            reasons={2: "sentinel", 3: "unknown_reference", 4: "impossible_rain"},
        ),
        # --- incidents ---
        Case(
            "incidents-out-of-list-serious-injured-yuan",
            "incidents",
            _text(
                "灾情.csv",
                "事件编号,灾情类型,事发时间,乡镇名称,受伤人数,重伤人数,直接经济损失（元）,处置状态\n"
                "X1,人员失联,2026-06-21 03:00,西镇,2,1,250000,处置中\nX2,山洪,2026-06-21 04:00,东乡,,,,已办结\n",
            ),
            accepted=2,
            check=lambda c, r: (
                r.others == {"type": {"人员失联": 1}}
                and c.execute("SELECT seriously_injured, loss_10k_yuan FROM incidents WHERE id = 'X1'").fetchone()
                == (1, 25.0)
                and c.execute("SELECT deaths, loss_10k_yuan FROM incidents WHERE id = 'X2'").fetchone() == (None, None)
            ),
        ),
        Case(
            "incidents-title-row-blank-cells",
            "incidents",
            _workbook(
                "灾情统计.xlsx",
                {
                    "灾情": pd.DataFrame(
                        {
                            "编号": ["T1", "T2"],
                            "灾害类型": ["滑坡", "房屋倒塌"],
                            "发生时间": ["2026-06-21 01:00", "2026-06-21 02:00"],
                            "死亡人数": [None, 1],
                            "直接经济损失(万元)": [None, 2.5],
                            "状态": ["待处置", "已处置"],
                        }
                    )
                },
                title="广信区灾情统计表",
            ),
            accepted=2,
        ),
        Case(
            "incidents-every-problem",
            "incidents",
            _text(
                "问题行.csv", "事件编号,事件类型,发生时间,死亡人数,受伤人数,处置状态\nP1,洪涝,昨天,-1,很多,未知状态\n"
            ),
            accepted=0,
            rejected=1,
            reasons={2: "bad_time"},
            check=lambda c, r: len(__import__("json").loads(r.rejects["problems"].iloc[0])) == 4,
        ),
        Case(
            "incidents-quoted-line-break",
            "incidents",
            _text(
                "描述换行.csv",
                "事件编号,事件类型,发生时间,处置状态,情况描述\n"
                'Q1,内涝,2026-06-21 05:00,待处置,"低洼处积水\n约 30 厘米"\n',
            ),
            accepted=1,
            check=lambda c, r: "\n" in _scalar(c, "SELECT description FROM incidents WHERE id = 'Q1'"),
        ),
        Case(
            "incidents-updated-before",
            "incidents",
            _text(
                "更新时间.csv",
                "事件编号,事件类型,发生时间,更新时间,处置状态\nU1,洪涝,2026-06-21 05:00,2026-06-21 04:00,待处置\n",
            ),
            accepted=0,
            rejected=1,
            reasons={2: "updated_before_occurred"},
        ),
        Case(
            "incidents-township-code-header",
            "incidents",
            _text(
                "乡镇代码.csv",
                "事件编号,事件类型,发生时间,乡镇代码,处置状态\nK1,洪涝,2026-06-21"
                " 05:00,999999002,待处置\nK2,洪涝,2026-06-21 05:00,北乡,待处置\n",
            ),
            accepted=1,
            rejected=1,
            reasons={3: "unknown_township"},
        ),
        # --- resources ---
        Case(
            "shelters-open-kinds-no-coordinates",
            "shelters",
            _text(
                "避难场所.csv",
                "场所名称,场所类型,可容纳人数,乡镇,地址,经度,纬度\n西镇体育馆,体育馆,800,西镇,西镇体育路,117.95,28.35\n"
                "东乡村委会,村委会,120,东乡,东乡村,,\n西镇礼堂,礼堂,200,西镇,,117.96,28.36\n",
            ),
            accepted=3,
            check=lambda c, r: r.location_missing == 1 and r.others == {"kind": {"礼堂": 1}},
        ),
        Case(
            "shelters-geojson",
            "shelters",
            _geojson(
                "避难场所.geojson",
                {"名称": ["西镇广场", "东乡学校"], "类型": ["广场", "小学"], "容纳人数": [3000, 400]},
                [shapely.Point(117.95, 28.35), shapely.Point(118.05, 28.35)],
            ),
            accepted=2,
        ),
        Case(
            "teams-blue-sky-water-unknown",
            "teams",
            _text(
                "救援队伍.csv",
                "队伍名称,队伍类型,队员人数,所属乡镇,地址,经度,纬度\n蓝天救援队,蓝天救援队,40,西镇,,117.95,28.35\n"
                "水上救援队,水上救援,12,东乡,东乡码头,,\n无人机队,无人机侦察,6,东乡,,118.05,28.35\n",
            ),
            accepted=3,
            check=lambda c, r: (
                _scalar(c, "SELECT kind FROM teams WHERE name = '水上救援队'") == "water_rescue"
                and _scalar(c, "SELECT kind_label FROM teams WHERE name = '无人机队'") == "无人机侦察"
                and r.location_missing == 1
            ),
        ),
        Case(
            "warehouses-address-only",
            "warehouses",
            _text("仓库.csv", "仓库名称,地址,乡镇\n北仓,北路 1 号,西镇\n南仓,南路 2 号,东乡\n"),
            accepted=2,
            check=lambda c, r: r.location_missing == 2,
        ),
        Case(
            "stock-unknown-warehouse-and-category",
            "stock",
            _text(
                "库存.csv",
                "存放仓库,仓库地址,乡镇,物资名称,物资类别,数量,单位\n新建仓,新路 8 号,东乡,冲锋舟,应急装备,3,艘\n"
                "新建仓,新路 8 号,东乡,发电机,发电设备,2,台\n西镇仓库,,,雨衣,生活类,-1,件\n",
            ),
            accepted=2,
            rejected=1,
            reasons={4: "out_of_range"},
            check=lambda c, r: r.created == {"warehouses": ["新建仓"]} and r.others == {"category": {"发电设备": 1}},
        ),
        Case(
            "hazards-open-kinds-people",
            "hazard_points",
            _text(
                "隐患点.csv",
                "统一编号,隐患点名称,灾害类型,威胁人数,经度,纬度\nZ1,后山危岩,崩塌,12,117.95,28.35\nZ2,老矿坑,采空塌陷,0.1万人,118.05,28.35\n",
            ),
            accepted=2,
            check=lambda c, r: _scalar(c, "SELECT people FROM hazard_points WHERE id = 'Z2'") == 1000,
        ),
        # --- areas ---
        Case(
            "townships-geojson",
            "townships",
            _geojson(
                "乡镇.geojson", {"XZQDM": ["999999001", "999999002"], "XZQMC": ["西镇", "东乡"]}, [SQUARE, EAST_SQUARE]
            ),
            accepted=2,
        ),
        Case(
            "townships-wkt-one-empty",
            "townships",
            _text("乡镇wkt.csv", f'行政区划代码,乡镇名称,边界\n999999001,西镇,\n999999002,东乡,"{EAST_SQUARE.wkt}"\n'),
            accepted=1,
            rejected=1,
            reasons={2: "bad_geometry"},
        ),
        Case(
            "townships-all-geometry-empty",
            "townships",
            _geojson("空几何.geojson", {"XZQDM": ["999999001"], "XZQMC": ["西镇"]}, [None]),
            error="no_geometry",
        ),
        Case(
            "zip-with-csv",
            "rainfall",
            _zip("报送.zip", {"雨量/rain.csv": (RAIN + "G1,2026-06-21 10:00,1\n").encode()}),
            accepted=1,
        ),
        # --- odd and hostile files ---
        Case(
            "latin1-guess-refused",
            "rainfall",
            _text("latin.csv", "station,time,rain\n" + "Zürich café,2026-06-21 01:00,1\n" * 20, encoding="latin-1"),
            error="encoding_guess",
        ),
        Case(
            "shift-jis-guess-refused",
            "rainfall",
            _text(
                "sjis.csv", "測站,時間,雨量\n" + "東京の雨量データです,2026-06-21 01:00,1\n" * 20, encoding="shift_jis"
            ),
            error="encoding_guess",
        ),
        Case(
            "gbk-with-encoding",
            "rainfall",
            _text("sjis2.csv", RAIN.replace("测站编码", "站码") + "G1,2026-06-21 11:00,1\n", encoding="gbk"),
            accepted=1,
            options={"encoding": "gbk"},
        ),
        Case("zip-bomb", "rainfall", _zip("bomb.zip", {"r.csv": b"0" * (40 * 2**20)}), error="too_large"),
        Case("zip-dotdot", "rainfall", _zip("slip.zip", {"../../etc/r.csv": RAIN.encode()}), error="unsafe_zip"),
        Case("empty-file", "rainfall", _bytes("空.csv", b""), error="empty"),
        Case("header-only", "rainfall", _text("表头.csv", RAIN), error="no_rows"),
        Case(
            "too-many-columns",
            "rainfall",
            _text("宽表.csv", ",".join(f"c{i}" for i in range(5000)) + "\n1\n"),
            error="too_many_columns",
        ),
        Case(
            "binary-named-csv",
            "rainfall",
            _bytes("图片.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
            error="binary",
        ),
        Case(
            "broken-workbook", "incidents", _bytes("坏表.xlsx", b"PK\x03\x04 not really a workbook"), error="unreadable"
        ),
        Case(
            "workbook-no-fitting-sheet",
            "incidents",
            _workbook("说明.xlsx", {"说明": pd.DataFrame({"说明": ["无数据"]})}),
            error="missing_columns",
        ),
        Case(
            "unterminated-quote",
            "rainfall",
            _text("引号.csv", RAIN + 'G1,"2026-06-21 01:00,1\nG2,2026-06-21 01:00,2\n'),
            error="malformed",
        ),
    ]
