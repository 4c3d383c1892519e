"""Rainfall CSV import rate against DuckDB's own read_csv of the same file, and peak memory."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import duckdb

from emergency import commandline, store
from emergency.ingest.engine import import_file

__all__ = ["bench_import", "write_rainfall_csv"]


def _scratch() -> duckdb.DuckDBPyConnection:
    """Open an in-memory connection that draws no progress bar over the printed results."""
    conn = duckdb.connect()
    conn.execute("SET enable_progress_bar = false")
    return conn


def write_rainfall_csv(
    path: str | Path, rows: int, stations: int = 1000, interval_min: int = 5, start_step: int = 0
) -> Path:
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
            """,  # noqa: E501 - embedded SQL/CSS/JS text
            params={"stations": stations, "interval": interval_min, "start": start_step, "rows": rows},
        )
        # COPY takes no parameter for its target file; the relation API writes it without SQL text.
        relation.write_csv(str(path), header=True)
    return path


def _read_csv_to_file(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``CREATE TABLE AS SELECT * FROM read_csv`` into a new DuckDB file.

    The same statement as the in-memory baseline, but the table is stored compressed as the
    store's ``rainfall`` is: context for the ratios, which keep the in-memory baseline.
    """
    with duckdb.connect(str(db_path)) as conn:
        conn.execute("SET enable_progress_bar = false")
        started, cpu_started = time.perf_counter(), time.process_time()
        conn.execute("CREATE TABLE rain AS SELECT * FROM read_csv(?)", [str(csv_path)])
        return time.perf_counter() - started, time.process_time() - cpu_started


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


# Headers no automatic match recognises, so the import needs a header mapping.
MAPPED_HEADERS = {"station": "测点甲", "ts": "obs_when", "mm": "value_x"}


def _import_child(csv_path: str, db_path: str, codes: list[str], mapping: dict | None, out) -> None:
    """One import in a fresh process: its own time, and its peak memory above the loaded base."""
    conn = store.connect(db_path)
    try:
        conn.execute(
            "INSERT INTO rain_gauges (code, name, lon, lat) SELECT unnest(?), unnest(?), 118.0, 28.4", [codes, codes]
        )
        base = _current_rss_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_file(conn, csv_path, "rainfall", mapping=mapping)
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        conn.close()
    out.send(
        {
            "total": report.total,
            "accepted": report.accepted,
            "rejected": report.rejected,
            "seconds": seconds,
            "cpu_s": cpu_s,
            "base_mb": base,
            "peak_mb": _peak_rss_mb(),
        }
    )
    out.close()


def _measure_import(csv_path: Path, db_path: Path, codes: list[str], mapping: dict | None) -> dict:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # a clean process: its peak RSS is this import's alone
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_import_child, args=(str(csv_path), str(db_path), codes, mapping, send))
    child.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError as error:
        child.join()
        raise RuntimeError(f"import process failed (exit code {child.exitcode})") from error
    child.join()
    return result


def bench_import(path: str | Path | None = None, rows: int = 10_000_000, stations: int = 1000) -> dict:
    """Time a rainfall CSV import, with and without a header mapping, against DuckDB's read_csv of the file.

    Each import runs in its own fresh process (store created, gauges registered, then the
    import timed), so its peak memory is measured alone; all figures come from one run.

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
        rows, import_s, import_cpu_s (CPU of all threads), rows_per_s, read_csv_s (DuckDB
        ``CREATE TABLE AS SELECT * FROM read_csv``), ratio (read_csv_s / import_s, 1.0 = as fast as DuckDB alone),
        read_csv_file_s / read_csv_file_cpu_s / cpu_ratio_file (the same read_csv stored in a
        DuckDB file, compressed as the import stores its rows; context, not the target's ratio),
        accepted, rejected, peak_rss_mb, base_rss_mb (process before the import), file_mb,
        rss_over_file ((peak - base) / file size); and ``mapped``: the same figures for a copy
        of the file whose headers need a mapping (read_csv timed on that copy).
    """
    with tempfile.TemporaryDirectory(prefix="yitu-bench-") as scratch:
        scratch = Path(scratch)
        csv_path = Path(path) if path else write_rainfall_csv(scratch / "rain.csv", rows, stations)
        with _scratch() as plain:
            started, cpu_started = time.perf_counter(), time.process_time()
            plain.execute("CREATE TABLE rain AS SELECT * FROM read_csv(?)", [str(csv_path)])
            read_csv_s, read_csv_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            headers = [
                r[0]
                for r in plain.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = 'rain' ORDER BY column_index"
                ).fetchall()
            ]
            codes = [r[0] for r in plain.execute(f'SELECT DISTINCT "{headers[0]}" FROM rain').fetchall()]
            # The same rows under headers that need a mapping (first three columns: station, time, rain).
            mapped_path = scratch / "rain_mapped.csv"
            renamed = list(MAPPED_HEADERS.values()) + headers[3:]
            plain.execute("DROP TABLE rain")
        with _scratch() as plain:
            names = ", ".join(f'#{i + 1} AS "{name}"' for i, name in enumerate(renamed))
            plain.sql(f"SELECT {names} FROM read_csv(?, all_varchar = true)", params=[str(csv_path)]).write_csv(
                str(mapped_path), header=True
            )
        with _scratch() as plain:
            started, cpu_started = time.perf_counter(), time.process_time()
            plain.execute("CREATE TABLE rain AS SELECT * FROM read_csv(?)", [str(mapped_path)])
            mapped_read_csv_s = time.perf_counter() - started
            mapped_read_csv_cpu_s = time.process_time() - cpu_started
        file_mb = csv_path.stat().st_size / 2**20
        to_file = _read_csv_to_file(csv_path, scratch / "read_csv.duckdb")
        mapped_to_file = _read_csv_to_file(mapped_path, scratch / "read_csv_mapped.duckdb")
        plain_run = _measure_import(csv_path, scratch / "bench.duckdb", codes, None)
        mapped_run = _measure_import(mapped_path, scratch / "bench_mapped.duckdb", codes, MAPPED_HEADERS)

    def figures(run: dict, baseline_s: float, baseline_cpu_s: float, stored: tuple[float, float]) -> dict:
        return {
            "rows": run["total"],
            "import_s": round(run["seconds"], 2),
            # CPU seconds of all threads: steadier than wall time on a shared machine.
            "import_cpu_s": round(run["cpu_s"], 2),
            "rows_per_s": round(run["total"] / run["seconds"]),
            "read_csv_s": round(baseline_s, 2),
            "ratio": round(baseline_s / run["seconds"], 3),
            "read_csv_cpu_s": round(baseline_cpu_s, 2),
            "cpu_ratio": round(baseline_cpu_s / run["cpu_s"], 3),
            # The same read_csv stored in a DuckDB file (compressed, as the import stores rows).
            "read_csv_file_s": round(stored[0], 2),
            "read_csv_file_cpu_s": round(stored[1], 2),
            "cpu_ratio_file": round(stored[1] / run["cpu_s"], 3),
            "accepted": run["accepted"],
            "rejected": run["rejected"],
            "peak_rss_mb": round(run["peak_mb"], 1),
            "base_rss_mb": round(run["base_mb"], 1),
            "file_mb": round(file_mb, 1),
            "rss_over_file": round((run["peak_mb"] - run["base_mb"]) / file_mb, 2),
        }

    result = figures(plain_run, read_csv_s, read_csv_cpu_s, to_file)
    result["mapped"] = figures(mapped_run, mapped_read_csv_s, mapped_read_csv_cpu_s, mapped_to_file)
    return result


def cli(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Command line: ``python -m emergency bench import [--rows N] [--path CSV]``; prints the timings as JSON.

    ``prog`` is the help's (``python -m emergency bench import`` passes its own).
    """
    import json

    parser = commandline.parser(prog or "python -m emergency.ingest.benchmark", __doc__)
    parser.add_argument("--path", help="existing rainfall CSV (default: generate one)")
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args(argv)
    print(json.dumps(bench_import(args.path, args.rows), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
