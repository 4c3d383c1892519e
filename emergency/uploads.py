"""How much memory an import of a file may take, and the budget that refuses more.

Uploaded files are on disk (emergency.webserver spools them); what an import holds in
memory depends on the format. CSV is scanned by DuckDB from disk; Excel workbooks and GIS
files are read whole into memory, and they expand: an .xlsx is zip-compressed XML, a
GeoJSON becomes Python objects per feature. The factors below are deliberately
conservative estimates of peak memory over file size per format (see README, "Deployment
checklist"); the budget is ``[yitu] import_memory_mb`` (default :data:`DEFAULT_BUDGET_MB`).
"""

from __future__ import annotations

from pathlib import Path

from emergency import config

DEFAULT_BUDGET_MB = 1024
# Peak memory of an import per byte of file, by format.
EXPANSION = {
    ".csv": 1.0, ".txt": 1.0, ".tsv": 1.0,
    ".xlsx": 30.0, ".xlsm": 30.0, ".xls": 30.0,
    ".geojson": 8.0, ".json": 8.0,
    ".gpkg": 5.0, ".ods": 30.0,
    ".shp": 5.0, ".shx": 5.0, ".dbf": 5.0, ".prj": 0.0, ".cpg": 0.0,
    ".zip": 30.0,
}
DEFAULT_EXPANSION = 30.0
MB = 1024 * 1024


def budget_mb() -> int:
    """The per-import memory budget in MB (``[yitu] import_memory_mb``)."""
    value = config.setting("import_memory_mb", DEFAULT_BUDGET_MB)
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        raise ValueError(f"[yitu] import_memory_mb = {value!r} is not a whole number of MB") from None


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
        "file": main, "size_mb": f"{sum(size for _, size in files) / MB:,.1f}", "need_mb": f"{need:,.0f}",
        "budget_mb": f"{budget:,}", "format": Path(main).suffix.lstrip(".").upper() or "?",
    }
