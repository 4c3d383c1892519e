"""What each kind of import holds: its table, natural key, fields, header synonyms and value vocabularies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from emergency import i18n, vocab

__all__ = ["KINDS", "Field", "Kind", "normalize_header", "suggest_mapping", "vocabulary"]

# Field types the engine knows how to parse (see engine.PARSERS).
FIELD_TYPES = ("text", "code", "int", "float", "time", "township", "monthday")

# Rainfall above this rate is physically impossible here (China's hourly record is 201.9 mm,
# Zhengzhou 2021-07-20); shorter intervals get at least RAIN_FLOOR_MM, longer ones at most
# RAIN_CEILING_MM (above the mainland's 24 h record of ~1,060 mm, with margin).
RAIN_MAX_MM_PER_HOUR = 250.0
RAIN_FLOOR_MM = 60.0
RAIN_CEILING_MM = 1500.0
# Values instruments and databases write for "no data": they would read as record rain.
RAIN_SENTINELS = (999.0, 999.9, 9999.0, 9999.9, 99999.0, -999.0, -999.9, -9999.0, -99999.0, 32766.0, 32767.0)
# Shortest header (characters) read as a truncated .dbf field name of a longer synonym; a
# UTF-8 .dbf keeps 3 Chinese characters of a name (9 of its 10 bytes), so 3 do outside ASCII.
DBF_PREFIX_MIN = 4
DBF_PREFIX_MIN_WIDE = 3
# A time this far past "now" is a wrong clock or a wrong date format, not an early report.
FUTURE_TOLERANCE_MIN = 10


@dataclass(frozen=True)
class Field:
    """One column of a kind: how it is named in files, parsed and checked."""

    name: str
    type: str = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    vocabulary: str | None = None  # for type "code": a key of VOCABULARIES
    min_value: float | None = None  # inclusive lower bound for numbers
    max_value: float | None = None  # inclusive upper bound for numbers
    not_future: bool = False  # for times: reject times after now
    unit: str | None = None  # for numbers: a key of UNITS (the stored unit); units in headers/cells are converted
    stored: bool = True  # False: read for a derived write (a stock row's warehouse address), not a table column
    not_past: bool = False  # for times: reject times before the plausible range (observations, events)


@dataclass(frozen=True)
class Kind:
    """An importable kind: the table it fills and how its rows are keyed and checked."""

    name: str
    table: str
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    # "point": lon/lat (or point geometry) checked against the county and given a township;
    # "polygon": a geometry column (GIS file or WKT) that must be a valid area in the county.
    location: str | None = None
    # Column holding the data time reported as the file's freshness.
    time_field: str | None = None
    # Columns the table fills with the import's source name when the file has none.
    source_field: str | None = None
    # (field, table, column): values must exist there (or in this file) to be accepted.
    references: tuple[tuple[str, str, str], ...] = ()
    # (lower field, upper field, reason): a row whose upper value is below its lower one is
    # rejected with ``reason`` (a 保证水位 below the 警戒水位 is a swapped or mistyped column).
    ordered: tuple[tuple[str, str, str], ...] = ()

    def field(self, name: str) -> Field:
        """Return the field named ``name``."""
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Return the names of the kind's fields, in order."""
        return tuple(f.name for f in self.fields)


def _f(name: str, type: str = "text", required: bool = False, *synonyms: str, **checks) -> Field:
    return Field(name, type, required, synonyms, **checks)


LON = _f(
    "lon",
    "float",
    True,
    "经度",
    "lon",
    "lng",
    "long",
    "longitude",
    "x",
    "东经",
    "经度坐标",
    "x坐标",
    "坐标x",
    "经度（度）",
    "gpsx",
    "jd",
    "lgtd",
    "经度坐标值",
)
LAT = _f(
    "lat",
    "float",
    True,
    "纬度",
    "lat",
    "latitude",
    "y",
    "北纬",
    "纬度坐标",
    "y坐标",
    "坐标y",
    "gpsy",
    "wd",
    "lttd",
    "纬度坐标值",
)
OPTIONAL_LON = Field(LON.name, LON.type, False, LON.synonyms)
OPTIONAL_LAT = Field(LAT.name, LAT.type, False, LAT.synonyms)
TOWNSHIP = _f(
    "township",
    "township",
    False,
    "乡镇",
    "所属乡镇",
    "乡镇街道",
    "所在乡镇",
    "乡镇名称",
    "乡镇编码",
    "township",
    "town",
    "乡镇（街道）",
    "所属乡镇（街道）",
    "乡镇街道名称",
    "街道乡镇",
    "乡镇/街道",
    "所在乡镇街道",
    "镇（乡、街道）",
    "乡（镇、街道）",
    "镇街",
    "所属镇街",
    "乡镇代码",
    "乡镇区划代码",
    "乡镇行政区划代码",
    "所属乡镇名称",
    "乡镇名",
    "街道",
    "所属街道",
    "township_name",
    "town_name",
    "townshipcode",
    "towncode",
    "xzmc",
    "xzdm",
    "xiangzhen",
)
SOURCE = _f("source", "text", False, "来源", "数据来源", "信息来源", "报送单位", "source")
PHONE = _f("phone", "text", False, "电话", "联系电话", "手机", "手机号", "phone", "tel", "telephone")
ADDRESS = _f(
    "address",
    "text",
    False,
    "地址",
    "地点",
    "详细地址",
    "发生地点",
    "位置",
    "address",
    "location",
    "具体位置",
    "所在地址",
    "灾害地点",
    "事发地点",
    "addr",
    "驻地",
    "驻地地址",
)
# Count fields: people, with 万人 converted.
PEOPLE = {"unit": "people"}
COUNT = {"min_value": 0, "max_value": 1_000_000}
PEOPLE_COUNT = {**COUNT, "unit": "people"}

