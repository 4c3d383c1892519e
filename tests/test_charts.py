"""Trend queries and chart specs built from the tiny store: expected traces, values, colours and labels."""

import re
from datetime import datetime

import pandas as pd
import pytest

from emergency import charts, queries
from emergency.charts import rgb
from emergency.vocab import INCIDENT_STATUSES, INCIDENT_TYPES, RAIN_GRADE_COLORS, STOCK_CATEGORIES
from tests import tiny

START = datetime(2026, 6, 20, 0, 0)
END = datetime(2026, 6, 20, 12, 0)


@pytest.fixture(scope="module")
def conn(tiny_conn):
    cursor = tiny_conn.cursor()
    cursor.execute("DELETE FROM stock_minimums")
    cursor.execute("INSERT INTO stock_minimums VALUES ('编织袋', 6000, '条'), ('救生衣', 100, '件')")
    yield tiny_conn
    cursor.execute("DELETE FROM stock_minimums")


def test_area_mean_hyetograph_fills_every_hour(conn):
    series = queries.rain_series(conn, START, END, 60)
    assert len(series) == 12 and series["ts"].iloc[0] == tiny.hour(1) and series["ts"].iloc[-1] == END
    # 03:00: G1 10 mm and G2 5 mm -> mean 7.5; 04:00 adds G3's zero report -> 5.
    assert series["mm"].tolist()[:5] == [10.0, 10.0, 7.5, 5.0, 0.0]
    assert series["cumulative_mm"].iloc[-1] == 32.5
    assert series["gauges"].tolist()[:4] == [1, 1, 2, 3]


def test_station_hyetograph_and_five_minute_buckets(conn):
    g1 = queries.rain_series(conn, START, END, 60, stations=["G1"])
    assert g1["cumulative_mm"].iloc[-1] == 40.0
    fine = queries.rain_series(conn, tiny.hour(2), tiny.hour(4), 5, stations=["G1"])
    # (02:00, 04:00] in 5-minute buckets: 24 bars, the hourly reports land on the full hours.
    assert len(fine) == 24 and fine["mm"].sum() == 20.0
    assert fine.loc[fine["mm"] > 0, "ts"].tolist() == [tiny.hour(3), tiny.hour(4)]


def test_daily_buckets_align_to_midnight(conn):
    series = queries.rain_series(conn, datetime(2026, 6, 18, 8), datetime(2026, 6, 21, 8), 1440)
    assert series["ts"].tolist() == [datetime(2026, 6, d) for d in (19, 20, 21, 22)]
    assert series.loc[series["ts"] == datetime(2026, 6, 21), "mm"].item() == pytest.approx(50 / 3, abs=0.05)


def test_hyetograph_figure(conn):
    series = queries.rain_series(conn, START, END, 60)
    fig = charts.hyetograph(series, 60, "全县面雨量")
    bars, line = fig.data
    assert fig.layout.title.text == "降雨过程：全县面雨量"
    assert bars.type == "bar" and list(bars.y)[:4] == [10.0, 10.0, 7.5, 5.0]
    # Bars are centred on the interval they sum; hover shows its end.
    assert pd.Timestamp(bars.x[0]) == pd.Timestamp("2026-06-20 00:30")
    assert line.yaxis == "y2" and line.y[-1] == 32.5
    assert fig.layout.yaxis.title.text == "时段雨量（毫米）"
    assert fig.layout.yaxis2.title.text == "累计雨量（毫米）"
    assert "毫米" in bars.hovertemplate and fig.layout.showlegend


def test_station_ranking_rolling_maxima(conn):
    ranking = queries.station_ranking(conn, START, END)
    g1 = ranking.set_index("code").loc["G1"]
    assert ranking["code"].tolist() == ["G1", "G2", "G3"]
    assert (g1["total_mm"], g1["max_1h_mm"], g1["max_3h_mm"], g1["max_6h_mm"]) == (40.0, 10.0, 30.0, 40.0)
    assert g1["max_1h_at"] == tiny.hour(1)
    assert queries.station_ranking(conn, START, END, ["999999002"])["code"].tolist() == ["G3"]


