"""The command-centre wall: its core figures on hand-worked cases, and the page in AppTest."""

import json
from datetime import datetime, timedelta

import pandas as pd
import pytest

from components import wall_panels
from emergency import queries, rules, store, wall, warning
from tests.test_any_county_pages import app_on, fill_store, outline_only, townships_only  # noqa: F401 (fixtures)
from tests.test_pages import deck_spec


def html_of(at) -> str:
    return " ".join(element.proto.body for element in at.get("html"))


# ------------------------------------------------------------------ core figures


def test_freshness_counts_whole_minutes_and_flags_stale_data():
    latest = datetime(2026, 6, 22, 10, 0)
    assert wall.freshness(latest, datetime(2026, 6, 22, 11, 0, 59), 60) == wall.Freshness(latest, 60, False)
    assert wall.freshness(latest, datetime(2026, 6, 22, 11, 1), 60).stale
    # A clock behind the data (a test store from the future) is no lag, not a negative one.
    assert wall.freshness(latest, datetime(2026, 6, 22, 9, 0), 60) == wall.Freshness(latest, 0, False)
    assert wall.freshness(None, latest, 60) == wall.Freshness(None, None, True)


def test_level_grade_and_people_counts():
    gauges = pd.DataFrame({"level": ["blue", None, "red", "blue", None]})
    assert wall.gauge_level_counts(gauges) == {"blue": 2, "yellow": 0, "orange": 0, "red": 1}
    graded = pd.DataFrame(
        {
            "status": ["pending", "active", "closed", "active", "pending"],
            "grade": ["general", "major", "major", "general", None],
            "deaths": [1, 0, 2, 0, 0],
            "missing": [0, 1, 0, 0, 0],
            "injured": [3, 0, 0, 1, 0],
            "trapped": [0, 5, 0, None, 0],
        }
    )
    # A flood has no national scale (未分级): it still counts as open.
    assert wall.open_by_grade(graded) == {"general": 2, "large": 0, "major": 1, "especially_major": 0, "ungraded": 1}
    assert wall.people_affected(graded) == {"deaths": 3, "missing": 1, "injured": 4, "trapped": 5, "total": 13}
    # Geological disasters (小型..特大型) share the cells; the wall names how many of each are geological.
    graded["grade_scale"] = ["geological", "geological", "geological", None, None]
    assert wall.open_geological(graded) == {"general": 1, "major": 1}
    assert wall.open_geological(graded.drop(columns="grade_scale")) == {}
    empty = graded.iloc[0:0]
    assert wall.open_geological(empty) == {}
    assert wall.open_by_grade(empty) == {"general": 0, "large": 0, "major": 0, "especially_major": 0, "ungraded": 0}
    assert wall.people_affected(empty)["total"] == 0


def test_warning_stats_count_the_window_only():
    issued = pd.DataFrame(
        {
            "issued_at": pd.to_datetime(["2026-06-21 10:00", "2026-06-21 12:00", "2026-06-20 09:00"]),
            "recipients": [4, 6, 10],
            "acknowledged": [4, 3, 10],
        }
    )
    stats = wall.warning_stats(issued, datetime(2026, 6, 21, 0, 0), datetime(2026, 6, 21, 12, 0))
    assert (stats.issued, stats.recipients, stats.acknowledged) == (2, 10, 7)
    assert stats.ack_rate == pytest.approx(0.7)
    assert wall.warning_stats(issued.iloc[0:0], datetime(2026, 6, 21), datetime(2026, 6, 22)).ack_rate is None


def test_worst_townships_rank_by_signal_then_rain_then_open_incidents():
    frame = pd.DataFrame(
        {
            "code": list("abcde"),
            "name": list("ABCDE"),
            "rain_mean_mm": [80.0, 20.0, 20.0, None, 50.0],
            "open_incidents": [0, 1, 5, 9, 0],
            "rank": [0, 1, 1, None, 3],
            "level": [None, "blue", "blue", None, "orange"],
        }
    )
    assert list(wall.worst_townships(frame, 4)["code"]) == ["e", "c", "b", "a"]
    # &rank=rain and &rank=incidents: that metric first, the others breaking ties.
    assert list(wall.worst_townships(frame, 5, "rain")["code"]) == ["a", "e", "c", "b", "d"]
    assert list(wall.worst_townships(frame, 5, "incidents")["code"]) == ["d", "c", "b", "e", "a"]
    assert list(wall.worst_townships(frame, 4, "nonsense")["code"]) == ["e", "c", "b", "a"]
    assert wall.tour_stops(frame.fillna({"rank": 0})) == ["e", "b", "c"]