# Water levels (m above the station's datum) and flows (m³/s) a real station can report.
WATER_LEVEL = {"min_value": -100, "max_value": 9000, "unit": "length_m"}
WATER_FLOW = {"min_value": 0, "max_value": 1_000_000}
WATER_STATION = _f(
    "station",
    "text",
    True,
    "站码",
    "测站编码",
    "站点编码",
    "测站代码",
    "站号",
    "测站",
    "station",
    "stcd",
    "code",
    "stationcode",
    "stationid",
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "townships",
            "townships",
            ("code",),
            (
                _f(
                    "code",
                    "text",
                    True,
                    "乡镇编码",
                    "行政区划代码",
                    "区划代码",
                    "编码",
                    "代码",
                    "code",
                    "xzqdm",
                    "adcode",
                    # a township office's words, as the other kinds read them for their township
                    "乡镇代码",
                    "乡镇区划代码",
                    "乡镇行政区划代码",
                    "townshipcode",
                    "towncode",
                    "xzdm",
                ),
                _f(
                    "name",
                    "text",
                    True,
                    "乡镇名称",
                    "名称",
                    "乡镇",
                    "name",
                    "xzqmc",
                    "乡镇名",
                    "乡镇街道名称",
                    "townshipname",
                    "townname",
                    "xzmc",
                ),
                _f("population", "int", False, "人口", "户籍人口", "常住人口", "population", "pop", **PEOPLE_COUNT),
                _f("wkt", "text", False, "边界", "几何", "wkt", "geometry", "geom", "shape"),
            ),
            location="polygon",
        ),
        Kind(
            "rain_gauges",
            "rain_gauges",
            ("code",),
            (
                _f(
                    "code",
                    "text",
                    True,
                    "站码",
                    "测站编码",
                    "站点编码",
                    "测站代码",
                    "站号",
                    "编码",
                    "code",
                    "stcd",
                    "station",
                    "stationcode",
                    "stationid",
                ),
                _f(
                    "name",
                    "text",
                    True,
                    "站名",
                    "测站名称",
                    "站点名称",
                    "名称",
                    "name",
                    "stnm",
                    "stationname",
                    "站点名",
                ),
                _f(
                    "kind",
                    "code",
                    False,
                    "站类",
                    "站点类型",
                    "测站类型",
                    "类型",
                    "kind",
                    "type",
                    "sttp",
                    vocabulary="gauge_kind",
                ),
                TOWNSHIP,
                LON,
                LAT,
                _f(
                    "elevation_m",
                    "float",
                    False,
                    "高程",
                    "海拔",
                    "海拔高度",
                    "elevation",
                    "elev",
                    "altitude",
                    "dtmel",
                    min_value=-100,
                    max_value=9000,
                    unit="length_m",
                ),
                SOURCE,
            ),
            location="point",
            source_field="source",
        ),
        Kind(
            "rainfall",
            "rainfall",
            ("station", "ts"),
            (
                _f(
                    "station",
                    "text",
                    True,
                    "站码",
                    "测站编码",
                    "站点编码",
                    "测站代码",
                    "站号",
                    "站名",
                    "测站名称",
                    "station",
                    "stcd",
                    "code",
                    "stationcode",
                    "stationid",
                ),
                _f(
                    "ts",
                    "time",
                    True,
                    "时间",
                    "观测时间",
                    "时段末",
                    "时段末时间",
                    "时间戳",
                    "日期时间",
                    "ts",
                    "time",
                    "datetime",
                    "tm",
                    "timestamp",
                    "采集时间",
                    "监测时间",
                    "观测日期时间",
                    "obstime",
                    not_future=True,
                    not_past=True,
                ),
                _f(
                    "mm",
                    "float",
                    True,
                    "雨量",
                    "降雨量",
                    "降水量",
                    "时段雨量",
                    "时段降雨量",
                    "rain",
                    "rainfall",
                    "mm",
                    "drp",
                    "precipitation",
                    "precip",
                    "pre",
                    "时段降水量",
                    "雨量值",
                    # not 累计雨量: an accumulated total read as each report's rain is summed again
                    "p",
                    unit="mm",
                ),
                _f(
                    "interval_min",
                    "int",
                    False,
                    "时段长",
                    "时段长度",
                    "间隔",
                    "时段",
                    "interval",
                    "intervalmin",
                    "intv",
                    min_value=1,
                    max_value=1440,
                ),
            ),
            time_field="ts",
            references=(("station", "rain_gauges", "code"),),
        ),
        Kind(
            "incidents",
            "incidents",
            ("id",),
            (
                _f(
                    "id",
                    "text",
                    True,
                    "编号",
                    "事件编号",
                    "灾情编号",
                    "id",
                    "eventid",
                    "no",
                    "序号编号",
                    "事件id",
                    "灾情id",
                    "信息编号",
                ),
                _f(
                    "type",
                    "code",
                    True,
                    "类型",
                    "事件类型",
                    "灾害类型",
                    "灾种",
                    "type",
                    "kind",
                    "灾情类型",
                    "险情类型",
                    "事件类别",
                    vocabulary="incident_type",
                ),
                _f(
                    "occurred_at",
                    "time",
                    True,
                    "发生时间",
                    "时间",
                    "上报时间",
                    "occurred",
                    "occurredat",
                    "time",
                    "datetime",
                    "事发时间",
                    "发生日期",
                    "报告时间",
                    not_future=True,
                    not_past=True,
                ),
                TOWNSHIP,
                ADDRESS,
                OPTIONAL_LON,
                OPTIONAL_LAT,
                _f(
                    "deaths",
                    "int",
                    False,
                    "死亡",
                    "死亡人数",
                    "deaths",
                    "dead",
                    "遇难",
                    "遇难人数",
                    "死亡（人）",
                    **PEOPLE_COUNT,
                ),
                _f(
                    "injured",
                    "int",
                    False,
                    "受伤",
                    "受伤人数",
                    "injured",
                    "伤员",
                    "受伤（人）",
                    "轻伤",
                    "轻伤人数",
                    **PEOPLE_COUNT,
                ),
                _f(
                    "seriously_injured",
                    "int",
                    False,
                    "重伤",
                    "重伤人数",
                    "重伤员",
                    "重伤（人）",
                    "seriouslyinjured",
                    "seriousinjuries",
                    "serious",
                    **PEOPLE_COUNT,
                ),
                _f("missing", "int", False, "失踪", "失踪人数", "missing", "失联", "失联人数", **PEOPLE_COUNT),
                _f("trapped", "int", False, "被困", "被困人数", "trapped", "受困", "受困人数", **PEOPLE_COUNT),
                _f(
                    "loss_10k_yuan",
                    "float",
                    False,
                    "直接经济损失",
                    "经济损失",
                    "损失",
                    "loss",
                    "loss10kyuan",
                    "直接损失",
                    "损失金额",
                    "经济损失金额",
                    min_value=0,
                    max_value=1e8,
                    unit="money_10k",
                ),
                _f("status", "code", True, "状态", "处置状态", "处置情况", "status", vocabulary="incident_status"),
                SOURCE,
                _f(
                    "updated_at",
                    "time",
                    False,
                    "更新时间",
                    "最后更新",
                    "updated",
                    "updatedat",
                    not_future=True,
                    not_past=True,
                ),
                _f(
                    "description",
                    "text",
                    False,
                    "描述",
                    "情况描述",
                    "简要情况",
                    "灾情描述",
                    "description",
                    "desc",
                    "remark",
                    "备注",
                ),
            ),
            location="point",
            time_field="occurred_at",
            source_field="source",
        ),
        Kind(
            "warehouses",
            "warehouses",
            ("name",),
            (
                _f("name", "text", True, "仓库名称", "仓库", "名称", "name", "warehouse"),
                TOWNSHIP,
                ADDRESS,
                _f("manager", "text", False, "负责人", "管理员", "联系人", "manager", "contact"),
                PHONE,
                OPTIONAL_LON,
                OPTIONAL_LAT,
            ),
            location="point",
        ),
        Kind(
            "stock",
            "stock",
            ("warehouse", "item"),
            (
                _f("warehouse", "text", True, "仓库", "仓库名称", "所属仓库", "存放仓库", "warehouse"),
                _f("item", "text", True, "物资名称", "品名", "物资", "名称", "item", "name"),
                _f(
                    "category",
                    "code",
                    True,
                    "类别",
                    "物资类别",
                    "分类",
                    "category",
                    "物资分类",
                    "物资种类",
                    "类型",
                    vocabulary="stock_category",
                ),
                _f(
                    "quantity",
                    "float",
                    True,
                    "数量",
                    "库存",
                    "库存数量",
                    "quantity",
                    "qty",
                    "储备数量",
                    "现有数量",
                    "实有数量",
                    min_value=0,
                    max_value=1e9,
                ),
                _f("unit", "text", False, "单位", "计量单位", "unit"),
                _f("updated_at", "time", False, "更新时间", "盘点时间", "updated", "updatedat", not_future=True),
                # A warehouse the store does not know yet is created from these (location missing).
                _f(
                    "warehouse_address",
                    "text",
                    False,
                    "仓库地址",
                    "地址",
                    "存放地点",
                    "存放地址",
                    "address",
                    stored=False,
                ),
                _f("township", "township", False, *TOWNSHIP.synonyms, stored=False),
            ),
            time_field="updated_at",
            references=(("warehouse", "warehouses", "name"),),
        ),
        Kind(
            "teams",
            "teams",
            ("name",),
            (
                _f("name", "text", True, "队伍名称", "名称", "队伍", "name", "team"),
                _f(
                    "kind",
                    "code",
                    True,
                    "队伍类型",
                    "类型",
                    "类别",
                    "kind",
                    "type",
                    "队伍类别",
                    "队伍性质",
                    vocabulary="team_kind",
                ),
                _f(
                    "members",
                    "int",
                    True,
                    "人数",
                    "队员人数",
                    "成员数",
                    "队员数",
                    "members",
                    "队伍人数",
                    "总人数",
                    **PEOPLE_COUNT,
                ),
                _f("leader", "text", False, "队长", "负责人", "leader"),
                PHONE,
                TOWNSHIP,
                ADDRESS,
                OPTIONAL_LON,
                OPTIONAL_LAT,
            ),
            location="point",
        ),
        Kind(
            "shelters",
            "shelters",
            ("name",),
            (
                _f("name", "text", True, "避难场所名称", "安置点名称", "场所名称", "名称", "name", "shelter"),
                _f(
                    "kind",
                    "code",
                    False,
                    "场所类型",
                    "类型",
                    "kind",
                    "type",
                    "避难场所类型",
                    "场所类别",
                    "类别",
                    vocabulary="shelter_kind",
                ),
                _f(
                    "capacity",
                    "int",
                    True,
                    "可容纳人数",
                    "容纳人数",
                    "容量",
                    "capacity",
                    "可安置人数",
                    "设计容量",
                    "容纳规模",
                    **PEOPLE_COUNT,
                ),
                _f(
                    "occupancy",
                    "int",
                    False,
                    "已安置人数",
                    "安置人数",
                    "当前人数",
                    "occupancy",
                    "在避人数",
                    **PEOPLE_COUNT,
                ),
                TOWNSHIP,
                ADDRESS,
                OPTIONAL_LON,
                OPTIONAL_LAT,
            ),
            location="point",
        ),
        Kind(
            "hazard_points",
            "hazard_points",
            ("id",),
            (
                _f("id", "text", True, "编号", "隐患点编号", "统一编号", "id", "code"),
                _f("name", "text", False, "名称", "隐患点名称", "name"),
                _f("kind", "code", True, "类型", "灾害类型", "隐患类型", "kind", "type", vocabulary="hazard_kind"),
                TOWNSHIP,
                LON,
                LAT,
                _f("people", "int", False, "威胁人数", "受威胁人数", "people", "威胁人口", **PEOPLE_COUNT),
                _f("households", "int", False, "威胁户数", "受威胁户数", "households", **COUNT),
                _f(
                    "critical_mm_1h",
                    "float",
                    False,
                    "1小时临界雨量",
                    "临界雨量1h",
                    "criticalmm1h",
                    min_value=0,
                    max_value=1000,
                    unit="mm",
                ),
                _f(
                    "critical_mm_3h",
                    "float",
                    False,
                    "3小时临界雨量",
                    "临界雨量3h",
                    "criticalmm3h",
                    min_value=0,
                    max_value=1000,
                    unit="mm",
                ),
                _f(
                    "critical_mm_24h",
                    "float",
                    False,
                    "24小时临界雨量",
                    "临界雨量24h",
                    "criticalmm24h",
                    min_value=0,
                    max_value=3000,
                    unit="mm",
                ),
            ),
            location="point",
        ),
        # --- township grid management ---
        Kind(
            "villages",
            "villages",
            ("code",),
            (
                _f(
                    "code",
                    "text",
                    True,
                    "村编码",
                    "社区编码",
                    "村（社区）编码",
                    "行政区划代码",
                    "区划代码",
                    "编码",
                    "代码",
                    "code",
                    "cjqydm",
                ),
                _f("name", "text", True, "村名", "村（社区）名称", "村名称", "社区名称", "名称", "name", "cjqymc"),
                _f("kind", "code", True, "类型", "村社区类型", "村/社区", "kind", "type", vocabulary="village_kind"),
                _f("township", "township", True, *TOWNSHIP.synonyms),
                _f("population", "int", False, "人口", "户籍人口", "常住人口", "population", "pop", **COUNT),
                _f("wkt", "text", False, "边界", "几何", "wkt", "geometry", "geom", "shape"),
            ),
            location="polygon",
        ),
        Kind(
            "grids",
            "grids",
            ("code",),
            (
                _f("code", "text", True, "网格编码", "网格编号", "编码", "code", "gridcode"),
                _f("name", "text", True, "网格名称", "网格", "名称", "name", "grid"),
                _f(
                    "village",
                    "text",
                    True,
                    "村编码",
                    "所属村编码",
                    "社区编码",
                    "村（社区）编码",
                    "village",
                    "villagecode",
                ),
                _f("township", "township", True, *TOWNSHIP.synonyms),
                _f(
                    "keeper", "text", True, "网格员", "网格员姓名", "网格长", "负责人", "责任人", "keeper", "gridmember"
                ),
                _f("phone", "text", True, *PHONE.synonyms, "网格员电话"),
                _f("wkt", "text", False, "边界", "几何", "wkt", "geometry", "geom", "shape"),
            ),
            location="polygon",
            references=(("village", "villages", "code"),),
        ),
        Kind(
            "duty_roster",
            "duty_roster",
            ("township", "duty_date"),
            (
                _f("township", "township", True, *TOWNSHIP.synonyms),
                _f("duty_date", "time", True, "值班日期", "日期", "duty_date", "date"),
                _f("name", "text", True, "值班领导", "带班领导", "姓名", "name", "leader"),
                _f("title", "code", False, "职务", "title", vocabulary="duty_title"),
                _f("phone", "text", True, *PHONE.synonyms),
            ),
            time_field="duty_date",
        ),
        # --- rivers and reservoirs (SL 323 names beside the Chinese ones) ---
        Kind(
            "water_stations",
            "water_stations",
            ("code",),
            (
                _f("code", "text", True, *WATER_STATION.synonyms),
                _f(
                    "name",
                    "text",
                    True,
                    "站名",
                    "测站名称",
                    "站点名称",
                    "名称",
                    "name",
                    "stnm",
                    "stationname",
                    "站点名",
                ),
                _f(
                    "kind",
                    "code",
                    True,
                    "站类",
                    "测站类型",
                    "站点类型",
                    "类型",
                    "kind",
                    "type",
                    "sttp",
                    vocabulary="water_kind",
                ),
                _f("river", "text", False, "河名", "河流", "河流名称", "所在河流", "river", "rvnm"),
                _f("basin", "text", False, "流域", "流域名称", "水系", "basin", "bsnm", "hnnm"),
                TOWNSHIP,
                LON,
                LAT,
                _f("address", "text", False, "站址", "地址", "详细地址", "address", "stlc"),
                SOURCE,
            ),
            location="point",
            source_field="source",
        ),
        Kind(
            "water_levels",
            "water_levels",
            ("station", "ts"),
            (
                WATER_STATION,
                _f(
                    "ts",
                    "time",
                    True,
                    "时间",
                    "观测时间",
                    "监测时间",
                    "采集时间",
                    "时间戳",
                    "日期时间",
                    "ts",
                    "time",
                    "datetime",
                    "tm",
                    "timestamp",
                    "obstime",
                    not_future=True,
                    not_past=True,
                ),
                _f(
                    "level_m",
                    "float",
                    True,
                    "水位",
                    "库水位",
                    "河道水位",
                    "实时水位",
                    "当前水位",
                    "水位值",
                    "z",
                    "rz",
                    "level",
                    "waterlevel",
                    **WATER_LEVEL,
                ),
                _f(
                    "flow_m3s",
                    "float",
                    False,
                    "流量",
                    "出库流量",
                    "下泄流量",
                    "实测流量",
                    "q",
                    "otq",
                    "flow",
                    "outflow",
                    **WATER_FLOW,
                ),
                _f("inflow_m3s", "float", False, "入库流量", "inq", "inflow", **WATER_FLOW),
                _f(
                    "storage_1e6m3",
                    "float",
                    False,
                    "蓄水量",
                    "库容",
                    "蓄水",
                    "水库蓄水量",
                    "w",
                    "storage",
                    min_value=0,
                    max_value=1e6,
                    unit="volume_1e6m3",
                ),
                _f("trend", "text", False, "水势", "wptn", "rwptn", "trend"),
            ),
            time_field="ts",
            references=(("station", "water_stations", "code"),),
        ),
        Kind(
            "water_thresholds",
            "water_thresholds",
            ("station",),
            (
                WATER_STATION,
                _f("warning_level_m", "float", False, "警戒水位", "wrz", "warninglevel", **WATER_LEVEL),
                _f("guarantee_level_m", "float", False, "保证水位", "grz", "guaranteelevel", **WATER_LEVEL),
                _f("warning_flow_m3s", "float", False, "警戒流量", "wrq", "warningflow", **WATER_FLOW),
                _f("guarantee_flow_m3s", "float", False, "保证流量", "grq", "guaranteeflow", **WATER_FLOW),
            ),
            references=(("station", "water_stations", "code"),),
            ordered=(("warning_level_m", "guarantee_level_m", "guarantee_below_warning"),),
        ),
        Kind(
            "flood_limits",
            "flood_limits",
            ("station", "begin_md"),
            (
                WATER_STATION,
                _f(
                    "begin_md",
                    "monthday",
                    True,
                    "开始月日",
                    "起始月日",
                    "开始日期",
                    "起始日期",
                    "汛期开始",
                    "开始",
                    "bgmd",
                    "begin",
                    "beginmd",
                ),
                _f(
                    "end_md",
                    "monthday",
                    True,
                    "结束月日",
                    "终止月日",
                    "结束日期",
                    "终止日期",
                    "汛期结束",
                    "结束",
                    "edmd",
                    "end",
                    "endmd",
                ),
                _f("limit_level_m", "float", True, "汛限水位", "汛限", "fsltdz", "limitlevel", **WATER_LEVEL),
            ),
            references=(("station", "water_stations", "code"),),
        ),
    )
}

