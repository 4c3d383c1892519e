"""Property tests: random bytes and random CSV shapes into every reader never raise anything but a
file message (IngestError), and a refused file writes nothing."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emergency import store
from emergency.ingest import KINDS, READERS, IngestError, import_file
from tests import tiny

NOW = datetime(2026, 6, 22, 0, 0)
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
    "code_lists",
    "header_mappings",
)
# Deterministic in CI: the same examples every run; failures are reproducible from the log.
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def conn():
    connection = store.connect(":memory:")
    tiny.populate(connection)
    yield connection
    connection.close()


def _counts(conn) -> dict[str, int]:
    return {t: store.scalar(conn, f"SELECT count(*) FROM {t}") for t in TABLES}


def _import(conn, path: Path, kind: str, **options) -> None:
    """Import and check the one promise: a report, or an IngestError with nothing written."""
    before = _counts(conn)
    try:
        report = import_file(conn, path, kind, now=NOW, **options)
    except IngestError as error:
        assert error.message("zh") and error.message("en")
        assert _counts(conn) == before, f"partial write by a refused file ({error.reason})"
        return
    assert report.accepted + report.rejected == report.total
    after = _counts(conn)
    if options.get("dry_run"):
        assert after == before  # a check writes nothing
        return
    assert after["import_log"] == before["import_log"] + 1
    assert after["quarantine"] - before["quarantine"] <= report.rejected


def _wrap(extension: str, data: bytes, folder: Path) -> Path:
    """Random bytes as a file of ``extension``; for containers, also random bytes inside a valid zip."""
    path = folder / f"random{extension}"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("extension", sorted(set(READERS) - {".shp"}))
@SETTINGS
@given(data=st.binary(max_size=4096), kind=st.sampled_from(sorted(KINDS)))
def test_random_bytes_to_every_reader(conn, extension, data, kind):
    with tempfile.TemporaryDirectory() as folder:
        _import(conn, _wrap(extension, data, Path(folder)), kind)


@SETTINGS
@given(
    data=st.binary(max_size=2048),
    inner=st.sampled_from([".csv", ".xlsx", ".geojson", ".shp", ".gpkg"]),
    kind=st.sampled_from(sorted(KINDS)),
)
def test_random_bytes_inside_a_zip(conn, data, inner, kind):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"part{inner}", data)
            if inner == ".shp":
                archive.writestr("part.shx", data[:100])
                archive.writestr("part.dbf", data[100:])
        _import(conn, path, kind)


# Cells a department file may hold: numbers, times, codes, blanks, quotes, separators, line
# breaks, units, odd Unicode.
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "1.5",
            "-3",
            "1e309",
            "NaN",
            "999.9",
            "12万元",
            "3 cm",
            "2026-06-21 01:00",
            "2026/6/21",
            "46194.25",
            "1899-12-30",
            "9999-12-31",
            "G1",
            "G2",
            "西镇",
            "东乡",
            "洪涝",
            "人员失联",
            "待处置",
            "已完成",
            "117.95",
            "28.35",
            '"',
            '""',
            "a,b",
            "x\ny",
            "\r",
            "\t",
            "POLYGON EMPTY",
            "—",
        ]
    ),
    st.text(max_size=12),
)


@st.composite
def csv_shapes(draw):
    kind = draw(st.sampled_from(sorted(KINDS)))
    spec = KINDS[kind]
    names = [draw(st.sampled_from((f.name, *f.synonyms))) for f in spec.fields if draw(st.booleans()) or f.required]
    names += draw(st.lists(st.text(max_size=8), max_size=3))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(names) + 2), max_size=12))
    delimiter = draw(st.sampled_from([",", "\t", ";", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    quote_all = draw(st.booleans())

    def cell(value: str) -> str:
        if quote_all or any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = newline.join(delimiter.join(cell(v) for v in row) for row in [names, *rows]) + draw(
        st.sampled_from(["", newline])
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    return kind, text, encoding


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(shape=csv_shapes())
def test_random_csv_shapes(conn, shape):
    kind, text, encoding = shape
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
        encoding = "utf-8"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shape.csv"
        path.write_bytes(data)
        _import(conn, path, kind)
        _import(conn, path, kind, encoding=encoding, dry_run=True)
