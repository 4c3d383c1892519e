"""Hourly rain sums (schema 7): kept in step with rainfall, and queries read through them unchanged."""

from datetime import datetime, timedelta

import duckdb
import pandas as pd
import pytest

from emergency import queries, store
from emergency.ingest import import_file
from emergency.ingest.errors import IngestError
from tests import tiny

# Demo storm: 7 days of five-minute reports ending here.
DEMO_END = datetime(2026, 6, 22, 0, 0)
# Windows over the demo: on the hour, off the hour at either or both edges, inside one hour, 72 h.
DEMO_WINDOWS = [
    (DEMO_END - timedelta(hours=24), DEMO_END),
    (DEMO_END - timedelta(hours=72), DEMO_END),
    (DEMO_END - timedelta(hours=6, minutes=25), DEMO_END),
    (DEMO_END - timedelta(hours=12), DEMO_END - timedelta(minutes=35)),
    (DEMO_END - timedelta(hours=30, minutes=10), DEMO_END - timedelta(hours=2, minutes=50)),
    (DEMO_END - timedelta(hours=3, minutes=40), DEMO_END - timedelta(hours=3, minutes=5)),
]

# Queries whose rows come in no particular order.
UNORDERED = {"gauge_grid"}


def rebuilt(conn) -> pd.DataFrame:
    """rain_hourly as a full recomputation from rainfall would leave it."""
    return store.run(
        conn,
        f"""SELECT station, {store.RAIN_HOUR_SQL} AS hour, sum(mm::DECIMAL(18, 3)) AS mm, count(*)::INTEGER AS readings,
                   max(mm) AS max_mm
            FROM rainfall GROUP BY ALL ORDER BY station, hour""",
    )


def stored(conn) -> pd.DataFrame:
    return store.run(conn, "SELECT station, hour, mm, readings, max_mm FROM rain_hourly ORDER BY station, hour")


def calls(conn, start, end, station, township):
    """Every query that reads rain through queries.rain_rows, as (name, thunk)."""
    return [
        ("gauge_totals", lambda: queries.gauge_totals(conn, start, end)),
        ("gauge_totals[township]", lambda: queries.gauge_totals(conn, start, end, [township])),
        ("township_rain", lambda: queries.township_rain(conn, start, end)),
        ("kpis", lambda: queries.kpis(conn, start, end)),
        ("kpis[township]", lambda: queries.kpis(conn, start, end, [township])),
        ("township_metrics", lambda: queries.township_metrics(conn, start, end)),
        ("gauge_grid", lambda: queries.gauge_grid(conn, start, end, 0.02)),
        ("rain_series 60", lambda: queries.rain_series(conn, start, end, 60)),
        ("rain_series 1440 gauge", lambda: queries.rain_series(conn, start, end, 1440, [station])),
        ("rain_series 5 township", lambda: queries.rain_series(conn, start, end, 5, (), [township])),
        ("township_rain_series 60", lambda: queries.township_rain_series(conn, start, end, 60)),
        ("station_ranking", lambda: queries.station_ranking(conn, start, end)),
        ("rainfall_rows", lambda: queries.rainfall_rows(conn, start, end)),
        ("hazard_rain_at", lambda: queries.hazard_rain_at(conn, end)),
        ("gauge_rain_at", lambda: queries.gauge_rain_at(conn, end, [1, 3, 6, 12, 24])),
    ]


def assert_same_as_rainfall(conn, monkeypatch, start, end, station, township):
    """Each query gives the same frame through rain_hourly as from rainfall alone."""
    through_hours = {name: call() for name, call in calls(conn, start, end, station, township)}
    original = queries.rain_rows
    with monkeypatch.context() as patch:
        patch.setattr(queries, "rain_rows", lambda s, e, hourly=True: original(s, e, hourly=False))
        from_reports = {name: call() for name, call in calls(conn, start, end, station, township)}
    for name, frame in through_hours.items():
        expected = from_reports[name]
        if name in UNORDERED:
            frame, expected = (f.sort_values(["lon", "lat"], ignore_index=True) for f in (frame, expected))
        pd.testing.assert_frame_equal(frame, expected, check_exact=True, obj=f"{name} over ({start}, {end}]")


def test_rain_rows_reads_whole_hours_hourly_and_edges_from_reports():
    sql, params = queries.rain_rows(datetime(2026, 6, 20, 0, 50), datetime(2026, 6, 20, 4, 10))
    assert sql.count("FROM rain_hourly") == 1 and sql.count("FROM rainfall") == 2
    assert params == [
        datetime(2026, 6, 20, 1),
        datetime(2026, 6, 20, 4),
        datetime(2026, 6, 20, 0, 50),
        datetime(2026, 6, 20, 1),
        datetime(2026, 6, 20, 4),
        datetime(2026, 6, 20, 4, 10),
    ]
    aligned, _ = queries.rain_rows(datetime(2026, 6, 20, 1), datetime(2026, 6, 20, 4))
    assert "rainfall" not in aligned
    inside_one_hour, _ = queries.rain_rows(datetime(2026, 6, 20, 1, 5), datetime(2026, 6, 20, 1, 55))
    assert "rain_hourly" not in inside_one_hour
    five_minutes, _ = queries.rain_rows(datetime(2026, 6, 20, 1), datetime(2026, 6, 20, 4), hourly=False)
    assert "rain_hourly" not in five_minutes


