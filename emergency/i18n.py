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
    "filter.grades": ("事件等级", "Incident grade"),
    "filter.grades_help": (
        (
            "按死亡（含失踪）、重伤和直接经济损失定级（一般/较大/重大/特别重大），"
            "阈值可在预警研判页调整；选择后事件列表、地图和事件指标只含所选等级。"
        ),
        (
            "Graded by deaths (incl. missing), serious injuries and direct loss (general/large/major/especially major);"
            " thresholds are set on the warning page. When set, the incident list, map and incident figures keep only"
            " these grades."
        ),
    ),
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
    "kpi.serious": ("较大及以上事件", "Large or worse"),
    "kpi.serious_help": (
        (
            "时间窗口内按各自类型的分级标准定级为较大（地质灾害为中型）及以上的事件数：生产安全事故按国务院令第493号"
            "（死亡含失踪、重伤、直接经济损失），"
            "地质灾害按《地质灾害防治条例》第四条；洪涝等无国家分级标准的类型为“未分级”，不计入。"
        ),
        (
            "Incidents in the window graded large (geological: medium) or worse on their own type's scale: production"
            " safety by State Council Decree 493 (deaths incl. missing, seriously injured, direct loss), geological"
            " disasters by the Regulations art. 4; types without a national scale (floods ...) are not graded and not"
            " counted."
        ),
    ),
    "kpi.signals": ("暴雨预警乡镇", "Townships under signal"),
    "kpi.signals_help": (
        (
            "时间窗口截止时刻处于暴雨预警信号（蓝/黄/橙/红，按 3/6/12 小时滑动雨量）的乡镇数；"
            "变化量与前一窗口截止时刻相比。"
        ),
        (
            "Townships under a rainstorm signal (blue/yellow/orange/red from rolling 3/6/12 h rain) at the window end;"
            " change versus the previous window's end."
        ),
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
    "map.metric": ("乡镇填色指标", "Township colour"),
    "map.metric.rain_mean": ("面雨量", "Mean rain"),
    "map.metric.max_1h": ("最大 1 小时雨强", "Max 1 h rain"),
    "map.metric.max_3h": ("最大 3 小时雨量", "Max 3 h rain"),
    "map.metric.incidents": ("事件数", "Incidents"),
    "map.metric.open_incidents": ("未结", "Open"),
    "map.metric.hazard_people": ("隐患点受威胁人数", "People at hazard points"),
    "map.layer.warehouses": ("物资仓库", "Warehouses"),
    "map.layer.teams": ("救援队伍", "Rescue teams"),
    "map.layer.shelters": ("避难场所", "Shelters"),
    "map.layer.hazards": ("隐患点", "Hazard points"),
    "map.legend.scale": ("按 {scale} 小时雨量等级", "graded on the {scale} h scale"),
    "map.legend.same_scale": ("；雨量站与插值面同此色阶", "; gauges and rain surface use the same colours"),
    "map.legend.aggregated": (
        "点数过多，已在数据库中按约 {km} 公里网格聚合，圆越大数量越多",
        "Too many points: aggregated in the database into ~{km} km cells; larger circle = more",
    ),
    "map.legend.incident_types": ("事件类型（填色）", "Incident type (fill)"),
    "map.legend.incident_ring": ("处置状态（外圈）", "Status (ring)"),
    "map.legend.incident_size": (
        "圆点大小：伤亡、失踪与被困人数",
        "Dot size: people killed, injured, missing or trapped",
    ),
    "map.legend.resources": ("应急资源", "Resources"),
    "map.legend.warehouses": ("物资仓库（大小 = 库存总量）", "Warehouse (size = total stock)"),
    "map.legend.shelters": ("避难场所（大小 = 剩余容量）", "Shelter (size = free places)"),
    "map.legend.teams": ("救援队伍（大小 = 人数）", "Rescue teams (size = members)"),
    "map.legend.hazards": ("隐患点（大小 = 受威胁人数）", "Hazard points (size = people exposed)"),
    "map.tooltip.items": ("物资品种", "Items"),
    "map.tooltip.quantity": ("库存总量", "Total quantity"),
    "map.tooltip.kind": ("类别", "Kind"),
    "map.tooltip.members": ("人数", "Members"),
    "map.tooltip.free": ("剩余/总容量", "Free / capacity"),
    "map.tooltip.name": ("名称", "Name"),
    "map.tooltip.people": ("受威胁人数", "People exposed"),
    "map.tooltip.gauges": ("站数", "Gauges"),
    "map.tooltip.count": ("个数", "Count"),
    "map.tooltip.grade": ("等级", "Grade"),
    "map.metric.signal": ("暴雨预警", "Rainstorm signal"),
    "map.legend.no_signal": ("无预警", "No signal"),
    "map.legend.signal_note": (
        "窗口截止时刻的暴雨预警信号（3/6/12 小时滑动雨量，阈值见预警研判页）",
        "Rainstorm signal at the window end (rolling 3/6/12 h rain; thresholds on the warning page)",
    ),
    "map.legend.incident_grade": ("较大及以上事件（外环 = 等级）", "Large or worse (halo = grade)"),
    "map.tooltip.stale": ("已中断报数", "Silent for"),
    "map.tooltip.never": ("从未报数", "never reported"),
    "map.legend.stale": ("品红外圈：超过 {minutes} 分钟无报数", "Magenta ring: no report for over {minutes} min"),
    "map.legend.gauge_size": ("填色为雨量等级，大小为累计雨量", "Fill = rain grade, size = accumulated rain"),
    "map.tooltip.rain_max": ("最大累计雨量", "Max accumulated rain"),
    # detail panel
    "detail.hint": (
        "点击地图上的乡镇、雨量站、事件或资源，在此查看详情。点击乡镇同时按该乡镇筛选。",
        (
            "Click a township, gauge, incident or resource on the map to see its details here. Clicking a township also"
            " filters by it."
        ),
    ),
    "detail.close": ("关闭详情", "Close details"),
    "detail.gone": ("所选对象不在当前数据中。", "The selected object is not in the current data."),
    "detail.field": ("项目", "Field"),
    "detail.value": ("内容", "Value"),
    "detail.elevation": ("海拔（米）", "Elevation (m)"),
    "detail.reports": ("时段内报数", "Reports in window"),
    "detail.loss": ("直接经济损失（万元）", "Direct loss (10k yuan)"),
    "detail.description": ("情况描述", "Description"),
    "detail.source": ("来源", "Source"),
    "detail.updated_at": ("更新时间", "Updated"),
    "detail.manager": ("负责人", "Manager"),
    "detail.leader": ("队长", "Leader"),
    "detail.phone": ("电话", "Phone"),
    "detail.capacity": ("容量（人）", "Capacity"),
    "detail.occupancy": ("已安置（人）", "Occupied"),
    "detail.households": ("户数", "Households"),
    "detail.critical_1h": ("临界雨量 1 小时（毫米）", "Critical 1 h rain (mm)"),
    "detail.critical_3h": ("临界雨量 3 小时（毫米）", "Critical 3 h rain (mm)"),
    "detail.critical_24h": ("临界雨量 24 小时（毫米）", "Critical 24 h rain (mm)"),
    "detail.stock.item": ("物资", "Item"),
    "detail.stock.category": ("类别", "Category"),
    "detail.stock.quantity": ("数量", "Quantity"),
    "detail.stock.unit": ("单位", "Unit"),
    "detail.stock.updated_at": ("更新时间", "Updated"),
    "map.empty_rain": ("所选时间窗口内没有降雨数据。", "No rainfall data in the selected window."),
    # --- trends, exports and the duty briefing ---
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
    "export.sheet.incidents": ("事件", "Incidents"),
    "export.sheet.ranking": ("雨量站统计", "Gauge totals"),
    "export.sheet.rainfall": ("逐小时雨量", "Hourly rainfall"),
    "col.reports": ("报送次数", "Reports"),
    "export.sheet.stock": ("物资储备", "Stock"),
    "export.sheet.shelters": ("避难场所", "Shelters"),
    "export.data_subject": ("筛选数据", "filtered-data"),
    "export.png": ("PNG 图片", "PNG image"),
    "export.svg": ("SVG 矢量图", "SVG vector"),
    "export.csv": ("CSV 数据", "CSV data"),
    "export.xlsx": ("Excel 数据", "Excel data"),
    "export.help": (
        "图片在点击时生成；CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开；以 = + - @ 开头的单元格已加 ' 防止公式注入。",
        (
            "Images are drawn on click; CSV is UTF-8 with BOM for Excel; cells starting with = + - @ get a leading '"
            " against formula injection."
        ),
    ),
    "trends.rain.subject": ("降雨过程对象", "Hyetograph of"),
    "trends.rain.ranking_measure": ("排名指标", "Rank by"),
    "trends.rain.ranking_table": ("全部雨量站排名", "All gauges ranked"),
    "trends.rain.compare": ("对比乡镇", "Townships to compare"),
    "trends.rain.compare_hint": (
        "默认对比累计雨量最大的 {n} 个乡镇。",
        "By default the {n} wettest townships are compared.",
    ),
    "trends.rain.heat_help": (
        "每格为该乡镇各雨量站在该时段雨量的平均值，颜色按时段长度的降水等级。",
        "Each cell is the mean of the township's gauges over the interval, coloured by the grade for its length.",
    ),
    "trends.empty_series": ("所选时间窗口内没有降雨数据。", "No rainfall data in the selected window."),
    "trends.incidents.by": ("分组", "Group by"),
    "trends.incidents.latest": ("最新事件", "Latest incidents"),
    "trends.incidents.latest_help": (
        "点选一行，可在态势一张图中查看该事件所在乡镇。",
        "Select a row to open its township on the situation map.",
    ),
    "trends.incidents.open_on_map": (
        "在态势一张图中查看 {id}（{township}）",
        "Show {id} ({township}) on the situation map",
    ),
    "trends.incidents.filters_on_map": ("在态势一张图中查看当前筛选", "Open the current filters on the situation map"),
    "trends.incidents.backlog_help": (
        "已处置事件按其最后更新时间计为关闭（系统不保存状态变更历史）。",
        "A closed incident counts as closed from its last update (no status history is stored).",
    ),
    "trends.resources.below": ("低于最低储备的物资", "Stock below minimum"),
    "trends.resources.none_below": ("所有物资均不低于最低储备。", "No stock is below its minimum."),
    "trends.resources.no_minimums": ("尚未设置最低储备。", "No minimum stock levels are configured."),
    "trends.resources.minimums": ("设置最低储备（每个仓库）", "Minimum stock per warehouse"),
    "trends.resources.minimums_help": (
        "每行一个物资：名称须与库存中的物资名一致，最低储备适用于每个储备该物资的仓库。",
        "One row per item: the name must match the stock item; the minimum applies to every warehouse holding it.",
    ),
    "trends.resources.save": ("保存最低储备", "Save minimums"),
    "trends.resources.saved": ("已保存 {n} 项最低储备。", "Saved {n} minimum levels."),
    "trends.resources.invalid": ("未保存：{reason}", "Not saved: {reason}"),
    "briefing.intro": (
        "按当前筛选条件（时段、乡镇、事件类型与状态）一键生成值班快报：Word 与 PDF 各一份。",
        (
            "One click builds the duty briefing for the current filters (window, townships, types, status) as Word and"
            " PDF."
        ),
    ),
    "briefing.build": ("生成值班快报", "Build the duty briefing"),
    "briefing.ready": ("值班快报已生成（{time}）。", "Briefing ready ({time})."),
    "briefing.stale": ("筛选条件已变化，请重新生成。", "The filters changed; build it again."),
    "briefing.download_docx": ("下载 Word（DOCX）", "Download Word (DOCX)"),
    "briefing.download_pdf": ("下载 PDF", "Download PDF"),
    "briefing.failed": ("生成失败：{reason}", "Could not build the briefing: {reason}"),
    "briefing.data_header": ("数据导出", "Data export"),
    "briefing.data_help": (
        "当前筛选条件下的事件、雨量站统计、逐小时雨量、物资储备与避难场所，每类一个工作表。",
        "The filtered incidents, gauge totals, hourly rainfall, stock and shelters, one sheet each.",
    ),
    "briefing.data_download": ("下载筛选数据（XLSX）", "Download filtered data (XLSX)"),
    "briefing.title": ("{county}防汛值班快报", "{county} duty briefing"),
    "briefing.issuer": ("发布单位：{unit}　　生成时间：{time}", "Issued by: {unit}    Generated: {time}"),
    "briefing.unit_placeholder": ("（发布单位待配置）", "(issuing unit not configured)"),
    "briefing.period": ("统计时段：{start} — {end}（{hours} 小时）", "Period: {start} — {end} ({hours} h)"),
    "briefing.scope": ("统计范围：{scope}", "Area: {scope}"),
    "briefing.types": ("事件类型：{names}", "Incident types: {names}"),
    "briefing.statuses": ("处置状态：{names}", "Status: {names}"),
    "briefing.h.overview": ("一、总体情况", "1. Overview"),
    "briefing.h.rain": ("二、雨情", "2. Rainfall"),
    "briefing.h.incidents": ("三、灾情与处置", "3. Incidents and response"),
    "briefing.h.open": ("未结事件清单（{n} 起）", "Open incidents ({n})"),
    "briefing.h.resources": ("四、物资与避难场所", "4. Supplies and shelters"),
    "briefing.col.measure": ("指标", "Measure"),
    "briefing.col.value": ("数值", "Value"),
    "briefing.rain_summary": (
        (
            "{gauges} 个雨量站有报送，面平均累计雨量 {mean} 毫米，最大 {max} 毫米（{station}）；最大 1 小时雨量 {max1h}"
            " 毫米（{station1h}）。"
        ),
        (
            "{gauges} gauges reported; areal mean {mean} mm, maximum {max} mm ({station}); largest 1 h rain {max1h} mm"
            " ({station1h})."
        ),
    ),
    "briefing.rain_storms": (
        "累计雨量达暴雨（≥ 50 毫米）以上的站点 {n} 个。",
        " {n} gauges reached rainstorm level (≥ 50 mm).",
    ),
    "briefing.incident_summary": (
        (
            "共发生事件 {total} 起（{statuses}）；死亡 {deaths} 人，受伤 {injured} 人，失踪 {missing} 人，被困"
            " {trapped} 人。"
        ),
        "{total} incidents ({statuses}); {deaths} dead, {injured} injured, {missing} missing, {trapped} trapped.",
    ),
    "briefing.none_open": ("无未结事件。", "No open incidents."),
    "briefing.more_open": (
        "另有 {n} 起未结事件未列出，详见系统。",
        "{n} more open incidents are not listed; see the system.",
    ),
    "briefing.stock_summary": (
        "{warehouses} 个仓库储备 {items} 种物资，{below} 项低于最低储备：",
        "{warehouses} warehouses hold {items} items; {below} stock lines are below their minimum:",
    ),
    "briefing.shelter_summary": (
        "避难场所 {shelters} 处，可容纳 {capacity} 人，已安置 {occupancy} 人，剩余容量 {free} 人。",
        "{shelters} shelters for {capacity} people hold {occupancy}; {free} places free.",
    ),
    "briefing.footer": (
        "本快报由“一图研判”根据当前筛选条件自动生成，数据以系统实时数据为准。",
        "Generated by One Map for Assessment from the current filters; the live system data prevails.",
    ),
    "briefing.step.query": ("正在查询数据…", "Querying the store…"),
    "briefing.step.map": ("正在绘制态势图…", "Drawing the situation map…"),
    "briefing.step.charts": ("正在绘制图表…", "Drawing the charts…"),
    "briefing.step.resources": ("正在汇总物资与避难场所…", "Summarizing supplies and shelters…"),
    "briefing.step.docx": ("正在生成 Word 文档…", "Writing the Word document…"),
    "briefing.step.pdf": ("正在生成 PDF…", "Writing the PDF…"),
    "briefing.step.done": ("已生成。", "Done."),
    "trends.empty_stock": ("所选乡镇没有物资储备记录。", "No stock recorded in the selected townships."),
    "trends.empty_shelters": ("所选乡镇没有避难场所记录。", "No shelters recorded in the selected townships."),
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
    # --- data import ---
    "page.import_data": ("数据导入", "Data import"),
    "ingest.intro": (
        (
            "上传各部门的数据文件（CSV、Excel、GeoJSON、Shapefile、GeoPackage），预览、确认表头对应、"
            "查看校验报告后一次性入库；不合格的行进入隔离区。"
        ),
        (
            "Upload a department's file (CSV, Excel, GeoJSON, Shapefile, GeoPackage), preview it, confirm the header"
            " mapping, read the validation report, then commit in one go; rejected rows go to quarantine."
        ),
    ),
    "ingest.tab.import": ("导入文件", "Import a file"),
    "ingest.tab.quarantine": ("隔离区", "Quarantine"),
    "ingest.tab.freshness": ("数据时效", "Data freshness"),
    "ingest.tab.log": ("导入记录", "Import log"),
    "ingest.upload": (
        "选择文件（Shapefile 请选 .zip 或同时选择 .shp/.shx/.dbf/.prj/.cpg）",
        "Choose a file (for a Shapefile, a .zip or all of .shp/.shx/.dbf/.prj/.cpg)",
    ),
    "ingest.kind": ("数据类别", "Kind of data"),
    "ingest.crs": ("坐标系", "Coordinate system"),
    "ingest.crs_help": (
        (
            "文件中坐标的坐标系；GIS 文件默认读取 .prj。高德/腾讯坐标为 GCJ-02，百度坐标为 BD-09，投影坐标请填 EPSG"
            " 代码（如 EPSG:4548）。"
        ),
        (
            "Coordinate system of the file's coordinates; GIS files default to their .prj. Amap/Tencent use GCJ-02,"
            " Baidu BD-09; for projected coordinates enter an EPSG code (e.g. EPSG:4548)."
        ),
    ),
    "ingest.crs.file": ("按文件（.prj）/ WGS84", "From the file (.prj) / WGS84"),
    "ingest.crs.other": ("其他 EPSG 代码", "Other EPSG code"),
    "ingest.epsg": ("EPSG 代码", "EPSG code"),
    "ingest.encoding": ("文字编码", "Text encoding"),
    "ingest.encoding.auto": ("自动识别", "Detect"),
    "ingest.sheet": ("工作表 / 图层", "Sheet / layer"),
    "ingest.source": ("数据来源单位", "Source department"),
    "ingest.source_help": (
        "如：区水利局、区气象局、自然资源局、民政局、某乡镇",
        "e.g. water bureau, weather bureau, natural resources, civil affairs, a township",
    ),
    "ingest.preview": ("预览（前 {n} 行）", "Preview (first {n} rows)"),
    "ingest.file_facts": (
        "格式 {format} · 编码 {encoding} · 坐标系 {crs} · 共 {columns} 列",
        "Format {format} · encoding {encoding} · CRS {crs} · {columns} columns",
    ),
    "ingest.mapping": ("表头对应（已自动识别，可修改）", "Header mapping (detected automatically; change if needed)"),
    "ingest.mapping_none": ("（无）", "(none)"),
    "ingest.required": ("必填", "required"),
    "ingest.from_geometry": ("取自几何", "from geometry"),
    "ingest.validate": ("校验", "Validate"),
    "ingest.report": ("校验报告", "Validation report"),
    "ingest.total": ("总行数", "Rows"),
    "ingest.accepted": ("通过", "Accepted"),
    "ingest.rejected": ("拒收", "Rejected"),
    "ingest.inserted": ("新增", "New"),
    "ingest.updated": ("更新", "Updated"),
    "ingest.unchanged": ("无变化", "Unchanged"),
    "ingest.rejects": ("拒收的行及原因", "Rejected rows and reasons"),
    "ingest.rejects_more": (
        "仅显示前 {shown} 行，全部 {total} 行入库后可在隔离区查看和下载。",
        "Showing the first {shown}; all {total} are in the quarantine after the commit.",
    ),
    "ingest.download_rejects": ("下载拒收行（CSV）", "Download rejected rows (CSV)"),
    "ingest.commit": ("确认入库", "Commit"),
    "ingest.nothing": (
        "没有可入库的行；确认后仅记录导入并将各行放入隔离区。",
        "No row can be imported; committing only logs the file and quarantines its rows.",
    ),
    "ingest.committed": (
        (
            "已入库：{file}，通过 {accepted} 行（新增 {inserted}，更新 {updated}，无变化 {unchanged}），拒收 {rejected}"
            " 行。导入编号 {id}。"
        ),
        (
            "Imported {file}: {accepted} accepted ({inserted} new, {updated} updated, {unchanged} unchanged),"
            " {rejected} rejected. Import #{id}."
        ),
    ),
    "ingest.stage.read": ("读取文件…", "Reading the file…"),
    "ingest.stage.validate": ("逐行校验…", "Checking rows…"),
    "ingest.stage.write": ("写入数据库…", "Writing…"),
    "ingest.stage.commit": ("提交事务…", "Committing…"),
    "ingest.stage.done": ("完成", "Done"),
    "ingest.quarantine_empty": ("隔离区为空。", "The quarantine is empty."),
    "ingest.quarantine_filter": ("按文件筛选", "Filter by file"),
    "ingest.download_quarantine": ("下载隔离区（CSV）", "Download the quarantine (CSV)"),
    "ingest.freshness_sources": ("各来源最新数据时间", "Latest data time per source"),
    "ingest.freshness_gauges": ("各雨量站最新数据时间", "Latest data time per gauge"),
    "ingest.stale_after": ("超过多少分钟未报视为迟报", "Minutes without a report before a gauge is stale"),
    "ingest.stale_gauges": ("迟报雨量站：{n} 个（截至 {as_of}）", "Stale gauges: {n} (as of {as_of})"),
    "ingest.no_stale": ("截至 {as_of} 所有雨量站均按时上报。", "As of {as_of} every gauge has reported in time."),
    "ingest.log_empty": ("还没有导入记录。", "No import yet."),
    "ingest.note.no_county": (
        "数据库中没有区县边界，未做区域范围检查。",
        "The store has no county outline; coordinates were not checked against it.",
    ),
    "ingest.note.interval_inferred": (
        "文件无时段长列，已按各站相邻记录间隔推断。",
        "No interval column: each station's interval was inferred from its report spacing.",
    ),
    "ingest.note.township_assigned": (
        "缺少乡镇的行已按坐标落点自动归属乡镇。",
        "Rows without a township were assigned one by point-in-polygon.",
    ),
    "ingest.note.no_prj": (
        "Shapefile 缺少 .prj，按所选坐标系（默认 WGS84）处理。",
        "The Shapefile has no .prj; the chosen system (default WGS84) is used.",
    ),
    "ingest.col.source": ("来源", "Source"),
    "ingest.col.latest": ("最新数据时间", "Latest data time"),
    "ingest.col.age_min": ("距今（分钟）", "Age (min)"),
    "ingest.col.row_number": ("行号", "Row"),
    "ingest.col.reason": ("原因", "Reason"),
    "ingest.col.field": ("字段", "Field"),
    "ingest.col.value": ("值", "Value"),
    "ingest.col.raw": ("原始行", "Raw row"),
    "ingest.col.file_name": ("文件", "File"),
    "ingest.col.kind": ("类别", "Kind"),
    "ingest.col.accepted": ("通过", "Accepted"),
    "ingest.col.rejected": ("拒收", "Rejected"),
    "ingest.col.user": ("操作人", "Operator"),
    "ingest.col.time": ("导入时间", "Imported at"),
    "ingest.col.gauge": ("雨量站", "Gauge"),
    "ingest.col.township": ("乡镇", "Township"),
    "ingest.col.rows": ("行数", "Rows"),
    "ingest.col.stale": ("迟报", "Stale"),
    "ingest.quarantine_all": ("全部文件", "All files"),
    "ingest.kind.townships": ("乡镇边界", "Townships (polygons)"),
    "ingest.kind.rain_gauges": ("雨量站", "Rain gauges"),
    "ingest.kind.rainfall": ("降雨量", "Rainfall"),
    "ingest.kind.incidents": ("灾情事件", "Incidents"),
    "ingest.kind.warehouses": ("物资仓库", "Warehouses"),
    "ingest.kind.stock": ("库存物资", "Stock"),
    "ingest.kind.teams": ("救援队伍", "Rescue teams"),
    "ingest.kind.shelters": ("避难场所", "Shelters"),
    "ingest.kind.hazard_points": ("隐患点", "Hazard points"),
    "ingest.error.where": ("文件 {file}：", "File {file}: "),
    "ingest.error.where_row": ("文件 {file} 第 {row} 行：", "File {file}, row {row}: "),
    "ingest.error.empty": ("文件是空的。{detail}", "the file is empty. {detail}"),
    "ingest.error.no_header": ("找不到表头行。", "no header row found."),
    "ingest.error.no_rows": ("只有表头，没有数据行。", "only a header, no data rows."),
    "ingest.error.binary": (
        "不是文本文件（含二进制内容），请确认文件格式。",
        "not a text file (binary content); check the format.",
    ),
    "ingest.error.encoding": (
        "无法识别文字编码，请手动选择编码（如 GBK）。",
        "cannot tell the text encoding; choose one (e.g. GBK).",
    ),
    "ingest.error.unknown_encoding": ("不认识的编码 {detail}。", "unknown encoding {detail}."),
    "ingest.error.decode": (
        "文字编码不符（{detail}），请改选编码（如 GBK 或 UTF-8）。",
        "the text does not match the encoding ({detail}); choose another (e.g. GBK or UTF-8).",
    ),
    "ingest.error.truncated": (
        "文件末尾不完整（{detail}），可能传输中断。",
        "the file ends mid-character ({detail}); it may be truncated.",
    ),
    "ingest.error.malformed": (
        "表格结构错误（列数不一致或引号不配对）：{detail}",
        "malformed table (field count or quotes): {detail}",
    ),
    "ingest.error.unreadable": ("无法读取：{detail}", "cannot be read: {detail}"),
    "ingest.error.format": ("不支持的文件类型 {detail}。", "unsupported file type {detail}."),
    "ingest.error.missing_file": ("文件不存在。", "the file does not exist."),
    "ingest.error.no_sheet": ("没有这个工作表/图层：{detail}", "no such sheet/layer: {detail}"),
    "ingest.error.shapefile_part": (
        "Shapefile 缺少组成文件 {detail}（.shp、.shx、.dbf 缺一不可）。",
        "the Shapefile lacks {detail} (.shp, .shx and .dbf are all needed).",
    ),
    "ingest.error.missing_columns": (
        "缺少必需的列：{detail}。请检查表头或手动指定对应关系。",
        "required columns missing: {detail}. Check the header or map the columns.",
    ),
    "ingest.error.unknown_column": (
        "对应关系中的列不存在：{detail}",
        "the mapping names a column the file lacks: {detail}",
    ),
    "ingest.error.unknown_kind": ("未知的数据类别：{detail}", "unknown kind: {detail}"),
    "ingest.error.crs": ("坐标系无效：{detail}", "invalid coordinate system: {detail}"),
    "ingest.error.store": (
        "写入数据库失败，未做任何修改：{detail}",
        "writing to the store failed; nothing was changed: {detail}",
    ),
    "ingest.error.locked": (
        (
            "数据库 {detail} 正被运行中的一图研判应用使用。请在应用的“数据导入”页面上传该文件，或加 --queue"
            " 交给应用导入，或先停止应用再用命令行导入。"
        ),
        (
            "The store {detail} is in use by the running app. Upload the file on the app's Data import page, add"
            " --queue to hand it to the app, or stop the app and import from the command line."
        ),
    ),
    "ingest.queued": (
        "数据库正被应用使用，已将 {file} 放入收件箱（{path}），在应用中打开“数据导入”页面时导入。",
        (
            "The app holds the store: {file} is queued in its inbox ({path}) and is imported when the Data import page"
            " is next opened."
        ),
    ),
    "ingest.inbox_done": (
        "已导入命令行排队的 {file}：通过 {accepted} 行，拒收 {rejected} 行（导入编号 {id}）。",
        "Imported the queued {file}: {accepted} accepted, {rejected} rejected (import #{id}).",
    ),
    "ingest.inbox_failed": ("命令行排队的文件未能导入：{message}", "A queued file could not be imported: {message}"),
    "ingest.error.unexpected": (
        "导入未完成，数据库未做任何修改：{detail}",
        "The import did not finish; nothing was changed: {detail}",
    ),
    "ingest.reason.missing": ("缺少必填字段", "missing required field"),
    "ingest.reason.bad_number": ("不是有效数字", "not a number"),
    "ingest.reason.bad_integer": ("不是整数", "not a whole number"),
    "ingest.reason.bad_time": ("时间格式无法识别", "unrecognized time"),
    "ingest.reason.unknown_code": ("取值不在代码表中", "value not in the code list"),
    "ingest.reason.out_of_range": ("数值超出合理范围", "value out of range"),
    "ingest.reason.future_time": ("时间晚于当前时间", "time in the future"),
    "ingest.reason.negative_rain": ("雨量为负", "negative rainfall"),
    "ingest.reason.sentinel": ("缺测标记值（如 999.9），不是雨量", "missing-data marker (e.g. 999.9), not rain"),
    "ingest.reason.impossible_rain": ("雨量超出物理上限", "physically impossible rainfall"),
    "ingest.reason.unknown_reference": ("未登记的站点/仓库", "unknown station or warehouse"),
    "ingest.reason.unknown_township": ("未知乡镇", "unknown township"),
    "ingest.reason.duplicate": (
        "与前面的行重复（值为首次出现的行号）",
        "duplicate key (value = row of first occurrence)",
    ),
    "ingest.reason.bad_coordinate": ("坐标无效", "invalid coordinate"),
    "ingest.reason.out_of_area": ("坐标不在本区县范围内", "outside the county"),
    "ingest.reason.swapped_coordinates": ("经纬度疑似颠倒", "longitude and latitude look swapped"),
    "ingest.reason.bad_geometry": ("几何无法读取", "unreadable geometry"),
    "ingest.reason.invalid_geometry": ("几何无效（如自相交）", "invalid geometry (e.g. self-intersection)"),
    "ingest.reason.not_polygon": ("几何不是面", "geometry is not a polygon"),
    "ingest.field.code": ("编码", "Code"),
    "ingest.field.name": ("名称", "Name"),
    "ingest.field.population": ("人口", "Population"),
    "ingest.field.wkt": ("边界（WKT）", "Boundary (WKT)"),
    "ingest.field.kind": ("类型", "Kind"),
    "ingest.field.township": ("乡镇", "Township"),
    "ingest.field.lon": ("经度 / X", "Longitude / X"),
    "ingest.field.lat": ("纬度 / Y", "Latitude / Y"),
    "ingest.field.elevation_m": ("高程（米）", "Elevation (m)"),
    "ingest.field.source": ("来源", "Source"),
    "ingest.field.station": ("测站", "Station"),
    "ingest.field.ts": ("时间（时段末）", "Time (end of interval)"),
    "ingest.field.mm": ("雨量（毫米）", "Rain (mm)"),
    "ingest.field.interval_min": ("时段长（分钟）", "Interval (min)"),
    "ingest.field.id": ("编号", "ID"),
    "ingest.field.type": ("类型", "Type"),
    "ingest.field.occurred_at": ("发生时间", "Occurred"),
    "ingest.field.address": ("地址", "Address"),
    "ingest.field.deaths": ("死亡", "Deaths"),
    "ingest.field.injured": ("受伤", "Injured"),
    "ingest.field.missing": ("失踪", "Missing"),
    "ingest.field.trapped": ("被困", "Trapped"),
    "ingest.field.loss_10k_yuan": ("直接经济损失（万元）", "Direct loss (10k yuan)"),
    "ingest.field.status": ("处置状态", "Status"),
    "ingest.field.updated_at": ("更新时间", "Updated"),
    "ingest.field.description": ("描述", "Description"),
    "ingest.field.manager": ("负责人", "Manager"),
    "ingest.field.phone": ("电话", "Phone"),
    "ingest.field.warehouse": ("仓库", "Warehouse"),
    "ingest.field.item": ("物资", "Item"),
    "ingest.field.category": ("类别", "Category"),
    "ingest.field.quantity": ("数量", "Quantity"),
    "ingest.field.unit": ("单位", "Unit"),
    "ingest.field.members": ("人数", "Members"),
    "ingest.field.leader": ("队长", "Leader"),
    "ingest.field.capacity": ("可容纳人数", "Capacity"),
    "ingest.field.occupancy": ("已安置人数", "Occupancy"),
    "ingest.field.people": ("威胁人数", "People at risk"),
    "ingest.field.households": ("威胁户数", "Households at risk"),
    "ingest.field.critical_mm_1h": ("1 小时临界雨量", "1 h critical rain"),
    "ingest.field.critical_mm_3h": ("3 小时临界雨量", "3 h critical rain"),
    "ingest.field.critical_mm_24h": ("24 小时临界雨量", "24 h critical rain"),
    # replay and big screen
    "replay.toggle": ("复盘回放", "Replay"),
    "replay.help": (
        "按时间回放本时段：地图与指标显示从时段开始到所选时刻的累计雨量与已报告事件。",
        (
            "Step through the window: the map and KPIs show rain accumulated and incidents reported from the window"
            " start up to the chosen moment."
        ),
    ),
    "replay.play": ("播放", "Play"),
    "replay.pause": ("暂停", "Pause"),
    "replay.moment": ("回放时刻", "Moment"),
    "replay.state": ("回放：{start} 至 {moment} 的累计状态", "Replay: state from {start} up to {moment}"),
    "screen.as_of": ("数据截至 {as_of} · 刷新于 {refreshed}", "Data as of {as_of} · refreshed {refreshed}"),
    # --- warning and dispatch ---
    "page.warning": ("预警研判", "Early warning"),
    "page.dispatch": ("一键调度", "One-click dispatch"),
    "common.choose": ("请选择", "Choose"),
    "warning.moment": (
        "研判时刻：{moment}（筛选时间窗口的截止时间）",
        "Assessed at {moment} (end of the filter window)",
    ),
    "warning.tab.signals": ("暴雨信号", "Rainstorm signals"),
    "warning.tab.hazards": ("隐患点风险", "Hazard points at risk"),
    "warning.tab.grades": ("事件分级", "Incident grades"),
    "warning.tab.issue": ("发布预警", "Issue a warning"),
    "warning.tab.acks": ("叫应", "Acknowledgements"),
    "warning.tab.config": ("阈值配置", "Thresholds"),
    "warning.no_signal": ("无信号", "No signal"),
    "warning.signals.metric": ("{level}信号乡镇", "Townships at {level}"),
    "warning.signals.gauges": ("达到信号标准的雨量站（{count} 个）", "Gauges at a signal ({count})"),
    "warning.signals.none": (
        "研判时刻没有乡镇达到暴雨预警信号标准。",
        "No township reaches a rainstorm signal at this moment.",
    ),
    "warning.signals.method": ("乡镇信号：{method}", "Township signal: {method}"),
    "warning.signals.history": ("信号演变（色块 = 该时刻的信号等级）", "Signal history (colour = level at that time)"),
    "warning.signals.clipped": (
        "* 信号起始早于所显示的历史（{start} 之前）。",
        "* The signal began before the history shown (before {start}).",
    ),
    "warning.rule": ("{level}：{hours} 小时雨量 ≥ {mm:g} 毫米", "{level}: ≥ {mm:g} mm in {hours} h"),
    "warning.legend.signal": ("暴雨预警信号", "Rainstorm signal"),
    "warning.legend.grade": ("事件等级", "Incident grade"),
    "warning.col.township": ("乡镇", "Township"),
    "warning.col.level": ("当前信号", "Current signal"),
    "warning.col.level_since": ("本级起始", "Level since"),
    "warning.col.signal_since": ("信号起始", "Signal since"),
    "warning.col.peak_level": ("最高信号", "Peak signal"),
    "warning.col.peak_at": ("最高信号时间", "Peak at"),
    "warning.col.mm_h": ("{hours} 小时雨量（毫米）", "{hours} h rain (mm)"),
    "warning.col.gauges": ("报送站数", "Gauges reporting"),
    "warning.col.time": ("时间", "Time"),
    "warning.hazards.count": ("超过临界雨量的隐患点", "Hazard points over critical rain"),
    "warning.hazards.people": ("受威胁人数", "People exposed"),
    "warning.hazards.households": ("受威胁户数", "Households exposed"),
    "warning.hazards.none": (
        "研判时刻没有隐患点超过临界雨量。",
        "No hazard point is over its critical rainfall at this moment.",
    ),
    "warning.hazards.method": (
        (
            "隐患点雨量取最近有报雨量站的实测值（不做插值），与该点 1/3/24 小时临界雨量比较；超过倍数 = 实测 ÷ 临界，"
            "取三个时段中最大者。"
        ),
        (
            "Rain at a hazard point is its nearest reporting gauge's measurement (no interpolation), compared with the"
            " point's 1/3/24 h critical amounts; exceedance = measured ÷ critical, the largest of the three."
        ),
    ),
    "warning.col.name": ("名称", "Name"),
    "warning.col.kind": ("类型", "Kind"),
    "warning.col.exceedance": ("超过倍数", "Exceedance"),
    "warning.col.exceeded_window": ("超限时段", "Window"),
    "warning.col.gauge_name": ("代表雨量站", "Gauge"),
    "warning.col.gauge_km": ("站点距离（公里）", "Gauge distance (km)"),
    "warning.col.people": ("人数", "People"),
    "warning.col.households": ("户数", "Households"),
    "warning.col.critical_h": ("{hours} 小时临界（毫米）", "{hours} h critical (mm)"),
    "warning.grades.metric": ("{grade}事件", "{grade} incidents"),
    "warning.grades.rules_title": (
        "分级标准（取各项指标中的最高等级，“以上”含本数）",
        "Grading rules (the highest grade any criterion reaches, bounds included)",
    ),
    "warning.grade_rule": ("{grade}：{criteria}", "{grade}: {criteria}"),
    "warning.col.grade": ("等级", "Grade"),
    "warning.col.grade_basis": ("定级依据", "Basis"),
    "warning.col.loss": ("直接损失（万元）", "Loss (10k yuan)"),
    "warning.issue.level": ("预警等级", "Level"),
    "warning.issue.townships": ("发布乡镇", "Townships"),
    "warning.issue.text": ("预警内容", "Warning text"),
    "warning.issue.channels": ("发布渠道（仅登记，不实际发送）", "Channels (recorded, not sent)"),
    "warning.issue.submit": ("发布预警", "Issue warning"),
    "warning.issue.done": ("已发布第 {id} 号预警，接收人 {count} 人。", "Warning #{id} issued to {count} recipients."),
    "warning.issue.failed": ("预警未发布：{reason}", "Warning not issued: {reason}"),
    "warning.issue.recipients": ("接收人（所选乡镇的责任人）", "Recipients (responsible persons of those townships)"),
    "warning.issue.demo_contacts": (
        "演示数据：责任人姓名与电话均为虚构。",
        "Demo data: the responsible persons and phone numbers are fictitious.",
    ),
    "warning.issue.template": (
        (
            "【{county}应急管理局】{moment}，{townships}出现强降雨，已达到暴雨{level}预警信号标准。"
            "请立即启动相应防御响应，加强山洪、地质灾害隐患点巡查，必要时组织群众转移避险。"
        ),
        (
            "[{county} Emergency Management Bureau] As of {moment}, heavy rain over {townships} has reached the {level}"
            " rainstorm signal. Start the matching response, patrol flash-flood and landslide points and move people to"
            " safety where needed."
        ),
    ),
    "warning.acks.none": ("尚未发布预警。", "No warning issued yet."),
    "warning.acks.pick": ("预警", "Warning"),
    "warning.acks.option": (
        "第 {id} 号 · {level} · {issued} · {townships}",
        "#{id} · {level} · {issued} · {townships}",
    ),
    "warning.acks.minutes": ("叫应时限（分钟）", "Acknowledge within (min)"),
    "warning.acks.summary": ("已叫应 {acked} / {total} 人", "{acked} of {total} acknowledged"),
    "warning.acks.overdue": ("超过 {minutes} 分钟未叫应：{names}", "Not acknowledged after {minutes} min: {names}"),
    "warning.acks.all_done": ("全部接收人已叫应。", "Every recipient has acknowledged."),
    "warning.acks.who": ("叫应人", "Acknowledged by"),
    "warning.acks.record": ("记录叫应", "Record acknowledgement"),
    "warning.acks.recorded": ("已记录 {count} 人叫应。", "{count} acknowledgements recorded."),
    "warning.acks.download": ("导出 CAP 1.2 XML", "Export CAP 1.2 XML"),
    "warning.acks.state.done": ("已叫应", "Acknowledged"),
    "warning.acks.state.pending": ("待叫应", "Pending"),
    "warning.acks.state.overdue": ("超时未叫应", "Overdue"),
    "warning.col.person": ("姓名", "Name"),
    "warning.col.role": ("职务", "Role"),
    "warning.col.phone": ("电话", "Phone"),
    "warning.col.acknowledged_at": ("叫应时间", "Acknowledged at"),
    "warning.col.ack_state": ("状态", "State"),
    "warning.col.text": ("预警内容", "Text"),
    "warning.config.signals": ("暴雨预警信号阈值", "Rainstorm signal thresholds"),
    "warning.config.grades": ("事件分级阈值", "Incident grade thresholds"),
    "warning.config.method": ("乡镇信号取值", "Township signal from"),
    "warning.config.save": ("保存配置", "Save thresholds"),
    "warning.config.saved": ("配置已保存。", "Thresholds saved."),
    "warning.config.contacts": ("乡镇责任人（预警接收人）", "Township responsible persons (warning recipients)"),
    "warning.config.save_contacts": ("保存责任人", "Save responsible persons"),
    "warning.config.contacts_saved": ("已保存 {count} 名责任人。", "{count} responsible persons saved."),
    "warning.config.failed": ("配置未保存：{reason}", "Not saved: {reason}"),
    "warning.col.level_code": ("信号", "Signal"),
    "warning.col.window_hours": ("时段（小时）", "Window (h)"),
    "warning.col.min_mm": ("雨量下限（毫米，含）", "At least (mm)"),
    "warning.col.criterion": ("指标", "Criterion"),
    "warning.col.min_value": ("下限（含）", "At least"),
    "dispatch.pick": (
        "在事件列表中选一行、在地图上点击事件，或点击地图任意位置选点。",
        "Pick a row of the incident list, click an incident on the map, or click anywhere on the map.",
    ),
    "dispatch.incidents": ("事件（筛选时间窗口内，按等级排序）", "Incidents (filter window, by grade)"),
    "dispatch.radius": ("搜索半径（公里）", "Search radius (km)"),
    "dispatch.target.incident": (
        "调度目标：事件 {id} · {type} · {address}",
        "Target: incident {id} · {type} · {address}",
    ),
    "dispatch.target.point": ("调度目标：地图选点 {lon:.4f}, {lat:.4f}", "Target: map point {lon:.4f}, {lat:.4f}"),
    "dispatch.no_target": ("尚未选择事件或地点。", "No incident or point chosen yet."),
    "dispatch.kpi.teams": ("半径内救援队伍", "Teams in range"),
    "dispatch.kpi.members": ("可调人员", "Rescuers"),
    "dispatch.kpi.warehouses": ("可供物资仓库", "Warehouses with stock"),
    "dispatch.kpi.shelter_free": ("避难场所空余容量", "Free shelter places"),
    "dispatch.kpi.people": ("隐患点受威胁人数", "People at hazard points"),
    "dispatch.eta_note": (
        "距离为直线距离；预计到达时间 = 直线距离 × 道路系数 {factor} ÷ 车速 {speed:g} 公里/小时。",
        "Distances are straight lines; ETA = distance × road factor {factor} ÷ {speed:g} km/h.",
    ),
    "dispatch.needs": ("该类事件所需物资类别：{categories}", "Stock this incident type needs: {categories}"),
    "dispatch.empty": ("半径内没有{kind}。", "No {kind} within the radius."),
    "dispatch.col.name": ("名称", "Name"),
    "dispatch.col.kind": ("类型", "Kind"),
    "dispatch.col.members": ("人数", "Members"),
    "dispatch.col.leader": ("负责人", "Leader"),
    "dispatch.col.phone": ("电话", "Phone"),
    "dispatch.col.items": ("所需物资库存", "Needed stock"),
    "dispatch.col.capacity": ("容量", "Capacity"),
    "dispatch.col.free": ("空余", "Free"),
    "dispatch.col.people": ("受威胁人数", "People"),
    "dispatch.col.distance": ("直线距离（公里）", "Distance (km)"),
    "dispatch.col.eta": ("预计到达（分钟）", "ETA (min)"),
    "dispatch.col.resource": ("资源", "Resource"),
    "dispatch.col.status": ("状态", "Status"),
    "dispatch.col.latest_status": ("最新调度状态", "Latest dispatch status"),
    "dispatch.col.created_at": ("调度时间", "Dispatched at"),
    "dispatch.col.created_by": ("值班员", "Duty officer"),
    "dispatch.col.incident": ("事件", "Incident"),
    "dispatch.col.note": ("备注", "Note"),
    "dispatch.form.title": ("记录调度", "Record a dispatch"),
    "dispatch.form.teams": ("派出队伍", "Send teams"),
    "dispatch.form.warehouses": ("调用仓库物资", "Draw stock from"),
    "dispatch.form.shelter": ("开放避难场所", "Open shelters"),
    "dispatch.form.note": ("备注", "Note"),
    "dispatch.form.submit": ("确认调度", "Dispatch"),
    "dispatch.form.done": ("已记录 {count} 条调度。", "{count} dispatches recorded."),
    "dispatch.form.failed": ("调度未记录：{reason}", "Dispatch not recorded: {reason}"),
    "dispatch.log": ("调度记录", "Dispatch log"),
    "dispatch.log.empty": ("该目标暂无调度记录。", "No dispatch for this target yet."),
    "dispatch.log.which": ("调度记录", "Dispatch"),
    "dispatch.log.status": ("新状态", "New status"),
    "dispatch.log.update": ("更新状态", "Update status"),
    "dispatch.log.updated": ("调度 {id} 状态已更新。", "Dispatch {id} updated."),
    "dispatch.map.layers": ("调度图层", "Dispatch layers"),
    "dispatch.map.ring": (
        "搜索半径圈（每 5 公里一圈，最外圈 = 半径）",
        "Search rings (every 5 km; outer ring = radius)",
    ),
    "dispatch.map.line": ("连线：目标 → 资源", "Lines: target → resource"),
    "dispatch.map.target": ("调度目标", "Dispatch target"),
    "dispatch.map.incidents": ("事件（颜色 = 等级）", "Incidents (colour = grade)"),
    "dispatch.map.gaps": ("覆盖盲区（距任一队伍 > {km:g} 公里）", "Coverage gaps (> {km:g} km from any team)"),
    "dispatch.map.pick_cell": ("点击选点", "Click to pick this point"),
    "dispatch.coverage.title": ("救援覆盖盲区与避难缺口", "Coverage gaps and shelter shortfalls"),
    "dispatch.coverage.km": ("覆盖距离（公里）", "Coverage distance (km)"),
    "dispatch.coverage.show": ("在地图上显示盲区", "Show gaps on the map"),
    "dispatch.coverage.townships": (
        "{count} 个乡镇有区域距任一救援队伍超过 {km:g} 公里（按 {cell:g} 公里网格计算）。",
        "{count} townships have areas more than {km:g} km from any team (on a {cell:g} km grid).",
    ),
    "dispatch.coverage.shelters": (
        "{count} 个乡镇的避难场所总容量小于隐患点受威胁人数。",
        "{count} townships have less shelter capacity than people at hazard points.",
    ),
    "dispatch.col.gap_share": ("盲区占比", "Gap share"),
    "dispatch.col.farthest_km": ("最远点距队伍（公里）", "Farthest (km)"),
    "dispatch.col.label_km": ("驻地距最近队伍（公里）", "Seat to nearest team (km)"),
    "dispatch.col.hazard_people": ("隐患点人数", "People at hazards"),
    "dispatch.col.shelter_capacity": ("避难容量", "Shelter capacity"),
    "dispatch.col.shortfall": ("缺口", "Shortfall"),
    # --- township command view and grid management ---
    "page.township": ("乡镇指挥", "Township command"),
    "page.township_ranking": ("乡镇对比", "Township comparison"),
    "township.pick": ("选择乡镇", "Choose a township"),
    "township.pick_hint": (
        "请在侧栏筛选中只选一个乡镇，或在此选择：",
        "Select exactly one township in the sidebar filter, or choose one here:",
    ),
    "township.unknown": ("没有编码为 {code} 的乡镇。", "No township has the code {code}."),
    "township.heading": ("{name}（{code}）", "{name} ({code})"),
    "township.demo_note": (
        "演示数据：村（社区）、网格、网格员、值班领导及其电话均为合成数据。",
        "Demo data: villages, grids, grid members, duty leaders and their phones are synthetic.",
    ),
    "township.h.figures": ("主要指标", "Key figures"),
    "township.h.map": ("乡镇地图", "Township map"),
    "township.h.contacts": ("联系人", "Who to call"),
    "township.h.rain": ("降雨过程", "Rainfall"),
    "township.h.incidents": ("事件列表", "Incidents"),
    "township.h.open_incidents": ("未结事件（{n} 起）", "Open incidents ({n})"),
    "township.h.resources": ("辖区及周边 {km} 公里内资源", "Resources in and within {km} km"),
    "township.h.grids": ("村（社区）与网格", "Villages and grids"),
    "township.tab.contacts": ("联系人", "Who to call"),
    "township.tab.rain": ("降雨过程", "Rainfall"),
    "township.tab.incidents": ("事件", "Incidents"),
    "township.tab.resources": ("周边资源", "Resources"),
    "township.tab.grids": ("网格", "Grids"),
    "township.fig.rain_mean": ("面雨量", "Areal rain"),
    "township.fig.rain_max": ("最大站累计雨量", "Wettest gauge"),
    "township.fig.max_1h": ("最大1小时雨量", "Max 1 h rain"),
    "township.fig.incidents": ("事件（未结/总数）", "Incidents (open/total)"),
    "township.fig.hazard_people": ("隐患点受威胁人数", "People at hazard points"),
    "township.fig.at_risk": ("超临界雨量隐患点", "Hazard points over critical rain"),
    "township.fig.shelters": ("避难容量与需安置人数", "Shelter capacity vs need"),
    "township.fig.nearest_team": ("最近救援队伍", "Nearest rescue team"),
    "township.fig.freshness": ("数据时效", "Data freshness"),
    "township.fig.hierarchy": ("村（社区）/网格", "Villages / grids"),
    "township.open_of_total": ("{open} / {total} 起", "{open} / {total}"),
    "township.at_risk_value": ("{points} 处，{people} 人", "{points} points, {people} people"),
    "township.shelter_value": (
        "容量 {capacity} 人（剩余 {free}），需安置 {need} 人，覆盖比 {cover}",
        "capacity {capacity} ({free} free), need {need}, cover ratio {cover}",
    ),
    "township.nearest_team_value": (
        "{name}，驻地直线 {km} 公里，约 {minutes} 分钟",
        "{name}, {km} km from the seat, ~{minutes} min",
    ),
    "township.freshness_value": (
        "最新雨量 {rain}（滞后 {lag} 分钟），最新事件报送 {report}，停报站 {stale}/{gauges}",
        "latest rain {rain} ({lag} min behind), latest incident report {report}, silent gauges {stale}/{gauges}",
    ),
    "township.hierarchy_value": (
        "{villages} 个村（社区），{grids} 个网格；面积 {area} 平方公里，人口 {population}",
        "{villages} villages, {grids} grids; {area} km², population {population}",
    ),
    "township.kpi.rain_mean": ("面雨量", "Areal rain"),
    "township.kpi.max_1h": ("最大1小时雨量", "Max 1 h rain"),
    "township.kpi.incidents": ("未结 / 事件", "Open / incidents"),
    "township.kpi.at_risk": ("超临界隐患点受威胁人数", "People at hazards over critical"),
    "township.kpi.shelter_cover": ("避难容量覆盖比", "Shelter cover ratio"),
    "township.kpi.shelter_cover_help": (
        "避难场所总容量 ÷ 隐患点受威胁人数；小于 1 表示容量不足。",
        "Shelter capacity ÷ people at hazard points; below 1 means too few places.",
    ),
    "township.kpi.nearest_team": ("最近救援队伍（公里）", "Nearest team (km)"),
    "township.kpi.nearest_team_help": (
        "乡镇驻地（标注点）到最近救援队伍的直线距离。",
        "Straight-line distance from the township seat (label point) to the nearest rescue team.",
    ),
    "township.col.role": ("身份", "Role"),
    "township.col.name": ("姓名", "Name"),
    "township.col.phone": ("电话", "Phone"),
    "township.col.grid": ("网格", "Grid"),
    "township.col.why": ("原因", "Why"),
    "township.col.kind": ("类别", "Kind"),
    "township.col.where": ("位置", "Where"),
    "township.col.size": ("规模", "Size"),
    "township.col.village": ("村（社区）", "Village"),
    "township.col.keeper": ("网格员", "Grid member"),
    "township.col.area_km2": ("面积（平方公里）", "Area (km²)"),
    "township.why_incidents": ("未结事件 {ids}", "open incidents {ids}"),
    "township.why_hazards": ("超临界隐患点 {ids}", "hazard points over critical {ids}"),
    "township.no_contacts": ("尚无联系人与值班安排。", "No contacts or duty roster yet."),
    "township.no_grids": (
        "该乡镇尚无村（社区）与网格数据。",
        "This township has no villages or grids yet.",
    ),
    "township.no_resources": (
        "辖区及周边没有救援队伍、仓库或避难场所。",
        "No teams, warehouses or shelters in or near it.",
    ),
    "township.inside": ("辖区内", "inside"),
    "township.km_away": ("界外 {km} 公里", "{km} km outside"),
    "township.team_size": ("{kind}，{members} 人", "{kind}, {members} people"),
    "township.warehouse_size": ("{items} 种物资", "{items} items"),
    "township.shelter_size": ("剩余 {free} / {capacity} 人", "{free} / {capacity} free"),
    "township.card.title": ("{name}态势卡", "{name} situation card"),
    "township.card.subtitle": ("时段：{start} — {end}　生成：{now}", "Period: {start} — {end}   Made: {now}"),
    "township.card.more": ("另有 {n} 条未列出。", "{n} more not listed."),
    "township.card.download": ("下载乡镇态势卡（PDF）", "Download the township card (PDF)"),
    "township.card.subject": ("乡镇态势卡", "township-card"),
    "township.legend.grids": ("村（社区）与网格", "Villages and grids"),
    "township.legend.village": ("村（社区）界", "Village boundary"),
    "township.legend.grid": ("网格界", "Grid boundary"),
    "township.legend.grid_alert": (
        "有未结事件或超临界隐患点的网格",
        "Grid with open incidents or hazards over critical",
    ),
    "township.legend.neighbours": ("相邻乡镇（淡化）", "Neighbouring townships (faded)"),
    "township.legend.resources_near": ("含界外 {km} 公里内的资源", "Includes resources within {km} km outside"),
    "township.tip.grid": ("网格", "Grid"),
    "township.tip.village": ("村（社区）", "Village"),
    "township.tip.keeper": ("网格员", "Grid member"),
    "township.tip.phone": ("电话", "Phone"),
    "township.rank.caption": (
        "各乡镇同口径比较（时段 {start} — {end}）。点击表头排序；“打开”进入乡镇指挥页；数据滞后的乡镇标为“滞后”。",
        (
            "Townships compared on the same terms (period {start} — {end}). Click a header to sort; "
            "“Open” goes to the township page; townships whose data lags are marked."
        ),
    ),
    "township.rank.open": ("打开", "Open"),
    "township.rank.lagging": ("滞后", "Lagging"),
    "township.rank.current": ("正常", "Current"),
    "township.rank.lag_help": (
        "无雨量站、有停报站或最新雨量早于截止时间 {minutes} 分钟以上即为滞后。",
        "Lagging: no gauge, a silent gauge, or the latest rain more than {minutes} min before the end time.",
    ),
    "township.rank.subject": ("乡镇对比", "township-comparison"),
    "township.rank.lagging_count": ("数据滞后乡镇：{n} 个", "Townships with lagging data: {n}"),
    "township.rank.choose": ("打开乡镇", "Open township"),
    "township.rank.go": ("进入乡镇指挥页", "Go to the township page"),
    "township.rank.col.name": ("乡镇", "Township"),
    "township.rank.col.rain_mean_mm": ("面雨量（毫米）", "Areal rain (mm)"),
    "township.rank.col.rain_max_mm": ("最大站雨量（毫米）", "Wettest gauge (mm)"),
    "township.rank.col.max_1h_mm": ("最大1小时（毫米）", "Max 1 h (mm)"),
    "township.rank.col.open_incidents": ("未结事件", "Open incidents"),
    "township.rank.col.incidents": ("事件总数", "Incidents"),
    "township.rank.col.hazard_people": ("隐患点人数", "People at hazards"),
    "township.rank.col.shelter_capacity": ("避难容量（人）", "Shelter capacity"),
    "township.rank.col.shelter_cover": ("容量/需安置", "Capacity / need"),
    "township.rank.col.nearest_team": ("最近队伍", "Nearest team"),
    "township.rank.col.nearest_team_km": ("最近队伍距离（公里）", "Nearest team (km)"),
    "township.rank.col.last_rain_at": ("最新雨量时间", "Latest rain"),
    "township.rank.col.rain_lag_min": ("雨量滞后（分钟）", "Rain lag (min)"),
    "township.rank.col.stale_gauges": ("停报站数", "Silent gauges"),
    "township.rank.col.last_report_at": ("最新事件报送", "Latest incident report"),
    "township.rank.col.lagging": ("数据时效", "Freshness"),
    "township.rank.col.link": ("乡镇页面", "Township page"),
    "township.open_from_map": ("打开乡镇指挥页", "Open the township page"),
    "ingest.kind.villages": ("村（社区）边界", "Villages (polygons)"),
    "ingest.kind.grids": ("网格与网格员", "Grids and grid members"),
    "ingest.kind.duty_roster": ("乡镇值班表", "Township duty roster"),
    "ingest.field.village": ("所属村（社区）编码", "Village code"),
    "ingest.field.keeper": ("网格员", "Grid member"),
    "ingest.field.duty_date": ("值班日期", "Duty date"),
    "ingest.field.title": ("职务", "Title"),
    # --- any county: guidance, completeness, templates ---
    "page.completeness": ("数据完整性", "Data completeness"),
    "guide.title": ("本页还缺少数据：请按顺序导入以下数据", "This page still lacks data: import these, in this order"),
    "guide.empty_store": (
        "{county} 的数据库已建好，目前只有行政区轮廓。各类数据导入后即可在本页查看。",
        "The store for {county} is set up and holds only its outline so far. This page fills as data is imported.",
    ),
    "guide.no_time": (
        "还没有带时间的数据（降雨量或灾情事件），无法确定时段。",
        "There is no timed data yet (rainfall or incidents), so no period can be chosen.",
    ),
    "guide.step_done": ("✅ {kind}：已有 {rows} 条", "✅ {kind}: {rows} rows"),
    "guide.step_needed": ("➡️ **{kind}：本页需要，尚未导入**", "➡️ **{kind}: needed here, not imported yet**"),
    "guide.step_later": ("⬜ {kind}：尚未导入", "⬜ {kind}: not imported yet"),
    "guide.to_import": ("去导入数据", "Go to data import"),
    "guide.to_completeness": ("查看数据完整性", "See data completeness"),
    "guide.next": ("下一步建议导入：{kind}", "Import next: {kind}"),
    "guide.all_done": ("各类数据均已导入。", "Every kind of data holds rows."),
    "completeness.intro": (
        (
            "按数据类别和乡镇列出已有数据、最新时间与缺失项；"
            "按建议顺序补齐：乡镇边界 → 雨量站 → 降雨量 → 灾情事件 → 应急资源。"
        ),
        (
            "What each kind and each township holds, the latest time and what is missing; fill it in this order: "
            "townships → gauges → rainfall → incidents → resources."
        ),
    ),
    "completeness.by_kind": ("按数据类别", "By kind"),
    "completeness.by_township": ("按乡镇", "By township"),
    "completeness.no_townships": (
        "尚未导入乡镇边界，无法按乡镇统计。",
        "No townships imported yet, so nothing to list per township.",
    ),
    "completeness.gaps": (
        "{no_gauges} 个乡镇没有雨量站，{no_shelters} 个没有避难场所，{no_teams} 个没有救援队伍。",
        "{no_gauges} townships have no rain gauge, {no_shelters} no shelter, {no_teams} no rescue team.",
    ),
    "completeness.only_gaps": ("只看有缺项的乡镇", "Only townships with gaps"),
    "completeness.col.kind": ("数据类别", "Kind"),
    "completeness.col.rows": ("条数", "Rows"),
    "completeness.col.latest": ("最新时间", "Latest"),
    "completeness.col.missing": ("缺失字段（条数）", "Missing fields (rows)"),
    "completeness.col.required": ("必填字段", "Required fields"),
    "completeness.col.status": ("状态", "Status"),
    "completeness.status.ok": ("已有数据", "Has data"),
    "completeness.status.empty": ("未导入", "Not imported"),
    "completeness.col.township": ("乡镇", "Township"),
    "completeness.col.gauges": ("雨量站", "Gauges"),
    "completeness.col.latest_rain": ("最新降雨", "Latest rain"),
    "completeness.col.incidents": ("灾情事件", "Incidents"),
    "completeness.col.warehouses": ("仓库", "Warehouses"),
    "completeness.col.teams": ("救援队伍", "Teams"),
    "completeness.col.shelters": ("避难场所", "Shelters"),
    "completeness.col.shelter_capacity": ("可容纳人数", "Shelter capacity"),
    "completeness.col.hazard_points": ("隐患点", "Hazard points"),
    "completeness.col.gaps": ("缺项", "Gaps"),
    "completeness.gap.no_gauges": ("无雨量站", "no gauge"),
    "completeness.gap.no_shelters": ("无避难场所", "no shelter"),
    "completeness.gap.no_teams": ("无救援队伍", "no team"),
    "templates.title": ("导入模板", "Import templates"),
    "templates.intro": (
        (
            "每类数据一份模板（CSV 与 Excel），表头为导入能自动识别的中文列名，含一行示例（坐标为 WGS84，位于本县内）。"
            "可发给各乡镇和部门按此填写。"
        ),
        (
            "One template per kind (CSV and Excel) with the Chinese headers the import recognizes by itself and one "
            "example row (WGS84 coordinates inside this county), to send to townships and departments."
        ),
    ),
    "templates.kind": ("模板对应的数据", "Template for"),
    "templates.csv": ("下载 CSV 模板", "Download CSV template"),
    "templates.xlsx": ("下载 Excel 模板", "Download Excel template"),
    "templates.file": ("导入模板_{kind}", "template_{kind}"),
    # table columns
    "col.id": ("编号", "ID"),
    "col.occurred_at": ("发生时间", "Occurred"),
    "col.type": ("类型", "Type"),
    "col.status": ("状态", "Status"),
    "col.grade": ("等级", "Grade"),
    "col.township_name": ("乡镇", "Township"),
    "col.address": ("地址", "Address"),
    "col.deaths": ("死亡", "Deaths"),
    "col.injured": ("受伤", "Injured"),
    "col.missing": ("失踪", "Missing"),
    "col.trapped": ("被困", "Trapped"),
    # units
    "unit.mm": ("毫米", "mm"),
    # sign-in, roles and audit
    "page.sign_in": ("登录", "Sign in"),
    "page.admin": ("用户与审计", "Users and audit"),
    "auth.title": ("登录一图研判", "Sign in to One Map"),
    "auth.local_help": (
        "请使用管理员分配的账户登录。连续 {failures} 次输入错误，账户将锁定 {minutes} 分钟。",
        (
            "Sign in with the account your administrator gave you. After {failures} wrong attempts the account is"
            " locked for {minutes} minutes."
        ),
    ),
    "auth.username": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.signed_in_as": ("当前用户：{name}（{role}）", "Signed in: {name} ({role})"),
    "auth.bad_credentials": ("用户名或密码错误。", "Wrong user name or password."),
    "auth.locked": (
        "连续登录失败次数过多，账户已锁定至 {until}。请稍后再试，或请管理员解锁。",
        (
            "Too many failed sign-ins: the account is locked until {until}. Try again later or ask an administrator to"
            " unlock it."
        ),
    ),
    "auth.disabled": ("该账户已停用，请联系管理员。", "This account is disabled; contact an administrator."),
    "auth.no_account": (
        "身份 {name} 已通过认证，但在本系统中没有账户。请管理员为其开通账户并分配角色。",
        "{name} is authenticated but has no account here. Ask an administrator to create one with a role.",
    ),
    "auth.oidc_button": ("使用统一身份认证登录", "Sign in with the identity provider"),
    "auth.oidc_intro": (
        "本系统通过单位统一身份认证登录。",
        "This system signs you in through your organization's identity provider.",
    ),
    "auth.proxy_missing": (
        "未收到单位门户传来的登录身份。请通过单位门户访问本系统。",
        "No signed-in identity came from the portal. Open this system through your organization's portal.",
    ),
    "auth.local_demo_banner": (
        "本地演示模式：未启用登录，仅本机（{address}）可访问，当前用户拥有全部权限。正式部署请配置登录方式。",
        (
            "Local demo mode: no sign-in, reachable from this computer only ({address}); the user has every permission."
            " Configure sign-in before deploying."
        ),
    ),
    "auth.refused_address": (
        (
            "拒绝服务：未配置登录方式，且服务地址 {address} 不是本机回环地址。请在 .streamlit/secrets.toml 中设置"
            " [yitu] auth。"
        ),
        (
            "Refused: no sign-in is configured and the server address {address} is not a loopback address. Set [yitu]"
            " auth in .streamlit/secrets.toml."
        ),
    ),
    "auth.config_error": ("登录配置有误：{reason}", "Sign-in settings are wrong: {reason}"),
    "auth.denied": ("您的角色（{role}）无权执行此操作：{action}。", "Your role ({role}) may not do this: {action}."),
    "auth.read_only": ("当前角色为只读，不能在此页执行操作。", "Your role is read-only on this page."),
    "auth.page_denied": ("您的角色（{role}）无权打开此页面。", "Your role ({role}) may not open this page."),
    "admin.users": ("账户", "Accounts"),
    "admin.audit": ("审计日志", "Audit log"),
    "admin.new_user": ("新建账户", "New account"),
    "admin.display_name": ("姓名", "Display name"),
    "admin.role": ("角色", "Role"),
    "admin.password_new": (
        "初始密码（至少 8 位；留空则只能通过统一认证或代理登录）",
        "Initial password (8+ characters; empty = sign-in through OIDC or the proxy only)",
    ),
    "admin.create": ("创建账户", "Create account"),
    "admin.created": ("已创建账户 {name}。", "Account {name} created."),
    "admin.pick_user": ("选择账户", "Account"),
    "admin.change_role": ("修改角色", "Change role"),
    "admin.reset_password": ("重置密码", "Reset password"),
    "admin.password_reset_to": ("新密码", "New password"),
    "admin.disable": ("停用", "Disable"),
    "admin.enable": ("启用", "Enable"),
    "admin.unlock": ("解锁", "Unlock"),
    "admin.done": ("已完成：{what}", "Done: {what}"),
    "admin.refused": ("未执行：{reason}", "Not done: {reason}"),
    "admin.audit_filters": ("筛选审计记录", "Filter the audit log"),
    "admin.audit_days": ("最近天数", "Last days"),
    "admin.audit_users": ("用户", "Users"),
    "admin.audit_actions": ("操作", "Actions"),
    "admin.audit_outcomes": ("结果", "Outcomes"),
    "admin.audit_count": (
        "共 {count} 条（最多显示 10000 条，最新在前）",
        "{count} entries (at most 10,000, newest first)",
    ),
    "admin.roles_help": (
        "领导：查看；值班员：查看、发布预警、记录叫应、调度；分析员：查看、导出；管理员：全部，含导入、账户与配置。",
        (
            "Leader: view; duty officer: view, warnings, acknowledgements, dispatch; analyst: view, export; admin:"
            " everything incl. import, accounts and settings."
        ),
    ),
    "col.username": ("用户名", "User name"),
    "col.display_name": ("姓名", "Name"),
    "col.role": ("角色", "Role"),
    "col.has_password": ("本地密码", "Local password"),
    "col.disabled": ("已停用", "Disabled"),
    "col.failed_logins": ("连续失败", "Failed sign-ins"),
    "col.locked_until": ("锁定至", "Locked until"),
    "col.last_login_at": ("最近登录", "Last sign-in"),
    "col.logged_at": ("时间", "Time"),
    "col.action": ("操作", "Action"),
    "col.object": ("对象", "Object"),
    "col.outcome": ("结果", "Outcome"),
    "col.detail": ("详情", "Detail"),
    "col.client": ("客户端地址", "Client address"),
    "export.sheet.audit": ("审计日志", "Audit log"),
    # --- code lists, header mappings, units and complete imports ---
    "completeness.locate": ("补全位置", "Complete a location"),
    "completeness.locate_record": ("记录", "Record"),
    "completeness.locate_lon": ("经度", "Longitude"),
    "completeness.locate_lat": ("纬度", "Latitude"),
    "completeness.locate_crs": ("坐标系", "Coordinate system"),
    "completeness.locate_save": ("保存位置", "Save location"),
    "completeness.located": ("已为「{name}」补全位置。", "Location of '{name}' saved."),
    "completeness.locate_failed": ("未能保存：{detail}", "Not saved: {detail}"),
    "ingest.error.no_geometry": (
        "文件中没有任何几何（全部为空），无法导入。",
        "the file has no geometry at all (all empty).",
    ),
    "ingest.use_guess": ("确认按 {encoding} 读取", "Read it as {encoding}"),
    "ingest.cli_progress": (
        "{stage} {percent} · 已用 {elapsed} 秒 · 约剩 {left} 秒",
        "{stage} {percent} · {elapsed} s · about {left} s left",
    ),
    "ingest.cli_rate": ("{rows} 行 · {rate} 行/秒 · {seconds} 秒", "{rows} rows · {rate} rows/s · {seconds} s"),
    "completeness.no_location_missing": (
        "所有队伍、避难场所和仓库都有位置。",
        "Every team, shelter and warehouse has a location.",
    ),
    "completeness.no_township": ("未知乡镇", "Unknown township"),
    "completeness.col.names": ("名称", "Names"),
    "ingest.details": ("技术详情", "Technical details"),
    "ingest.error.unexpected_short": (
        "导入未完成，数据库未做任何修改。",
        "The import did not finish; nothing was changed.",
    ),
    "ingest.error.too_many_columns": (
        "列数过多（{detail}），不像部门报表，已拒绝。",
        "too many columns ({detail}); refused.",
    ),
    "ingest.error.line_too_long": ("有一行过长（{detail}），已拒绝。", "a line is too long ({detail}); refused."),
    "ingest.error.too_large": ("文件（解压后）过大：{detail}", "the file (expanded) is too large: {detail}"),
    "ingest.error.unsafe_zip": (
        "压缩包内含不安全或不支持的条目：{detail}",
        "the archive holds an unsafe or unsupported entry: {detail}",
    ),
    "ingest.error.not_a_file": (
        "不是普通文件（目录、管道或设备），已拒绝。",
        "not a regular file (a folder, pipe or device); refused.",
    ),
    "ingest.error.encoding_guess": (
        "文字编码无法可靠识别（猜测为 {detail}），请用 --encoding 指定或在页面上选择。",
        "the text encoding cannot be told reliably (guess: {detail}); give --encoding or choose one on the page.",
    ),
    "ingest.reason.implausible_time": (
        "时间早于合理范围（默认 2000 年以前）",
        "time before the plausible range (default before 2000)",
    ),
    "ingest.reason.updated_before_occurred": ("更新时间早于发生时间", "updated before it occurred"),
    "ingest.col.problems": ("全部问题", "All problems"),
    "ingest.col.sheet": ("工作表", "Sheet"),
    "ingest.field.seriously_injured": ("重伤人数", "Seriously injured"),
    "ingest.field.warehouse_address": ("仓库地址", "Warehouse address"),
    "ingest.sheet_all": ("全部匹配的工作表", "Every fitting sheet"),
    "ingest.sheets_read": ("已读取工作表：{sheets}", "Sheets read: {sheets}"),
    "ingest.sheet_skipped": ("跳过工作表「{sheet}」：{why}", "Sheet '{sheet}' skipped: {why}"),
    "ingest.skip.empty": ("空表", "empty"),
    "ingest.skip.header_mismatch": ("表头与所选数据类别不符", "its header does not fit the chosen kind"),
    "ingest.unit_header": (
        "列「{header}」单位为{unit}，已换算为{to}（×{factor}，{rows} 行）。",
        "Column '{header}' is in {unit}: converted to {to} (×{factor}, {rows} rows).",
    ),
    "ingest.unit_cell": (
        "列「{header}」有 {rows} 个单元格自带单位，已换算为{to}。",
        "Column '{header}': {rows} cells carried their own unit, converted to {to}.",
    ),
    "ingest.others": (
        "{field}中有代码表外的取值，已按「其他」保存并保留原文：{labels}",
        "{field} has values outside the code list, kept as Other with their text: {labels}",
    ),
    "ingest.created_warehouses": (
        "新建了 {n} 个库中没有的仓库（缺少位置，待补全）：{names}",
        "{n} warehouses the store lacked were created (location missing, to complete): {names}",
    ),
    "ingest.location_missing": (
        "{n} 条记录没有坐标，已保存并标记为「缺少位置」（在数据完整性页列出，地图上不绘制）。",
        (
            "{n} records have no coordinates: kept as 'location missing' (listed on the completeness page, not drawn on"
            " the map)."
        ),
    ),
    "ingest.unused_headers": (
        "以下列像是某个字段但未使用，请检查对应关系：{headers}",
        "These columns look like fields but were not used; check the mapping: {headers}",
    ),
    "ingest.looks_like": ("像", "like "),
    "ingest.mapping_remembered": (
        "已套用「{source}」上次确认的对应关系。",
        "The mapping '{source}' confirmed last time is applied.",
    ),
    "codes.title": ("代码表", "Code lists"),
    "codes.intro": (
        (
            "各类别字段的代码表。"
            "部门文件中不在代码表内的取值按「其他」保存并保留原文；在此把原文对应到已有代码或新增代码，"
            "已存数据和以后的文件都按此对应。"
        ),
        (
            "The code list of each categorical field. Values outside it are kept as Other with their text; map that"
            " text to a code or add a code here, and stored rows and later files follow."
        ),
    ),
    "codes.list": ("代码表", "Code list"),
    "codes.code": ("代码", "Code"),
    "codes.code_help": (
        "小写字母、数字和下划线，如 missing_person",
        "lower-case letters, digits and _, e.g. missing_person",
    ),
    "codes.name_zh": ("中文名称", "Chinese name"),
    "codes.name_en": ("英文名称", "English name"),
    "codes.color": ("颜色", "Colour"),
    "codes.standard": ("依据标准", "Standard"),
    "codes.standard_class": ("标准分类", "Class in the standard"),
    "codes.origin": ("来源", "Origin"),
    "codes.builtin": ("内置", "Built in"),
    "codes.added": ("管理员新增", "Added"),
    "codes.text": ("原文", "Text"),
    "codes.map_to": ("对应到", "Map to"),
    "codes.choose": ("请选择代码", "Choose a code"),
    "codes.new": ("新增代码…", "New code…"),
    "codes.apply": ("应用对应", "Apply"),
    "codes.mapped": (
        "已将「{text}」对应到「{code}」，更新了 {rows} 条已存记录。",
        "'{text}' now maps to '{code}'; {rows} stored rows updated.",
    ),
    "codes.failed": ("未能保存：{detail}", "Not saved: {detail}"),
    "codes.others_in_file": ("本文件中代码表外的取值", "Values of this file outside the code lists"),
    "codes.others_help": (
        "可在导入前对应到代码；不对应也会按「其他·原文」保存，之后可在系统管理页补对应。",
        "Map them before importing, or later on the admin page; unmapped they are kept as Other·text.",
    ),
    "codes.others_stored": ("已存数据中待对应的原文", "Stored texts waiting for a code"),
    "codes.no_others": ("该代码表没有待对应的原文。", "No texts wait for a code in this list."),
    "completeness.location_missing": ("缺少位置的记录", "Records without location"),
    "completeness.location_missing_help": (
        "这些队伍、避难场所和仓库已入库但没有坐标，地图上无法绘制；可重新导入带坐标的文件补全。",
        (
            "These teams, shelters and warehouses are stored without coordinates and cannot be drawn; import a file"
            " with coordinates to complete them."
        ),
    ),
    "completeness.col.missing_location": ("缺少位置", "Without location"),
    "map.not_drawn": (
        "另有 {n} 条记录缺少位置，未在地图上绘制（见数据完整性页）。",
        "{n} more records have no location and are not drawn (see the completeness page).",
    ),
    # --- one rule engine, freshness, exports ---
    "export.yes": ("是", "Yes"),
    "export.no": ("否", "No"),
    "rules.ungraded": ("未分级", "Not graded"),
    "rules.col.decided_by": ("决定站点", "Decided by"),
    "rules.col.gauge": ("雨量站", "Gauge"),
    "rules.window_hours": ("{hours} 小时", "{hours} h"),
    "chart.grade_legend_max_24h": ("，按窗口内最大24小时雨量", ", by the largest 24 h in the window"),
    "rules.col.stale_gauges": ("停报站", "Silent gauges"),
    "rules.col.report_end": ("时段末", "Period end"),
    "rules.col.interval": ("时段长（分钟）", "Interval (min)"),
    "rules.col.mm": ("雨量（毫米）", "Rain (mm)"),
    "rules.col.in_window": ("计入{hours}小时", "In {hours} h"),
    "rules.col.nearest_gauge": ("最近站（停报）", "Nearest gauge (silent)"),
    "rules.rows.title": ("查看信号依据：乡镇各站报数明细", "Open a signal: the reports behind it"),
    "rules.rows.caption": (
        (
            "研判时刻 {moment}；列出该乡镇各站在此前 {hours} 小时内的全部报数（不论时段长），"
            "停报站只计其已报数据，不外推。"
        ),
        (
            "Moment {moment}; every report of the township's gauges in the {hours} h before it (any interval); a silent"
            " gauge counts only what it reported, never extrapolated."
        ),
    ),
    "rules.rows.none": ("该乡镇各站在此时段内没有报数。", "No report from this township's gauges in this period."),
    "rules.hazards.method": (
        "雨量取 {km} 公里内最近的有报站（停报站跳过）；{unevaluated} 个隐患点范围内无有报站，未能研判。",
        (
            "Rain from the nearest reporting gauge within {km} km (silent gauges skipped); {unevaluated} points have no"
            " reporting gauge in range and are not assessed."
        ),
    ),
    "rules.hazards.unevaluated_title": ("未能研判的隐患点（{count} 个）", "Points not assessed ({count})"),
    "rules.signal.text": (
        "{level}（{gauge} {hours} 小时 {mm} 毫米 ≥ {bound}）",
        "{level} ({gauge}: {mm} mm in {hours} h ≥ {bound})",
    ),
    "rules.signal.none": ("无信号", "No signal"),
    "rules.signal.stale": ("；停报站：{gauges}", "; silent gauges: {gauges}"),
    "rules.fig.signal": ("暴雨预警信号（截至窗口末）", "Rainstorm signal (at window end)"),
    "briefing.h.signals": ("暴雨预警信号（窗口末时刻）", "Rainstorm signals (at the window end)"),
    "briefing.col.signal": ("信号及依据", "Signal and basis"),
    "rules.axis.report_time": ("报数时间", "Report time"),
    "builtin.drop_here": ("将文件拖放到此处，单个文件不超过 {limit}", "Drag and drop a file here, up to {limit} each"),
    "builtin.upload": ("选择文件", "Upload"),
    "rules.config.title": ("事件分级规则（按事件类型）", "Incident grade rules (per incident type)"),
    "rules.config.type": ("事件类型", "Incident type"),
    "rules.config.none": (
        "“{type}”没有分级规则：显示为“未分级”。如本省预案有分级标准，可在上表添加并注明依据。",
        '"{type}" has no grade rules: shown as not graded. Add your province\'s rule above with its source.',
    ),
    "rules.config.save": ("保存该类型的分级规则", "Save this type's grade rules"),
    "rules.config.saved": ("已保存“{type}”的 {count} 条分级规则。", 'Saved {count} grade rules for "{type}".'),
    "rules.col.scale": ("分级标准", "Scale"),
    "rules.col.source": ("依据", "Source"),
    "kpi.hazards_at_risk": ("超临界雨量隐患点", "Hazard points over critical rain"),
    "kpi.hazards_at_risk_help": (
        "窗口末时刻，最近的有报雨量站（在设定距离内）1/3/24 小时雨量达到临界雨量的隐患点数；沉默站不计入。",
        (
            "Hazard points whose nearest reporting gauge (within the set distance) reached a 1/3/24 h critical amount "
            "at the window end; silent gauges do not count."
        ),
    ),
    "map.tooltip.code": ("编号", "Code"),
    "map.tooltip.max_24h": ("窗口内最大24小时雨量", "Largest 24 h in window"),
    "map.tooltip.minutes": ("{minutes} 分钟", "{minutes} min"),
    "map.legend.max_24h": (
        "窗口超过24小时：按窗口内最大24小时雨量分级（24小时雨量等级），不按窗口总量。",
        "Window over 24 h: graded by the largest 24 h inside it (24 h scale), not by the window total.",
    ),
    "fresh.as_of": ("数据截至 {as_of}", "Data as of {as_of}"),
    "fresh.replay": (
        "数据截至 {as_of}：演示数据是一场往年暴雨过程的回放，不是实时数据。",
        "Data as of {as_of}: the demo is a replay of a past storm, not live data.",
    ),
    "fresh.stale": (
        "数据截至 {as_of}，已 {age} 未更新（超过 {limit}）：画面不是当前态势，请检查数据接入。",
        (
            "Data as of {as_of}, not updated for {age} (limit {limit}): this is not the current situation; check the"
            " data feed."
        ),
    ),
    "fresh.no_data": ("数据截至：尚无降雨或事件数据。", "Data as of: no rainfall or incident data yet."),
    "fresh.age_minutes": ("{minutes} 分钟", "{minutes} min"),
    "fresh.age_hours": ("{hours} 小时", "{hours} h"),
    "fresh.age_days": ("{days} 天", "{days} days"),
    "rules.ungraded_count": ("未分级事件", "Not graded"),
    "rules.ungraded_help": (
        (
            "洪涝、山洪、内涝等类型没有国家统一的单起事件分级标准（响应级别按《国家自然灾害救助应急预案》和省级预案逐次确定），"
            "未配置省级规则时显示“未分级”，不借用其他类型的标准。"
        ),
        (
            "Floods, flash floods and waterlogging have no national single-incident scale (response levels are set per "
            "disaster by the national relief plan and provincial plans): without a configured provincial rule they are "
            "shown as not graded, never on another type's scale."
        ),
    ),
    "rules.grade_rule_line": ("{type}：{rules}（依据：{source}）", "{type}: {rules} (source: {source})"),
    "rules.col.grade_source": ("定级规则", "Rule"),
    "rules.col.seriously_injured": ("重伤", "Seriously injured"),
    "rules.issue.regenerate": (
        "按所选级别和乡镇重新生成文本",
        "Regenerate the text for the chosen level and townships",
    ),
    "rules.issue.level_mismatch": (
        "预警文本写的是“{found}”，与所选级别“{level}”不一致：请修改文本或重新生成。",
        'The text says "{found}" but the chosen level is "{level}": edit the text or regenerate it.',
    ),
    "rules.issue.township_mismatch": (
        "预警文本提到未选择的乡镇：{names}。请修改文本或重新生成。",
        "The text names townships that are not chosen: {names}. Edit the text or regenerate it.",
    ),
    # --- hardening: sign-in refusals, inbox jobs, upload budget ---
    "auth.refused": (
        "登录失败：用户名或密码错误，或账户已锁定。连续多次失败后账户将临时锁定，请稍后再试或联系管理员。",
        (
            "Sign-in refused: wrong user name or password, or the account is locked. After repeated failures the"
            " account is locked for a while; try again later or contact an administrator."
        ),
    ),
    "auth.unavailable": (
        "暂时无法登录，请稍后再试。如持续出现，请联系管理员查看服务器日志。",
        (
            "Signing in is not possible right now; try again later. If it persists, ask an administrator to check the"
            " server log."
        ),
    ),
    "auth.proxy_unsafe": (
        "门户登录未启用：本服务未通过 scripts/serve.py 启动，无法确认连接来自门户服务器。请管理员按部署清单启动服务。",
        (
            "Portal sign-in is off: this server was not started through scripts/serve.py, so it cannot tell that a"
            " connection comes from the portal server. Ask an administrator to start it as the deployment checklist"
            " says."
        ),
    ),
    "ingest.inbox_abandoned": (
        (
            "命令行排队的 {file} 已尝试导入 {attempts} 次，每次都因服务中断未完成，已移入“失败”，数据库未因此改变。"
            "请检查文件后重新排队。"
        ),
        (
            "The queued {file} was started {attempts} times and each time the server stopped before it finished; it was"
            " moved to failed and the store was not changed. Check the file and queue it again."
        ),
    ),
    "ingest.inbox_broken": (
        "排队任务 {job} 缺少文件名或数据类型，已移入“失败”。",
        "Queued job {job} has no file name or kind; moved to failed.",
    ),
    "ingest.jobs": ("命令行排队任务", "Queued jobs from the command line"),
    "ingest.jobs_empty": ("没有排队任务。", "No queued jobs."),
    "ingest.job_state.queued": ("排队中", "Queued"),
    "ingest.job_state.running": ("导入中", "Importing"),
    "ingest.job_state.done": ("已完成", "Done"),
    "ingest.job_state.failed": ("失败", "Failed"),
    "ingest.col.job_state": ("状态", "State"),
    "ingest.col.queued_at": ("排队时间", "Queued at"),
    "ingest.col.finished_at": ("结束时间", "Finished at"),
    "ingest.col.attempts": ("尝试次数", "Attempts"),
    "ingest.col.job_message": ("结果", "Result"),
    "ingest.over_budget": (
        (
            "{file}（{size_mb} MB，{format} 格式）导入时预计需要约 {need_mb} MB 内存，超过每次导入的内存上限"
            " {budget_mb} MB，未导入。"
            "请拆分文件、改用 CSV（按行流式读取），或请管理员调高 [yitu] import_memory_mb。"
        ),
        (
            "{file} ({size_mb} MB, {format}) would need about {need_mb} MB of memory to import, more than the "
            "{budget_mb} MB allowed per import; nothing was imported. Split the file, save it as CSV (read as a "
            "stream), or ask an administrator to raise [yitu] import_memory_mb."
        ),
    ),
    # --- live water and feeds ---
    "unit.m": ("米", "m"),
    "unit.m3s": ("立方米每秒", "m³/s"),
    "map.layer.water": ("水情站点（河道 · 水库）", "Water stations (rivers, reservoirs)"),
    "water.kind": ("站类", "Type"),
    "water.state": ("状态", "State"),
    "water.state_now": ("当前状态", "State now"),
    "water.level": ("水位", "Water level"),
    "water.level_now": ("当前水位（米）", "Level now (m)"),
    "water.flow": ("流量", "Flow"),
    "water.warning_level": ("警戒水位", "Warning level"),
    "water.guarantee_level": ("保证水位", "Guaranteed level"),
    "water.limit_level": ("汛限水位", "Flood-limit level"),
    "water.threshold": ("超过的水位线（米）", "Level exceeded (m)"),
    "water.time": ("观测时间", "Observed"),
    "water.river": ("河名", "River"),
    "water.station": ("站名", "Station"),
    "water.first_over": ("开始超出", "Over since"),
    "water.hours_over": ("超出时长（小时）", "Hours over"),
    "water.peak": ("最高水位（米）", "Peak level (m)"),
    "water.peak_at": ("峰现时间", "Peak time"),
    "water.no_levels": ("所选时段内该站没有水位报文。", "No level reports from this station in the period."),
    "water.hydrograph_title": ("{station} 水位过程线", "Hydrograph of {station}"),
    "water.legend_note": (
        "颜色：最新水位相对警戒、保证、汛限水位（超出即严格高于）；品红圈：超过设定时间未报。",
        (
            "Colour: latest level against warning, guaranteed and flood-limit levels (over = strictly above); "
            "magenta ring: no report for too long."
        ),
    ),
    "water.over_title": ("超警戒（保证、汛限）水情站点", "Water stations over their thresholds"),
    "ingest.kind.water_stations": ("水情站点", "Water stations"),
    "ingest.kind.water_levels": ("河道 · 水库水位", "River and reservoir levels"),
    "ingest.kind.water_thresholds": ("警戒 · 保证水位", "Warning and guaranteed levels"),
    "ingest.kind.flood_limits": ("水库汛限水位", "Reservoir flood-limit levels"),
    "water.over_now": ("{moment} 超出：{stations}", "Over at {moment}: {stations}"),
    "water.over_none": (
        "所选时段内没有站点超过警戒、保证或汛限水位。",
        "No station went over its thresholds in the period.",
    ),
    "water.no_stations": (
        "尚无水情站点：在管理页配置水文数据源后自动同步。",
        "No water stations yet: configure a hydrology source on the admin page.",
    ),
    "kpi.water_over": ("超警戒站点", "Stations over warning"),
    "kpi.water_over_help": (
        "河道站最新水位高于警戒（或保证）水位、水库高于当期汛限水位的站点数（窗口结束时刻，最新报文 6 小时内）。",
        (
            "River stations whose latest level is above warning (or guaranteed) level and reservoirs above "
            "the flood-limit level of the season, at the window's end (latest report within 6 h)."
        ),
    ),
    "briefing.water": ("水情", "Water levels"),
    "briefing.water_line": (
        (
            "{station}（{kind}）{state}：现水位 {level} 米，超出 {threshold} 米的 {excess} 米；峰值 {peak}"
            " 米（{peak_at}），已超 {hours} 小时。"
        ),
        (
            "{station} ({kind}) {state}: level {level} m, {excess} m above {threshold} m; peak {peak} m ({peak_at}),"
            " over for {hours} h."
        ),
    ),
    "briefing.water_none": (
        "各河道、水库站水位均未超过警戒、保证或汛限水位。",
        "No river or reservoir station is over its warning, guaranteed or flood-limit level.",
    ),
    "feed.alarm_down": (
        "数据源“{feed}”连接失败，已 {minutes} 分钟无新数据（上限 {limit} 分钟），正在重试。",
        "Source “{feed}” cannot be reached; no new data for {minutes} min (limit {limit} min); retrying.",
    ),
    "feed.alarm_silent": (
        "数据源“{feed}”已 {minutes} 分钟无新报文（上限 {limit} 分钟）：请核实遥测与数据库。",
        "Source “{feed}” has sent no report for {minutes} min (limit {limit} min): check telemetry and database.",
    ),
    "feed.none": ("尚未配置实时数据源。", "No live source configured."),
    "feed.tab": ("实时数据源", "Live sources"),
    "feed.name": ("数据源", "Source"),
    "feed.state": ("状态", "State"),
    "feed.latest_data": ("最新报文时间", "Newest report"),
    "feed.silent_for": ("已静默（分钟）", "Silent (min)"),
    "feed.limit": ("告警上限（分钟）", "Alarm after (min)"),
    "feed.last_ok": ("最近成功同步", "Last successful run"),
    "feed.last_error": ("最近错误", "Last error"),
    "feed.started": ("开始", "Started"),
    "feed.ended": ("结束", "Ended"),
    "feed.result": ("结果", "Result"),
    "feed.ok": ("成功", "OK"),
    "feed.failed": ("失败", "Failed"),
    "feed.running": ("进行中", "Running"),
    "feed.read": ("读取行数", "Rows read"),
    "feed.inserted": ("新增", "Inserted"),
    "feed.updated": ("更正", "Updated"),
    "feed.rejected": ("拒收（隔离）", "Rejected (quarantined)"),
    "feed.attempt": ("第几次尝试", "Attempt"),
    "feed.error": ("错误", "Error"),
    "feed.admin_title": ("实时数据源（SL 323 水雨情数据库）", "Live sources (SL 323 hydrology databases)"),
    "feed.admin_help": (
        "连接地址含账号口令，只保存在设置文件中，库内与审计日志只记录隐去口令的地址。",
        (
            "The URL with its credentials is kept only in the settings file; the store and the audit log keep it with"
            " the password masked."
        ),
    ),
    "feed.url": ("连接地址（数据库 URL）", "Database URL (SQLAlchemy)"),
    "feed.url_keep": ("留空则保留原地址", "Leave empty to keep the current URL"),
    "feed.filter": ("站点筛选（如 ADDVCD=361104）", "Station filter (e.g. ADDVCD=361104)"),
    "feed.crs": ("经纬度坐标系", "Coordinate system"),
    "feed.every": ("同步间隔（分钟）", "Every (min)"),
    "feed.overlap": ("回读窗口（分钟）", "Overlap (min)"),
    "feed.silent": ("静默告警（分钟）", "Silent alarm after (min)"),
    "feed.first_days": ("首次同步天数", "Days on first run"),
    "feed.enabled": ("启用", "Enabled"),
    "feed.save": ("保存数据源", "Save source"),
    "feed.saved": ("已保存数据源“{feed}”。", "Source “{feed}” saved."),
    "feed.refused": ("未保存：{reason}", "Not saved: {reason}"),
    "feed.run_now": ("立即同步", "Sync now"),
    "feed.ran": (
        "“{feed}”：读取 {read} 行，新增 {inserted}，更正 {updated}，拒收 {rejected}。",
        "“{feed}”: read {read}, inserted {inserted}, updated {updated}, rejected {rejected}.",
    ),
    "feed.run_failed": ("“{feed}”同步失败：{error}", "“{feed}” failed: {error}"),
    # --- command-centre wall (指挥大屏) ---
    "wall.title": ("{county} 防汛应急指挥大屏", "{county} command wall"),
    "wall.demo": ("演示数据", "Demo data"),
    "wall.window": ("时段", "Window"),
    "wall.window_hours": ("最近 {hours} 小时", "last {hours} h"),
    "wall.window_custom": ("自选时段", "custom window"),
    "wall.as_of": ("数据截至", "Data as of"),
    "wall.no_data_time": ("无数据", "no data"),
    "wall.stale": ("数据已 {lag} 未更新", "No new data for {lag}"),
    "wall.lag_minutes": ("{n} 分钟", "{n} min"),
    "wall.lag_hours": ("{n} 小时", "{n} h"),
    "wall.lag_days": ("{n} 天", "{n} days"),
    "wall.fresh": ("数据正常", "Data current"),
    "wall.feed_down": ("数据源“{feed}”中断 {lag}", "Source “{feed}” down {lag}"),
    "wall.feed_silent": ("数据源“{feed}”静默 {lag}", "Source “{feed}” silent {lag}"),
    "wall.feed_many": ("{n} 个数据源中断或静默", "{n} sources down or silent"),
    "wall.refresh": ("每 {s} 秒刷新", "every {s} s"),
    "wall.clock": ("北京时间", "Beijing time"),
    "wall.menu": ("设置", "Settings"),
    "wall.menu.window": ("时间窗口", "Time window"),
    "wall.menu.language": ("语言", "Language"),
    "wall.menu.tour": ("轮巡有信号的乡镇", "Tour townships with signals"),
    "wall.menu.tour_off": ("关闭", "Off"),
    "wall.menu.tour_every": ("每 {s} 秒", "every {s} s"),
    "wall.kpi.rain": ("面雨量", "Areal rain"),
    "wall.kpi.rain_max": ("最大乡镇", "Wettest"),
    "wall.kpi.rain_mean": ("全县平均", "County mean"),
    "wall.kpi.no_rain": ("无降雨", "No rain"),
    "wall.kpi.gauges": ("雨量站达预警信号", "Gauges at a signal level"),
    "wall.kpi.gauges_none": ("无站点达到信号标准", "No gauge at a signal level"),
    "wall.kpi.water": ("超警戒水位站", "Water stations over warning level"),
    "wall.kpi.open": ("未结事件", "Open incidents"),
    "wall.kpi.ungraded": ("另有未分级 {n} 起", "{n} more ungraded"),
    "wall.grade.general": ("一般", "General"),
    "wall.grade.large": ("较大", "Large"),
    "wall.grade.major": ("重大", "Major"),
    "wall.grade.especially_major": ("特别重大", "Extreme"),
    "wall.kpi.geological": ("其中地质灾害：{parts}", "Geological: {parts}"),
    "wall.kpi.geological_part": ("{grade} {n}", "{grade} {n}"),
    "wall.kpi.list_sep": ("、", ", "),
    "wall.kpi.people": ("伤亡及被困", "Casualties and trapped"),
    "wall.kpi.people_parts": (
        "死亡 {deaths} · 失踪 {missing} · 受伤 {injured} · 被困 {trapped}",
        "dead {deaths} · missing {missing} · injured {injured} · trapped {trapped}",
    ),
    "wall.kpi.warnings": ("预警发布 · 叫应率", "Warnings · acknowledged"),
    "wall.kpi.warnings_issued": ("{n} 条", "{n}"),
    "wall.kpi.ack_none": ("无接收人", "no recipients"),
    "wall.kpi.ack_parts": ("已叫应 {ack} / {total} 人", "{ack} of {total} people acknowledged"),
    "wall.unit.mm": ("毫米", "mm"),
    "wall.unit.stations": ("站", "stations"),
    "wall.unit.items": ("起", "incidents"),
    "wall.unit.people": ("人", "people"),
    "wall.changed": ("本次刷新有变化", "changed at this refresh"),
    "wall.rank.title": ("重点乡镇", "Watch list"),
    "wall.rank.open": ("未结", "Open"),
    "wall.rank.no_signal": ("无信号", "none"),
    "wall.rank.by_signal": ("按信号、平均雨量", "by signal, rain"),
    "wall.rank.by_rain": ("按平均雨量", "by mean rain"),
    "wall.rank.by_incidents": ("按未结事件", "by open incidents"),
    "wall.ticker.title": ("最新动态", "Latest"),
    "wall.ticker.empty": ("时段内无事件与预警", "No incidents or warnings in the window"),
    "wall.ticker.warning": ("{level}预警 · {n} 个乡镇", "{level} · {n} townships"),
    "wall.ticker.people": ("涉及 {n} 人", "{n} people"),
    "wall.ticker.no_township": ("乡镇未知", "township unknown"),
    "wall.chart.title": ("全县面雨量 · 近 24 小时", "County areal rain · last 24 h"),
    "wall.chart.hourly": ("逐时雨量", "Hourly rain"),
    "wall.chart.cumulative": ("累计雨量", "Accumulated"),
    "wall.chart.y": ("雨量（毫米）", "Rain (mm)"),
    "wall.chart.y2": ("累计（毫米）", "Total (mm)"),
    "wall.map.legend.rain": ("乡镇平均雨量（毫米，{h} 小时标准）", "Township mean rain (mm, {h} h scale)"),
    "wall.map.legend.signal": ("乡镇边框：暴雨预警信号", "Township border: rainstorm signal"),
    "wall.map.legend.points": ("点位", "Points"),
    "wall.map.legend.gauge": ("雨量站（白圈）", "Rain gauge (white halo)"),
    "wall.map.legend.stale": ("雨量站停报", "Gauge silent"),
    "wall.map.legend.incident": ("未结事件（按状态）", "Open incident (by status)"),
    "wall.map.legend.no_rain": ("无雨", "No rain"),
    "wall.tour.at": ("轮巡 {i}/{n}：{name}", "Tour {i}/{n}: {name}"),
    "wall.tour.county": ("轮巡：全县", "Tour: whole county"),
    "wall.kpi.point_max": ("单站最大 {value}（{station}）", "Largest gauge {value} ({station})"),
    "wall.unit.warnings": ("条", "issued"),
    "wall.weekdays": ("星期一,星期二,星期三,星期四,星期五,星期六,星期日", "Mon,Tue,Wed,Thu,Fri,Sat,Sun"),
    "wall.tour.none": ("轮巡：暂无有信号的乡镇", "Tour: no township has a signal"),
    # --- water import kinds: stations, levels, thresholds and flood limits by file ---
    "ingest.field.river": ("河名", "River"),
    "ingest.field.basin": ("流域", "Basin"),
    "ingest.field.level_m": ("水位（米）", "Water level (m)"),
    "ingest.field.flow_m3s": ("流量 / 出库流量（立方米每秒）", "Flow / outflow (m³/s)"),
    "ingest.field.inflow_m3s": ("入库流量（立方米每秒）", "Inflow (m³/s)"),
    "ingest.field.storage_1e6m3": ("蓄水量（百万立方米）", "Storage (10⁶ m³)"),
    "ingest.field.trend": ("水势", "Trend"),
    "ingest.field.warning_level_m": ("警戒水位（米）", "Warning level (m)"),
    "ingest.field.guarantee_level_m": ("保证水位（米）", "Guaranteed level (m)"),
    "ingest.field.warning_flow_m3s": ("警戒流量（立方米每秒）", "Warning flow (m³/s)"),
    "ingest.field.guarantee_flow_m3s": ("保证流量（立方米每秒）", "Guaranteed flow (m³/s)"),
    "ingest.field.begin_md": ("开始月日（MMDD）", "Period begins (MMDD)"),
    "ingest.field.end_md": ("结束月日（MMDD）", "Period ends (MMDD)"),
    "ingest.field.limit_level_m": ("汛限水位（米）", "Flood-limit level (m)"),
    "ingest.reason.bad_month_day": ("不是有效的月日（应为 MMDD，如 0415）", "not a valid month-day (MMDD, e.g. 0415)"),
    "ingest.reason.guarantee_below_warning": ("保证水位低于警戒水位", "guaranteed level below the warning level"),
    # --- code lists on maps and exports, national numeric codes, mappings by header set ---
    "map.legend.shelter_kinds": ("避难场所类型", "Shelter kinds"),
    "map.legend.shelter_ring": ("绿色外圈 = 避难场所", "green ring = shelter"),
    "col.kind": ("种类", "Kind"),
    "ingest.remembered.source": (
        "已套用来源「{source}」上次确认的表头对应：{fields}",
        "Applied the header mapping source '{source}' confirmed before: {fields}",
    ),
    "ingest.remembered.headers": (
        "已套用同样表头的文件上次确认的表头对应（未填来源也适用）：{fields}",
        "Applied the header mapping confirmed for a file with the same headers (no source needed): {fields}",
    ),
    # --- hazard points over their critical rainfall on the map and the wall ---
    "wall.kpi.hazards": ("超临界雨量隐患点 {n} 处", "Hazard points over critical rain: {n}"),
    "wall.kpi.hazard_people": (" · 受威胁 {n} 人", " · {n} people exposed"),
    "map.legend.hazard_risk_title": ("隐患点风险（外环）", "Hazard point risk (ring)"),
    "map.legend.hazard_risk": ("红色外环：已超临界雨量（{n} 处）", "Red ring: over critical rain ({n})"),
    "map.hazard_risk.title": ("已超临界雨量", "Over critical rain"),
    "map.hazard_risk.over": ("超临界", "Over critical"),
    "map.hazard_risk.value": (
        "{window} {mm} / 临界 {critical} 毫米（{ratio} 倍）",
        "{window} {mm} / critical {critical} mm (×{ratio})",
    ),
    "detail.hazard_rain": (
        "截至 {at}，最近的报数雨量站实测：",
        "Measured at the nearest reporting gauge, up to {at}:",
    ),
    "detail.hazard_worst": ("最接近临界", "Nearest to critical"),
    "detail.hazard_unassessed": (
        "截至 {at}，{km} 公里内无报数雨量站，未评估是否超临界雨量。",
        "Up to {at} no gauge within {km} km reported: not assessed against the critical rain.",
    ),
    # --- code-list changes refused (emergency.codelists.CodeListError) ---
    "codes.error.unknown_list": ("没有名为「{list}」的代码表", "no code list named '{list}'"),
    "codes.error.empty_label": ("原文为空", "the text is empty"),
    "codes.error.unknown_code": ("代码表中没有代码「{code}」", "no code '{code}' in this list"),
    "codes.error.closed_list": ("此代码表不可新增代码", "codes cannot be added to this list"),
    "codes.error.bad_code": (
        "代码「{code}」不合要求：须以小写英文字母开头，只含小写字母、数字和下划线，2–40 个字符",
        "code '{code}' is not valid: lower-case letters, digits and _, 2-40 characters, starting with a letter",
    ),
    "codes.error.names_needed": ("中文名称和英文名称都要填写", "both names are needed"),
    "codes.error.bad_color": ("颜色须为 #rrggbb 形式", "colour must be #rrggbb"),
    "codes.error.code_exists": ("代码「{code}」已存在", "code '{code}' exists already"),
    # --- import messages (audit) ---
    "ingest.reason.not_point": ("几何不是点", "geometry is not a point"),
    "ingest.cli.map_hint": (
        "可用 --map 字段名=表头 指定对应关系，缺少的字段名：{fields}",
        "Map them with --map FIELD=HEADER; the missing fields: {fields}",
    ),
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
        "production_safety": ("生产安全事故", "Production-safety accident"),
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
    "map_layer": {
        "townships": ("乡镇填色", "Townships"),
        "surface": ("降雨插值面", "Rain surface"),
        "gauges": ("雨量站", "Rain gauges"),
        "incidents": ("事件", "Incidents"),
        "warehouses": ("物资仓库", "Warehouses"),
        "teams": ("救援队伍", "Rescue teams"),
        "shelters": ("避难场所", "Shelters"),
        "hazards": ("隐患点", "Hazard points"),
        "water": ("水情站点", "Water stations"),
    },
    "map_metric": {
        "rain_mean": ("面雨量（累计）", "Mean accumulated rain"),
        "max_1h": ("最大 1 小时雨强", "Max 1 h rain"),
        "max_3h": ("最大 3 小时雨量", "Max 3 h rain"),
        "incidents": ("事件数", "Incidents"),
        "open_incidents": ("未结事件数", "Open incidents"),
        "hazard_people": ("隐患点受威胁人数", "People at hazard points"),
        "signal": ("暴雨预警信号", "Rainstorm signal"),
    },
    "rain_grade": {
        "light": ("小雨", "Light"),
        "moderate": ("中雨", "Moderate"),
        "heavy": ("大雨", "Heavy"),
        "rainstorm": ("暴雨", "Rainstorm"),
        "heavy_rainstorm": ("大暴雨", "Heavy rainstorm"),
        "extreme_rainstorm": ("特大暴雨", "Extreme rainstorm"),
    },
    # --- warning and dispatch vocabularies ---
    "signal_level": {
        "blue": ("蓝色", "Blue"),
        "yellow": ("黄色", "Yellow"),
        "orange": ("橙色", "Orange"),
        "red": ("红色", "Red"),
    },
    "incident_grade": {
        "general": ("一般", "General"),
        "large": ("较大", "Large"),
        "major": ("重大", "Major"),
        "especially_major": ("特别重大", "Especially major"),
    },
    "grade_criterion": {
        "deaths": ("死亡（含失踪）人数", "Deaths (incl. missing)"),
        "injured": ("重伤人数", "Seriously injured"),
        "loss_10k_yuan": ("直接经济损失（万元）", "Direct loss (10k yuan)"),
    },
    "warning_channel": {
        "sms": ("短信", "SMS"),
        "broadcast": ("应急广播", "Emergency broadcast"),
        "wechat": ("微信工作群", "WeChat work group"),
    },
    "contact_role": {
        "township_head": ("乡镇主要负责人", "Township head"),
        "flood_duty": ("防汛责任人", "Flood duty officer"),
        "grid_member": ("网格员", "Grid member"),
    },
    "dispatch_status": {
        "dispatched": ("已派出", "Dispatched"),
        "on_site": ("已到达", "On site"),
        "completed": ("已完成", "Completed"),
        "cancelled": ("已取消", "Cancelled"),
    },
    "resource_kind": {
        "team": ("救援队伍", "Rescue team"),
        "warehouse": ("物资仓库", "Warehouse"),
        "shelter": ("避难场所", "Shelter"),
        "hazard": ("隐患点", "Hazard point"),
    },
    "township_method": {
        "max": ("取所含雨量站最大值", "Maximum of its gauges"),
        "mean": ("取所含雨量站平均值", "Mean of its gauges"),
    },
    # --- township command view and grid management ---
    "call_role": {
        "duty_leader": ("值班领导", "Leader on duty"),
        "township_head": ("乡镇主要负责人", "Township head"),
        "flood_duty": ("防汛责任人", "Flood duty officer"),
        "grid_member": ("网格员", "Grid member"),
    },
    "duty_title": {
        "party_secretary": ("党委书记", "Party secretary"),
        "township_head": ("乡镇长", "Township head"),
        "deputy_head": ("副乡镇长", "Deputy head"),
        "armed_forces": ("武装部长", "Armed forces head"),
    },
    "village_kind": {
        "village": ("村", "Village"),
        "community": ("社区", "Community"),
    },
    "role": {
        "leader": ("领导", "Leader"),
        "duty": ("值班员", "Duty officer"),
        "analyst": ("分析员", "Analyst"),
        "admin": ("管理员", "Administrator"),
    },
    "audit_action": {
        "login": ("登录", "Sign-in"),
        "login_failed": ("登录失败", "Failed sign-in"),
        "logout": ("退出", "Sign-out"),
        "import": ("数据导入", "Import"),
        "inbox_import": ("排队导入", "Queued import"),
        "warning_issue": ("发布预警", "Warning issued"),
        "warning_ack": ("记录叫应", "Acknowledgement"),
        "warning_config": ("修改预警阈值", "Thresholds changed"),
        "grade_rules": ("修改事件分级规则", "Grade rules changed"),
        "contacts_save": ("修改责任人", "Contacts changed"),
        "stock_minimums": ("修改最低库存", "Stock minimums changed"),
        "dispatch": ("调度", "Dispatch"),
        "dispatch_status": ("调度状态", "Dispatch status"),
        "export": ("导出", "Export"),
        "user_create": ("新建账户", "Account created"),
        "user_role": ("修改角色", "Role changed"),
        "user_password": ("重置密码", "Password set"),
        "user_disable": ("停用账户", "Account disabled"),
        "user_enable": ("启用账户", "Account enabled"),
        "user_unlock": ("解锁账户", "Account unlocked"),
        "feed_save": ("配置数据源", "Source configured"),
        "feed_run": ("手动同步", "Manual sync"),
    },
    "login_refusal": {
        "bad_credentials": ("用户名或密码错误", "Wrong user name or password"),
        "locked": ("账户已锁定", "Account locked"),
        "disabled": ("账户已停用", "Account disabled"),
        "no_account": ("无本系统账户", "No account here"),
    },
    "audit_outcome": {
        "ok": ("成功", "Done"),
        "denied": ("拒绝", "Denied"),
        "failed": ("失败", "Failed"),
    },
    # --- one rule engine: grade scales, kinds ---
    # 《地质灾害防治条例》第四条: 特大型/大型/中型/小型, by response level (I..IV).
    "geological_grade": {
        "general": ("小型", "Small"),
        "large": ("中型", "Medium"),
        "major": ("大型", "Large"),
        "especially_major": ("特大型", "Very large"),
    },
    "grade_scale": {
        "production_safety": ("生产安全事故（国务院令第493号）", "Production safety (State Council Decree 493)"),
        "geological": ("地质灾害（地质灾害防治条例第四条）", "Geological disaster (Regulations art. 4)"),
        "provincial": ("省级规定", "Provincial rule"),
    },
    "grade_criterion_v2": {
        "deaths": ("死亡人数", "Deaths"),
        "deaths_missing": ("死亡（含失踪）人数", "Deaths incl. missing"),
        "seriously_injured": ("重伤人数", "Seriously injured"),
        "loss_10k_yuan": ("直接经济损失（万元）", "Direct loss (10k yuan)"),
    },
    "shelter_kind": {
        "school": ("学校", "School"),
        "stadium": ("体育场馆", "Stadium"),
        "community_center": ("社区中心", "Community centre"),
        "park": ("公园广场", "Park"),
        "other": ("其他", "Other"),
    },
    "gauge_kind": {
        "automatic": ("自动雨量站", "Automatic gauge"),
        "hydrological": ("水文站", "Hydrological station"),
        "manual": ("人工站", "Manual gauge"),
    },
    # --- live water and feeds ---
    "water_kind": {
        "river": ("河道站", "River station"),
        "reservoir": ("水库站", "Reservoir"),
    },
    "water_state": {
        "no_data": ("无近期水位", "No recent level"),
        "normal": ("低于警戒", "Below warning"),
        "over_flood_limit": ("超汛限", "Over flood limit"),
        "over_warning": ("超警戒", "Over warning"),
        "over_guarantee": ("超保证", "Over guaranteed level"),
    },
    "feed_error": {
        "unreachable": ("连接失败", "Unreachable"),
        "schema": ("表结构不符 SL 323", "Not SL 323 tables"),
        "no_url": ("设置文件中无连接地址", "No URL in the settings file"),
        "store": ("写入本地库失败", "Store write failed"),
        "interrupted": ("运行中断（进程停止，未记录结束）", "Interrupted (the process stopped, no end recorded)"),
        "other": ("其他错误", "Other error"),
    },
    "feed_state": {
        "ok": ("正常", "OK"),
        "retrying": ("重试中", "Retrying"),
        "down": ("连接失败", "Unreachable"),
        "silent": ("无新报文", "Silent"),
        "never": ("尚未同步", "Not run yet"),
        "disabled": ("已停用", "Disabled"),
    },
}


