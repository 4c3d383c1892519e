"""Minimum stock levels per item: validation and the one write path (the demo's defaults: emergency.demo.minimums)."""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from emergency import store

MINIMUM_COLUMNS = ("item", "minimum", "unit")


class MinimumError(ValueError):
    """A minimum-stock table that cannot be saved; the message names the row and the reason."""


def validate_minimums(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rows cleaned (item trimmed, minimum as float), or raise MinimumError naming the row.

    Rows whose item is blank are dropped (an empty line left in an editor); an item may
    appear only once and its minimum must be a number ≥ 0.
    """
    missing = [name for name in ("item", "minimum") if name not in frame.columns]
    if missing:
        raise MinimumError(f"missing columns: {', '.join(missing)}")
    rows = []
    seen: dict[str, int] = {}
    for number, record in enumerate(frame.to_dict("records"), start=1):
        item = "" if pd.isna(record.get("item")) else str(record["item"]).strip()
        if not item:
            continue
        try:
            minimum = float(record.get("minimum"))
        except (TypeError, ValueError):
            raise MinimumError(f"row {number} ({item}): minimum {record.get('minimum')!r} is not a number") from None
        if math.isnan(minimum) or minimum < 0:
            raise MinimumError(f"row {number} ({item}): minimum must be a number ≥ 0")
        if item in seen:
            raise MinimumError(f"row {number} ({item}): item already listed in row {seen[item]}")
        seen[item] = number
        unit = record.get("unit")
        rows.append((item, minimum, None if unit is None or pd.isna(unit) else str(unit).strip() or None))
    return pd.DataFrame(rows, columns=list(MINIMUM_COLUMNS))


def replace_minimums(conn: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Replace the whole minimum-stock table with ``frame`` in one transaction; return the rows saved.

    Raises
    ------
    MinimumError
        If a row is invalid; nothing is written then.
    """
    clean = validate_minimums(frame)
    with store.transaction(conn) as cursor:
        cursor.execute("DELETE FROM stock_minimums")
        # Missing units go in as NULL (a frame would turn them into the text "nan").
        rows = [(r.item, r.minimum, None if pd.isna(r.unit) else r.unit) for r in clean.itertuples()]
        if rows:
            cursor.executemany("INSERT INTO stock_minimums VALUES (?, ?, ?)", rows)
    return len(clean)
