"""The one strings table: every UI and report text in Simplified Chinese and English."""

from __future__ import annotations

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

# key -> (zh, en). Keys are grouped by where they appear; format fields use str.format.
STRINGS: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("一图研判", "One Map for Assessment"),
    "app.subtitle": ("县级应急管理态势感知", "County emergency situational awareness"),
    "app.language": ("语言 / Language", "语言 / Language"),
    "app.demo_banner": (
        "演示数据：乡镇边界、站点与各项数字均为合成数据，仅区县外轮廓为真实边界。",
        "Demo data: township boundaries, stations and all figures are synthetic; only the county outline is real.",
    ),
    "app.real_banner": ("数据来源：{county} 实际导入数据。", "Data: imported records of {county}."),
    "app.db_error": (
        "无法打开数据库 {path}：{reason}",
        "Cannot open the database {path}: {reason}",
    ),
    "app.building_demo": ("首次启动，正在生成演示数据…", "First start: building the demo data…"),
    "app.no_data": ("数据库中还没有降雨数据，请先导入。", "The store holds no rainfall yet; import some first."),
    "page.one_map": ("态势一张图", "Situation map"),
    # filter bar
    "filter.header": ("筛选", "Filters"),
    "filter.townships": ("乡镇", "Townships"),
    "filter.townships_all": ("全部乡镇", "All townships"),
    "filter.all": ("全部", "All"),
    "filter.window": ("时间窗口", "Time window"),
    "filter.window_hours": ("最近 {hours} 小时", "Last {hours} h"),
    "filter.window_custom": ("自定义", "Custom"),
    "filter.end": ("截止时间", "End time"),
    "filter.start": ("开始时间", "Start time"),
    "filter.end_date": ("截止日期", "End date"),
    "filter.end_time": ("截止时刻", "End time of day"),
    "filter.start_date": ("开始日期", "Start date"),
    "filter.start_time": ("开始时刻", "Start time of day"),
    "filter.types": ("事件类型", "Incident types"),
    "filter.statuses": ("处置状态", "Status"),
    "filter.period": ("时段：{start} — {end}", "Period: {start} — {end}"),
    "filter.invalid": (
        "链接参数 {name}={value} 无效，已使用默认值。",
        "URL parameter {name}={value} is invalid; the default is used.",
    ),
    "filter.custom_order": (
        "开始时间须早于截止时间，已改用默认时间窗口。",
        "Start must be before end; the default window is used.",
    ),
    "filter.data_range": ("数据时段：{start} — {end}", "Data range: {start} — {end}"),
    # KPIs
    "kpi.rain_max": ("最大累计雨量", "Max accumulated rain"),
    "kpi.rain_max_at": ("最大累计雨量 · {station}", "Max rain · {station}"),
    "kpi.rain_max_help": (
        "时间窗口内各雨量站累计雨量的最大值（毫米），标题中为该站名；变化量与前一等长窗口相比。",
        "Largest accumulated rain of any gauge in the window (mm); change versus the previous window of equal length.",
    ),
    "kpi.rain_mean": ("平均累计雨量", "Mean accumulated rain"),
    "kpi.rain_mean_help": (
        "时间窗口内所选乡镇各雨量站累计雨量的算术平均（毫米）。",
        "Arithmetic mean of the accumulated rain of the selected gauges in the window (mm).",
    ),
    "kpi.incidents": ("事件总数", "Incidents"),
    "kpi.incidents_help": (
        "发生时间在时间窗口内且符合筛选条件的事件数。",
        "Incidents that occurred in the window and match the filters.",
    ),
    "kpi.open": ("未结事件", "Open incidents"),
    "kpi.open_help": (
        "上述事件中状态为待处置或处置中的数量。",
        "Of those incidents, the ones pending or being handled.",
    ),
    "kpi.affected": ("受影响乡镇", "Affected townships"),
    "kpi.affected_help": (
        "时间窗口内至少发生一起事件的乡镇数。",
        "Townships with at least one incident in the window.",
    ),
    "kpi.mm": ("{value:.1f} 毫米", "{value:.1f} mm"),
    # map
    "map.layers": ("图层", "Layers"),
    "map.layer.townships": ("乡镇面雨量", "Township rain"),
    "map.layer.gauges": ("雨量站", "Rain gauges"),
    "map.layer.incidents": ("事件", "Incidents"),
    "map.legend.rain": ("累计雨量（毫米，{scale} 小时等级）", "Accumulated rain (mm, {scale} h scale)"),
    "map.legend.township_rain": (
        "乡镇填色：所含雨量站累计雨量平均值",
        "Township fill: mean accumulated rain of its gauges",
    ),
    "map.legend.incidents": ("事件（颜色 = 状态）", "Incidents (colour = status)"),
    "map.legend.no_rain": ("无降水", "No rain"),
    "map.tooltip.township": ("乡镇", "Township"),
    "map.tooltip.rain": ("累计雨量", "Accumulated rain"),
    "map.tooltip.gauge": ("雨量站", "Gauge"),
    "map.tooltip.incident": ("事件", "Incident"),
    "map.tooltip.status": ("状态", "Status"),
    "map.tooltip.time": ("时间", "Time"),
    "map.tooltip.address": ("地址", "Address"),
    "map.tooltip.type": ("类型", "Type"),
    "map.empty_incidents": ("所选条件下没有事件。", "No incidents match the filters."),
    "map.empty_rain": ("所选时间窗口内没有降雨数据。", "No rainfall data in the selected window."),
    # --- trends, exports and the duty briefing (issue 5) ---
    "page.trends_rain": ("降雨趋势", "Rainfall trends"),
    "page.trends_incidents": ("事件趋势", "Incident trends"),
    "page.trends_resources": ("资源保障", "Resources"),
    "page.briefing": ("值班快报", "Duty briefing"),
    "unit.incidents": ("起", "incidents"),
    "unit.items": ("种", "items"),
    "unit.people": ("人", "people"),
    "chart.bucket_minutes": ("{n} 分钟", "{n} min"),
    "chart.bucket_hours": ("{n} 小时", "{n} h"),
    "chart.bucket_days": ("{n} 天", "{n} d"),
    "chart.time_end": ("时间（时段末）", "Time (end of interval)"),
    "chart.rain_interval": ("时段雨量", "Interval rain"),
    "chart.rain_cumulative": ("累计雨量", "Accumulated rain"),
    "chart.rain_mean": ("面平均雨量", "Areal mean rain"),
    "chart.hyetograph.title": ("降雨过程：{subject}", "Hyetograph: {subject}"),
    "chart.gauge": ("雨量站", "Gauge"),
    "chart.township": ("乡镇", "Township"),
    "chart.warehouse": ("仓库", "Warehouse"),
    "chart.category": ("物资类别", "Category"),
    "chart.grade_legend": ("降水等级（{hours} 小时）", "Rain grade ({hours} h scale)"),
    "chart.measure.total_mm": ("累计雨量", "Accumulated rain"),
    "chart.measure.max_1h_mm": ("最大 1 小时雨量", "Max 1 h rain"),
    "chart.measure.max_3h_mm": ("最大 3 小时雨量", "Max 3 h rain"),
    "chart.measure.max_6h_mm": ("最大 6 小时雨量", "Max 6 h rain"),
    "chart.measure.max_24h_mm": ("最大 24 小时雨量", "Max 24 h rain"),
    "chart.ranking.title": ("雨量站排名：{measure}（前 {n} 站）", "Gauge ranking: {measure} (top {n})"),
    "chart.heat.title": ("乡镇逐时段面雨量（{bucket}）", "Township rain per {bucket}"),
    "chart.compare.title": ("乡镇累计面雨量对比", "Accumulated township rain compared"),
    "chart.township_rain.title": ("各乡镇面平均累计雨量", "Mean accumulated rain per township"),
    "chart.incident_count": ("事件数（起）", "Incidents"),
    "chart.by.type": ("事件类型", "Type"),
    "chart.by.status": ("处置状态", "Status"),
    "chart.by.township": ("乡镇", "Township"),
    "chart.incidents_time.title": ("事件数随时间（按{by}，每 {bucket}）", "Incidents over time by {by} (per {bucket})"),
    "chart.incidents_township.title": ("各乡镇事件数（按类型）", "Incidents per township by type"),
    "chart.incidents_status.title": ("事件处置状态", "Incidents by status"),
    "chart.backlog.title": ("未结与已结事件累计", "Open versus closed incidents"),
    "chart.backlog.open": ("未结（待处置 + 处置中）", "Open (pending + in progress)"),
    "chart.backlog.closed": ("已处置", "Closed"),
    "chart.stock_warehouse.title": ("各仓库储备物资品种（按类别）", "Items held per warehouse by category"),
    "chart.stock_item.title": ("物资储备总量（按品名）", "Total stock per item"),
    "chart.stock.items": ("物资品种数（种）", "Items held"),
    "chart.stock.item": ("物资（单位）", "Item (unit)"),
    "chart.stock.total": ("总量", "Total"),
    "chart.stock.total_log": ("总量（各自单位，对数刻度）", "Total (own units, log scale)"),
    "chart.stock.warehouses": ("储备仓库数", "Warehouses holding it"),
    "chart.stock.below": ("低于最低储备", "Below minimum"),
    "chart.stock.below_warehouses": ("低于最低储备的仓库", "Warehouses below minimum"),
    "chart.shelter.title": ("各乡镇避难场所容量与安置人数", "Shelter capacity and occupancy per township"),
    "chart.shelter.capacity": ("容纳能力", "Capacity"),
    "chart.shelter.occupancy": ("已安置", "Occupancy"),
    "chart.shelter.over": ("超出容量", "Over capacity"),
    "chart.shelter.count": ("场所数", "Shelters"),
    "chart.shelter.people": ("人数（人）", "People"),
    "chart.map.title": ("态势图：乡镇面雨量与事件分布", "Situation: township rain and incidents"),
    "chart.map.incidents": ("事件（颜色 = 状态）", "Incidents (colour = status)"),
    "chart.county_mean": ("全县面雨量", "County areal mean"),
    "chart.area_mean": ("所选乡镇面雨量", "Selected townships, areal mean"),
    "export.all_townships": ("全县", "county"),
    "export.more_townships": ("{names}等{n}个乡镇", "{names}-and-{n}-townships"),
    "col.ts": ("时间", "Time"),
    "col.mm": ("雨量（毫米）", "Rain (mm)"),
    "col.cumulative_mm": ("累计雨量（毫米）", "Accumulated (mm)"),
    "col.gauges": ("报送站数", "Gauges reporting"),
    "col.station": ("站号", "Station code"),
    "col.station_name": ("站名", "Station"),
    "col.interval_min": ("时段（分钟）", "Interval (min)"),
    "col.code": ("编码", "Code"),
    "col.name": ("名称", "Name"),
    "col.township": ("乡镇编码", "Township code"),
    "col.total_mm": ("累计雨量（毫米）", "Accumulated (mm)"),
    "col.max_1h_mm": ("最大1小时雨量（毫米）", "Max 1 h (mm)"),
    "col.max_3h_mm": ("最大3小时雨量（毫米）", "Max 3 h (mm)"),
    "col.max_6h_mm": ("最大6小时雨量（毫米）", "Max 6 h (mm)"),
    "col.max_24h_mm": ("最大24小时雨量（毫米）", "Max 24 h (mm)"),
    "col.max_1h_at": ("最大1小时雨量时间", "Wettest hour (end)"),
    "col.mean_mm": ("面平均雨量（毫米）", "Areal mean (mm)"),
    "col.max_mm": ("最大站雨量（毫米）", "Max gauge (mm)"),
    "col.key": ("分类", "Group"),
    "col.incidents": ("事件数", "Incidents"),
    "col.open": ("未结", "Open"),
    "col.closed": ("已结", "Closed"),
    "col.loss_10k_yuan": ("直接经济损失（万元）", "Loss (10k yuan)"),
    "col.description": ("描述", "Description"),
    "col.source": ("来源", "Source"),
    "col.updated_at": ("更新时间", "Updated"),
    "col.lon": ("经度", "Longitude"),
    "col.lat": ("纬度", "Latitude"),
    "col.warehouse": ("仓库", "Warehouse"),
    "col.item": ("物资", "Item"),
    "col.category": ("类别", "Category"),
    "col.quantity": ("数量", "Quantity"),
    "col.unit": ("单位", "Unit"),
    "col.minimum": ("最低储备", "Minimum"),
    "col.shortfall": ("缺口", "Shortfall"),
    "col.items": ("品种数", "Items"),
    "col.below_minimum": ("低于最低储备", "Below minimum"),
    "col.warehouses": ("仓库数", "Warehouses"),
    "col.shelters": ("场所数", "Shelters"),
    "col.capacity": ("容纳能力（人）", "Capacity"),
    "col.occupancy": ("已安置（人）", "Occupancy"),
    "col.free": ("剩余容量（人）", "Free"),
    "col.occupancy_rate": ("使用率", "Occupancy rate"),
    # table columns
    "col.id": ("编号", "ID"),
    "col.occurred_at": ("发生时间", "Occurred"),
    "col.type": ("类型", "Type"),
    "col.status": ("状态", "Status"),
    "col.township_name": ("乡镇", "Township"),
    "col.address": ("地址", "Address"),
    "col.deaths": ("死亡", "Deaths"),
    "col.injured": ("受伤", "Injured"),
    "col.missing": ("失踪", "Missing"),
    "col.trapped": ("被困", "Trapped"),
    # units
    "unit.mm": ("毫米", "mm"),
}

