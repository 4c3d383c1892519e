"""Header mappings remembered per header set: the same file shape maps again without a source name."""

import io
from contextlib import redirect_stdout
from datetime import datetime

import pytest

from emergency import store
from emergency.ingest import IngestError, import_file, mappings
from emergency.ingest.__main__ import report_lines
from tests import tiny

NOW = datetime(2026, 6, 22, 0, 0)
HEADER = "编号,类别,时间,状态,金额（万元）,乡镇\n"


@pytest.fixture
def conn():
    connection = store.connect(":memory:")
    tiny.populate(connection)
    yield connection
    connection.close()


def _file(path, ident, header=HEADER):
    path.write_text(header + f"{ident},洪涝,2026-06-21 03:00,待处置,8,西镇\n", encoding="utf-8")
    return path


def test_signature_ignores_order_spacing_case_and_width():
    assert mappings.signature(["编号", "Type ", "金额（万元）"]) == mappings.signature(["金额(万元)", "type", " 编 号"])
    assert mappings.signature(["编号", "类别"]) != mappings.signature(["编号", "类别", "备注"])


def test_mapping_given_once_applies_to_the_same_shape_without_a_source(conn, tmp_path):
    given = {"type": "类别", "status": "状态", "id": "编号", "occurred_at": "时间"}
    first = import_file(conn, _file(tmp_path / "a.csv", "HS1"), "incidents", now=NOW, mapping=given)
    assert first.accepted == 1
    # Same headers in another order and spacing, no source named: mapped as confirmed.
    shuffled = "乡镇,时间 ,编号,类别,状态,金额(万元)\n西镇,2026-06-21 04:00,HS2,洪涝,待处置,3\n"
    (tmp_path / "b.csv").write_text(shuffled, encoding="utf-8")
    second = import_file(conn, tmp_path / "b.csv", "incidents", now=NOW)
    assert second.accepted == 1 and second.rejected == 0
    assert second.mapping["type"] == "类别" and second.mapping["id"] == "编号"
    assert set(second.remembered_from.values()) == {"headers"}
    lines = report_lines(second, "zh")
    assert any("同样表头" in line and "类别" in line for line in lines), lines
    assert any("same headers" in line for line in report_lines(second, "en"))
    stored = store.run(conn, "SELECT id, type FROM incidents WHERE id LIKE 'HS%' ORDER BY id")
    assert stored.values.tolist() == [["HS1", "flood"], ["HS2", "flood"]]
    # Another shape is not touched by it: 类别 is no automatic name of the type.
    with pytest.raises(IngestError, match="type"):
        import_file(
            conn, _file(tmp_path / "c.csv", "HS3", "编号,类别,时间,状态,备注\n"), "incidents", now=NOW, dry_run=True
        )


def test_source_mapping_wins_over_the_header_set_and_both_are_named(conn, tmp_path):
    header = "编号,事件类型,发生时间,处置状态,损失A,损失B\n"
    path = tmp_path / "d.csv"
    path.write_text(header + "HS4,洪涝,2026-06-21 03:00,待处置,5,7\n", encoding="utf-8")
    import_file(conn, path, "incidents", now=NOW, mapping={"loss_10k_yuan": "损失A"})
    import_file(
        conn, path, "incidents", now=NOW, mapping={"loss_10k_yuan": "损失B"}, source_name="县水利局", dry_run=True
    )
    # A dry run remembers nothing: the header set still says 损失A.
    again = import_file(conn, path, "incidents", now=NOW, source_name="县水利局", dry_run=True)
    assert again.mapping["loss_10k_yuan"] == "损失A" and again.remembered_from == {"loss_10k_yuan": "headers"}
    import_file(conn, path, "incidents", now=NOW, mapping={"loss_10k_yuan": "损失B"}, source_name="县水利局")
    by_source = import_file(conn, path, "incidents", now=NOW, source_name="县水利局", dry_run=True)
    assert by_source.mapping["loss_10k_yuan"] == "损失B"
    assert by_source.remembered_from == {"loss_10k_yuan": "source:县水利局"}
    assert any("县水利局" in line for line in report_lines(by_source, "zh"))
    # Without the source the header set's latest confirmation applies (the last one given was 损失B).
    anonymous = import_file(conn, path, "incidents", now=NOW, dry_run=True)
    assert anonymous.mapping["loss_10k_yuan"] == "损失B" and anonymous.remembered_from == {"loss_10k_yuan": "headers"}


def test_cli_names_the_header_set_mapping(conn, tmp_path, monkeypatch):
    from emergency.ingest import __main__ as cli

    given = {"type": "类别", "status": "状态", "id": "编号", "occurred_at": "时间"}
    import_file(conn, _file(tmp_path / "a.csv", "HS5"), "incidents", now=NOW, mapping=given)
    report = import_file(conn, _file(tmp_path / "e.csv", "HS6"), "incidents", now=NOW, dry_run=True)
    out = io.StringIO()
    with redirect_stdout(out):
        for line in cli.report_lines(report, "zh"):
            print(line)
    assert "已套用同样表头的文件上次确认的表头对应" in out.getvalue()
    assert "事件类型 ← 类别" in out.getvalue() or "类别" in out.getvalue()
