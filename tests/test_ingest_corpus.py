"""The department-file corpus (tests/ingest_corpus.py): every file stored whole, refused whole, never half-written."""

from datetime import datetime

import pytest

from emergency import store
from emergency.ingest import IngestError, import_file
from tests import ingest_corpus

NOW = datetime(2026, 6, 22, 0, 0)
CASES = ingest_corpus.cases()
TABLES = (
    "rain_gauges",
    "rainfall",
    "incidents",
    "warehouses",
    "stock",
    "teams",
    "shelters",
    "hazard_points",
    "townships",
    "import_log",
    "quarantine",
)


def _counts(conn) -> dict[str, int]:
    return {t: store.scalar(conn, f"SELECT count(*) FROM {t}") for t in TABLES}


def test_corpus_is_large_and_varied():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.kind for c in CASES} >= {
        "rain_gauges",
        "rainfall",
        "incidents",
        "warehouses",
        "stock",
        "teams",
        "shelters",
        "hazard_points",
        "townships",
    }
    assert sum(c.error is not None for c in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file(case, tiny_store, tmp_path):
    conn = tiny_store
    path = case.write(tmp_path)
    before = _counts(conn)
    if case.error:
        with pytest.raises(IngestError) as raised:
            import_file(conn, path, case.kind, now=NOW, source_name="外县部门", **case.options)
        assert raised.value.reason == case.error, raised.value.message("en")
        assert raised.value.message("zh").startswith(f"文件 {path.name}")
        assert _counts(conn) == before  # nothing half-imported
        return
    report = import_file(conn, path, case.kind, now=NOW, source_name="外县部门", **case.options)
    reasons = {
        (f"{sheet}!{row}" if isinstance(sheet, str) and len(report.sheets_read) > 1 else row): reason
        for sheet, row, reason in zip(
            report.rejects["sheet"], report.rejects["row_number"], report.rejects["reason"], strict=True
        )
    }
    assert (report.accepted, report.rejected, reasons) == (case.accepted, case.rejected, case.reasons)
    assert store.scalar(conn, "SELECT count(*) FROM quarantine") == before["quarantine"] + case.rejected
    if case.check is not None:
        assert case.check(conn, report)
    conn.close()