# --- code lists: labels of the codes every open list adds ---
for _name, _labels in {
    "incident_type": {
        "rockfall": ("崩塌", "Rockfall"),
        "ground_subsidence": ("地面塌陷", "Ground subsidence"),
        "drought": ("干旱", "Drought"),
        "earthquake": ("地震", "Earthquake"),
        "meteorological": ("气象灾害", "Severe weather"),
        "forest_fire": ("森林草原火灾", "Forest fire"),
        "fire": ("火灾事故", "Fire"),
        "production_safety": ("生产安全事故", "Work-safety accident"),
        "public_health": ("公共卫生事件", "Public health"),
        "social_security": ("社会安全事件", "Public security"),
    },
    "hazard_kind": {
        "collapse": ("崩塌", "Rockfall"),
        "ground_subsidence": ("地面塌陷", "Ground subsidence"),
        "other": ("其他", "Other"),
    },
    "stock_category": {"engineering": ("工程材料", "Engineering materials"), "other": ("其他", "Other")},
    "team_kind": {
        "water_rescue": ("水上救援队伍", "Water rescue"),
        "mine_rescue": ("矿山救护队伍", "Mine rescue"),
        "forest_fire": ("森林消防队伍", "Forest firefighting"),
        "other": ("其他", "Other"),
    },
    "shelter_kind": {
        "school": ("学校", "School"),
        "stadium": ("体育场馆", "Stadium"),
        "community_center": ("社区/村委会", "Community centre"),
        "park": ("公园", "Park"),
        "square": ("广场", "Square"),
        "other": ("其他", "Other"),
    },
    "gauge_kind": {
        "automatic": ("自动站", "Automatic"),
        "hydrological": ("水文站", "Hydrological"),
        "manual": ("人工站", "Manual"),
        "other": ("其他", "Other"),
    },
    "audit_action": {
        "codelist_map": ("代码表映射", "Code mapped"),
        "codelist_add": ("新增代码", "Code added"),
        "location_set": ("补全位置", "Location completed"),
    },
    "code_list": {
        "incident_type": ("事件类型", "Incident type"),
        "incident_status": ("处置状态", "Incident status"),
        "hazard_kind": ("隐患点类型", "Hazard kind"),
        "stock_category": ("物资类别", "Supply category"),
        "team_kind": ("队伍类型", "Team kind"),
        "shelter_kind": ("避难场所类型", "Shelter kind"),
        "gauge_kind": ("测站类型", "Gauge kind"),
        "village_kind": ("村/社区", "Village kind"),
        "duty_title": ("职务", "Duty title"),
        "water_kind": ("水情站类", "Water station kind"),
    },
}.items():
    for _code, _pair in _labels.items():
        CODE_LABELS.setdefault(_name, {}).setdefault(_code, _pair)


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