# Display labels of stored codes (emergency.vocab), per vocabulary.
CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "incident_type": {
        "flood": ("洪涝", "Flood"),
        "flash_flood": ("山洪", "Flash flood"),
        "landslide": ("滑坡", "Landslide"),
        "debris_flow": ("泥石流", "Debris flow"),
        "waterlogging": ("内涝", "Waterlogging"),
        "collapse": ("房屋倒塌", "Building collapse"),
        "traffic": ("交通中断", "Road blocked"),
        "other": ("其他", "Other"),
    },
    "incident_status": {
        "pending": ("待处置", "Pending"),
        "active": ("处置中", "In progress"),
        "closed": ("已处置", "Closed"),
    },
    "hazard_kind": {
        "flash_flood": ("山洪", "Flash flood"),
        "landslide": ("滑坡", "Landslide"),
        "debris_flow": ("泥石流", "Debris flow"),
        "waterlogging": ("内涝", "Waterlogging"),
    },
    "stock_category": {
        "flood_control": ("防汛物资", "Flood control"),
        "rescue_equipment": ("救援装备", "Rescue equipment"),
        "living": ("生活类物资", "Living supplies"),
        "medical": ("医疗物资", "Medical"),
        "power_comms": ("电力通信", "Power & comms"),
    },
    "team_kind": {
        "fire_rescue": ("综合性消防救援队伍", "Fire & rescue"),
        "flood_rescue": ("防汛抢险队伍", "Flood rescue"),
        "militia": ("民兵应急分队", "Militia"),
        "medical": ("医疗救护队伍", "Medical"),
        "social": ("社会应急力量", "Volunteer rescue"),
    },
    "rain_grade": {
        "light": ("小雨", "Light"),
        "moderate": ("中雨", "Moderate"),
        "heavy": ("大雨", "Heavy"),
        "rainstorm": ("暴雨", "Rainstorm"),
        "heavy_rainstorm": ("大暴雨", "Heavy rainstorm"),
        "extreme_rainstorm": ("特大暴雨", "Extreme rainstorm"),
    },
}


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fields) -> str:
    """Return the text for ``key`` in ``lang``, formatted with ``fields``.

    A missing key raises KeyError so that typos fail in tests, not on screen.
    """
    text = STRINGS[key][_index(lang)]
    return text.format(**fields) if fields else text


def label(vocabulary: str, code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the display label of a stored code; unknown codes are shown as they are."""
    pair = CODE_LABELS[vocabulary].get(code)
    return pair[_index(lang)] if pair else str(code)


def labels(vocabulary: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Return {code: label} for a whole vocabulary, in its defined order."""
    return {code: pair[_index(lang)] for code, pair in CODE_LABELS[vocabulary].items()}