# Extra spellings seen in department files, beyond the code itself and its zh/en labels.
VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "incident_status": {
        "pending": ("未处置", "待处理", "未处理", "新报", "已上报", "上报", "待核实"),
        "active": ("正在处置", "处理中", "进行中", "处置", "救援中"),
        "closed": ("已完成", "已处理", "已结案", "完成", "结束", "办结", "已办结", "处置完毕"),
    },
    "incident_type": {
        "flood": ("洪水", "洪灾", "洪涝灾害"),
        "flash_flood": ("山洪灾害",),
        "landslide": ("山体滑坡",),
        "rockfall": ("危岩崩塌", "山体崩塌"),
        "ground_subsidence": ("塌陷", "岩溶塌陷"),
        "waterlogging": ("积水", "城市内涝", "渍涝"),
        "collapse": ("倒房", "倒塌", "房屋倒损"),
        "traffic": ("道路中断", "交通阻断", "道路塌方", "交通事故", "道路交通事故"),
        "other": ("其它",),
        "drought": ("旱灾", "旱情"),
        "earthquake": ("地震灾害",),
        "meteorological": ("大风", "冰雹", "雷电", "暴雨", "台风", "低温冰冻", "雪灾", "龙卷风"),
        "forest_fire": ("森林火灾", "山火", "草原火灾"),
        "fire": ("火灾", "房屋火灾"),
        "production_safety": ("安全生产事故", "生产事故"),
        "public_health": ("疫情", "传染病疫情", "食品安全事件"),
        "social_security": ("群体性事件",),
    },
    "hazard_kind": {
        "flash_flood": ("山洪危险区", "山洪沟"),
        "landslide": ("不稳定斜坡", "滑坡隐患"),
        "waterlogging": ("易涝点", "积水点"),
        "collapse": ("崩塌", "危岩", "危岩体"),
        "ground_subsidence": ("塌陷", "岩溶塌陷"),
        "other": ("其它",),
    },
    "stock_category": {
        "flood_control": ("防汛", "防汛类"),
        "medical": ("医疗", "药品", "医疗类"),
        "power_comms": ("通信", "电力", "通信类", "电力类"),
        "living": ("生活类", "生活物资", "生活用品", "基本生活保障物资", "基本生活类"),
        "rescue_equipment": ("抢险救援", "救援类", "救援器材", "应急装备及配套物资", "应急装备"),
        "engineering": ("工程材料", "工程材料与机械加工设备", "工程机械"),
        "other": ("其它",),
    },
    "team_kind": {
        "fire_rescue": ("消防", "消防救援", "消防救援队", "综合性消防救援队"),
        "flood_rescue": ("防汛抢险", "抢险队", "防汛抢险队"),
        "militia": ("民兵", "民兵应急", "民兵应急连"),
        "medical": ("医疗", "医疗救护", "医疗队"),
        "social": ("社会救援力量", "志愿者", "社会力量", "蓝天救援队", "志愿者队伍", "社会应急力量"),
        "water_rescue": ("水上救援", "水上救援队", "水域救援"),
        "mine_rescue": ("矿山救护", "矿山救援", "矿山救护队"),
        "forest_fire": ("森林消防", "森林消防队", "扑火队", "半专业扑火队"),
        "other": ("其它",),
    },
    "gauge_kind": {
        "automatic": ("自动站", "自动雨量站", "遥测站", "auto"),
        "hydrological": ("水文站", "水位站", "hydro"),
        "manual": ("人工站", "人工观测", "委托站"),
        "other": ("其它",),
    },
    "water_kind": {
        "river": ("河道", "河道站", "河流", "河道水文站", "河道水位站", "水文站", "水位站", "zq", "zz"),
        "reservoir": ("水库", "水库站", "水库水文站", "水库水位站", "rr"),
    },
    "shelter_kind": {
        "school": ("学校", "中学", "小学"),
        "stadium": ("体育馆", "体育场"),
        "community_center": ("社区中心", "村委会", "社区服务中心", "文化礼堂"),
        "park": ("公园", "绿地"),
        "square": ("广场", "文化广场"),
        "other": ("其他", "其它"),
    },
}

