"""A tiny hand-made store whose every figure can be checked by hand in the tests."""

from __future__ import annotations

from datetime import datetime

import duckdb
import shapely

from emergency import store

# Two square townships side by side, 0.1 degree each, near the demo county.
WEST = shapely.box(117.9, 28.3, 118.0, 28.4)
EAST = shapely.box(118.0, 28.3, 118.1, 28.4)
T0 = datetime(2026, 6, 20, 0, 0)


def hour(h: float) -> datetime:
    return datetime(2026, 6, 20, int(h), int(round((h % 1) * 60)))


def populate(conn) -> None:
    """Fill an empty, migrated store with a handful of rows."""
    county = shapely.union(WEST, EAST)
    cur = conn.cursor()
    store.set_meta(conn, {"county_code": "999999", "county_name": "测试县", "is_demo": "true"})
    cur.execute(
        "INSERT INTO county VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ["999999", "测试县", shapely.to_wkb(county), 200.0, 117.9, 28.3, 118.1, 28.4],
    )
    for code, name, geom in (("999999001", "西镇", WEST), ("999999002", "东乡", EAST)):
        point = geom.representative_point()
        cur.execute(
            "INSERT INTO townships VALUES (?, ?, ?, 100.0, 1000, ?, ?, true)",
            [code, name, shapely.to_wkb(geom), point.x, point.y],
        )
    gauges = [
        ("G1", "西一站", "999999001", 117.95, 28.35),
        ("G2", "西二站", "999999001", 117.92, 28.32),
        ("G3", "东一站", "999999002", 118.05, 28.35),
    ]
    for code, name, township, lon, lat in gauges:
        cur.execute(
            "INSERT INTO rain_gauges (code, name, kind, township, lon, lat, elevation_m, source) VALUES (?, ?,"
            " 'automatic', ?, ?, ?, 100.0, 'test')",
            [code, name, township, lon, lat],
        )
    # Hourly rain on 2026-06-20: G1 gets 10 mm at 01:00..04:00 (40 mm), G2 5 mm at 03:00
    # and 04:00 (10 mm), G3 nothing but a zero report at 04:00.
    rows = [("G1", hour(h), 10.0) for h in (1, 2, 3, 4)]
    rows += [("G2", hour(3), 5.0), ("G2", hour(4), 5.0), ("G3", hour(4), 0.0)]
    for station, ts, mm in rows:
        cur.execute("INSERT INTO rainfall VALUES (?, ?, ?, 60)", [station, ts, mm])
    store.refresh_rain_hourly(cur)
    incidents = [
        ("I1", "flood", hour(2), "999999001", "西镇<b>一</b>村", 117.95, 28.35, "pending"),
        ("I2", "landslide", hour(3.5), "999999001", "西镇二村", 117.93, 28.33, "closed"),
        ("I3", "flood", hour(4), "999999002", "东乡三村", 118.05, 28.36, "active"),
        ("I4", "flood", hour(10), "999999002", "东乡四村", 118.06, 28.36, "pending"),
    ]
    for ident, kind, when, township, address, lon, lat, status in incidents:
        cur.execute(
            """INSERT INTO incidents (id, type, occurred_at, township, address, lon, lat, status, source, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'test', ?)""",
            [ident, kind, when, township, address, lon, lat, status, when],
        )
    cur.execute(
        "INSERT INTO warehouses VALUES ('西镇仓库', '999999001', '西镇一村', '王五', '13900000001', 117.94, 28.34)"
    )
    cur.execute(
        "INSERT INTO stock (warehouse, item, category, quantity, unit, updated_at) VALUES ('西镇仓库', '编织袋',"
        " 'flood_control', 5000, '条', ?)",
        [T0],
    )
    cur.execute(
        "INSERT INTO stock (warehouse, item, category, quantity, unit, updated_at) VALUES ('西镇仓库', '救生衣',"
        " 'rescue_equipment', 200, '件', ?)",
        [T0],
    )
    cur.execute(
        "INSERT INTO teams (name, kind, members, leader, phone, township, lon, lat) VALUES ('东乡民兵队', 'militia',"
        " 30, '李四', '13900000002', '999999002', 118.04, 28.34)"
    )
    cur.execute(
        "INSERT INTO shelters (name, kind, capacity, occupancy, township, lon, lat) VALUES ('西镇小学', 'school', 300,"
        " 120, '999999001', 117.96, 28.36)"
    )
    cur.execute(
        "INSERT INTO shelters (name, kind, capacity, occupancy, township, lon, lat) VALUES ('东乡礼堂',"
        " 'community_center', 100, 150, '999999002', 118.07, 28.37)"
    )
    cur.execute(
        "INSERT INTO hazard_points (id, name, kind, township, lon, lat, people, households, critical_mm_1h,"
        " critical_mm_3h, critical_mm_24h) VALUES ('H1', '西镇后山', 'landslide', '999999001', 117.97, 28.38, 40, 12,"
        " 30, 60, 120)"
    )
    cur.execute(
        "INSERT INTO hazard_points (id, name, kind, township, lon, lat, people, households, critical_mm_1h,"
        " critical_mm_3h, critical_mm_24h) VALUES ('H2', '西镇河口', 'flash_flood', '999999001', 117.91, 28.31, 60, 20,"
        " 25, 50, 100)"
    )


# One responsible person per tiny township, so warnings can be issued.
CONTACTS = [("999999001", "张三", "township_head", "13700000001"), ("999999002", "王五", "flood_duty", "13700000002")]


def with_contacts() -> duckdb.DuckDBPyConnection:
    """A private in-memory tiny store with CONTACTS as township responsible persons."""
    connection = store.connect(":memory:")
    populate(connection)
    connection.executemany("INSERT INTO township_contacts VALUES (?, ?, ?, ?, true)", CONTACTS)
    return connection
