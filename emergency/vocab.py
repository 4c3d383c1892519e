"""Controlled vocabularies: the codes stored in the database and their display colours.

Labels for each code (zh/en) live in emergency.i18n; colours are here so the map,
charts and exports use the same colour for the same category.
"""

# Incident type codes; RGB colours shared by map and charts.
INCIDENT_TYPES: dict[str, tuple[int, int, int]] = {
    "flood": (31, 119, 180),  # 洪涝
    "flash_flood": (23, 190, 207),  # 山洪
    "landslide": (140, 86, 75),  # 滑坡
    "debris_flow": (188, 128, 45),  # 泥石流
    "waterlogging": (120, 160, 230),  # 内涝
    "collapse": (127, 127, 127),  # 房屋倒塌
    "traffic": (148, 103, 189),  # 交通中断
    "other": (90, 90, 90),  # 其他
    "production_safety": (227, 119, 194),  # 生产安全事故 (graded by 国务院令第493号)
}

# Incident status codes, in workflow order.
INCIDENT_STATUSES: dict[str, tuple[int, int, int]] = {
    "pending": (214, 39, 40),  # 待处置
    "active": (255, 127, 14),  # 处置中
    "closed": (44, 160, 44),  # 已处置
}
OPEN_STATUSES = ("pending", "active")

HAZARD_KINDS: dict[str, tuple[int, int, int]] = {
    "flash_flood": (23, 190, 207),  # 山洪
    "landslide": (140, 86, 75),  # 滑坡
    "debris_flow": (188, 128, 45),  # 泥石流
    "waterlogging": (120, 160, 230),  # 内涝
}

STOCK_CATEGORIES: dict[str, tuple[int, int, int]] = {
    "flood_control": (31, 119, 180),  # 防汛物资
    "rescue_equipment": (255, 127, 14),  # 救援装备
    "living": (44, 160, 44),  # 生活类
    "medical": (214, 39, 40),  # 医疗
    "power_comms": (148, 103, 189),  # 电力通信
}

TEAM_KINDS: dict[str, tuple[int, int, int]] = {
    "fire_rescue": (214, 39, 40),  # 综合性消防救援
    "flood_rescue": (31, 119, 180),  # 防汛抢险
    "militia": (44, 160, 44),  # 民兵应急
    "medical": (227, 119, 194),  # 医疗救护
    "social": (255, 187, 120),  # 社会救援力量
}

GAUGE_KINDS = ("automatic", "hydrological", "manual")
SHELTER_KINDS = ("school", "stadium", "community_center", "park", "other")

# Precipitation grade lower bounds in mm by accumulation window (hours). 12 h and 24 h
# follow GB/T 28592-2012 (降水量等级); 1/3/6 h are the CMA operational scales
# (小雨/中雨/大雨/暴雨/大暴雨/特大暴雨). Windows longer than 24 h use the 24 h scale.
RAIN_SCALES: dict[int, tuple[float, ...]] = {
    1: (0.1, 2.6, 8.1, 16.0, 30.0, 50.0),
    3: (0.1, 3.0, 10.0, 20.0, 50.0, 70.0),
    6: (0.1, 4.0, 13.0, 25.0, 60.0, 120.0),
    12: (0.1, 5.0, 15.0, 30.0, 70.0, 140.0),
    24: (0.1, 10.0, 25.0, 50.0, 100.0, 250.0),
}
RAIN_GRADE_CODES = ("light", "moderate", "heavy", "rainstorm", "heavy_rainstorm", "extreme_rainstorm")
# Standard Chinese rain map colours: light green -> deep magenta.
RAIN_GRADE_COLORS: tuple[tuple[int, int, int], ...] = (
    (166, 242, 143),
    (61, 186, 61),
    (97, 184, 255),
    (0, 0, 254),
    (250, 0, 250),
    (128, 0, 64),
)
NO_RAIN_COLOR = (200, 200, 200)