# Codes of each vocabulary, from emergency.vocab (the stored values).
VOCABULARY_CODES: dict[str, tuple[str, ...]] = {name: tuple(codes) for name, codes in vocab.CODE_LISTS.items()}
# A water station is a river or a reservoir station (a schema CHECK): a closed list of the kinds.
VOCABULARY_CODES.setdefault("water_kind", ("river", "reservoir"))

_UNIT_SUFFIX = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_SEPARATORS = re.compile(r"[\s_\-.:：/]+")


def normalize_header(text: str) -> str:
    """Fold a header for matching: drop units in brackets, separators and case.

    Examples
    --------
    >>> normalize_header(" 降雨量(mm) ")
    '降雨量'
    >>> normalize_header("Station_Code")
    'stationcode'
    """
    folded = _UNIT_SUFFIX.sub("", str(text)).strip().lower()
    return _SEPARATORS.sub("", folded.replace("\ufeff", ""))


def normalize_value(text: str) -> str:
    """Fold a vocabulary value for matching: trimmed, case-folded, inner spaces removed."""
    return re.sub(r"\s+", "", str(text)).lower()


def vocabulary(name: str) -> dict[str, str]:
    """Return {normalized spelling: code} for a vocabulary: codes, zh/en labels and synonyms.

    Examples
    --------
    >>> vocabulary("incident_status")["已完成"]
    'closed'
    """
    spellings: dict[str, str] = {}
    for code in VOCABULARY_CODES[name]:
        names = [code, *i18n.CODE_LABELS.get(name, {}).get(code, ()), *VALUE_SYNONYMS.get(name, {}).get(code, ())]
        for spelling in names:
            spellings.setdefault(normalize_value(spelling), code)
    return spellings


