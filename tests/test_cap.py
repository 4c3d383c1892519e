"""CAP 1.2 export of an issued warning, validated against the OASIS schema."""

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree

from emergency import cap, store, warning

SCHEMA_PATH = Path(__file__).parent / "data" / "CAP-v1.2.xsd"
NS = {"cap": cap.CAP_NAMESPACE}
ISSUED = datetime(2026, 6, 20, 8, 30)


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@pytest.fixture
def conn(tiny_store_with_contacts):
    return tiny_store_with_contacts


def issue(conn, level="orange", text="预计未来3小时降雨50毫米以上 & <注意防范>"):
    return warning.issue_warning(conn, level, ["999999001", "999999002"], text, ["sms", "broadcast"], "值班员", ISSUED)


@pytest.mark.parametrize("level", ["blue", "yellow", "orange", "red"])
def test_alert_is_valid_cap_1_2(conn, schema, level):
    xml = cap.warning_alert(conn, issue(conn, level))
    document = etree.fromstring(xml)
    schema.assertValid(document)
    assert document.tag == f"{{{cap.CAP_NAMESPACE}}}alert"
    assert document.findtext("cap:info/cap:severity", namespaces=NS) == cap.LEVEL_SEVERITY[level]


def test_alert_content(conn, schema):
    xml = cap.warning_alert(conn, issue(conn))
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    document = etree.fromstring(xml)
    text = lambda path: document.findtext(path, namespaces=NS)  # noqa: E731
    assert text("cap:sent") == "2026-06-20T08:30:00+08:00"
    assert text("cap:info/cap:expires") == "2026-06-21T08:30:00+08:00"
    # The tiny store is demo data: it must never go out as an actual alert.
    assert text("cap:status") == "Exercise"
    assert text("cap:info/cap:headline") == "测试县应急管理局发布暴雨橙色预警"
    # Markup in the text is escaped by the serializer and comes back intact.
    assert text("cap:info/cap:description") == "预计未来3小时降雨50毫米以上 & <注意防范>"
    areas = document.findall("cap:info/cap:area", namespaces=NS)
    assert [a.findtext("cap:areaDesc", namespaces=NS) for a in areas] == ["西镇", "东乡"]
    assert [a.findtext("cap:geocode/cap:value", namespaces=NS) for a in areas] == ["999999001", "999999002"]
    pairs = areas[0].findtext("cap:polygon", namespaces=NS).split(" ")
    assert pairs[0] == pairs[-1] and len(pairs) >= 4
    lat, lon = map(float, pairs[0].split(","))
    assert 28.3 <= lat <= 28.4 and 117.9 <= lon <= 118.0


def test_real_store_sends_actual(conn, schema):
    store.set_meta(conn, {"is_demo": "false"})
    document = etree.fromstring(cap.warning_alert(conn, issue(conn), sender="yjj@example.gov.cn"))
    schema.assertValid(document)
    assert document.findtext("cap:status", namespaces=NS) == "Actual"
    assert document.findtext("cap:sender", namespaces=NS) == "yjj@example.gov.cn"
    assert document.find("cap:note", namespaces=NS) is None


def test_schema_rejects_a_broken_alert(conn, schema):
    document = etree.fromstring(cap.warning_alert(conn, issue(conn)))
    document.find("cap:info/cap:severity", namespaces=NS).text = "Apocalyptic"
    assert not schema.validate(document)


def test_unknown_warning(conn):
    with pytest.raises(ValueError, match="no warning with id 42"):
        cap.warning_alert(conn, 42)