def test_tiny_store_hourly_rows_and_queries(tiny_conn, monkeypatch):
    pd.testing.assert_frame_equal(stored(tiny_conn), rebuilt(tiny_conn))
    assert stored(tiny_conn).query("station == 'G1'")["mm"].sum() == 40.0
    for start, end in [(tiny.hour(0), tiny.hour(6)), (tiny.hour(0.5), tiny.hour(4)), (tiny.hour(2), tiny.hour(3.5))]:
        assert_same_as_rainfall(tiny_conn, monkeypatch, start, end, "G1", "999999001")


def test_demo_store_hourly_rows_and_queries(demo_file, monkeypatch):
    conn = store.connect(demo_file, read_only=True)
    try:
        pd.testing.assert_frame_equal(stored(conn), rebuilt(conn))
        station = store.scalar(conn, "SELECT min(code) FROM rain_gauges")
        township = store.scalar(conn, "SELECT min(township) FROM rain_gauges")
        for start, end in DEMO_WINDOWS:
            assert_same_as_rainfall(conn, monkeypatch, start, end, station, township)
    finally:
        conn.close()


def test_an_import_into_existing_hours_rewrites_just_those_hours(demo_copy, tmp_path, monkeypatch):
    conn = store.connect(demo_copy)
    try:
        station = store.scalar(conn, "SELECT min(code) FROM rain_gauges")
        township = store.scalar(conn, "SELECT township FROM rain_gauges WHERE code = ?", [station])
        before = stored(conn)
        # A new report inside an existing hour, a corrected report, and one in a new hour.
        path = tmp_path / "rain.csv"
        path.write_text(
            "站码,时间,雨量,时段(分钟)\n"
            f"{station},2026-06-21 10:02,7.5,2\n"
            f"{station},2026-06-21 14:05,33.3,5\n"
            f"{station},2026-06-22 00:30,1.2,30\n",
            encoding="utf-8",
        )
        report = import_file(conn, path, "rainfall", now=DEMO_END + timedelta(hours=1))
        assert (report.inserted, report.updated, report.rejected) == (2, 1, 0), report.rejects
        after = stored(conn)
        pd.testing.assert_frame_equal(after, rebuilt(conn))
        changed = after.merge(before, how="outer", indicator=True).query("_merge != 'both'")
        hours = {pd.Timestamp("2026-06-21 11:00"), pd.Timestamp("2026-06-21 15:00"), pd.Timestamp("2026-06-22 01:00")}
        assert set(changed["station"]) == {station} and set(changed["hour"]) == hours
        new_hour = after[(after["station"] == station) & (after["hour"] == pd.Timestamp("2026-06-22 01:00"))].iloc[0]
        assert (new_hour["mm"], new_hour["readings"], new_hour["max_mm"]) == (1.2, 1, 1.2)
        for start, end in DEMO_WINDOWS + [(DEMO_END - timedelta(hours=24), DEMO_END + timedelta(hours=1))]:
            assert_same_as_rainfall(conn, monkeypatch, start, end, station, township)
    finally:
        conn.close()


def test_migration_7_backfills_an_existing_store(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as patch:
        patch.setattr(store, "MIGRATIONS", [m for m in store.MIGRATIONS if m[0] < 7])
        conn = store.connect(path)
        conn.execute(
            "INSERT INTO rainfall VALUES ('G1', '2026-06-20 01:00', 10, 60), ('G1', '2026-06-20 01:30', 2.5, 30)"
        )
        assert store.schema_version(conn) == 6
        conn.close()
    conn = store.connect(path)
    try:
        assert store.schema_version(conn) == store.SCHEMA_VERSION
        assert (
            stored(conn).to_dict("records")
            == [
                {"station": "G1", "hour": pd.Timestamp("2026-06-20 02:00"), "mm": 2.5, "readings": 1, "max_mm": 2.5},
                {"station": "G1", "hour": pd.Timestamp("2026-06-20 01:00"), "mm": 10.0, "readings": 1, "max_mm": 10.0},
            ][::-1]
        )
    finally:
        conn.close()


def test_a_failed_import_leaves_the_hourly_rows_alone(demo_copy, tmp_path, monkeypatch):
    conn = store.connect(demo_copy)
    try:
        before = stored(conn)
        station = store.scalar(conn, "SELECT min(code) FROM rain_gauges")
        path = tmp_path / "rain.csv"
        path.write_text(f"站码,时间,雨量\n{station},2026-06-21 10:02,7.5\n", encoding="utf-8")

        def broken(cursor, rows, summed=False):
            raise duckdb.Error("disk full")

        monkeypatch.setattr(store, "add_rain_hourly", broken)
        with pytest.raises(IngestError, match="disk full"):
            import_file(conn, path, "rainfall", now=DEMO_END + timedelta(hours=1))
        pd.testing.assert_frame_equal(stored(conn), before)
        assert store.scalar(conn, "SELECT count(*) FROM rainfall WHERE ts = '2026-06-21 10:02'") == 0
    finally:
        conn.close()