def suggest_mapping(kind: Kind, headers: list[str]) -> dict[str, str | None]:  # noqa: C901 - exact, synonym and truncated matches in priority order, kept together
    """Map each field of ``kind`` to the file header that names it, or None.

    A header is used for one field only; fields are matched in their declared order, exact
    field names first, then synonyms in the order listed (so 站码 beats 名称 for a code).

    Parameters
    ----------
    kind : Kind
    headers : list of str
        The file's column names, as read.

    Returns
    -------
    dict
        Field name -> header (or None when no header matches).

    Examples
    --------
    >>> suggest_mapping(KINDS["rainfall"], ["测站编码", "时间", "降雨量(mm)"])
    {'station': '测站编码', 'ts': '时间', 'mm': '降雨量(mm)', 'interval_min': None}
    """
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalize_header(header), header)
    # A unit written onto the end of a header (经济损失元, 雨量mm) does not hide the name.
    for header in headers:
        stripped = _unit_stripped(normalize_header(header))
        if stripped:
            by_norm.setdefault(stripped, header)
    taken: set[str] = set()
    mapping: dict[str, str | None] = {f.name: None for f in kind.fields}

    def take(f: Field, header: str | None) -> bool:
        if header is None or header in taken:
            return False
        mapping[f.name] = header
        taken.add(header)
        return True

    for f in kind.fields:
        any(take(f, by_norm.get(normalize_header(c))) for c in (f.name, *f.synonyms))
    # Shapefile .dbf field names hold 10 bytes, so 行政区划代码 arrives as 行政区划代:
    # a long enough header that starts a synonym stands for it.
    for f in kind.fields:
        if mapping[f.name] is None:
            for candidate in (normalize_header(c) for c in f.synonyms):
                truncated = [
                    h
                    for n, h in by_norm.items()
                    if len(n) >= (DBF_PREFIX_MIN if n.isascii() else DBF_PREFIX_MIN_WIDE) and candidate.startswith(n)
                ]
                if any(take(f, h) for h in truncated):
                    break
    return mapping