def test_station_ranking_figure_colours_by_grade(conn):
    fig = charts.station_ranking(queries.station_ranking(conn, START, END), "max_3h_mm", 12)
    bars = fig.data[0]
    # Wettest on top (plotly draws the last row at the top).
    assert list(bars.y) == ["东一站", "西二站", "西一站"] and list(bars.x) == [0.0, 10.0, 30.0]
    # 30 mm in 3 h is 暴雨 on the 3 h scale; 10 mm is 大雨.
    assert bars.marker.color[-1] == rgb(RAIN_GRADE_COLORS[3]) and bars.marker.color[1] == rgb(RAIN_GRADE_COLORS[2])
    legend = [trace.name for trace in fig.data[1:]]
    assert legend[3].startswith("暴雨") and fig.layout.legend.title.text == "降水等级（3 小时）"
    with pytest.raises(ValueError):
        charts.station_ranking(pd.DataFrame(), "drop table", 12)


def test_township_heat_and_comparison(conn):
    series = queries.township_rain_series(conn, START, END, 60)
    assert sorted(series["township_name"].unique()) == ["东乡", "西镇"] and len(series) == 24
    west = series[series["township"] == "999999001"]
    assert west["mm"].tolist()[:4] == [10.0, 10.0, 7.5, 7.5] and west["cumulative_mm"].iloc[-1] == 35.0
    heat = charts.township_heat(series, 60)
    assert heat.data[0].type == "heatmap" and list(heat.data[0].y) == ["西镇", "东乡"]
    assert heat.data[0].z[0][2] == 7.5
    assert heat.layout.title.text == "乡镇逐时段面雨量（1 小时）"
    compare = charts.township_comparison(series, 60)
    assert [trace.name for trace in compare.data] == ["西镇", "东乡"]
    assert compare.data[0].y[-1] == 35.0


def test_incident_series_and_colours(conn):
    series = queries.incident_series(conn, START, END, 60, "type")
    assert series.groupby("key")["incidents"].sum().to_dict() == {"flood": 3, "landslide": 1}
    fig = charts.incidents_over_time(series, "type", 60)
    assert [trace.name for trace in fig.data] == ["洪涝", "滑坡"]
    assert fig.data[0].marker.color == rgb(INCIDENT_TYPES["flood"])
    assert fig.layout.barmode == "stack" and fig.layout.legend.title.text == "事件类型"
    with pytest.raises(ValueError):
        queries.incident_series(conn, START, END, 60, "1; drop table incidents")


def test_incident_counts_by_township_and_status(conn):
    counts = queries.incident_counts(conn, START, END, ["township", "type"])
    fig = charts.incidents_by_township(counts)
    flood = next(trace for trace in fig.data if trace.name == "洪涝")
    assert dict(zip(flood.y, flood.x, strict=True)) == {"西镇": 1, "东乡": 2}
    status = charts.incidents_by_status(queries.incident_counts(conn, START, END, ["status"]))
    assert [(trace.name, trace.y[0]) for trace in status.data] == [("待处置", 2), ("处置中", 1), ("已处置", 1)]
    assert status.data[2].marker.color == rgb(INCIDENT_STATUSES["closed"])


def test_backlog_counts_open_and_closed(conn):
    backlog = queries.incident_backlog(conn, START, END, 60).set_index("ts")
    # I2 (03:30) is closed at its updated_at; I4 occurs at 10:00.
    assert backlog.loc[tiny.hour(3), ["open", "closed"]].tolist() == [1, 0]
    assert backlog.loc[tiny.hour(4), ["open", "closed"]].tolist() == [2, 1]
    assert backlog.loc[END, ["open", "closed"]].tolist() == [3, 1]
    fig = charts.incident_backlog(backlog.reset_index(), 60)
    assert [trace.name for trace in fig.data] == ["未结（待处置 + 处置中）", "已处置"]


