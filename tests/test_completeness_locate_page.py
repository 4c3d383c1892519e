"""The completeness page lists records kept without location and completes one (issue 16)."""

import streamlit as st
from streamlit.testing.v1 import AppTest

from emergency import config, store
from tests.conftest import APP_SCRIPT, APP_TIMEOUT_S
from tests.pg_store import copy_demo


def test_page_lists_and_completes_a_record_without_location(demo_file, tmp_path, monkeypatch):
    path = tmp_path / "s.duckdb"
    path = copy_demo(demo_file, path)  # a cloned database on the PostgreSQL run
    conn = store.connect(path)
    lon, lat, town = conn.execute("SELECT label_lon, label_lat, code FROM townships LIMIT 1").fetchone()
    conn.execute(
        "INSERT INTO teams (name, kind, members, township, address) VALUES ('无坐标救援队', 'militia', 8, ?, '某村')",
        [town],
    )
    conn.close()
    monkeypatch.setenv(config.DB_PATH_ENV, str(path))
    st.cache_data.clear()
    app = AppTest.from_file(APP_SCRIPT, default_timeout=APP_TIMEOUT_S)
    app.run()
    app.switch_page("pages/completeness.py").run()
    assert not app.exception
    assert any("缺少位置的记录" in s.value for s in app.subheader)
    assert any("没有坐标" in w.value for w in app.warning)
    form_box = [s for s in app.selectbox if s.label == "记录"][0]
    assert form_box.value == ("teams", "无坐标救援队")
    lon_input, lat_input = [n for n in app.number_input if n.label in ("经度", "纬度")]
    lon_input.set_value(float(lon))
    lat_input.set_value(float(lat))
    [b for b in app.button if b.label == "保存位置"][0].click().run()
    assert not app.exception
    assert any("已为「无坐标救援队」补全位置" in s.value for s in app.success)
    from components import cached  # the app's own connection (DuckDB allows one configuration per file)

    assert cached.get_store().execute("SELECT lon IS NOT NULL FROM teams WHERE name = '无坐标救援队'").fetchone()[0]
