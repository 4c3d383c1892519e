"""Queries on the tiny store, every expected figure worked out by hand in tests/tiny.py."""

from datetime import datetime, timedelta

import pandas as pd
import pytest

from emergency import queries, store
from emergency.filters import bucket_minutes
from tests.tiny import hour

WEST, EAST = "999999001", "999999002"


def test_data_range(tiny_conn):
    assert queries.data_range(tiny_conn) == (hour(1), hour(4))


def test_gauge_totals_window_is_open_on_the_left(tiny_conn):
    totals = queries.gauge_totals(tiny_conn, hour(0), hour(4)).set_index("code")
    assert totals.loc["G1", "total_mm"] == 40.0
    assert totals.loc["G2", "total_mm"] == 10.0
    assert totals.loc["G3", "total_mm"] == 0.0
    assert totals.loc["G3", "reports"] == 1
    # (01:00, 04:00] leaves out G1's 01:00 report.
    later = queries.gauge_totals(tiny_conn, hour(1), hour(4)).set_index("code")
    assert later.loc["G1", "total_mm"] == 30.0


def test_gauge_totals_township_filter_and_names(tiny_conn):
    totals = queries.gauge_totals(tiny_conn, hour(0), hour(4), [EAST])
    assert list(totals["code"]) == ["G3"]
    assert totals.iloc[0]["township_name"] == "东乡"


def test_gauge_totals_before_data_is_empty_not_error(tiny_conn):
    totals = queries.gauge_totals(tiny_conn, datetime(2026, 6, 1), datetime(2026, 6, 2))
    assert len(totals) == 3
    assert totals["total_mm"].isna().all()
    assert (totals["reports"] == 0).all()


def test_township_rain_mean_and_max_of_gauges(tiny_conn):
    rain = queries.township_rain(tiny_conn, hour(0), hour(4)).set_index("code")
    assert rain.loc[WEST, "mean_mm"] == 25.0
    assert rain.loc[WEST, "max_mm"] == 40.0
    assert rain.loc[WEST, "gauges"] == 2
    assert rain.loc[EAST, "mean_mm"] == 0.0


def test_incidents_window_and_filters(tiny_conn):
    found = queries.incidents(tiny_conn, hour(0), hour(4))
    assert list(found["id"]) == ["I3", "I2", "I1"]  # newest first
    assert list(queries.incidents(tiny_conn, hour(2), hour(4))["id"]) == ["I3", "I2"]
    assert list(queries.incidents(tiny_conn, hour(0), hour(12), types=["landslide"])["id"]) == ["I2"]
    assert list(queries.incidents(tiny_conn, hour(0), hour(12), townships=[EAST])["id"]) == ["I4", "I3"]
    assert list(queries.incidents(tiny_conn, hour(0), hour(12), statuses=["pending"])["id"]) == ["I4", "I1"]


def test_incidents_keep_user_text_verbatim(tiny_conn):
    found = queries.incidents(tiny_conn, hour(0), hour(4)).set_index("id")
    assert found.loc["I1", "address"] == "西镇<b>一</b>村"


def test_kpis_by_hand(tiny_conn):
    row = queries.kpis(tiny_conn, hour(0), hour(4)).iloc[0]
    assert row["rain_max_mm"] == 40.0
    assert row["rain_max_station"] == "西一站"
    assert row["rain_mean_mm"] == pytest.approx(16.7)
    assert row["gauges_reporting"] == 3
    assert row["incidents"] == 3
    assert row["open_incidents"] == 2
    assert row["affected_townships"] == 2


def test_kpis_with_township_and_type_filters(tiny_conn):
    east = queries.kpis(tiny_conn, hour(0), hour(4), [EAST]).iloc[0]
    assert east["rain_max_mm"] == 0.0
    assert east["incidents"] == 1
    landslides = queries.kpis(tiny_conn, hour(0), hour(4), types=["landslide"]).iloc[0]
    assert landslides["incidents"] == 1
    assert landslides["open_incidents"] == 0


def test_kpis_empty_window(tiny_conn):
    row = queries.kpis(tiny_conn, datetime(2026, 6, 1), datetime(2026, 6, 2)).iloc[0]
    assert pd.isna(row["rain_max_mm"])
    assert row["incidents"] == 0
    assert row["gauges_reporting"] == 0


def test_no_value_is_spliced_into_sql(tiny_conn):
    # A hostile "township code" is only ever a parameter: it matches nothing, breaks nothing.
    hostile = "x') OR 1=1 --"
    assert queries.incidents(tiny_conn, hour(0), hour(12), townships=[hostile]).empty


