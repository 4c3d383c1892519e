"""Queries on the tiny store, every expected figure worked out by hand in tests/tiny.py."""

from datetime import datetime

import pandas as pd
import pytest

from emergency import queries
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