# --- warning and dispatch ---
# Rainstorm signal levels (暴雨预警信号) in rising order; colours are the signal colours.
SIGNAL_LEVELS: dict[str, tuple[int, int, int]] = {
    "blue": (30, 110, 230),  # 蓝色
    "yellow": (245, 200, 0),  # 黄色
    "orange": (255, 128, 0),  # 橙色
    "red": (220, 20, 30),  # 红色
}
NO_SIGNAL_COLOR = (205, 210, 215)
# Incident grades in rising order (一般/较大/重大/特别重大), coloured like response levels IV..I.
INCIDENT_GRADES: dict[str, tuple[int, int, int]] = {
    "general": (30, 110, 230),  # 一般
    "large": (245, 200, 0),  # 较大
    "major": (255, 128, 0),  # 重大
    "especially_major": (220, 20, 30),  # 特别重大
}
# Channels a warning is recorded as sent through (nothing is actually sent).
WARNING_CHANNELS = ("sms", "broadcast", "wechat")
# Dispatch status codes, in workflow order.
DISPATCH_STATUSES: dict[str, tuple[int, int, int]] = {
    "dispatched": (255, 127, 14),  # 已派出
    "on_site": (31, 119, 180),  # 已到达
    "completed": (44, 160, 44),  # 已完成
    "cancelled": (127, 127, 127),  # 已取消
}
# Resource kinds on the dispatch map.
RESOURCE_KINDS: dict[str, tuple[int, int, int]] = {
    "team": (214, 39, 40),  # 救援队伍
    "warehouse": (148, 103, 189),  # 物资仓库 (not blue: general incidents are blue)
    "shelter": (44, 160, 44),  # 避难场所
    "hazard": (140, 86, 75),  # 隐患点
}


# --- code lists ---
# Every categorical field's full built-in code list with colours: the codes above plus the
# classes of the national classifications a department's file may name (GB/T 35561 incident
# classes, GB/T 38565 supply classes, GB/T 44013 shelter places), and "other", which keeps the
# department's own text beside it. Schema 8 seeds the store's code_lists table from these; the
# dicts above stay as they are (the demo generator and the legends follow their order).
OTHER_COLOR = (90, 90, 90)
CODE_LISTS: dict[str, dict[str, tuple[int, int, int] | None]] = {
    "incident_type": {
        **INCIDENT_TYPES,
        "rockfall": (160, 110, 90),  # 崩塌 (geological: graded by 地质灾害防治条例)
        "ground_subsidence": (110, 110, 70),  # 地面塌陷 (geological)
        "drought": (205, 170, 90),  # 干旱
        "earthquake": (120, 60, 40),  # 地震
        "meteorological": (70, 130, 180),  # 气象灾害（大风、冰雹、雷电…）
        "forest_fire": (230, 85, 13),  # 森林草原火灾
        "fire": (200, 30, 30),  # 火灾事故
        "production_safety": (160, 60, 120),  # 生产安全事故
        "public_health": (50, 160, 120),  # 公共卫生事件
        "social_security": (100, 100, 160),  # 社会安全事件
    },
    "incident_status": dict(INCIDENT_STATUSES),
    "hazard_kind": {
        **HAZARD_KINDS,
        "collapse": (160, 110, 90),
        "ground_subsidence": (110, 110, 70),
        "other": OTHER_COLOR,
    },
    "stock_category": {**STOCK_CATEGORIES, "engineering": (140, 86, 75), "other": OTHER_COLOR},
    "team_kind": {
        **TEAM_KINDS,
        "water_rescue": (23, 190, 207),
        "mine_rescue": (120, 80, 40),
        "forest_fire": (230, 85, 13),
        "other": OTHER_COLOR,
    },
    "shelter_kind": {
        "school": (31, 119, 180),
        "stadium": (255, 127, 14),
        "community_center": (44, 160, 44),
        "park": (120, 200, 90),
        "square": (188, 189, 34),
        "other": OTHER_COLOR,
    },
    "gauge_kind": {"automatic": None, "hydrological": None, "manual": None, "other": None},
    "village_kind": {"village": None, "community": None},
    "duty_title": {"party_secretary": None, "township_head": None, "deputy_head": None, "armed_forces": None},
}
