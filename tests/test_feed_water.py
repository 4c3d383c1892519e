"""Water station states against hand-worked thresholds; time over, peak; feed freshness states."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from emergency.feed import water

T = datetime(2026, 6, 20, 12, 0)


@pytest.fixture
def conn(tiny_store):
    c = tiny_store
    cur = c.cursor()
    cur.execute("""INSERT INTO water_stations VALUES
        ('RV1', '信江站', 'river', '信江', NULL, '999999001', 117.95, 28.35, NULL, 'test'),
        ('RV2', '丰溪站', 'river', '丰溪河', NULL, '999999002', 118.05, 28.35, NULL, 'test'),
        ('RV3', '无阈值站', 'river', NULL, NULL, '999999002', 118.06, 28.36, NULL, 'test'),
        ('RS1', '七一水库', 'reservoir', NULL, NULL, '999999002', 118.07, 28.37, NULL, 'test'),
        ('RV4', '停报站', 'river', NULL, NULL, '999999001', 117.96, 28.36, NULL, 'test')""")
    cur.execute("""INSERT INTO water_thresholds VALUES
        ('RV1', 70.0, 72.5, NULL, NULL), ('RV2', 50.0, 52.0, NULL, NULL), ('RV4', 10.0, 12.0, NULL, NULL)""")
    # 汛限: 主汛期 0401..0630 110 m, 后汛期 0701..1015 112 m, 非汛期 1016..0331 (over the new year) 114 m.
    cur.execute("""INSERT INTO flood_limits VALUES ('RS1', '0401', '0630', 110.0), ('RS1', '0701', '1015', 112.0),
                   ('RS1', '1016', '0331', 114.0)""")
    levels = [
        # RV1 rises over 警戒 70 at 09:00, over 保证 72.5 at 11:00, falls to 72.0 at 12:00.
        ("RV1", 8, 69.0),
        ("RV1", 9, 70.5),
        ("RV1", 10, 71.8),
        ("RV1", 11, 73.0),
        ("RV1", 12, 72.0),
        # RV2 exactly at 警戒 (not over), RS1 at 111 m (over 110 in June), RV4 over but 7 h old.
        ("RV2", 12, 50.0),
        ("RS1", 11.5, 111.0),
        ("RV4", 5, 15.0),
        ("RV3", 12, 99.0),
    ]
    for station, h, z in levels:
        cur.execute(
            "INSERT INTO water_levels (station, ts, level_m) VALUES (?, ?, ?)",
            [station, datetime(2026, 6, 20) + timedelta(hours=h), z],
        )
    return c


def test_states_at_a_moment(conn):
    s = water.station_states(conn, T).set_index("code")
    assert s.loc["RV1", "state"] == "over_warning" and s.loc["RV1", "threshold_m"] == 70.0
    assert s.loc["RV1", "excess_m"] == pytest.approx(2.0)
    assert s.loc["RV2", "state"] == "normal"  # 50.0 is at 警戒, not over it
    assert s.loc["RS1", "state"] == "over_flood_limit" and s.loc["RS1", "limit_level_m"] == 110.0
    assert s.loc["RV3", "state"] == "normal"  # no threshold: never over
    assert s.loc["RV4", "state"] == "no_data"  # its last level is older than MAX_LEVEL_AGE_H
    assert (
        water.station_states(conn, datetime(2026, 6, 20, 11)).set_index("code").loc["RV1", "state"] == "over_guarantee"
    )
    assert water.over_count(conn, T) == 2
    assert water.over_count(conn, T, ("999999001",)) == 1


def test_flood_limit_by_period(conn):
    cur = conn.cursor()
    for day, limit in (
        (datetime(2026, 7, 1, 12), 112.0),
        (datetime(2026, 12, 31, 12), 114.0),
        (datetime(2027, 3, 31, 12), 114.0),
        (datetime(2026, 4, 1, 12), 110.0),
    ):
        cur.execute("INSERT INTO water_levels (station, ts, level_m) VALUES ('RS1', ?, 111.0)", [day])
        s = water.station_states(conn, day).set_index("code")
        assert s.loc["RS1", "limit_level_m"] == limit, day
        assert (s.loc["RS1", "state"] == "over_flood_limit") == (limit < 111.0)


def test_time_over_and_peak(conn):
    over = water.over_periods(conn, datetime(2026, 6, 20), T).set_index("code")
    # RV4 went over at 05:00 and then fell silent: listed, its time over capped at 6 h.
    assert list(over.index) == ["RV1", "RS1", "RV4"]
    assert over.loc["RV4", "over_minutes"] == 360 and over.loc["RV4", "state"] == "no_data"
    rv1 = over.loc["RV1"]
    # Over 70 from the 09:00 report: 09-10, 10-11, 11-12 and the 12:00 report up to the end = 180 min.
    assert rv1["first_over"] == datetime(2026, 6, 20, 9) and rv1["over_minutes"] == 180
    assert rv1["peak_m"] == 73.0 and rv1["peak_at"] == datetime(2026, 6, 20, 11)
    assert over.loc["RS1", "over_minutes"] == 30


def test_feed_status_states(conn):
    cur = conn.cursor()
    cur.execute(
        "INSERT INTO feeds (name, silent_min, created_at) VALUES ('A', 15, ?), ('B', 15, ?), ('C', 15, ?)", [T, T, T]
    )
    cur.execute(
        """INSERT INTO feed_runs (feed, started_at, ended_at, ok, error) VALUES
        ('A', ?, ?, true, NULL), ('B', ?, ?, true, NULL), ('B', ?, ?, false, 'OperationalError: x')""",
        [T, T, T - timedelta(minutes=40), T - timedelta(minutes=40), T, T],
    )
    cur.execute(
        "INSERT INTO feed_marks VALUES ('A', 'ST_PPTN_R', ?), ('B', 'ST_PPTN_R', ?)",
        [T - timedelta(minutes=5), T - timedelta(minutes=40)],
    )
    status = water.feed_status(conn, T).set_index("feed")
    assert status.loc["A", "state"] == "ok" and not status.loc["A", "alarm"]
    assert status.loc["B", "state"] == "down" and status.loc["B", "alarm"]
    assert status.loc["C", "state"] == "never"  # configured just now
    later = water.feed_status(conn, T + timedelta(minutes=20)).set_index("feed")
    assert later.loc["A", "state"] == "silent" and later.loc["A", "alarm"]
    # Never run 20 minutes after it was configured: nothing syncs it, an alarm too.
    assert later.loc["C", "state"] == "silent" and later.loc["C", "alarm"]


def test_hydrograph_follows_the_flood_limit_period(conn):
    cur = conn.cursor()
    for day, z in ((datetime(2026, 6, 30, 23), 111.0), (datetime(2026, 7, 1, 1), 111.5)):
        cur.execute("INSERT INTO water_levels (station, ts, level_m) VALUES ('RS1', ?, ?)", [day, z])
    series = water.hydrograph(conn, "RS1", datetime(2026, 6, 30, 12), datetime(2026, 7, 1, 12))
    assert series["limit_level_m"].tolist() == [110.0, 112.0]
    from emergency.feed import figures

    station = water.station_states(conn, datetime(2026, 7, 1, 12)).set_index("code").loc["RS1"].copy()
    station["name"] = "七一水库"
    fig = figures.hydrograph(series, station, "zh")
    limit = next(trace for trace in fig.data if trace.name == "汛限水位")
    assert list(limit.y) == [110.0, 112.0] and limit.line.shape == "hv"