def test_resources(conn):
    below = queries.stock_below_minimum(conn)
    assert below[["item", "quantity", "minimum", "shortfall"]].values.tolist() == [["编织袋", 5000.0, 6000.0, 1000.0]]
    by_category = queries.stock_by_category(conn)
    assert by_category["below_minimum"].sum() == 1
    fig = charts.stock_by_warehouse(by_category)
    assert {trace.name for trace in fig.data} == {"防汛物资", "救援装备"}
    items = charts.stock_by_item(queries.stock_by_item(conn))
    assert items.layout.yaxis.type == "log"
    assert items.data[0].x[0] == "编织袋（条）" and items.data[0].marker.color == rgb(STOCK_CATEGORIES["flood_control"])
    shelters = queries.shelter_occupancy(conn)
    fig = charts.shelter_occupancy(shelters)
    assert list(fig.data[0].y) == [300, 100] and list(fig.data[1].y) == [120, 150]
    # 东乡 holds more people than its capacity: drawn in the alarm colour, with a legend entry.
    assert fig.data[1].marker.color[1] == rgb(INCIDENT_STATUSES["pending"]) and fig.data[2].name == "超出容量"


def test_situation_map_draws_townships_and_incidents(conn):
    fig = charts.situation_map(
        queries.townships(conn), queries.township_rain(conn, START, END), queries.incidents(conn, START, END), 12
    )
    fills = [trace for trace in fig.data if trace.fill == "toself"]
    assert len(fills) == 2
    # 西镇 mean 25 mm in 12 h is 大雨; 东乡 (0 mm) is grey.
    assert fills[0].fillcolor.startswith(f"rgba({','.join(map(str, RAIN_GRADE_COLORS[2]))}")
    markers = {trace.name: len(trace.x) for trace in fig.data if trace.mode == "markers" and trace.x[0] is not None}
    assert markers == {"待处置（2）": 2, "处置中（1）": 1, "已处置（1）": 1}
    # No geo/map traces: nothing to download.
    assert {trace.type for trace in fig.data} == {"scatter"}
    assert fig.layout.yaxis.scaleanchor == "x"


def test_english_labels(conn):
    fig = charts.incidents_by_status(queries.incident_counts(conn, START, END, ["status"]), lang="en")
    assert fig.layout.title.text == "Incidents by status" and fig.data[0].name == "Pending"


def test_minimums_are_validated_and_replaced_whole(tiny_store):
    from emergency.stock import MinimumError, replace_minimums

    conn = tiny_store
    saved = replace_minimums(
        conn,
        pd.DataFrame(
            {"item": [" 编织袋 ", "救生衣", None], "minimum": [6000, "150", None], "unit": ["条", None, None]}
        ),
    )
    assert saved == 2
    minimums = queries.stock_minimums(conn)
    assert minimums[["item", "minimum"]].values.tolist() == [["救生衣", 150.0], ["编织袋", 6000.0]]
    assert pd.isna(minimums["unit"].iloc[0]) and minimums["unit"].iloc[1] == "条"
    for bad, reason in (
        ({"item": ["x"], "minimum": [-1]}, "row 1 (x)"),
        ({"item": ["x", "x"], "minimum": [1, 2]}, "row 2"),
        ({"item": ["y"], "minimum": ["many"]}, "not a number"),
    ):
        with pytest.raises(MinimumError, match=re.escape(reason)):
            replace_minimums(conn, pd.DataFrame(bad))
    # A rejected table leaves the saved one untouched.
    assert len(queries.stock_minimums(conn)) == 2
    assert queries.stock_below_minimum(conn)["item"].tolist() == ["编织袋"]


def test_hourly_rainfall_rows_for_export(conn):
    rows = queries.rainfall_rows(conn, START, END, ["999999001"])
    assert rows.groupby("station")["mm"].sum().to_dict() == {"G1": 40.0, "G2": 10.0}
    assert rows["ts"].max() == tiny.hour(4) and rows["reports"].eq(1).all()
