"""Open code lists: unknown values kept as other + label, mapped by an admin, remembered and applied."""

from datetime import datetime

import pytest

from emergency import actions, codelists, i18n, store, vocab
from emergency.access import Actor, PermissionDenied
from emergency.ingest import import_file

NOW = datetime(2026, 6, 22, 0, 0)
ADMIN = Actor("admin1", "管理员甲", "admin")
DUTY = Actor("duty1", "值班员乙", "duty")


@pytest.fixture
def conn(monkeypatch, tiny_store):
    # Codes added here are made known to this process's display tables: undo that afterwards.
    for name, labels in list(i18n.CODE_LABELS.items()):
        monkeypatch.setitem(i18n.CODE_LABELS, name, dict(labels))
    for name, colours in list(vocab.CODE_LISTS.items()):
        monkeypatch.setitem(vocab.CODE_LISTS, name, dict(colours))
    return tiny_store


def _incidents(path, rows):
    text = "事件编号,事件类型,发生时间,乡镇,处置状态\n" + "".join(
        f"{r},{t},2026-06-21 03:00,西镇,待处置\n" for r, t in rows
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_seeded_lists_name_their_national_standard(conn):
    types = codelists.codes(conn, "incident_type").set_index("code")
    assert types.loc["flood", "standard"] == "GB/T 35561-2017"
    assert types.loc["flood", "standard_class"] == "自然灾害/水旱灾害"
    assert codelists.codes(conn, "stock_category").set_index("code").loc["living", "standard"] == "GB/T 38565-2020"
    assert codelists.codes(conn, "shelter_kind").set_index("code").loc["park", "standard"] == "GB/T 44013-2024"
    assert {"other"} <= set(codelists.codes(conn, "team_kind")["code"])


def test_unknown_value_is_kept_as_other_with_its_label(conn, tmp_path):
    path = _incidents(
        tmp_path / "灾情.csv", [("N1", "人员失联"), ("N2", "人员失联"), ("N3", "洪涝"), ("N4", " 人员 失联 ")]
    )
    report = import_file(conn, path, "incidents", now=NOW)
    assert report.rejected == 0 and report.accepted == 4
    assert report.others == {"type": {"人员失联": 2, "人员 失联": 1}}
    rows = store.run(conn, "SELECT id, type, type_label FROM incidents WHERE id LIKE 'N%' ORDER BY id")
    assert list(rows["type"]) == ["other", "other", "flood", "other"]
    assert rows["type_label"].iloc[0] == "人员失联" and rows["type_label"].isna().iloc[2]
    assert codelists.display("incident_type", "other", "人员失联") == "其他·人员失联"
    assert codelists.display("incident_type", "other", "人员失联", "en") == "Other·人员失联"
    listed = codelists.other_labels(conn, "incident_type")
    assert listed["rows"].sum() == 3


def test_admin_maps_a_label_stored_rows_change_and_later_files_follow(conn, tmp_path):
    import_file(conn, _incidents(tmp_path / "a.csv", [("N1", "人员失联"), ("N2", "人员 失联")]), "incidents", now=NOW)
    actions.add_code(conn, ADMIN, "incident_type", "missing_person", "人员失联", "Missing person", "#aa3377")
    changed = actions.map_code_label(conn, ADMIN, "incident_type", "人员失联", "missing_person")
    assert changed == 2  # both spellings fold to the same text
    rows = store.run(conn, "SELECT type, type_label FROM incidents WHERE id IN ('N1', 'N2')")
    assert set(rows["type"]) == {"missing_person"} and rows["type_label"].isna().all()
    assert i18n.label("incident_type", "missing_person") == "人员失联"
    # A later file with the same text gets the code directly.
    report = import_file(conn, _incidents(tmp_path / "b.csv", [("N9", "人员失联")]), "incidents", now=NOW)
    assert report.others == {}
    assert store.scalar(conn, "SELECT type FROM incidents WHERE id = 'N9'") == "missing_person"
    audit = store.run(conn, "SELECT action, outcome FROM audit_log ORDER BY id")
    assert list(audit["action"]) == ["codelist_add", "codelist_map"]


def test_mapping_to_an_existing_code_and_refusals(conn, tmp_path):
    path = tmp_path / "队伍.csv"
    path.write_text("队伍名称,队伍类型,队员人数,经度,纬度\n山鹰队,山地搜救,12,117.95,28.35\n", encoding="utf-8")
    assert import_file(conn, path, "teams").accepted == 1
    assert store.scalar(conn, "SELECT kind || '/' || kind_label FROM teams WHERE name = '山鹰队'") == "other/山地搜救"
    with pytest.raises(PermissionDenied):
        actions.map_code_label(conn, DUTY, "team_kind", "山地搜救", "social")
    assert store.scalar(conn, "SELECT outcome FROM audit_log WHERE action = 'codelist_map'") == "denied"
    with pytest.raises(ValueError):
        actions.map_code_label(conn, ADMIN, "team_kind", "山地搜救", "no_such_code")
    with pytest.raises(ValueError):
        actions.add_code(conn, ADMIN, "incident_status", "paused", "暂停", "Paused")  # closed list
    with pytest.raises(ValueError):
        actions.add_code(conn, ADMIN, "team_kind", "Bad Code!", "坏", "Bad")
    assert actions.map_code_label(conn, ADMIN, "team_kind", "山地搜救", "social") == 1
    assert store.scalar(conn, "SELECT kind FROM teams WHERE name = '山鹰队'") == "social"


def test_closed_status_list_still_rejects_but_learns_synonyms(conn, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("事件编号,事件类型,发生时间,处置状态\nS1,洪涝,2026-06-21 03:00,暂缓处理\n", encoding="utf-8")
    assert import_file(conn, path, "incidents", now=NOW).rejects["reason"].tolist() == ["unknown_code"]
    actions.map_code_label(conn, ADMIN, "incident_status", "暂缓处理", "pending")
    assert import_file(conn, path, "incidents", now=NOW).accepted == 1