# --- units, remembered and look-alike headers ---
# Dimension -> (stored unit, {unit spelling: factor to the stored unit}). A header such as
# 直接经济损失（元） or a cell such as "12.5万元" is converted; the report names each conversion.
UNITS: dict[str, tuple[str, dict[str, float]]] = {
    "money_10k": (
        "万元",
        {"元": 1e-4, "千元": 1e-1, "万元": 1.0, "百万元": 100.0, "亿元": 1e4, "yuan": 1e-4, "10kyuan": 1.0},
    ),
    "mm": ("mm", {"mm": 1.0, "毫米": 1.0, "cm": 10.0, "厘米": 10.0, "m": 1000.0, "米": 1000.0}),
    "people": ("人", {"人": 1.0, "名": 1.0, "万人": 1e4, "persons": 1.0, "people": 1.0}),
    # Levels and elevations (m): a township gauge may report 水位(cm).
    "length_m": ("m", {"m": 1.0, "米": 1.0, "cm": 0.01, "厘米": 0.01, "mm": 0.001, "毫米": 0.001}),
    "volume_1e6m3": (
        "百万m³",
        {
            "百万m³": 1.0,
            "百万m3": 1.0,
            "百万立方米": 1.0,
            "10^6m³": 1.0,
            "10^6m3": 1.0,
            "亿m³": 100.0,
            "亿m3": 100.0,
            "亿立方米": 100.0,
            "万m³": 0.01,
            "万m3": 0.01,
            "万立方米": 0.01,
        },
    ),
    "volume_m3": (
        "m³",
        {"m³": 1.0, "m3": 1.0, "立方米": 1.0, "方": 1.0, "万m³": 1e4, "万m3": 1e4, "万立方米": 1e4, "万方": 1e4},
    ),
}
# Every unit spelling, longest first (万元 before 元), for stripping a unit off a header's end.
_ALL_UNITS = sorted({u for _, table in UNITS.values() for u in table}, key=len, reverse=True)
_BRACKETS = re.compile(r"[（(【\[]([^）)】\]]*)[）)】\]]")
_UNIT_PREFIX = re.compile(r"^(单位|unit)\s*[:：]?\s*", re.IGNORECASE)


