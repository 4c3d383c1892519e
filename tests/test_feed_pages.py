"""Pages with a live source: water layer, KPI, detail hydrograph, warning list, freshness tab,
admin editing, the briefing's 水情, and the alarm of a silent source on every page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from emergency import briefing, config, store
from emergency.feed import demo as live_demo
from emergency.feed import water
from emergency.filters import Filters
from tests import live_water
from tests.apptest import open_page
from tests.conftest import APP_SCRIPT, APP_TIMEOUT_S

OVER = live_water.OVER


@pytest.fixture
def live(demo_file, tmp_path, monkeypatch):
    """A demo store with the live demo's stations synced; the first river is over 警戒 at the end."""
    facts = live_water.build(demo_file, tmp_path)
    monkeypatch.setenv("YITU_SETTINGS", str(facts["settings"]))
    monkeypatch.setenv(config.DB_PATH_ENV, str(facts["path"]))
    st.cache_data.clear()
    return facts


def _app():
    return AppTest.from_file(APP_SCRIPT, default_timeout=APP_TIMEOUT_S)


def test_one_map_water_layer_kpi_and_detail(live):
    at = _app()
    at.run()
    assert not at.exception, at.exception
    kpi = next(m for m in at.metric if m.label == "超警戒站点")
    assert kpi.value == "1"
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = next(item for item in spec["layers"] if item["id"] == "water")
    over = next(row for row in layer["data"] if row["code"] == OVER)
    assert over["fill"][:3] == list(water.STATE_COLORS["over_warning"]) and "状态：超警戒" in over["tip"]
    assert any("水情站点" in m.value for m in at.markdown)  # the legend
    # A click on the station opens its hydrograph with the threshold lines.
    from components import detail_panel

    at.session_state[detail_panel.DETAIL_KEY] = ("water", OVER)
    at.run()
    assert not at.exception, at.exception
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace.get("name", "") for trace in figure["data"]]
    assert (
        "水位" in names
        and any(n.startswith("警戒水位") for n in names)
        and any(n.startswith("保证水位") for n in names)
    )


def test_warning_page_lists_stations_over_thresholds(live):
    at = _app()
    at.run()
    open_page(at, "pages/warning.py")
    assert any("信江旭日水文站（超警戒）" in c.value for c in at.caption)
    table = next(f.value for f in at.dataframe if "开始超出" in f.value.columns)
    assert table["站名"].tolist() == ["信江旭日水文站"] and table["超过的水位线（米）"].iloc[0] == live["wrz"]


def test_alarm_on_every_page_when_the_source_is_silent(live):
    conn = store.connect(live["path"])
    # The replay clock moves on 2 hours: no report since, beyond the 30-minute limit.
    live_demo.set_clock(conn, live["start"] + timedelta(hours=2), 1.0)
    conn.close()
    at = _app()
    at.run()
    for page in ("pages/one_map.py", "pages/warning.py", "pages/completeness.py", "pages/import_data.py"):
        open_page(at, page)
        assert any("演示水文" in e.value and "无新报文" in e.value for e in at.error), page
    freshness = next(f.value for f in at.dataframe if "最新报文时间" in f.value.columns)
    assert freshness["状态"].tolist() == ["无新报文"]
    runs = next(f.value for f in at.dataframe if "读取行数" in f.value.columns)
    assert runs["结果"].tolist() == ["成功"] and runs["新增"].iloc[0] > 0


def test_wall_names_a_silent_source_in_its_title_bar(live):
    """On the wall the alarm is a chip of the title bar: red bars above it would push the wall off the screen."""
    conn = store.connect(live["path"])
    live_demo.set_clock(conn, live["start"] + timedelta(hours=2), 1.0)
    conn.close()
    at = _app()
    at.query_params["screen"] = "1"
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    html = "".join(h.proto.body for h in at.get("html"))
    assert 'data-wall="feed-alarm"' in html and "数据源“演示水文”静默" in html


def test_admin_saves_a_source_with_the_password_masked(live, tmp_path):
    at = _app()
    at.run()
    open_page(at, "pages/admin.py")
    at.text_input(key="feed_form_name").input("省水文")
    at.text_input(key="feed_form_url").input("postgresql+psycopg://reader:Top$ecret9@10.1.1.1/sl323")
    at.text_input(key="feed_form_filter").input("ADDVCD=3611*")
    at.button[[b.label for b in at.button].index("保存数据源")].click()
    at.run()
    assert not at.exception, at.exception
    assert any("已保存数据源" in s.value for s in at.success)
    conn = store.connect(live["path"])  # the app in this process holds it read-write too
    try:
        dump = store.run(conn, "SELECT * FROM feeds").to_csv() + store.run(conn, "SELECT * FROM audit_log").to_csv()
    finally:
        conn.close()
    assert "Top$ecret9" not in dump and "reader:***@10.1.1.1" in dump
    assert "Top$ecret9" in (tmp_path / "secrets.toml").read_text(encoding="utf-8")
    # A malformed filter is refused with a message.
    at.text_input(key="feed_form_name").input("坏源")
    at.text_input(key="feed_form_url").input("sqlite:///x.db")
    at.text_input(key="feed_form_filter").input("nonsense")
    at.button[[b.label for b in at.button].index("保存数据源")].click()
    at.run()
    assert not at.exception and any("未保存" in e.value for e in at.error)


def test_briefing_has_a_water_section(live):
    conn = store.connect(live["path"])
    try:
        f = Filters(end=live["latest"], hours=24)
        blocks = briefing.layout(conn, f, "zh")
    finally:
        conn.close()
    texts = [b.text for b in blocks]
    at = texts.index("水情")
    assert "超警戒站点：1" in texts[at + 1]
    assert any("信江旭日水文站（河道站）超警戒" in t for t in texts[at + 2 : at + 4])