def test_township_metrics_by_hand(tiny_conn):
    metrics = queries.township_metrics(tiny_conn, hour(0), hour(12)).set_index("code")
    west, east = metrics.loc[WEST], metrics.loc[EAST]
    assert (west["rain_mean_mm"], west["rain_max_mm"]) == (25.0, 40.0)
    # G1 rains 10 mm every hour: the wettest hour is 10 mm, the wettest 3 h 30 mm.
    assert (west["max_1h_mm"], west["max_3h_mm"]) == (10.0, 30.0)
    assert (west["incidents"], west["open_incidents"]) == (2, 1)
    assert (east["incidents"], east["open_incidents"]) == (2, 2)
    assert (west["hazard_people"], east["hazard_people"]) == (100, 0)
    closed = queries.township_metrics(tiny_conn, hour(0), hour(12), statuses=["closed"]).set_index("code")
    assert closed.loc[WEST, "incidents"] == 1 and closed.loc[EAST, "incidents"] == 0


def test_gauge_hyetograph_buckets_are_labelled_by_their_end(tiny_conn):
    # One gauge's hyetograph (the map's detail panel) is rain_series of that station.
    hourly = queries.rain_series(tiny_conn, hour(0), hour(5), 60, ["G1"])
    assert [ts.hour for ts in hourly["ts"]] == [1, 2, 3, 4, 5]
    assert list(hourly["cumulative_mm"]) == [10.0, 20.0, 30.0, 40.0, 40.0]
    assert list(hourly["gauges"]) == [1, 1, 1, 1, 0]
    three_hourly = queries.rain_series(tiny_conn, hour(0), hour(6), 180, ["G1"])
    assert [(ts.hour, mm) for ts, mm in zip(three_hourly["ts"], three_hourly["mm"], strict=True)] == [
        (3, 30.0),
        (6, 10.0),
    ]
    assert bucket_minutes(3) == 5 and bucket_minutes(24) == 60 and bucket_minutes(168) == 1440


def test_resources(tiny_conn):
    stores = queries.warehouses(tiny_conn)
    assert stores.iloc[0]["items"] == 2 and stores.iloc[0]["quantity"] == 5200
    assert list(queries.warehouse_stock(tiny_conn, "西镇仓库")["item"]) == ["编织袋", "救生衣"]
    shelters = queries.shelters(tiny_conn).set_index("name")
    # Over-full shelters have no free places, not negative ones.
    assert shelters.loc["西镇小学", "free"] == 180 and shelters.loc["东乡礼堂", "free"] == 0
    assert list(queries.teams(tiny_conn, [WEST])["name"]) == []
    assert list(queries.hazard_points(tiny_conn, [WEST])["id"]) == ["H1", "H2"]


def test_incident_record_and_grid(tiny_conn):
    assert queries.incident(tiny_conn, "I2").iloc[0]["township_name"] == "西镇"
    assert queries.incident(tiny_conn, "nope").empty
    grid = queries.point_grid(tiny_conn, "incidents", hour(0), hour(12), 0.1)
    assert sorted(grid["count"]) == [2, 2] and grid["count"].sum() == queries.count_incidents(
        tiny_conn, hour(0), hour(12)
    )
    with pytest.raises(ValueError):
        queries.point_grid(tiny_conn, "teams; DROP TABLE x", hour(0), hour(12), 0.1)


def test_resource_grid_sums_the_size_measure(tiny_conn):
    shelters = queries.resource_grid(tiny_conn, "shelters", 1.0).sort_values("lon")
    # One shelter each side of 118 E; the over-full one has no free places, not negative ones.
    assert shelters.to_dict("records") == [
        {"lon": 117.5, "lat": 28.5, "count": 1, "weight": 180},
        {"lon": 118.5, "lat": 28.5, "count": 1, "weight": 0},
    ]
    stock = queries.resource_grid(tiny_conn, "warehouses", 1.0)
    assert stock.iloc[0]["weight"] == 5200
    assert queries.resource_grid(tiny_conn, "hazard_points", 1.0, [EAST]).empty
    assert queries.count_rows(tiny_conn, "hazard_points") == 2
    assert queries.count_rows(tiny_conn, "rain_gauges", [WEST]) == 2
    with pytest.raises(ValueError):
        queries.resource_grid(tiny_conn, "incidents; --", 1.0)


def test_incident_list_through_arrow_equals_the_plain_conversion(demo_file):
    conn = store.connect(demo_file, read_only=True)
    try:
        end = queries.data_range(conn)[1]
        with_arrow = queries.incidents(conn, end - timedelta(hours=72), end)
        captured = []
        original = queries.run
        queries.run = lambda c, sql, params=None, **options: captured.append((sql, params)) or original(c, sql, params)
        try:
            plain = queries.incidents(conn, end - timedelta(hours=72), end)
        finally:
            queries.run = original
    finally:
        conn.close()
    assert len(with_arrow) > 100 and captured
    pd.testing.assert_frame_equal(with_arrow, plain)