def _fold_unit(text: str) -> str:
    return re.sub(r"\s+", "", _UNIT_PREFIX.sub("", text.strip())).lower().replace("㎜", "mm").replace("m^3", "m³")


def header_unit(header: str, f: Field) -> tuple[str, float] | None:
    """Find the unit a header states for a numeric field, and its factor to the stored unit.

    Looks in brackets (降雨量(cm), 损失（单位：元）) and at the end of the header (经济损失元).

    Examples
    --------
    >>> header_unit("直接经济损失（元）", KINDS["incidents"].field("loss_10k_yuan"))
    ('元', 0.0001)
    >>> header_unit("降雨量(mm)", KINDS["rainfall"].field("mm"))
    ('mm', 1.0)
    """
    if f.unit is None:
        return None
    table = {k.lower(): (k, v) for k, v in UNITS[f.unit][1].items()}
    for inside in _BRACKETS.findall(str(header)):
        found = table.get(_fold_unit(inside))
        if found:
            return found
    folded = normalize_header(header)
    for unit in _ALL_UNITS:
        key = unit.lower()
        if folded.endswith(key) and len(folded) > len(key) and key in table:
            stem = folded[: -len(key)]
            if stem in {normalize_header(c) for c in (f.name, *f.synonyms)}:
                return table[key]
    return None