def test_labels_do_not_collide_and_the_important_one_wins():
    view = {"longitude": 118.0, "latitude": 28.0, "zoom": 10}
    townships = pd.DataFrame(
        {
            "code": ["big", "small", "far", "out"],
            "name": ["大镇名", "小乡", "远处乡", "外面"],
            "label_lon": [118.0, 118.001, 118.2, 119.5],
            "label_lat": [28.0, 28.0, 28.0, 28.0],
        }
    )
    chosen = wall.choose_labels(townships, pd.Series([1.0, 5.0, 1.0, 9.0]), view, 18, 800, 600)
    # "small" outranks "big" and overlaps it; "out" lies off the map.
    assert chosen == ["small", "far"]


def test_water_figure_is_hidden_until_the_store_has_water_stations(tmp_path):
    conn = store.connect(tmp_path / "w.duckdb")
    try:
        moment = datetime(2026, 6, 21, 12, 0)
        assert wall.water_over_warning(conn, moment) is None
        conn.execute("""INSERT INTO water_stations (code, name, kind, lon, lat) VALUES
                        ('a', '甲站', 'river', 118.0, 28.0), ('b', '乙站', 'river', 118.1, 28.0),
                        ('c', '丙站', 'river', 118.2, 28.0)""")
        conn.execute("INSERT INTO water_thresholds (station, warning_level_m) VALUES ('a', 10.0), ('b', 10.0)")
        conn.execute("""INSERT INTO water_levels (station, ts, level_m) VALUES
                        ('a', '2026-06-21 11:00', 9.0), ('a', '2026-06-21 12:00', 10.2),
                        ('b', '2026-06-21 11:00', 11.0), ('b', '2026-06-21 12:00', 9.9),
                        ('a', '2026-06-21 13:00', 1.0), ('c', '2026-06-21 12:00', 99.0)""")
        # a at its latest level by the moment (10.2 > 10.0); b fell back below; c has no threshold.
        assert wall.water_over_warning(conn, moment) == 1
    finally:
        conn.close()


def test_ticker_merges_incidents_and_warnings_newest_first():
    incidents = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime(["2026-06-21 10:00", "2026-06-21 12:00"]),
            "type": ["flood", "landslide"],
            "status": ["active", "pending"],
            "township_name": ["甲镇", None],
            "deaths": [0, 1],
            "missing": [0, 0],
            "injured": [2, 0],
            "trapped": [0, 0],
        }
    )
    warnings = pd.DataFrame(
        {
            "issued_at": pd.to_datetime(["2026-06-21 11:00", "2026-06-21 13:00"]),
            "level": ["blue", "red"],
            "townships": [["1", "2"], ["3"]],
        }
    )
    rows = wall.ticker(incidents, warnings, datetime(2026, 6, 21, 12, 0))
    assert list(rows["kind"]) == ["incident", "warning", "incident"]  # the 13:00 warning is after the end
    assert list(rows["people"]) == [1, 0, 2]
    assert rows.loc[1, "where"] == 2


def test_stored_names_are_escaped_and_cut_with_an_ellipsis():
    assert wall_panels.short("<img src=x onerror=alert(1)>", 40) == "&lt;img src=x onerror=alert(1)&gt;"
    cut = wall_panels.short("一二三四五六七八九十", 6)
    assert cut.endswith("一二三四五…</span>") and 'title="一二三四五六七八九十"' in cut
    assert wall_panels.ink((245, 200, 0)) == "#000000" and wall_panels.ink((220, 20, 30)) == "#ffffff"


