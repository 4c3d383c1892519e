"""What a store still lacks: per kind, per township, and what to import next."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from emergency import queries, store
from emergency.ingest.kinds import KINDS

__all__ = [
    "IMPORT_ORDER",
    "LOCATED_TABLES",
    "location_missing",
    "location_missing_count",
    "set_location",
    "PAGE_NEEDS",
    "Step",
    "kind_counts",
    "kind_summary",
    "missing_for",
    "next_steps",
    "township_summary",
]

# The order a new county fills its store in: areas first (every later row is assigned to a
# township), then the gauges the rainfall refers to, then events, then resources.
IMPORT_ORDER = (
    "townships",
    "rain_gauges",
    "rainfall",
    "incidents",
    "warehouses",
    "stock",
    "teams",
    "shelters",
    "hazard_points",
)
# Resource kinds: a page about resources needs at least one of them.
RESOURCE_KINDS = ("warehouses", "teams", "shelters", "hazard_points")
# What each page needs before it can show anything meaningful: kinds that must all hold
# rows, and groups of which one must. Keyed by the page file's stem.
PAGE_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "one_map": (("townships", "rain_gauges", "rainfall"), ()),
    "trends_rain": (("townships", "rain_gauges", "rainfall"), ()),
    "trends_incidents": (("townships", "incidents"), ()),
    "trends_resources": (("townships",), RESOURCE_KINDS),
    "briefing": (("townships", "rain_gauges", "rainfall"), ()),
    "warning": (("townships", "rain_gauges", "rainfall"), ()),
    "dispatch": (("townships",), RESOURCE_KINDS),
    "township": (("townships",), ()),
    "township_ranking": (("townships",), ()),
}


@dataclass(frozen=True)
class Step:
    """One kind in import order with the rows the store holds of it."""

    kind: str
    rows: int


def kind_summary(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per importable kind: rows, latest data time and the fields with missing values.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection

    Returns
    -------
    pandas.DataFrame
        Columns ``kind``, ``rows``, ``latest`` (None when the kind has no time),
        ``missing`` ({field: rows without it}, only fields with gaps) and ``required``
        (the required fields), in :data:`IMPORT_ORDER`, then the other kinds.
    """
    order = list(IMPORT_ORDER) + [k for k in KINDS if k not in IMPORT_ORDER]
    records = []
    for name in order:
        kind = KINDS[name]
        # Optional fields count too: an incident without coordinates or a gauge without a
        # township is exactly the gap a bureau has to fill.
        row = queries.table_completeness(conn, kind.table, kind.time_field, kind.field_names).iloc[0]
        missing = {
            field: int(row[f"null_{field}"])
            for field in kind.field_names
            if f"null_{field}" in row.index and int(row[f"null_{field}"]) > 0
        }
        latest = row["latest"]
        records.append(
            {
                "kind": name,
                "rows": int(row["rows"]),
                "latest": None if pd.isna(latest) else latest,
                "missing": missing,
                "required": [f.name for f in kind.fields if f.required],
            }
        )
    return pd.DataFrame.from_records(records)


def kind_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per importable kind (a count per table only: cheap enough for every page run)."""
    # One statement for all tables: a page's first run counted them in 36.
    counts = queries.row_counts(conn, [kind.table for kind in KINDS.values()])
    return {name: counts[kind.table] for name, kind in KINDS.items()}


def next_steps(conn: duckdb.DuckDBPyConnection) -> list[Step]:
    """Every kind of :data:`IMPORT_ORDER` with its row count; those with 0 rows are still to import."""
    counts = kind_counts(conn)
    return [Step(kind, counts[kind]) for kind in IMPORT_ORDER]


def missing_for(page: str, counts: dict[str, int]) -> list[str]:
    """Kinds a page still needs, in import order (empty when it can show its data).

    Parameters
    ----------
    page : str
        Page file stem, a key of :data:`PAGE_NEEDS` (unknown pages need nothing).
    counts : dict
        Rows per kind, as from :func:`next_steps`.

    Examples
    --------
    >>> missing_for("one_map", {"townships": 12, "rain_gauges": 0, "rainfall": 0})
    ['rain_gauges', 'rainfall']
    >>> missing_for("dispatch", {"townships": 12, "shelters": 3})
    []
    """
    all_of, one_of = PAGE_NEEDS.get(page, ((), ()))
    missing = [kind for kind in all_of if not counts.get(kind)]
    if one_of and not any(counts.get(kind) for kind in one_of):
        missing.extend(one_of)
    return [kind for kind in IMPORT_ORDER if kind in missing]


def township_summary(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per township: counts of gauges, incidents and resources, latest times and its gaps.

    Returns
    -------
    pandas.DataFrame
        :func:`emergency.queries.township_coverage` plus boolean ``no_gauges``,
        ``no_shelters``, ``no_teams`` and ``gaps`` (how many of the three are missing).
    """
    frame = queries.township_coverage(conn)
    frame["no_gauges"] = frame["gauges"] == 0
    frame["no_shelters"] = frame["shelters"] == 0
    frame["no_teams"] = frame["teams"] == 0
    frame["gaps"] = frame[["no_gauges", "no_shelters", "no_teams"]].sum(axis=1).astype(int)
    return frame