def cell_units(f: Field) -> dict[str, float]:
    """Map each unit spelling (lower-case) a cell of field ``f`` may end in to its factor.

    Such as 万元 in "12.5万元".
    """
    if f.unit is None:
        return {}
    return {k.lower(): v for k, v in UNITS[f.unit][1].items()}


def stored_unit(f: Field) -> str | None:
    """Return the unit a numeric field is stored in (万元, mm, 人), or None."""
    return UNITS[f.unit][0] if f.unit else None


def _unit_stripped(folded: str) -> str | None:
    for unit in _ALL_UNITS:
        key = unit.lower()
        if folded.endswith(key) and len(folded) > len(key) + 1:
            return folded[: -len(key)]
    return None


def merge_mapping(kind: Kind, headers: list[str], *layers: dict[str, str | None] | None) -> dict[str, str | None]:
    """Lay each layer over the automatic mapping in turn (remembered, then given).

    A layer's field set to a header the file lacks is ignored (a remembered mapping of another
    file layout); set to None it un-maps the field. A header a layer takes is taken from the
    field the automatic mapping had given it, so no header feeds two fields.
    """
    mapping = suggest_mapping(kind, headers)
    present = set(headers)
    for layer in layers:
        for name, header in (layer or {}).items():
            if name not in mapping or (header is not None and header not in present):
                continue
            if header is not None:
                for other, used in mapping.items():
                    if used == header and other != name:
                        mapping[other] = None
            mapping[name] = header
    return mapping


def look_alike_headers(kind: Kind, headers: list[str], mapping: dict[str, str | None]) -> list[tuple[str, str]]:
    """Headers left unused that look like a field of ``kind``: (header, field) pairs for the report.

    A header looks like a field when, folded, it contains one of the field's synonyms (two
    characters or more) or one contains it, or it reads close to one (difflib ratio >= 0.75).
    """
    import difflib

    used = {h for h in mapping.values() if h is not None}
    found = []
    for header in headers:
        if header in used or not str(header).strip():
            continue
        folded = normalize_header(header)
        if len(folded) < 2:
            continue
        best = None
        for f in kind.fields:
            for candidate in (normalize_header(c) for c in (f.name, *f.synonyms)):
                if len(candidate) < 2:
                    continue
                if (
                    candidate in folded
                    or (len(folded) >= 3 and folded in candidate)
                    or (difflib.SequenceMatcher(None, folded, candidate).ratio() >= 0.75)
                ):
                    best = f.name
                    break
            if best:
                break
        if best:
            found.append((header, best))
    return found