def test_each_wall_refreshes_at_its_own_interval_within_the_spread(monkeypatch):
    from components import big_screen

    settings = {"screen_refresh_s": 10}
    monkeypatch.setattr(big_screen.config, "setting", lambda name, default=None: settings.get(name, default))

    def intervals(walls: int = 50) -> list[float]:
        shown = []
        for _ in range(walls):
            monkeypatch.setattr(big_screen.st, "session_state", {})  # a new wall (browser session)
            first = big_screen.session_refresh_seconds()
            assert big_screen.session_refresh_seconds() == first  # fixed for the session's lifetime
            shown.append(first)
        return shown

    # Default spread 0.1: every wall between 10 and 11 s (in 0.01 s steps), mostly different, so walls drift apart.
    default = intervals()
    assert all(10 <= s <= 11 for s in default) and len(set(default)) >= 20
    settings["screen_refresh_spread"] = 0
    assert set(intervals(5)) == {10}  # all walls exactly the configured interval
    settings["screen_refresh_spread"] = 5
    assert all(10 <= s <= 20 for s in intervals(5))  # at most twice the interval
    settings["screen_refresh_spread"] = "viel"
    assert all(10 <= s <= 11 for s in intervals(5))  # a bad value falls back to the default
    settings["screen_refresh_spread"] = -1
    assert set(intervals(5)) == {10}


# ------------------------------------------------------------------ the page (AppTest)


