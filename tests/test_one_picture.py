"""One picture: the map, KPI cards, warning page, township page, briefing and big screen show the
same rainstorm signals, hazard points and grades as the rule engine, on the same store and moment."""

from __future__ import annotations

import doctest
import json
from datetime import datetime

import pytest

from emergency import briefing, config, i18n, queries, rules, store
from emergency.filters import Filters
from emergency.vocab import SIGNAL_LEVELS
from tests.apptest import open_page, table_with
from tests.test_wall import html_of
from tests.test_warning_pages import STORM_END, metrics, start_app

T = datetime.fromisoformat(STORM_END)


@pytest.fixture
def expected(demo_copy, monkeypatch):
    """The rule engine's answer on the store, computed before the app opens it."""
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    conn = store.connect(demo_copy)
    try:
        f = Filters(end=T)
        signals = rules.signals(conn, T)
        kpi = rules.kpis(conn, T, f)
        blocks = briefing.layout(conn, f, "zh", now=T)
        thresholds = queries.signal_thresholds(conn)
        rows = {code: rules.signal_rows(conn, T, code) for code in signals["code"]}
        gauges = rules.gauge_signals(conn, T)["level"].value_counts()
    finally:
        conn.close()
    assert signals["level"].notna().sum() >= 4  # the storm moment has signals of every colour
    return {
        "signals": signals,
        "kpi": kpi,
        "blocks": blocks,
        "thresholds": thresholds,
        "rows": rows,
        "gauges": gauges,
        "path": demo_copy,
    }


def level_of(value) -> str | None:
    return value if isinstance(value, str) else None


def test_map_kpis_warning_township_briefing_and_screen_agree(expected):
    signals = expected["signals"].set_index("code")
    under = {code: level_of(level) for code, level in signals["level"].items()}
    # KPI cards and the map.
    at = start_app(expected["path"])
    assert not at.exception
    assert int(metrics(at)["暴雨预警乡镇"]) == sum(level is not None for level in under.values())
    assert int(metrics(at)["超临界雨量隐患点"]) == expected["kpi"]["hazards_at_risk"]
    at.selectbox(key="one_map_metric.zh").set_value("signal").run()
    layer = next(
        layer
        for layer in json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]
        if layer["id"] == "townships"
    )
    colours = {tuple(color): code for code, color in SIGNAL_LEVELS.items()}
    for feature in layer["data"]["features"]:
        code = feature["properties"]["code"]
        assert colours.get(tuple(feature["properties"]["fill"][:3])) == under[code], code
    # The warning page: counts per level and each township's current signal.
    open_page(at, "pages/warning.py")
    values = metrics(at)
    for code, zh in (("red", "红色"), ("orange", "橙色"), ("yellow", "黄色"), ("blue", "蓝色")):
        assert int(values[f"{zh}信号乡镇"]) == sum(level == code for level in under.values())
    table = table_with(at, "当前信号")
    names = dict(zip(signals["name"], signals.index, strict=True))
    for name, shown in zip(table["乡镇"], table["当前信号"], strict=True):
        level = under[names[name]]
        if level:
            assert shown == i18n.label("signal_level", level), name
        else:
            assert shown not in {i18n.label("signal_level", code) for code in SIGNAL_LEVELS}, name
    # A signal opens to the reports behind it (the expander under the table): every report of the
    # chosen township's gauges in the longest window, and the deciding gauge is among them.
    behind = table_with(at, "时段末")
    chosen = at.selectbox(key="warning_signal_rows_township").value
    conn_rows = expected["rows"].get(chosen)
    assert conn_rows is not None and len(behind) == len(conn_rows)
    assert signals.loc[chosen, "decided_by_name"] in set(behind["雨量站"])
    # The township page of the reddest township.
    red = next(code for code, level in under.items() if level == "red")
    town = start_app(expected["path"], township=red)
    open_page(town, "pages/township.py")
    figures = table_with(town, "指标")
    shown = dict(zip(figures["指标"], figures["数值"], strict=True))["暴雨预警信号（截至窗口末）"]
    assert shown == rules.signal_text(signals.loc[red].copy(), expected["thresholds"], "zh")
    assert shown.startswith("红色")
    # The command-centre wall counts the gauges at each signal level by the same rule.
    screen = start_app(expected["path"], screen="1")
    assert not screen.exception
    wall_html = html_of(screen)
    for level in SIGNAL_LEVELS:
        count = int(expected["gauges"].get(level, 0))
        assert f'data-wall="gauges-{level}"><span class="n">{count}<' in wall_html, level
    # The briefing lists the same townships under a signal.
    tables = [b for b in expected["blocks"] if b.kind == "table" and "信号及依据" in b.header]
    assert len(tables) == 1
    assert {row[0] for row in tables[0].rows} == set(signals.loc[signals["level"].notna(), "name"])


def test_doctests_of_the_rule_engine_and_its_helpers():
    from emergency import export, filters

    for module in (rules, export, filters):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_a_link_outside_any_record_is_a_notice_not_a_traceback(demo_copy, monkeypatch):
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    for bad in ("0001-01-01T00:00", "9999-12-31T23:59"):
        at = start_app(demo_copy, end=bad, hours="72")
        assert not at.exception, at.exception
        assert any("end=" in w.value and "无效" in w.value for w in at.warning), [w.value for w in at.warning]
        open_page(at, "pages/warning.py")
        assert not at.exception


def test_live_data_older_than_the_limit_gets_an_error_box(demo_copy, monkeypatch):
    monkeypatch.setenv(config.DB_PATH_ENV, str(demo_copy))
    conn = store.connect(demo_copy)
    store.set_meta(conn, {"is_demo": "false"})
    conn.close()
    at = start_app(demo_copy)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("数据截至 2026-06-22 00:00" in e and "未更新" in e for e in errors), errors
    # The demo store says it is a replay instead.
    conn = store.connect(demo_copy)
    store.set_meta(conn, {"is_demo": "true"})
    conn.close()
    at = start_app(demo_copy)
    assert any("回放" in i.value for i in at.info)
