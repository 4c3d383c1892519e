"""Every code of the store's lists is drawn, listed and exported by its name.

An administrator's code gets a colour (its own or the next free palette colour, never the grey
of "other"), a swatch in its layer's legend, a place in the type filter, and a label in both
languages; a value kept as "other" is exported with its original text: 其他（体育馆）.
"""

from datetime import datetime

import pandas as pd
import pytest

from components import one_map
from emergency import briefing, codelists, export, filters, i18n, queries, store, vocab
from emergency.vocab import OTHER_COLOR
from tests import tiny
from tests.test_pages import deck_spec

GREY = tuple(OTHER_COLOR)


@pytest.fixture(autouse=True)
def _isolated_display_tables(monkeypatch):
    """Codes a store adds become known to this process's display tables: undo that afterwards."""
    for name, labels in list(i18n.CODE_LABELS.items()):
        monkeypatch.setitem(i18n.CODE_LABELS, name, dict(labels))
    monkeypatch.setattr(codelists, "ADDED", {})


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    tiny.populate(connection)
    yield connection
    connection.close()


def test_every_code_of_every_open_list_has_a_colour_and_a_chinese_label(conn):
    codelists.add_code(conn, "incident_type", "missing_person", "人员失联", "Missing person")  # no colour
    codelists.add_code(conn, "team_kind", "blue_sky", "蓝天救援队", "Blue Sky rescue", "#112233")
    for name in codelists.OPEN_LISTS:
        stored = set(codelists.codes(conn, name)["code"])
        colours = codelists.colors(name)
        assert stored <= set(colours), name
        for code in stored:
            zh = codelists.code_label(name, code, "zh")
            assert zh and zh != code and "None" not in zh, (name, code, zh)
            assert codelists.code_label(name, code, "en") not in ("", "None")
        assert list(colours)[-1] == "other" or "other" not in colours  # "other" closes the legend
    types = codelists.colors("incident_type")
    assert types["missing_person"] != GREY and types["missing_person"] not in [
        c for code, c in types.items() if code != "missing_person"
    ]
    assert codelists.colors("team_kind")["blue_sky"] == (0x11, 0x22, 0x33)
    assert codelists.labels("incident_type", "en")["missing_person"] == "Missing person"


def test_palette_colours_are_deterministic_and_never_move(conn):
    codelists.add_code(conn, "shelter_kind", "gymnasium", "体育馆", "Gymnasium")
    first = codelists.colors("shelter_kind")["gymnasium"]
    codelists.add_code(conn, "shelter_kind", "village_hall", "村委会", "Village hall")
    assert codelists.colors("shelter_kind")["gymnasium"] == first  # a later code never recolours it
    assert codelists.colors("shelter_kind")["village_hall"] not in (first, GREY)
    other = store.connect(":memory:")
    codelists.add_code(other, "shelter_kind", "gymnasium", "体育馆", "Gymnasium")
    assert codelists.colors("shelter_kind")["gymnasium"] == first  # same list, same colour, any store
    other.close()


def test_a_name_missing_in_one_language_falls_back_never_to_english_on_chinese(conn):
    # A code written into the store by hand (or by an older version) with one name only.
    conn.execute(
        "INSERT INTO code_lists (list, code, name_zh, name_en, builtin, position) VALUES "
        "('team_kind', 'boat_team', '', 'Boat team', false, 900), "
        "('team_kind', 'dog_team', '搜救犬队', '', false, 901)"
    )
    codelists.sync_labels(conn)
    assert codelists.code_label("team_kind", "dog_team", "en") == "搜救犬队"
    zh = codelists.code_label("team_kind", "boat_team", "zh")
    assert zh.startswith("其他") and zh != "Boat team"
    # The department's text mapped to it is a better Chinese name.
    conn.execute(
        "INSERT INTO code_lists (list, code, name_zh, name_en, builtin, position) VALUES "
        "('team_kind', 'rope_team', '', 'Rope team', false, 902)"
    )
    codelists.map_label(conn, "team_kind", "绳索救援队", "rope_team")
    i18n.CODE_LABELS["team_kind"].pop("rope_team", None)
    codelists.sync_labels(conn)
    assert codelists.code_label("team_kind", "rope_team", "zh") == "绳索救援队"
    # A stored value no list knows is still no bare English word.
    assert codelists.code_label("team_kind", "unheard_of", "zh") == "其他"
    assert codelists.code_label("team_kind", None, "zh") == ""


def test_url_filter_accepts_an_added_type(conn):
    codelists.add_code(conn, "incident_type", "missing_person", "人员失联", "Missing person")
    parsed = filters.from_query_params({"type": "missing_person,rockfall"}, tiny.hour(12), [])
    assert parsed.filters.types == ("rockfall", "missing_person") and not parsed.notices  # list order


