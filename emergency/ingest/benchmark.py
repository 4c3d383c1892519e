"""Rainfall CSV import rate against DuckDB's own read_csv of the same file, and peak memory."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import duckdb

from emergency import store
from emergency.ingest.engine import import_file

__all__ = ["bench_import", "write_rainfall_csv"]



def _scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory connection that draws no progress bar over the printed results."""
    conn = duckdb.connect()
    conn.execute("SET enable_progress_bar = false")
    return conn


def write_rainfall_csv(path: str | Path, rows: int, stations: int = 1000, interval_min: int = 5, start_step: int = 0) -> Path:
    """Write a regular rainfall CSV (站码, 时间, 雨量) of ``rows`` rows over gauges B0000...

    Parameters
    ----------
    path : str or Path
        Target file.
    rows : int
        Number of data rows; station cycles fastest, so each step has ``stations`` rows.
    stations : int
        Number of gauges, coded ``B0000``, ``B0001``...
    interval_min : int
        Minutes between steps.
    start_step : int
        First step number (from 2026-06-01 00:00), so consecutive files do not overlap.

    Returns
    -------
    Path
    """
    path = Path(path)
    with _scratch() as conn:
        relation = conn.sql(
            """
            SELECT 'B' || lpad(CAST(i % $stations AS VARCHAR), 4, '0') AS 站码,
                   strftime(TIMESTAMP '2026-06-01' + to_minutes(CAST($interval * (i // $stations + 1 + $start) AS BIGINT)),
                            '%Y-%m-%d %H:%M') AS 时间,
                   round((i * 7919 % 97) / 10.0, 1) AS 雨量
            FROM range($rows) t(i)
            """,
            params={"stations": stations, "interval": interval_min, "start": start_step, "rows": rows},
        )
        # COPY takes no parameter for its target file; the relation API writes it without SQL text.
        relation.write_csv(str(path), header=True)
    return path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_import(path: str | Path | None = None, rows: int = 10_000_000, stations: int = 1000) -> dict:
    """Time a rainfall CSV import into a fresh store and DuckDB's plain read_csv of the same file.

    Parameters
    ----------
    path : str or Path, optional
        A rainfall CSV with gauges ``B0000``...; written with :func:`write_rainfall_csv`
        (``rows``, ``stations``) when omitted.
    rows, stations : int
        Size of the generated file.

    Returns
    -------
    dict
        rows, import_s, rows_per_s, read_csv_s (DuckDB ``CREATE TABLE AS SELECT * FROM
        read_csv``), ratio (read_csv_s / import_s, 1.0 = as fast as DuckDB alone),
        accepted, rejected, peak_rss_mb.
    """
    with tempfile.TemporaryDirectory(prefix="yitu-bench-") as scratch:
        scratch = Path(scratch)
        csv_path = Path(path) if path else write_rainfall_csv(scratch / "rain.csv", rows, stations)
        with _scratch() as plain:
            started = time.perf_counter()
            plain.execute("CREATE TABLE rain AS SELECT * FROM read_csv(?)", [str(csv_path)])
            read_csv_s = time.perf_counter() - started
            codes = [r[0] for r in plain.execute("SELECT DISTINCT 站码 FROM rain").fetchall()] if not path else None
        conn = store.connect(scratch / "bench.duckdb")
        try:
            if codes is None:
                with _scratch() as plain:
                    codes = [r[0] for r in plain.execute("SELECT DISTINCT #1 FROM read_csv(?)", [str(csv_path)]).fetchall()]
            conn.execute(
                "INSERT INTO rain_gauges (code, name, lon, lat) SELECT unnest(?), unnest(?), 118.0, 28.4",
                [codes, codes],
            )
            started = time.perf_counter()
            report = import_file(conn, csv_path, "rainfall")
            import_s = time.perf_counter() - started
        finally:
            conn.close()
    return {
        "rows": report.total,
        "import_s": round(import_s, 2),
        "rows_per_s": round(report.total / import_s),
        "read_csv_s": round(read_csv_s, 2),
        "ratio": round(read_csv_s / import_s, 3),
        "accepted": report.accepted,
        "rejected": report.rejected,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def cli(argv: list[str] | None = None) -> int:
    """Command line: ``python -m emergency bench import [--rows N] [--path CSV]``; prints the timings as JSON."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m emergency bench import", description=__doc__)
    parser.add_argument("--path", help="existing rainfall CSV (default: generate one)")
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    print(json.dumps(bench_import(args.path, args.rows), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
