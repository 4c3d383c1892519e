"""How much memory an import of a file may take, the budget that refuses more, and DuckDB's cap.

Uploaded files are on disk (emergency.webserver spools them); what an import holds in
memory depends on the format. A CSV is scanned by DuckDB from disk: DuckDB's own memory is
capped for the whole app by ``[yitu] store_memory_mb`` (:func:`limit_store_memory`; past it
DuckDB spills to ``<store>.tmp/``), and the Python side of a CSV import is small. Excel
workbooks and GIS files are read whole into Python objects and expand a lot. The factors
below are peak memory growth over file size measured on this code (numbers in README,
"Threat model and deployment checklist"), rounded up; the per-import budget is ``[yitu]
import_memory_mb`` (default :data:`DEFAULT_BUDGET_MB`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from emergency import config

DEFAULT_BUDGET_MB = 2048
DEFAULT_STORE_MEMORY_MB = 2048
# Peak memory of an import per byte of file, by format (measured: xlsx 74, GeoJSON 12,
# GeoPackage 20; CSV 7 with DuckDB uncapped, bounded by store_memory_mb once capped).
EXPANSION = {
    ".csv": 1.0,
    ".txt": 1.0,
    ".tsv": 1.0,
    ".xlsx": 80.0,
    ".xlsm": 80.0,
    ".xls": 80.0,
    ".ods": 80.0,
    ".geojson": 15.0,
    ".json": 15.0,
    ".gpkg": 25.0,
    ".shp": 25.0,
    ".shx": 25.0,
    ".dbf": 25.0,
    ".prj": 0.0,
    ".cpg": 0.0,
    ".zip": 80.0,
}
DEFAULT_EXPANSION = 80.0
MB = 1024 * 1024


def _whole_mb(name: str, default: int) -> int:
    value = config.setting(name, default)
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        raise ValueError(f"[yitu] {name} = {value!r} is not a whole number of MB") from None


def limit_store_memory(conn: duckdb.DuckDBPyConnection) -> int:
    """Cap DuckDB's memory for the app's store (``[yitu] store_memory_mb``); return the cap in MB.

    DuckDB would otherwise take up to 80 % of the machine's memory for one big import.
    """
    limit = _whole_mb("store_memory_mb", DEFAULT_STORE_MEMORY_MB)
    conn.execute(f"SET memory_limit = '{limit}MiB'")
    return limit


def budget_mb() -> int:
    """Return the per-import memory budget in MB (``[yitu] import_memory_mb``)."""
    return _whole_mb("import_memory_mb", DEFAULT_BUDGET_MB)


def estimate_mb(files: list[tuple[str, int]]) -> float:
    """Peak memory, in MB, an import of these (name, size in bytes) parts would take."""
    return sum(size * EXPANSION.get(Path(name).suffix.lower(), DEFAULT_EXPANSION) for name, size in files) / MB


def over_budget(files: list[tuple[str, int]], budget: int | None = None) -> dict | None:
    """None when the import fits the budget; else the facts for the refusal message."""
    budget = budget_mb() if budget is None else budget
    need = estimate_mb(files)
    if need <= budget:
        return None
    main = next((name for name, _ in files if name.lower().endswith(".shp")), files[0][0])
    return {
        "file": main,
        "size_mb": f"{sum(size for _, size in files) / MB:,.1f}",
        "need_mb": f"{need:,.0f}",
        "budget_mb": f"{budget:,}",
        "format": Path(main).suffix.lstrip(".").upper() or "?",
    }
