"""A rainfall CSV of several DuckDB row groups: rejected rows keep their row numbers and text.

The import stages parsed values only and numbers a CSV's rows by their place in the staged
table (no ``row_number()`` window, which would read the file on one thread); a rejected
row's text is read again from the file at the end. These tests pin both on a file large
enough to be read in parallel chunks.
"""

import json

import pandas as pd

from emergency import store
from emergency.ingest import import_file
from emergency.ingest.benchmark import write_rainfall_csv

ROWS = 400_000  # about three of DuckDB's 122,880-row groups
STATIONS = 200


def _store(tmp_path):
    conn = store.connect(str(tmp_path / "large.duckdb"))
    codes = [f"B{i:04d}" for i in range(STATIONS)]
    conn.execute(
        "INSERT INTO rain_gauges (code, name, lon, lat) SELECT unnest(?), unnest(?), 118.0, 28.4", [codes, codes]
    )
    return conn


def _spoil(path, lines_to_text: dict[int, str]) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    for index, text in lines_to_text.items():
        lines[index] = text
    path.write_text("\n".join(lines), encoding="utf-8")


def test_rejected_rows_of_a_large_csv_keep_their_row_numbers_and_text(tmp_path):
    path = write_rainfall_csv(tmp_path / "rain.csv", ROWS, STATIONS)
    # Line k of the file (header = line 0) is spreadsheet row k + 1.
    spoiled = {
        3: "B0002, 2026-06-01 00:05 ,-5",
        150_001: "B0001,not a time,1.0",
        260_000: "B0199,2026-07-01 00:05,99999",
        ROWS: "NOPE,2026-06-01 00:05,abc",
    }
    _spoil(path, spoiled)
    conn = _store(tmp_path)
    report = import_file(conn, path, "rainfall")
    assert (report.total, report.accepted, report.rejected) == (ROWS, ROWS - 4, 4)
    rejects = report.rejects
    assert rejects["row_number"].tolist() == [4, 150_002, 260_001, ROWS + 1]
    assert rejects["reason"].tolist() == ["negative_rain", "bad_time", "sentinel", "bad_number"]
    assert rejects["value"].tolist() == ["-5", "not a time", "99999", "abc"]
    # The raw text is the file's own, untrimmed.
    raws = [json.loads(r) for r in rejects["raw"]]
    assert raws[0] == {"站码": "B0002", "时间": " 2026-06-01 00:05 ", "雨量": "-5"}
    assert raws[3] == {"站码": "NOPE", "时间": "2026-06-01 00:05", "雨量": "abc"}
    stored = conn.execute("SELECT row_number, reason, value FROM quarantine ORDER BY row_number").fetchall()
    assert stored == list(zip(rejects["row_number"], rejects["reason"], rejects["value"], strict=True))
    # Every accepted row is stored once, with its own value, and the hourly sums match.
    assert conn.execute("SELECT count(*), count(DISTINCT (station, ts)) FROM rainfall").fetchone() == (
        ROWS - 4,
        ROWS - 4,
    )
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = text.iloc[[1000, 200_000, ROWS - 2]]
    for _, row in expected.iterrows():
        mm = conn.execute(
            "SELECT mm FROM rainfall WHERE station = ? AND ts = CAST(? AS TIMESTAMP)", [row["站码"], row["时间"]]
        ).fetchone()[0]
        assert mm == float(row["雨量"])
    mismatched = conn.execute(
        f"""SELECT count(*) FROM rain_hourly h FULL JOIN (
                SELECT station, {store.RAIN_HOUR_SQL} AS hour, sum(mm::DECIMAL(18, 3)) AS mm, count(*) AS n
                FROM rainfall GROUP BY ALL) r USING (station, hour)
            WHERE h.mm IS DISTINCT FROM r.mm OR h.readings IS DISTINCT FROM r.n"""
    ).fetchone()[0]
    assert mismatched == 0
    conn.close()


def test_a_large_csv_with_no_rejects_reimported_changes_nothing(tmp_path):
    path = write_rainfall_csv(tmp_path / "rain.csv", ROWS, STATIONS)
    conn = _store(tmp_path)
    first = import_file(conn, path, "rainfall")
    assert (first.inserted, first.rejected, len(first.rejects)) == (ROWS, 0, 0)
    again = import_file(conn, path, "rainfall")  # the same span: classified against the table
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, ROWS)
    assert conn.execute("SELECT count(*) FROM rainfall").fetchone()[0] == ROWS
    conn.close()