def test_exports_write_other_with_its_original_text(conn):
    conn.execute("UPDATE incidents SET type = 'other', type_label = '人员失联' WHERE id = 'I1'")
    conn.execute("UPDATE shelters SET kind = 'other', kind_label = '体育馆' WHERE name = '西镇小学'")
    conn.execute("UPDATE stock SET category = 'other', category_label = '防疫物资' WHERE item = '救生衣'")
    incidents = export.readable(queries.incidents(conn, tiny.T0, tiny.hour(12)), "zh")
    assert "其他（人员失联）" in set(incidents["类型"])
    assert not [c for c in incidents.columns if "label" in str(c)]
    shelters = export.readable(queries.shelters(conn), "zh")
    assert "其他（体育馆）" in set(shelters["种类"]) and "学校" not in set(shelters["种类"])
    stock = export.readable(queries.stock_rows(conn), "en")
    assert "Other (防疫物资)" in set(stock["Category"])
    # A blank original text: the label alone, never "其他（）" or "None".
    plain = export.readable(pd.DataFrame({"type": ["other"], "type_label": [""]}), "zh")
    assert list(plain.iloc[:, 0]) == ["其他"]


def test_briefing_names_the_original_texts_of_other(conn):
    conn.execute("UPDATE incidents SET type = 'other', type_label = '人员失联' WHERE id IN ('I1', 'I3')")
    conn.execute("UPDATE incidents SET type = 'rockfall' WHERE id = 'I2'")
    f = filters.Filters(end=tiny.hour(12), hours=24)
    blocks = briefing.layout(conn, f, "zh", now=datetime(2026, 6, 20, 12, 0))
    tables = [b for b in blocks if b.kind == "table"]
    cells = {str(cell) for b in tables for row in b.rows for cell in row}
    assert "其他（人员失联）" in cells
    assert "崩塌" in cells  # a built-in type outside the first nine is counted too


def test_one_map_draws_legends_and_filters_an_added_code(app, demo_copy):
    conn = store.connect(demo_copy)
    codelists.add_code(conn, "incident_type", "missing_person", "人员失联", "Missing person")
    codelists.add_code(conn, "shelter_kind", "gymnasium", "体育馆", "Gymnasium")
    codelists.add_code(conn, "team_kind", "blue_sky", "蓝天救援队", "Blue Sky rescue", "#112233")
    latest = store.scalar(conn, "SELECT max(occurred_at) FROM incidents")
    ident = store.scalar(conn, "SELECT id FROM incidents WHERE occurred_at = ? ORDER BY id LIMIT 1", [latest])
    conn.execute("UPDATE incidents SET type = 'missing_person' WHERE id = ?", [ident])
    conn.execute("UPDATE shelters SET kind = 'gymnasium' WHERE name = (SELECT min(name) FROM shelters)")
    conn.execute("UPDATE teams SET kind = 'blue_sky' WHERE name = (SELECT min(name) FROM teams)")
    conn.close()
    app.run()
    assert not app.exception
    assert "人员失联" in app.multiselect(key="flt_types.zh").options
    app.pills(key="one_map_layers").set_value(list(one_map.LAYER_OPTIONS)).run()
    assert not app.exception
    legends = " ".join(m.value for m in app.markdown if "yitu-legend" in m.value)
    for text in ("人员失联", "体育馆", "蓝天救援队", "避难场所类型", "崩塌"):
        assert text in legends, text
    assert "None" not in legends and "missing_person" not in legends
    layers = {layer["id"]: layer for layer in deck_spec(app)["layers"]}
    fills = {row["id"]: tuple(row["fill"][:3]) for row in layers["incidents"]["data"]}
    assert fills[ident] == codelists.colors("incident_type")["missing_person"] != GREY
    assert [0x11, 0x22, 0x33, 230] in [row["fill"] for row in layers["teams"]["data"]]
    gym = codelists.colors("shelter_kind")["gymnasium"]
    assert [*gym, 210] in [row["fill"] for row in layers["shelters"]["data"]]
    # The filter narrows to the added type.
    app.multiselect(key="flt_types.zh").set_value(["missing_person"]).run()
    assert not app.exception
    assert app.query_params.get("type") in ("missing_person", ["missing_person"])


def test_vocab_lists_stay_the_programs_own(conn):
    before = {name: dict(codes) for name, codes in vocab.CODE_LISTS.items()}
    codelists.add_code(conn, "incident_type", "missing_person", "人员失联", "Missing person", "#aa3377")
    assert before == vocab.CODE_LISTS  # a new store is seeded with the built-in codes only
    fresh = store.connect(":memory:")
    assert "missing_person" not in set(codelists.codes(fresh, "incident_type")["code"])
    fresh.close()