# --- records kept without a location ---
# Resource tables whose rows may be stored without coordinates ("location missing").
LOCATED_TABLES = ("teams", "shelters", "warehouses")


def location_missing(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Count records stored without coordinates, per township and table: work still to do.

    Returns
    -------
    pandas.DataFrame
        Columns ``township`` (code, None when unknown), ``township_name``, ``table``, ``rows``
        and ``names`` (up to 20 record names), most rows first.
    """
    parts = " UNION ALL ".join(
        # Table names from LOCATED_TABLES, a whitelist.
        f"SELECT '{table}' AS tbl, name, township FROM {table} WHERE lon IS NULL OR lat IS NULL"
        for table in LOCATED_TABLES
    )
    cursor = conn.cursor()
    try:
        return cursor.execute(
            f"""SELECT m.township, t.name AS township_name, m.tbl AS "table", count(*) AS rows,
                       string_agg(m.name, '、' ORDER BY m.name) AS names
                FROM ({parts}) m LEFT JOIN townships t ON t.code = m.township
                GROUP BY ALL ORDER BY rows DESC, township_name NULLS LAST, "table" """
        ).df()
    finally:
        cursor.close()


def location_missing_count(conn: duckdb.DuckDBPyConnection, tables: tuple[str, ...], townships=()) -> int:
    """How many rows of ``tables`` (of LOCATED_TABLES) the township filter selects that have no location."""
    total = 0
    cursor = conn.cursor()
    try:
        for table in tables:
            if table not in LOCATED_TABLES:
                continue
            where, params = "(lon IS NULL OR lat IS NULL)", []
            if townships:
                where += f" AND township IN ({', '.join('?' for _ in townships)})"
                params = list(townships)
            total += cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
    finally:
        cursor.close()
    return int(total)


def set_location(
    conn: duckdb.DuckDBPyConnection, table: str, name: str, lon: float, lat: float, crs: str = "wgs84"
) -> str | None:
    """Give a record kept without location its coordinates (converted to WGS84); return its township code.

    The point must lie in the county (1 km margin); the township is the one containing it,
    unless the record already names one.

    Raises
    ------
    ValueError
        For a table outside :data:`LOCATED_TABLES`, an unknown record, or a point outside the county.
    """
    import shapely

    from emergency import geo

    if table not in LOCATED_TABLES:
        raise ValueError(f"cannot locate rows of {table!r}")
    x, y = geo.to_wgs84(float(lon), float(lat), crs)
    x, y = float(x), float(y)
    # Joins the caller's transaction (emergency.actions: the location and its audit row together).
    with store.transaction(conn) as cursor:
        county = cursor.execute("SELECT geometry FROM county LIMIT 1").fetchall()
        if county:
            area = shapely.buffer(geo.wkb_to_geometry(bytes(county[0][0])), 0.01)
            if not shapely.contains_xy(area, x, y):
                raise ValueError(f"{x:.5f}, {y:.5f} is outside the county")
        towns = cursor.execute("SELECT code, geometry FROM townships ORDER BY code").df()
        code = None
        if not towns.empty:
            index = geo.locate([x], [y], geo.wkb_to_geometry(towns["geometry"].map(bytes).to_numpy()))
            code = towns["code"].iloc[int(index[0])] if index[0] >= 0 else None
        # Table name from LOCATED_TABLES (a whitelist); values are parameters.
        updated = cursor.execute(
            f"UPDATE {table} SET lon = ?, lat = ?, township = coalesce(township, ?) WHERE name = ?", [x, y, code, name]
        ).fetchall()[0][0]
        if not updated:
            raise ValueError(f"no {table} record named {name!r}")
    return code