def test_wall_renders_every_region_in_chinese(app):
    app.query_params["screen"] = "1"
    app.run()
    assert not app.exception
    body = html_of(app)
    for region in ("head", "kpis", "ranking", "ticker", "legend", "chart-title", "as-of", "stale"):
        assert f'data-wall="{region}"' in body, region
    assert "数据截至" in body and "防汛应急指挥大屏" in body and "演示数据" in body
    # No banner, no page title: the wall is one screen.
    assert not app.warning and not app.title
    assert 'data-wall="water"' not in body  # no water tables in the demo store
    spec = deck_spec(app)
    assert spec["mapStyle"] == "/app/static/basemap_dark.json"
    ids = [layer["id"] for layer in spec["layers"]]
    assert ids[:2] == ["wall-townships", "wall-signal-casing"] and "wall-labels" in ids and "wall-gauges" in ids
    assert len(app.get("plotly_chart")) == 1
    figure = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in figure["data"]] == ["逐时雨量", "累计雨量"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "雨量（毫米）"
    assert "text" not in figure["layout"]["xaxis"].get("title", {})  # hours name themselves (labels clear the 0s)
    assert figure["layout"]["yaxis2"]["tickmode"] == "auto"  # its own round ticks, not the left grid's 11.7


def test_wall_figures_match_the_core(app, demo_copy):
    conn = store.connect(demo_copy, read_only=True)
    try:
        end = queries.data_range(conn)[1]
        graded = warning.incident_grades(conn, end - timedelta(hours=24), end)
        signals = warning.gauge_signals_at(conn, end)
    finally:
        conn.close()
    app.query_params["screen"] = "1"
    app.run()
    body = html_of(app)
    open_total = int(graded["status"].isin(["pending", "active"]).sum())
    assert f'data-wall="open">{open_total}<' in body
    people = int((graded[["deaths", "missing", "injured", "trapped"]].sum()).sum())
    assert f'data-wall="people">{people}<' in body
    blue = int((signals["level"] == "blue").sum())
    assert f'data-wall="gauges-blue"><span class="n">{blue}<' in body


def test_wall_counts_the_hazard_points_over_their_critical_rain(app, demo_copy):
    """The one rule's at-risk points (the map's rings, the KPI), with the people exposed there."""
    from types import SimpleNamespace

    from emergency.filters import Filters

    storm = datetime(2026, 6, 20, 2, 40)
    conn = store.connect(demo_copy, read_only=True)
    try:
        at_risk = rules.hazards(conn, storm)
    finally:
        conn.close()
    assert len(at_risk) > 0
    app.query_params["screen"] = "1"
    app.query_params["end"] = "2026-06-20T02:40"
    app.run()
    assert not app.exception
    body = html_of(app)
    people = int(at_risk["people"].sum())
    # One line under the gauges' signal cells (the column is one screen high).
    assert f'data-wall="hazards">超临界雨量隐患点 <b>{len(at_risk)}</b> 处 · 受威胁 {people} 人<' in body
    figures = SimpleNamespace(
        filters=Filters(end=storm, hours=24),
        kpis={"rain_max_mm": 10.0, "rain_max_station": "A", "rain_mean_mm": 5.0},
        township_max=("清水乡", 8.0),
        gauge_levels={},
        water_over_warning=None,
        hazards_at_risk=(0, 0),
        open_by_grade={},
        open_geological={},
        people={"deaths": 0, "missing": 0, "injured": 0, "trapped": 0, "total": 0},
        warnings=wall.WarningStats(issued=0, recipients=0, acknowledged=0),
    )
    assert 'data-wall="hazards">超临界雨量隐患点 <b>0</b> 处<' in wall_panels.kpis(figures, set())


def test_township_list_follows_the_rank_chosen_in_the_url(app, demo_copy):
    """&rank=incidents orders the list by open incidents, names that order, and their labels go first on the map."""
    import re

    conn = store.connect(demo_copy, read_only=True)
    try:
        end = queries.data_range(conn)[1]
        metrics = queries.township_metrics(conn, end - timedelta(hours=24), end)
    finally:
        conn.close()
    app.query_params["screen"] = "1"
    app.query_params["rank"] = "incidents"
    app.run()
    assert not app.exception
    body = html_of(app)
    assert 'data-wall="rank-by">按未结事件<' in body
    shown = [int(n) for n in re.findall(r"未结 (\d+)</td>", body)]
    assert shown == sorted(shown, reverse=True) and shown[0] == int(metrics["open_incidents"].max())
    deck = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    labelled = next(layer for layer in deck["layers"] if layer["id"] == "wall-labels")["data"]
    worst = metrics.sort_values(["open_incidents", "code"], ascending=[False, True]).iloc[0]["name"]
    assert worst in [row["name"] for row in labelled]


def test_wall_takes_the_filters_in_its_link(app, demo_copy):
    """?screen=1&hours=6&township=…: the wall's window and its township list follow the link like every page."""
    import re

    conn = store.connect(demo_copy, read_only=True)
    try:
        chosen = store.run(conn, "SELECT code, name FROM townships ORDER BY code LIMIT 2")
    finally:
        conn.close()
    app.query_params["screen"] = "1"
    app.query_params["hours"] = "6"
    app.query_params["township"] = ",".join(chosen["code"])
    app.run()
    assert not app.exception
    body = html_of(app)
    assert 'data-wall="window">最近 6 小时<' in body
    listed = re.findall(r'<td class="name">([^<]+)</td>', body)
    assert sorted(listed) == sorted(chosen["name"])


def test_wall_marks_figures_that_changed_since_the_last_refresh(app, demo_copy):
    app.query_params["screen"] = "1"
    app.run()
    assert "wall-kpi changed" not in html_of(app)
    app.run()
    assert "wall-kpi changed" not in html_of(app)  # nothing new: nothing marked


def test_wall_in_english_has_no_chinese_ui_text(app):
    app.query_params["screen"] = "1"
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    body = html_of(app)
    assert "command wall" in body and "Data as of" in body and "防汛" not in body and "数据截至" not in body


def test_tour_steps_through_townships_with_signals(app, monkeypatch):
    from components import big_screen

    clock = [1000.0]
    monkeypatch.setattr(big_screen.time, "monotonic", lambda: clock[0])
    app.query_params["screen"] = "1"
    app.query_params["tour"] = "30"
    app.run()
    assert not app.exception
    views, captions = [], []
    for _ in range(4):
        clock[0] += 31
        app.run()
        views.append(deck_spec(app)["initialViewState"])
        captions.append(next(b for b in (e.proto.body for e in app.get("html")) if 'data-wall="tour"' in b))
    assert "轮巡 1/" in captions[0] and "轮巡 2/" in captions[1]
    assert views[0]["zoom"] > views[-1]["zoom"] - 5 and views[0] != views[1]


def test_stored_names_reach_the_wall_as_text(app, demo_copy):
    hostile = "<img src=x onerror=alert(1)>**粗体**"
    conn = store.connect(demo_copy)
    try:
        conn.execute("UPDATE townships SET name = ? WHERE code = (SELECT min(code) FROM townships)", [hostile])
        conn.execute("UPDATE rain_gauges SET name = ?", [hostile])
    finally:
        conn.close()
    app.query_params["screen"] = "1"
    app.run()
    assert not app.exception
    body = html_of(app)
    assert "<img" not in body and "&lt;img src=x" in body


def test_wall_on_a_new_county_being_filled(outline_only, townships_only, tmp_path, monkeypatch):  # noqa: F811 (fixtures)
    """An outline-only store, a store with townships only, and one filled from other departments' files."""
    filled = tmp_path / "filled.duckdb"
    filled.write_bytes(outline_only.read_bytes())
    fill_store(filled, tmp_path)
    for path in (outline_only, townships_only, filled):
        at = app_on(path, monkeypatch)
        at.query_params["screen"] = "1"
        at.run()
        assert not at.exception, (path, at.exception)
        body = html_of(at)
        if path == filled:
            assert 'data-wall="head"' in body and "婺源县" in body and "演示数据" not in body
        else:
            assert "data-wall" not in body.replace("wall-script", "")


def test_kpi_column_says_how_many_open_incidents_have_no_grade_cell():
    """Types without a national scale (未分级) count in the open total; the card names how many."""
    from datetime import datetime
    from types import SimpleNamespace

    from emergency.filters import Filters

    figures = SimpleNamespace(
        filters=Filters(end=datetime(2026, 6, 22), hours=24),
        kpis={"rain_max_mm": 10.0, "rain_max_station": "A", "rain_mean_mm": 5.0},
        township_max=("清水乡", 8.0),
        gauge_levels={},
        water_over_warning=None,
        hazards_at_risk=(0, 0),
        open_by_grade={"general": 2, "large": 0, "major": 1, "especially_major": 0, "ungraded": 4},
        open_geological={"general": 1, "major": 1},
        people={"deaths": 0, "missing": 0, "injured": 0, "trapped": 0, "total": 0},
        warnings=wall.WarningStats(issued=0, recipients=0, acknowledged=0),
    )
    html = wall_panels.kpis(figures, set())
    assert 'data-wall="open">7<' in html
    assert "另有未分级 4 起" in html
    assert "其中地质灾害：小型 1、大型 1" in html
    figures.open_by_grade = {**figures.open_by_grade, "ungraded": 0}
    figures.open_geological = {}
    html = wall_panels.kpis(figures, set())
    assert 'data-wall="ungraded"' not in html
    assert 'data-wall="geological"' not in html


def test_the_live_demo_clock_is_the_clock_of_the_stale_alarm(app, demo_copy):
    """With the live demo's storm clock in the store, data minutes old is fresh, on the wall and in the header."""
    import json as json_module
    from datetime import timedelta

    from emergency import queries, store
    from emergency.clock import local_now
    from emergency.feed import water

    conn = store.connect(demo_copy)
    try:
        latest = queries.data_range(conn)[1]
        store.set_meta(conn, {"is_demo": "false"})  # a live store: the alarm applies
    finally:
        conn.close()
    app.query_params["screen"] = "1"
    app.run()
    assert "数据已" in html_of(app)  # by the wall clock the demo storm is long past
    conn = store.connect(demo_copy)
    try:
        clock = {
            "wall": local_now(precise=True).isoformat(),
            "at": (latest + timedelta(minutes=5)).isoformat(),
            "speed": 1,
        }
        store.set_meta(conn, {water.CLOCK_META: json_module.dumps(clock)})
    finally:
        conn.close()
    import streamlit as st

    st.cache_data.clear()  # as the live feed's writes do
    app.run()
    assert not app.exception
    assert "数据已" not in html_of(app)


def test_live_source_alarm_chip_is_short_and_escaped():
    assert wall_panels.feed_alarm([]) == ""
    one = wall_panels.feed_alarm([("down", "<b>省水文局遥测数据库主库</b>", 35, 30)])
    assert 'data-wall="feed-alarm"' in one and "<b>" not in one and "中断 35 分钟" in one
    assert "…" in one  # a long name is cut to its start
    many = wall_panels.feed_alarm([("down", "甲", 35, 30), ("silent", "乙", "—", 30)])
    assert "2 个数据源中断或静默" in many
