"""AppTest of the app shell and the one-map page on a copy of the demo store."""

import json
from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from components import one_map
from emergency import config, queries, rules, store
from emergency.filters import Filters
from emergency.vocab import NO_SIGNAL_COLOR, SIGNAL_LEVELS
from tests.conftest import APP_SCRIPT, APP_TIMEOUT_S


def deck_spec(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def layer_ids(at) -> list[str]:
    return [layer["id"] for layer in deck_spec(at)["layers"]]


def township_fills(at) -> list:
    layer = next(layer for layer in deck_spec(at)["layers"] if layer["id"] == "townships")
    return [feature["properties"]["fill"] for feature in layer["data"]["features"]]


def test_one_map_renders_in_chinese_with_every_layer(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "态势一张图"
    assert any("演示数据" in w.value for w in app.warning)
    assert len(app.metric) == 8
    assert layer_ids(app) == ["townships", "county-outline", "gauges", "incidents", "township-labels"]
    spec = deck_spec(app)
    assert spec["mapStyle"] == "/app/static/basemap.json"
    assert spec["initialViewState"]["longitude"] == pytest.approx(117.9, abs=0.3)


def test_layer_switches_add_and_remove_layers(app):
    app.run()
    app.pills(key="one_map_layers").set_value(
        ["townships", "surface", "warehouses", "teams", "shelters", "hazards"]
    ).run()
    assert not app.exception
    ids = layer_ids(app)
    assert ids == [
        "townships",
        "rain-surface",
        "county-outline",
        "warehouses",
        "teams",
        "shelters",
        "hazards",
        "township-labels",
    ]
    assert "gauges" not in ids and "incidents" not in ids


def test_every_layer_has_a_legend(app):
    app.run()
    app.pills(key="one_map_layers").set_value(list(one_map.LAYER_OPTIONS)).run()
    legends = " ".join(m.value for m in app.markdown if "yitu-legend" in m.value)
    for title in ("乡镇面雨量", "雨量站与插值面同此色阶", "事件类型", "处置状态", "应急资源", "救援队伍", "隐患点"):
        assert title in legends


def test_choropleth_metric_changes_the_fill(app):
    app.run()
    rain_fill = township_fills(app)
    app.selectbox(key="one_map_metric.zh").set_value("hazard_people").run()
    assert not app.exception
    assert township_fills(app) != rain_fill
    assert any("隐患点受威胁人数" in m.value for m in app.markdown if "yitu-legend" in m.value)


def test_url_parameters_seed_the_filters(app):
    app.query_params["township"] = "361104001"
    app.query_params["hours"] = "6"
    app.query_params["type"] = "flood"
    app.run()
    assert not app.exception
    assert app.multiselect(key="flt_townships").value == ["361104001"]
    assert app.selectbox(key="flt_hours.zh").value == 6
    assert app.multiselect(key="flt_types.zh").value == ["flood"]
    assert not app.warning[1:]  # only the demo banner, no notices


def test_filter_changes_are_written_to_the_url(app):
    app.run()
    assert "township" not in app.query_params
    app.multiselect(key="flt_townships").set_value(["361104002"]).run()
    app.selectbox(key="flt_hours.zh").set_value(3).run()
    assert app.query_params["township"] == "361104002"
    assert app.query_params["hours"] == "3"


def test_invalid_url_parameters_show_a_notice(app):
    app.query_params["hours"] = "999"
    app.query_params["township"] = "nowhere"
    app.run()
    assert not app.exception
    notices = [w.value for w in app.warning]
    assert any("hours=999" in text for text in notices)
    assert any("township=nowhere" in text for text in notices)
    assert app.selectbox(key="flt_hours.zh").value == 24


def test_window_before_the_data_is_an_explicit_empty_state(app):
    app.query_params["end"] = "2020-01-01T00:00"
    app.run()
    assert not app.exception
    infos = " ".join(i.value for i in app.info)
    assert "没有降雨数据" in infos and "没有事件" in infos


def test_english_from_the_url(app):
    # Switching language live is covered in the browser test: AppTest cannot replay a
    # selectbox whose option labels changed language.
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Situation map"
    assert app.metric[0].label.startswith("Max rain")
    assert app.radio(key="lang").value == "en"


def test_unopenable_store_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "not-a-db.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv(config.DB_PATH_ENV, str(bad))
    at = AppTest.from_file(APP_SCRIPT, default_timeout=APP_TIMEOUT_S).run()
    assert not at.exception
    assert str(bad) in at.error[0].value


def test_replay_shows_the_state_at_the_chosen_moment(app, demo_copy):
    conn = store.connect(demo_copy, read_only=True)
    try:
        latest = queries.data_range(conn)[1]
        start = latest - timedelta(hours=24)
        middle = start + timedelta(hours=12)
        expected_middle = queries.kpis(conn, start, middle).iloc[0]["incidents"]
        expected_end = queries.kpis(conn, start, latest).iloc[0]["incidents"]
    finally:
        conn.close()
    app.run()
    app.toggle(key="replay_on").set_value(True).run()
    assert not app.exception
    assert len(app.select_slider(key="replay_moment").options) == 24  # hourly steps over 24 h
    app.select_slider(key="replay_moment").set_value(middle).run()
    assert not app.exception
    assert int(card(app, "事件总数").value) == expected_middle
    app.select_slider(key="replay_moment").set_value(latest).run()
    assert int(card(app, "事件总数").value) == expected_end
    assert app.button(key="replay_play_button").label == "播放"


def test_big_screen_mode(app):
    # The wall itself is tested in tests/test_wall.py and tests/test_wall_browser.py.
    app.query_params["screen"] = "1"
    app.run()
    assert not app.exception
    assert "wall-townships" in layer_ids(app)


def test_a_silent_gauge_is_flagged_on_the_map(app, demo_copy):
    conn = store.connect(demo_copy)
    try:
        station = store.scalar(conn, "SELECT min(code) FROM rain_gauges")
        latest = queries.data_range(conn)[1]
        conn.execute("DELETE FROM rainfall WHERE station = ? AND ts > ?", [station, latest - timedelta(hours=2)])
        store.refresh_rain_hourly(conn)
    finally:
        conn.close()
    app.run()
    assert not app.exception
    gauges = next(layer for layer in deck_spec(app)["layers"] if layer["id"] == "gauges")
    rings = {row["code"]: row["line"] for row in gauges["data"]}
    assert rings[station][:3] == [255, 0, 255]
    assert sum(ring[:3] == [255, 0, 255] for ring in rings.values()) == 1
    assert any("超过 60 分钟无报数" in m.value for m in app.markdown)


def card(app, title: str):
    return next(m for m in app.metric if m.label == title)


def test_grades_show_on_map_filter_and_kpis(app, demo_copy):
    conn = store.connect(demo_copy)
    try:
        first, latest = queries.data_range(conn)
        # Grades follow each type's scale: a landslide with 3 deaths is 中型 (rank 2), a
        # production-safety accident with 10 seriously injured is 较大, a flood with 9 deaths
        # has no national scale (未分级).
        township, lon, lat = conn.execute("SELECT code, label_lon, label_lat FROM townships ORDER BY code").fetchone()
        for ident, kind, deaths, serious in (
            ("T-LS", "landslide", 3, None),
            ("T-PS", "production_safety", 0, 10),
            ("T-FL", "flood", 9, None),
        ):
            conn.execute(
                "INSERT INTO incidents (id, type, occurred_at, township, lon, lat, deaths, injured, missing, "
                "trapped, loss_10k_yuan, status, seriously_injured) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 1, "
                "'active', ?)",
                [ident, kind, latest - timedelta(hours=1), township, lon, lat, deaths, serious],
            )
        graded = rules.grades(conn, latest, Filters(end=latest, start=first - timedelta(hours=1)))
    finally:
        conn.close()
    large = graded[graded["grade"] == "large"]
    assert set(large["id"]) == {"T-LS", "T-PS"}
    assert graded.set_index("id").loc["T-FL", "grade_rank"] == 0
    app.query_params["hours"] = "custom"
    app.query_params["start"] = f"{first - timedelta(hours=1):%Y-%m-%dT%H:%M}"
    app.run()
    assert not app.exception
    serious_card = card(app, "较大及以上事件")
    assert int(serious_card.value) == int((graded["grade_rank"] >= 2).sum())
    halos = next(layer for layer in deck_spec(app)["layers"] if layer["id"] == "incident-grades")
    assert {row["id"] for row in halos["data"]} == set(graded.loc[graded["grade_rank"] >= 2, "id"])
    # Filtering by grade keeps only those incidents, in the figures and on the map.
    app.query_params["grade"] = "large"
    at = AppTest.from_file(APP_SCRIPT, default_timeout=APP_TIMEOUT_S)
    at.query_params.update(app.query_params)
    at.run()
    assert not at.exception
    assert at.multiselect(key="flt_grades.zh").value == ["large"]
    assert int(next(m for m in at.metric if m.label == "事件总数").value) == len(large)
    incidents = next(layer for layer in deck_spec(at)["layers"] if layer["id"] == "incidents")
    assert {row["id"] for row in incidents["data"]} == set(large["id"])


def test_signal_metric_colours_townships_by_their_signal(app):
    app.run()
    app.selectbox(key="one_map_metric.zh").set_value("signal").run()
    assert not app.exception
    fills = {tuple(fill[:3]) for fill in township_fills(app)}
    allowed = {*(tuple(c) for c in SIGNAL_LEVELS.values()), tuple(NO_SIGNAL_COLOR)}
    assert fills <= allowed
    assert any("暴雨预警信号" in m.value for m in app.markdown if "yitu-legend" in m.value)


def test_hazard_points_over_critical_rain_are_ringed_on_the_map(app, demo_copy):
    """The points the 超临界雨量 KPI counts are ringed, named in the legend, and explained when opened."""
    conn = store.connect(demo_copy, read_only=True)
    try:
        at_risk = rules.hazards(conn, datetime(2026, 6, 20, 2, 40))
    finally:
        conn.close()
    assert len(at_risk) > 0
    app.query_params["end"] = "2026-06-20T02:40"  # the demo storm: points over their critical rain
    app.run()
    app.pills(key="one_map_layers").set_value(["townships", "hazards"]).run()
    assert not app.exception
    kpi = next(m for m in app.metric if m.label == "超临界雨量隐患点")
    assert int(kpi.value) == len(at_risk)
    ids = layer_ids(app)
    assert ids.index("hazard-risk") == ids.index("hazards") + 1  # drawn over the points
    ring = next(layer for layer in deck_spec(app)["layers"] if layer["id"] == "hazard-risk")
    assert sorted(point["id"] for point in ring["data"]) == sorted(at_risk["id"])
    worst = at_risk.iloc[0]
    tip = next(point["tip"] for point in ring["data"] if point["id"] == worst["id"])
    window = worst["exceeded_window"]
    assert f"{worst[f'mm_{window}']:.1f} / 临界 {worst[f'critical_mm_{window}']:g} 毫米" in tip
    assert worst["gauge_name"] in tip
    points = next(layer for layer in deck_spec(app)["layers"] if layer["id"] == "hazards")["data"]
    hovered = {point["id"]: point["tip"] for point in points}
    assert "超临界：" + tip.split("超临界：")[1].split("\n")[0] in hovered[worst["id"]]
    assert sum("超临界：" in text for text in hovered.values()) == len(at_risk)
    legends = " ".join(m.value for m in app.markdown if "yitu-legend" in m.value)
    assert f"红色外环：已超临界雨量（{len(at_risk)} 处）" in legends
    # Picking the ring opens the point underneath, with its rain against the critical amounts.
    app.session_state["one_map_detail"] = ("hazards", worst["id"])
    app.run()
    assert not app.exception
    detail = next(f.value for f in app.dataframe if "超临界" in set(f.value.iloc[:, 0]))
    fields = dict(zip(detail.iloc[:, 0], detail.iloc[:, 1], strict=True))
    assert fields["超临界"].endswith(f"（{worst['exceedance']:.2f} 倍）")
    assert fields["24 小时雨量（毫米）"] == f"{worst['mm_24h']:.1f}"


def test_a_clicked_gauge_shows_its_hyetograph(app, demo_copy):
    conn = store.connect(demo_copy, read_only=True)
    try:
        station = store.scalar(conn, "SELECT min(code) FROM rain_gauges")
    finally:
        conn.close()
    app.session_state["one_map_detail"] = ("gauges", station)
    app.run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    figure = json.loads(charts[0].proto.spec)
    assert [trace["type"] for trace in figure["data"]] == ["bar", "scatter"]
