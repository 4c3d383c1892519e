"""The import engine: stage a file in SQL, check every row, then upsert all accepted rows in one transaction.

Flow: the reader's columns are parsed per field type in one vectorized SELECT into a temp
table ``staged`` on a private cursor (CSV straight from DuckDB's parallel reader; only the
parsed values and a packed rejection column are kept, not the text), checked by ordered
rules that each mark the first failing reason of a row, and finally written: new keys
inserted, changed rows updated, unchanged rows left alone, rejected rows (their text read
again from the file, table ``rejected``) copied to ``quarantine``, one ``import_log`` row.
All writes are one transaction, so readers on other cursors see the file entirely or not
at all (DuckDB MVCC), and a crash leaves the store as it was. A process-wide lock
serializes imports: rainfall keeps its (station, ts) key unique through this engine, not
through an index.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd
import shapely

from emergency import codelists, config, geo, store
from emergency.clock import US_PER_HOUR, US_PER_MINUTE, UTC_OFFSET_US, local_now
from emergency.ingest import kinds as kinds_mod
from emergency.ingest import mappings
from emergency.ingest import readers as readers_mod
from emergency.ingest.errors import IngestError
from emergency.ingest.kinds import KINDS, Kind
from emergency.ingest.readers import Table, Upload, open_table
from emergency.sql import Sql, quote_literal

__all__ = ["REASONS", "ImportReport", "import_file", "import_table"]

# Excel serial day of 1970-01-01, and the serial range read as dates (1954 .. 2119).
EXCEL_EPOCH_SERIAL = 25569
EXCEL_SERIAL_RANGE = (20000, 80000)
# Time formats tried after DuckDB's own ISO-style cast (which already takes 2026/6/5 3:05).
TIME_FORMATS = [
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H时%M分",
    "%Y年%m月%d日%H时",
    "%Y年%m月%d日",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    "%Y%m%d%H",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%Y%m%d",
]
# A time string ending in a zone (Z, UTC, GMT, +08, +08:00, +0800, +8, a blank before it, UTC+8,
# GMT+8) is converted to Shanghai time.
ZONED_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|UTC|GMT|((UTC|GMT)\s*)?[+-]\d{1,2}(:?\d{2})?)$"
# The zone written as DuckDB's TIMESTAMPTZ cast reads it, in order: no name before an offset
# (UTC+8 and GMT+8 mean +08), no blank before an offset, a two-digit offset hour (+8 -> +08).
ZONE_SPELLINGS = (
    (r"\s*(UTC|GMT)\s*([+-]\d)", r"\2"),
    (r"\s+([+-]\d)", r"\1"),
    (r"([+-])(\d)(:\d{2})?$", r"\10\2\3"),  # RE2: \1 then a 0
)
# A zoned time without seconds (08:15+08:00), which DuckDB's cast refuses, gets ":00" seconds.
ZONED_NO_SECONDS = (r"(^|[^:\d])(\d{1,2}:\d{2})(\s*(Z|UTC|GMT|[+-]\d{2}(:?\d{2})?))$", r"\1\2:00\3")
# Margin (degrees, ~1 km) around the county outline so boundary points are not rejected.
COUNTY_MARGIN_DEG = 0.01
# Rejected rows listed in the report (all of them go to the quarantine table).
REPORT_REJECTS_MAX = 5000
# Interval assumed for a station with a single report and no interval column.
DEFAULT_INTERVAL_MIN = 60

# Row rejection reasons; their texts are ``ingest.reason.<code>`` in emergency.i18n.
REASONS = (
    "missing",
    "bad_number",
    "bad_integer",
    "bad_time",
    "unknown_code",
    "out_of_range",
    "future_time",
    "negative_rain",
    "sentinel",
    "impossible_rain",
    "unknown_reference",
    "unknown_township",
    "duplicate",
    "bad_coordinate",
    "out_of_area",
    "swapped_coordinates",
    "bad_geometry",
    "invalid_geometry",
    "not_polygon",
    "implausible_time",
    "updated_before_occurred",
    "bad_month_day",
    "guarantee_below_warning",
    "not_point",
)
# Earliest plausible observation or event time (configurable as ``import_min_date``); the
# latest is now + FUTURE_TOLERANCE_MIN (kinds.py).
DEFAULT_MIN_DATE = "2000-01-01"
# A number with a unit written in its cell: "12.5万元", "3 cm", "1,200 元".
CELL_UNIT_PATTERN = r"(?i)^\s*([-+]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*({units})\s*$"
# A number converted to the stored unit is rounded to this many decimals: 0.0012 万人 × 10000
# is 11.999999999999998 in binary floating point (refused as not whole), 12,345 元 × 0.0001 is
# 1.2345000000000002 万元; the smallest step kept (1e-9 of a 万元, mm or person) is far below any
# unit a file can state.
CONVERTED_DECIMALS = 9

Progress = Callable[[str, float], None]

# One import at a time per process: rules and upserts read what they then write.
WRITE_LOCK = threading.Lock()


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    file_name: str
    kind: str
    format: str
    sha256: str
    encoding: str | None
    crs: str | None
    sheet: str | None
    sheets: tuple[str, ...]
    mapping: dict[str, str | None]
    total: int
    accepted: int
    rejected: int
    inserted: int
    updated: int
    unchanged: int
    rejects: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    latest_data_at: datetime | None = None
    import_id: int | None = None
    dry_run: bool = False
    seconds: float = 0.0
    # What the import did beyond counting rows.
    others: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> {label kept as "other": rows}
    conversions: list[dict] = field(default_factory=list)  # unit conversions: field, header, unit, to, factor, rows
    unused_headers: list[tuple[str, str]] = field(default_factory=list)  # (header, field it looks like)
    sheets_read: list[tuple[str, int]] = field(default_factory=list)  # (sheet, data rows)
    sheets_skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason code)
    created: dict[str, list[str]] = field(default_factory=dict)  # table -> names created (warehouses for stock)
    location_missing: int = 0  # accepted rows kept without coordinates
    remembered: dict[str, str | None] = field(default_factory=dict)  # mapping reused from this source's earlier files
    remembered_from: dict[str, str] = field(default_factory=dict)  # field -> "source" or "headers" (ingest.mappings)

    def details(self) -> dict:
        """Return the extra facts as plain data (import_log.details, JSON report)."""
        return {
            "others": self.others,
            "conversions": self.conversions,
            "unused_headers": self.unused_headers,
            "sheets_read": self.sheets_read,
            "sheets_skipped": self.sheets_skipped,
            "created": self.created,
            "location_missing": self.location_missing,
            "remembered": self.remembered,
            "remembered_from": self.remembered_from,
        }


def _noop(stage: str, fraction: float) -> None:
    return None


def _raw(position: int | None) -> str:
    # Column identifiers are c0..cN, generated by the reader, never header text.
    return f"nullif(trim(c{position}::VARCHAR), '')" if position is not None else "NULL::VARCHAR"


# Digits and number/time punctuation typed with a Chinese input method in full-width mode
# (１２．５, ２０２６－０６－２１　０８：００), read as their ASCII forms in numbers and times.
# (The full-width comma stays: in Chinese text it separates, it groups no thousands.)
FULL_WIDTH = "０１２３４５６７８９．－＋：／　"
HALF_WIDTH = "0123456789.-+:/ "


def _half_width(raw: str) -> str:
    """Return SQL of ``raw`` with full-width digits and number/time punctuation made ASCII."""
    return f"translate({raw}, {quote_literal(FULL_WIDTH)}, {quote_literal(HALF_WIDTH)})"


def _parse_number(
    raw: str, factor: float = 1.0, cells: dict[str, float] | None = None, fast: str | None = None
) -> tuple[str, list]:
    """Build SQL reading a number (thousands commas allowed), times the header's unit ``factor``.

    With ``cells`` ({unit: factor}), a cell that ends in a unit ("12.5万元") is read with that
    unit's factor instead. ``fast`` names a column holding ``try_cast`` of the untrimmed cell
    to DOUBLE: where it is a finite number (most cells) that is the value, the same as the
    full reading gives (DuckDB's cast skips surrounding blanks and refuses commas), and the
    rest is read only for the other cells. Returns the SQL and its parameters.
    """
    value = f"try_cast(replace({raw}, ',', '') AS DOUBLE)"
    scale = "" if factor == 1.0 else f" * {float(factor)!r}"  # a constant of kinds.UNITS

    def converted(number: str) -> str:
        return f"round({number}{scale}, {CONVERTED_DECIMALS})" if scale else f"({number})"

    scaled = converted(value)
    if not cells:
        sql, params = f"(CASE WHEN isfinite({value}) THEN {scaled} END)", []
    else:
        pattern = CELL_UNIT_PATTERN.format(units="|".join(re.escape(u) for u in sorted(cells, key=len, reverse=True)))
        with_unit = (
            f"round(try_cast(replace(regexp_extract({raw}, ?, 1), ',', '') AS DOUBLE) "
            f"* map_extract(?::MAP(VARCHAR, DOUBLE), lower(regexp_extract({raw}, ?, 2)))[1], {CONVERTED_DECIMALS})"
        )
        sql = f"(CASE WHEN isfinite({value}) THEN {scaled} WHEN isfinite({with_unit}) THEN {with_unit} END)"
        params = [pattern, cells, pattern, pattern, cells, pattern]
    if fast is None:
        return sql, params
    return f"(CASE WHEN isfinite({fast}) THEN {converted(fast)} ELSE {sql} END)", params


def _parse_time(raw: str, fast: str | None = None, cell: str | None = None) -> tuple[str, list]:
    """Build SQL reading a time; ``fast`` names a column of ``try_cast`` of the untrimmed ``cell`` to TIMESTAMP.

    DuckDB's cast reads ISO-like text (2026/6/5 3:05 too) but ignores the zones it accepts
    (Z, UTC, +08, -03:00), so a zoned text goes first; where the cast worked and the cell
    cannot carry one of those zones (it ends neither in Z nor in UTC, has no +, and no -
    after a colon: a cheap test before the regular expression), that is the value. The
    remaining cells are tried as zoned text (GMT and zones after a blank, which the cast
    refuses) and then in the other formats, the trimmed text's cast first (DuckDB 1.5 does
    not skip surrounding blanks when it casts).
    """
    serial = f"try_cast({raw} AS DOUBLE)"
    spelled = raw
    for spelling, replacement in ZONE_SPELLINGS:  # constants, not file text
        spelled = f"regexp_replace({spelled}, {quote_literal(spelling)}, {quote_literal(replacement)})"
    pattern, seconds = (quote_literal(part) for part in ZONED_NO_SECONDS)
    zoned = f"try_cast(regexp_replace({spelled}, {pattern}, {seconds}) AS TIMESTAMPTZ)"
    zoned_branch = f"make_timestamp(epoch_us({zoned}) + {UTC_OFFSET_US})"
    others = (
        f"coalesce(try_cast({raw} AS TIMESTAMP), try_strptime({raw}, ?), "
        f"CASE WHEN {serial} BETWEEN {EXCEL_SERIAL_RANGE[0]} AND {EXCEL_SERIAL_RANGE[1]} "
        f"THEN make_timestamp(CAST(round(({serial} - {EXCEL_EPOCH_SERIAL}) * 86400) AS BIGINT) * 1000000) END)"
    )
    if fast is None:
        return f"(CASE WHEN regexp_matches({raw}, ?) THEN {zoned_branch} ELSE {others} END)", [ZONED_TIME, TIME_FORMATS]
    text = f"{cell}::VARCHAR"  # a spreadsheet cell may be typed (a number, a time)
    maybe_zoned = f"(suffix({text}, 'Z') OR suffix({text}, 'UTC') OR contains({text}, '+') OR {text} LIKE '%:%-%')"
    # Zoned text is looked for where the cast may have dropped a zone, or failed.
    sql = (
        f"(CASE WHEN ({maybe_zoned} OR {fast} IS NULL) AND regexp_matches({raw}, ?) THEN {zoned_branch} "
        f"WHEN {fast} IS NOT NULL THEN {fast} ELSE {others} END)"
    )
    return sql, [ZONED_TIME, TIME_FORMATS]


def _code_lookup(raw: str) -> str:
    return f"map_extract(?::MAP(VARCHAR, VARCHAR), lower(regexp_replace({raw}, '\\s+', '', 'g')))[1]"


def _parsed(
    f: kinds_mod.Field,
    raw: str,
    spellings: dict[str, str] | None = None,
    factor: float = 1.0,
    fast: str | None = None,
    cell: str | None = None,
) -> tuple[str, list, str | None]:
    """Build SQL parsing ``raw`` as field ``f``, its parameters, and the reason when it fails (None: never fails).

    A code of an open list never fails: an unknown value becomes ``other`` (its text goes to
    the ``<field>_label`` column, see :func:`_stage`). ``fast`` and ``cell``: see
    :func:`_fast_cast`.
    """
    if f.type == "code":
        lookup = _code_lookup(raw)
        if f.vocabulary in codelists.OPEN_LISTS:
            return f"coalesce({lookup}, CASE WHEN {raw} IS NOT NULL THEN ? END)", [spellings, codelists.OTHER], None
        return lookup, [spellings], "unknown_code"
    if f.type == "float":
        sql, params = _parse_number(raw, factor, kinds_mod.cell_units(f), fast)
        return sql, params, "bad_number"
    if f.type == "int":
        number, params = _parse_number(raw, factor, kinds_mod.cell_units(f), fast)
        # The number is used four times: its parameters repeat in the text's order.
        return (
            f"(CASE WHEN {number} = round({number}) AND abs({number}) < 1e15 THEN CAST({number} AS BIGINT) END)",
            params * 4,
            "bad_integer",
        )
    if f.type == "time":
        sql, params = _parse_time(raw, fast, cell)
        return sql, params, "bad_time"
    if f.type == "monthday":
        return _parse_month_day(raw), [], "bad_month_day"
    return (_text(cell) if cell is not None else raw), [], None


def _text(cell: str) -> str:
    """Build SQL of a cell's text as :func:`_raw` gives it (trimmed, NULL when blank), trimming only where needed.

    DuckDB's ``trim`` removes the ASCII space and the Unicode space separators (all outside
    ASCII): a non-empty ASCII text that neither starts nor ends with a space (byte length =
    character length) is its own trimmed text, so most cells skip the trim.
    """
    text = f"{cell}::VARCHAR"  # c0..cN, generated by the reader
    needs_trim = f"{text} = '' OR {text} LIKE ' %' OR {text} LIKE '% ' OR strlen({text}) <> length({text})"
    return f"(CASE WHEN {needs_trim} THEN nullif(trim({text}), '') ELSE {text} END)"


def _fast_cast(f: kinds_mod.Field, cell: str) -> str | None:
    """Return SQL casting an untrimmed cell straight to the field's type (see :func:`_parse_number`)."""
    if f.type in ("float", "int"):
        return f"try_cast({cell} AS DOUBLE)"
    if f.type == "time":
        return f"try_cast({cell} AS TIMESTAMP)"
    return None


# A month-day (SL 323 BGMD/EDMD): 0415, 415 (an Excel number), 4-15, 04/15, 4月15日, or a date
# whose year is dropped (2025-04-15); the day must exist in a leap year (0229 is a day).
_MONTH_DAY = r"^(?:\d{4}\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:00(?::00)?)?$"


def _parse_month_day(raw: str) -> str:
    """Return SQL reading ``raw`` as MMDD text, NULL when it names no day of the year."""
    md = (
        f"(CASE WHEN regexp_matches({raw}, '^\\d{{3,4}}(\\.0+)?$') "
        f"THEN lpad(regexp_extract({raw}, '^(\\d{{3,4}})', 1), 4, '0') "
        f"WHEN regexp_matches({raw}, '{_MONTH_DAY}') THEN lpad(regexp_extract({raw}, '{_MONTH_DAY}', 1), 2, '0') "
        f"|| lpad(regexp_extract({raw}, '{_MONTH_DAY}', 2), 2, '0') END)"
    )
    return f"(CASE WHEN try_strptime('2000' || {md}, '%Y%m%d') IS NOT NULL THEN {md} END)"


def _positions(kind: Kind, table: Table, mapping: dict[str, str | None]) -> dict[str, int | None]:
    """Field -> column position from a {field: header} mapping; checks required fields are there."""
    index = {h: i for i, h in reversed(list(enumerate(table.headers)))}
    positions: dict[str, int | None] = {}
    for f in kind.fields:
        header = mapping.get(f.name)
        if header is not None and header not in index:
            raise IngestError(table.file_name, "unknown_column", detail=f"{f.name} → {header}")
        positions[f.name] = index.get(header) if header is not None else None
    from_geometry = _located_by_geometry(kind, table)
    missing = [
        f.name
        for f in kind.fields
        if f.required and positions[f.name] is None and not (from_geometry and f.name in ("lon", "lat"))
    ]
    if missing:
        listed = " | ".join(table.headers)
        listed = listed if len(listed) <= 300 else listed[:300] + "…"
        raise IngestError(table.file_name, "missing_columns", detail=listed, fields=tuple(missing))
    return positions


def _located_by_geometry(kind: Kind, table: Table) -> bool:
    return kind.location == "point" and table.has_geometry


def _load_source(cursor: duckdb.DuckDBPyConnection, table: Table) -> tuple[str, list]:
    """Return the FROM item (c0..cN; a frame also ``_row``) that scans the file, and its parameters."""
    if table.frame is not None:
        frame = table.frame.drop(columns=["_geometry"], errors="ignore")
        cursor.register("ingest_frame", frame)
        return "ingest_frame", []
    # No row number here: ``row_number() OVER ()`` would make DuckDB read the file on one
    # thread. A CSV row's number is its place in ``staged`` (see _row_sql).
    return table.csv_scan()


def _numbered(source: str, table: Table) -> str:
    """Return the FROM item ``source`` with ``_row``: header = row 1, so data row k is spreadsheet row k + 1."""
    if table.frame is not None:
        return source
    return f"(SELECT row_number() OVER () + 1 AS _row, * FROM {source})"


def _row_sql(table: Table, alias: str | None = None) -> str:
    """Return the SQL of a ``staged`` row's number: a frame's ``_row`` column; for a CSV its place in the table.

    ``staged`` is created from the file in file order (DuckDB keeps insertion order), so a
    CSV row's ``rowid`` is its data row index and its spreadsheet row is ``rowid + 2``.
    """
    prefix = f"{alias}." if alias else ""
    return f"{prefix}_row" if table.frame is not None else f"({prefix}rowid + 2)"


def _csv_error(table: Table, error: duckdb.Error) -> IngestError:
    text = str(error)
    line = re.search(r"[Ll]ine:?\s*(\d+)", text)
    lowered = text.lower()
    reason = (
        "line_too_long"
        if "line size" in lowered
        else "decode"
        if "unicode" in lowered or "utf-8" in lowered
        else "malformed"
    )
    first = text.splitlines()[0][:300]
    if reason == "line_too_long":
        first = f"> {readers_mod.MAX_LINE_BYTES:,} bytes"
    return IngestError(table.file_name, reason, row=int(line.group(1)) if line else None, detail=first)


@dataclass
class _Context:
    """What the rules of one import share: every check (for the all-problems list), units, codes."""

    checks: list[tuple[str, str, str, str, list]] = field(
        default_factory=list
    )  # (condition, reason, field label, value SQL, params)
    factors: dict[str, tuple[str, float]] = field(default_factory=dict)  # field -> (header unit, factor)
    spellings: dict[str, dict[str, str]] = field(default_factory=dict)  # code list -> {spelling: code}
    min_time: datetime = datetime(2000, 1, 1)
    source: str = ""  # the FROM item that scans the file (c0..cN), read again for rejected rows
    source_params: list = field(default_factory=list)


def _has_sheets(table: Table) -> bool:
    """Whether the rows come from several sheets (``_sheet``/``_sheet_row`` columns in ``staged``)."""
    return table.frame is not None and "_sheet" in table.frame.columns


def _stage(  # noqa: C901 - one SQL SELECT built field by field; each branch adds one field type's expression
    cursor,
    kind: Kind,
    table: Table,
    positions: dict[str, int | None],
    source: str,
    source_params: list,
    ctx: _Context | None = None,
) -> None:
    """Create ``staged``: one parsed column per field and the first parse failure of each row.

    The file's text is not kept: a rejected row's text is read again from the source at the
    end (:func:`_collect_rejected`), so ``staged`` holds only what the rules need. A
    failure's value, when it is a cell's text, is recorded as that cell's column position
    (packed in ``reason``, see :func:`_pack`) and filled in then.
    """
    ctx = ctx or _Context()
    select = Sql()
    checks = Sql()
    reasons: list[str] = []  # each check's packed rejection (see _pack)
    guards: list[str] = []  # parsed fields some check looks at: every check needs its field NULL
    from_geometry = _located_by_geometry(kind, table)

    def check(condition: str, stage_condition: str, reason: str, label: str, position: int | None, name: str) -> None:
        # ``condition`` is kept for the all-problems pass over the rejected rows;
        # ``stage_condition`` is the same, ordered so the text is read only where needed.
        ctx.checks.append((condition, reason, label, _raw(position) if position is not None else "NULL", []))
        reasons.append(_pack(reason, label, None, position))
        checks.add(f"WHEN {stage_condition} THEN {len(reasons)}")
        if f"{name} IS NULL" not in guards:
            guards.append(f"{name} IS NULL")

    used = sorted({p for p in positions.values() if p is not None})
    fasts = Sql()
    for f in kind.fields:
        position = positions[f.name]
        # A cell's trimmed text (NULL when blank) is written inline wherever it is needed, so
        # it is computed only for the rows that get there: most cells are read by a straight
        # cast of the untrimmed text (``_fast_<field>``), and checks look at the text only
        # where the parse failed.
        raw = _raw(position)
        if f.type in ("float", "int", "time", "monthday") and position is not None:
            raw = _half_width(raw)  # only cells the straight cast refused get here
        header = table.headers[position] if position is not None else f.name
        if f.name == "wkt":
            select.add(f"{raw} AS wkt")
            continue
        spellings = None
        if f.type == "code" and position is not None:
            spellings = ctx.spellings.setdefault(
                f.vocabulary, codelists.spellings(cursor, f.vocabulary, kinds_mod.vocabulary(f.vocabulary))
            )
        elif f.type == "code":
            spellings = {}
        factor = ctx.factors.get(f.name, (None, 1.0))[1]
        cell = f"c{position}" if position is not None else None
        fast = _fast_cast(f, cell) if cell is not None else None
        if fast is not None:
            fasts.add(f"{fast} AS _fast_{f.name}")
        parsed, params, reason = _parsed(
            f, raw, spellings, factor, f"_fast_{f.name}" if fast is not None else None, cell
        )
        # Field names are identifiers from the kind spec (a whitelist), never file text.
        select.add(f"{parsed} AS {f.name}", *params)
        if kinds_mod.cell_units(f) and position is not None:
            # Whether a cell needed its own unit to be read (counted for the report): a flag
            # set in this one pass instead of a second parse of the column.
            plain = f"(try_cast(replace({raw}, ',', '') AS DOUBLE) IS NULL)"
            if fast is not None:
                plain = f"(CASE WHEN _fast_{f.name} IS NOT NULL THEN false ELSE {plain} END)"
            select.add(f"{plain} AS _cell_unit_{f.name}")
        if f.type == "code" and f.vocabulary in codelists.OPEN_LISTS:
            # The department's own text of a value no code covers, kept beside "other".
            select.add(
                f"CASE WHEN {raw} IS NOT NULL AND {_code_lookup(raw)} IS NULL THEN {raw} END AS {f.name}_label",
                spellings,
            )
        required = f.required and not (from_geometry and f.name in ("lon", "lat"))
        # A parsed value is never NULL where the text is not blank but for a failed parse, so
        # the text is looked at only where the value is NULL.
        if required:
            check(f"{raw} IS NULL", f"{f.name} IS NULL AND {raw} IS NULL", "missing", header, None, f.name)
        if reason is not None and position is not None:
            # (A field the file lacks has no text that could fail to parse.)
            check(
                f"{raw} IS NOT NULL AND {f.name} IS NULL",
                f"{f.name} IS NULL AND {raw} IS NOT NULL",
                reason,
                header,
                position,
                f.name,
            )
    extra = ""
    if kind.location == "polygon":
        extra = (
            ", NULL::BLOB AS geometry, NULL::DOUBLE AS area_km2, NULL::DOUBLE AS label_lon, NULL::DOUBLE AS label_lat"
        )
    # Rows of several sheets: _row is unique over the file, _sheet/_sheet_row say where a row is.
    # A CSV has no _row column (see _row_sql).
    lead = (["_row"] if table.frame is not None else []) + (["_sheet", "_sheet_row"] if _has_sheets(table) else [])
    cells = "".join(f", c{p}" for p in used)
    # Every check needs its field's parsed value NULL: one cheap test of those values lets
    # the checks (which read the text) run only on the few rows where a value is missing.
    first = f"CASE WHEN {' OR '.join(guards)} THEN CASE {checks.text(' ')} END END" if checks.parts else "NULL"
    # Three steps, each over the one before: cast the cells; parse them; find the first
    # failing check and name it. A rejection is one column, ``reason``, packed (see _pack).
    sql = f"""
        CREATE TEMP TABLE staged AS
        SELECT *{f" EXCLUDE ({cells[2:]})" if cells else ""},
               CAST((?::VARCHAR[])[{first}] AS VARCHAR) AS reason
        FROM (
            SELECT {"".join(c + ", " for c in lead)}{select.text(", ")}{extra}{cells}
            FROM (SELECT {", ".join(lead + [f"c{p}" for p in used] + fasts.parts)} FROM {source})
        )
    """
    # Parameters in the order of the text: the outer SELECT's lists, the checks, the parsing,
    # then the FROM item.
    params = [reasons] + checks.params + select.params + fasts.params
    try:
        cursor.execute(sql, params + source_params)
    except duckdb.Error as error:
        if table.csv_path is None:
            raise
        lenient = _lenient_retry(table, error)
        if not lenient:
            raise _csv_error(table, error) from error
        # Valid CSVs DuckDB's fast path refuses: quoted line breaks (Excel Alt+Enter) and
        # mixed CRLF/LF line ends. The import starts again with the options they need.
        raise _LenientRetry(lenient) from error
    ctx.source, ctx.source_params = source, list(source_params)


class _LenientRetry(Exception):
    """The CSV scan failed in a way a slower, lenient scan reads; ``options`` to switch off."""

    def __init__(self, options: tuple[str, ...]) -> None:
        super().__init__(", ".join(options))
        self.options = options


def _lenient_retry(table: Table, error: duckdb.Error) -> tuple[str, ...]:
    """Options to retry a CSV scan with, or () when the file is malformed indeed."""
    if table.csv_lenient:
        return ()
    text = str(error).lower()
    options: list[str] = []
    if "quoted new lines" in text or "quoted newlines" in text:
        options.append("parallel")
    with open(table.csv_path, "rb") as handle:
        sample = handle.read(readers_mod.SAMPLE_BYTES)
    crlf = sample.count(b"\r\n")
    if crlf and sample.count(b"\n") > crlf:
        options.append("strict_mode")
    if b'"' in sample and "parallel" not in options and "state machine" in text:
        options.append("parallel")
    return tuple(options)


def _collect_rejected(cursor, table: Table, ctx: _Context) -> int:
    """Create ``rejected``: the rejected rows of ``staged`` with the file's text (c0..cN) read again.

    ``staged`` keeps no text (a 10 M-row file's text would double the import's memory); the
    few rejected rows get theirs here from a second scan of the source, matched by row
    number, and each failure recorded as a cell position (``_raw_at``) gets that cell's text
    as its value. Returns the number of rejected rows.
    """
    rejected = cursor.execute("SELECT count(*) FROM staged WHERE reason IS NOT NULL").fetchone()[0]
    columns = [f"c{i}" for i in range(len(table.headers))]
    sheet = "" if _has_sheets(table) else ", NULL::VARCHAR AS _sheet, NULL::BIGINT AS _sheet_row"
    numbered = "*" if table.frame is not None else f"{_row_sql(table)} AS _row, *"
    if not rejected:
        texts = "".join(f", NULL::VARCHAR AS {c}" for c in columns)
        cursor.execute(
            f"CREATE TEMP TABLE rejected AS SELECT * EXCLUDE (reason), {_UNPACK}{sheet}, "
            f"NULL::VARCHAR AS problems{texts} "
            f"FROM (SELECT {numbered} FROM staged) s LIMIT 0"
        )
        return 0
    texts = "".join(f", r.{c}" for c in columns)
    # Column identifiers c0..cN are generated by the reader, never header text.
    cursor.execute(
        f"""
        CREATE TEMP TABLE rejected AS
        SELECT s.* EXCLUDE (reason), {_UNPACK}{sheet}, NULL::VARCHAR AS problems{texts}
        FROM (SELECT {numbered} FROM staged WHERE reason IS NOT NULL) s
        JOIN (SELECT _row, {", ".join(columns)} FROM {_numbered(ctx.source, table)}) r ON r._row = s._row
        """,
        ctx.source_params,
    )
    positions = [
        r[0] for r in cursor.execute("SELECT DISTINCT _raw_at FROM rejected WHERE _raw_at IS NOT NULL").fetchall()
    ]
    if positions:
        cases = " ".join(f"WHEN {int(p)} THEN {_raw(int(p))}" for p in positions)
        cursor.execute(f"UPDATE rejected SET value = CASE _raw_at {cases} END WHERE _raw_at IS NOT NULL")
    return rejected


def _all_problems(cursor, ctx: _Context) -> None:
    """List every problem of each rejected row in ``problems`` (JSON), the first reason included.

    The rules mark a row's first failure only (cheap on the accepted majority); here the
    rejected rows alone (table ``rejected``, see :func:`_collect_rejected`) are checked again
    against every parse, required and range check.
    """
    if not cursor.execute("SELECT count(*) FROM rejected").fetchone()[0]:
        return
    items, params = [], []
    for condition, reason, label, value_sql, condition_params in ctx.checks:
        items.append(f"CASE WHEN ({condition}) THEN [?, ?, CAST({value_sql} AS VARCHAR)] END")
        params += [*condition_params, reason, label]
    found = f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)" if items else "[]::VARCHAR[][]"
    cursor.execute(
        f"""
        UPDATE rejected SET problems = to_json(CASE
            WHEN list_contains(list_transform(p, lambda x: x[1] || '|' || x[2]), reason || '|' || field) THEN p
            ELSE list_prepend([reason, field, value], p) END)
        FROM (SELECT _row AS r, {found} AS p FROM rejected) found
        WHERE rejected._row = found.r
        """,
        params,
    )


# A value that is a cell's text, as the rules write it: filled in for rejected rows only.
_RAW_CELL = re.compile(r"^nullif\(trim\(c(\d+)(?:::VARCHAR)?\), ''\)$")


def _value_sql(value_sql: str) -> tuple[str, str]:
    """Return SQL for the value and the cell position of a rejection whose value is ``value_sql``.

    ``staged`` has no text columns: a value that is a cell's text (``_raw(position)``) is
    recorded as the cell's position and read at the end (:func:`_collect_rejected`).
    """
    cell = _RAW_CELL.match(value_sql)
    if cell:
        return "NULL::VARCHAR", cell.group(1)
    if re.search(r"\bc\d+\b", value_sql):
        raise ValueError(f"a rejection value may read a cell only as _raw(position): {value_sql}")
    return f"CAST({value_sql} AS VARCHAR)", "NULL::INTEGER"


# A rejection in ``staged`` is one VARCHAR column, ``reason``: a JSON array [reason, field
# label, value, position of the cell whose text is the value] (NULL for an accepted row), so
# the accepted majority carries one empty column, not four. ``rejected`` unpacks it.
_PACK_SQL = "to_json([?::VARCHAR, ?::VARCHAR, {value}, CAST({raw_at} AS VARCHAR)])"
_UNPACK = (
    "json_extract_string(s.reason, '$[0]') AS reason, json_extract_string(s.reason, '$[1]') AS field, "
    "json_extract_string(s.reason, '$[2]') AS value, CAST(json_extract_string(s.reason, '$[3]') AS INTEGER) AS _raw_at"
)


def _pack(reason: str, label: str, value: str | None, position: int | None) -> str:
    """Return a rejection packed as ``staged.reason`` holds it (see _PACK_SQL)."""
    return json.dumps([reason, label, value, None if position is None else str(position)], ensure_ascii=False)


def _mark(
    cursor,
    reason: str,
    field_label: str,
    value_sql: str,
    condition: str,
    params: list | tuple = (),
    ctx: _Context | None = None,
) -> None:
    """Give every still-accepted row matching ``condition`` the rejection ``reason``.

    With ``ctx`` the check is also kept for the all-problems list of rejected rows.
    """
    if ctx is not None:
        ctx.checks.append((condition, reason, field_label, value_sql, list(params)))
    value, raw_at = _value_sql(value_sql)
    cursor.execute(
        f"UPDATE staged SET reason = {_PACK_SQL.format(value=value, raw_at=raw_at)} "
        f"WHERE reason IS NULL AND ({condition})",
        [reason, field_label, *params],
    )


def _mark_all(cursor, marks: list[tuple[str, str, str, str, list]], ctx: _Context | None = None) -> None:
    """Apply several ``(reason, label, value SQL, condition, params)`` marks in one pass over ``staged``.

    The same as calling :func:`_mark` for each in order (a row gets the first reason whose
    condition it meets), but one scan of the table instead of one per rule.
    """
    if not marks:
        return
    if len(marks) == 1:
        reason, label, value_sql, condition, params = marks[0]
        _mark(cursor, reason, label, value_sql, condition, params, ctx)
        return
    reasons, wheres = [], []
    reason_params, where_params = [], []
    for reason, label, value_sql, condition, condition_params in marks:
        if ctx is not None:
            ctx.checks.append((condition, reason, label, value_sql, list(condition_params)))
        value, raw_at = _value_sql(value_sql)
        reasons.append(f"WHEN ({condition}) THEN {_PACK_SQL.format(value=value, raw_at=raw_at)}")
        reason_params += [*condition_params, reason, label]
        wheres.append(f"({condition})")
        where_params += list(condition_params)
    cursor.execute(
        f"UPDATE staged SET reason = CASE {' '.join(reasons)} END WHERE reason IS NULL AND ({' OR '.join(wheres)})",
        reason_params + where_params,
    )


def _header(kind: Kind, table: Table, positions: dict[str, int | None], name: str) -> str:
    position = positions.get(name)
    return table.headers[position] if position is not None else name


def _value_rules(cursor, kind: Kind, table: Table, positions, now: datetime, ctx: _Context | None = None) -> None:
    ctx = ctx or _Context()
    marks: list[tuple[str, str, str, str, list]] = []
    for f in kind.fields:
        if positions[f.name] is None or f.type not in ("int", "float", "time"):
            continue
        label = _header(kind, table, positions, f.name)
        raw = _raw(positions[f.name])
        if f.min_value is not None:
            marks.append(("out_of_range", label, raw, f"{f.name} < ?", [f.min_value]))
        if f.max_value is not None:
            marks.append(("out_of_range", label, raw, f"{f.name} > ?", [f.max_value]))
        if f.not_future:
            limit = now + timedelta(minutes=kinds_mod.FUTURE_TOLERANCE_MIN)
            marks.append(("future_time", label, raw, f"{f.name} > ?", [limit]))
        if f.not_past:
            marks.append(("implausible_time", label, raw, f"{f.name} < ?", [ctx.min_time]))
    if {"occurred_at", "updated_at"} <= set(kind.field_names) and positions.get("updated_at") is not None:
        # An update before the event itself is a wrong date (or swapped columns).
        label = _header(kind, table, positions, "updated_at")
        marks.append(("updated_before_occurred", label, _raw(positions["updated_at"]), "updated_at < occurred_at", []))
    for lower, upper, reason in kind.ordered:
        if positions.get(lower) is not None and positions.get(upper) is not None:
            label = _header(kind, table, positions, upper)
            marks.append((reason, label, _raw(positions[upper]), f"{upper} < {lower}", []))
    _mark_all(cursor, marks, ctx)


def min_data_time() -> datetime:
    """Earliest plausible observation or event time: setting ``import_min_date``, else 2000-01-01."""
    text = str(config.setting("import_min_date", DEFAULT_MIN_DATE) or DEFAULT_MIN_DATE)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(DEFAULT_MIN_DATE)


def _floor_div(value: str, divisor: int) -> str:
    """Give SQL of ``value`` (BIGINT) divided by ``divisor``, rounded down (DuckDB's ``//`` rounds toward zero)."""
    return f"(({value}) // {int(divisor)} - CAST(({value}) % {int(divisor)} < 0 AS BIGINT))"


def _steps(cursor) -> None:
    """Create ``ingest_hours`` and ``ingest_steps`` from the rows of ``staged`` still accepted."""
    # One grouping by (station, hour) gives the hourly sums (added to ``rain_hourly`` at write
    # time when every row counted here is inserted, see _write) and, per hour, the set of
    # report minutes as a 61-bit mask (a reading ending in (start, start + 1 h] lies in minute
    # start + 0 .. start + 60). From those small rows come each station's reporting step (the
    # smallest gap between successive report minutes: the smallest inside an hour, from the
    # distinct masks, or between one hour's last minute and its next hour's first) and the
    # count of repeated minutes, so the duplicate rule can be skipped; the same figures as a
    # sort of every station's minutes, without the sort. The sums are used only when none of
    # these rows is rejected later: ``try_cast`` keeps a value the impossible-rain rule will
    # reject (too big for the decimal) from failing the grouping. The hour and the minute are
    # whole numbers from the time's microseconds (rounded down, as date_trunc does), cheaper
    # per row than date_trunc and grouped as numbers; the mask is a BIGINT (bit 60 at most),
    # cheaper to shift than an unsigned one.
    hour = _floor_div("epoch_us(ts) - 1", US_PER_HOUR)
    minute = _floor_div("epoch_us(ts)", US_PER_MINUTE)
    cursor.execute(
        f"""
        CREATE TEMP TABLE ingest_hours AS
        SELECT station, make_timestamp(h * {US_PER_HOUR}) AS start,
               sum(try_cast(mm AS {store.RAIN_MM_SUM_TYPE})) AS mm, count(*) AS readings, max(mm) AS max_mm,
               bit_or(1::BIGINT << (minute - h * 60)) AS mask,
               min(minute) AS first_minute, max(minute) AS last_minute, min(mm) AS min_mm
        FROM (SELECT station, mm, {hour} AS h, {minute} AS minute FROM staged WHERE reason IS NULL)
        GROUP BY station, h
        """
    )
    cursor.execute(
        """
        CREATE TEMP TABLE ingest_steps AS
        WITH gaps AS (
            SELECT mask, list_min(list_filter(range(1, 61), lambda d: (mask & (mask >> d::INTEGER)) <> 0)) AS gap
            FROM (SELECT DISTINCT mask FROM ingest_hours WHERE mask IS NOT NULL)
        ), hours AS (
            SELECT station, readings - bit_count(mask) AS repeats, g.gap,
                   first_minute - lag(last_minute) OVER (PARTITION BY station ORDER BY start) AS across
            FROM ingest_hours h LEFT JOIN gaps g USING (mask)
        )
        SELECT station,
               coalesce(least(min(gap), min(across) FILTER (WHERE across > 0)), ?) AS step,
               coalesce(sum(repeats), 0) + count(*) FILTER (WHERE across = 0) AS repeats
        FROM hours GROUP BY station
        """,
        [DEFAULT_INTERVAL_MIN],
    )


def _rainfall_rules(cursor, kind: Kind, table: Table, positions, notes: list[str]) -> bool:
    """Sentinels, negative and impossible rain; the interval inferred when the file has none.

    Returns True when no (station, ts) repeats, so the generic duplicate rule is not needed.
    """
    label = _header(kind, table, positions, "mm")
    raw = _raw(positions["mm"])
    marks = [
        ("sentinel", label, raw, "list_contains(?, mm)", [list(kinds_mod.RAIN_SENTINELS)]),
        ("negative_rain", label, raw, "mm < 0", []),
    ]
    # The grouping's smallest and largest reading per hour tell whether any row may be a
    # sentinel or negative (every sentinel is negative or at least the smallest positive
    # one): when none may (the usual file), the marks' pass over every row is skipped; else
    # they are applied and the grouping made again without the rows they reject.
    high = min(v for v in kinds_mod.RAIN_SENTINELS if v >= 0)
    _steps(cursor)
    if cursor.execute("SELECT count(*) FROM ingest_hours WHERE min_mm < 0 OR max_mm >= ?", [high]).fetchone()[0]:
        _mark_all(cursor, marks)
        cursor.execute("DROP TABLE temp.ingest_hours")
        cursor.execute("DROP TABLE temp.ingest_steps")
        _steps(cursor)
    if positions["interval_min"] is None:
        notes.append("interval_inferred")
    limits = [kinds_mod.RAIN_MAX_MM_PER_HOUR, kinds_mod.RAIN_FLOOR_MM, kinds_mod.RAIN_CEILING_MM]
    step = _constant_step(cursor)
    # Without an interval column and with one step for every gauge the limit is one number:
    # the hours' largest readings tell whether any row exceeds it; only then the rule runs.
    if (
        positions["interval_min"] is not None
        or step is None
        or cursor.execute(
            f"SELECT count(*) FROM ingest_hours WHERE max_mm > {_RAIN_LIMIT.format(interval=step)}", limits
        ).fetchone()[0]
    ):
        _mark(cursor, "impossible_rain", label, raw, f"mm > {_RAIN_LIMIT.format(interval=_interval_sql(step))}", limits)
    # The key check can be skipped when no station repeats a time (the common case).
    return cursor.execute("SELECT coalesce(sum(repeats), 0) = 0 FROM ingest_steps").fetchone()[0]


# A rainfall row's interval: the file's, else its station's step in the file. Not written into
# ``staged`` with an UPDATE: rewriting a column of 10 M rows costs more than the whole check.
INTERVAL_SQL = "coalesce(interval_min, (SELECT st.step FROM ingest_steps st WHERE st.station = staged.station))"


# The most rain a row of ``interval`` minutes may report (parameters: kinds.RAIN_MAX_MM_PER_HOUR,
# RAIN_FLOOR_MM, RAIN_CEILING_MM).
_RAIN_LIMIT = "least(greatest(? * {interval} / 60.0, ?), ?)"


def _constant_step(cursor) -> int | None:
    """Return the reporting step every station of the file shares, or None (they differ, or none)."""
    low, high = cursor.execute("SELECT min(step), max(step) FROM ingest_steps").fetchone()
    return int(low) if low is not None and low == high else None


def _interval_sql(step: int | None) -> str:
    """Give the SQL of a rainfall row's interval over ``staged``.

    :data:`INTERVAL_SQL`, or, when every station of the file has the same ``step``
    (:func:`_constant_step`, the usual case), that step as a constant, so no row looks its
    station up.
    """
    if step is not None:
        return f"coalesce(interval_min, {step})"  # an integer computed above, not file text
    return INTERVAL_SQL


# Columns filled at write time from rule results, per kind: a function of the cursor giving
# the column's SQL over ``staged``.
FILLED_COLUMNS: dict[str, dict[str, Callable]] = {
    "rainfall": {"interval_min": lambda cursor: _interval_sql(_constant_step(cursor))}
}

# Kind -> extra rules after the generic ones (a registry, so new kinds add rules without
# branches). A rule returns True when it has proven the natural key unique in the file.
KIND_RULES: dict[str, Callable] = {"rainfall": _rainfall_rules}


# Kinds whose unknown references are created instead of rejected: a stock list naming a
# warehouse the store lacks brings that warehouse (location missing) with it.
CREATES_REFERENCES = {"stock": "warehouses"}


def _reference_rules(cursor, kind: Kind, table: Table, positions) -> None:
    for name, ref_table, ref_column in kind.references:
        if CREATES_REFERENCES.get(kind.name) == ref_table:
            continue
        label = _header(kind, table, positions, name)
        # One read-only look at the distinct values first: when the store knows them all (the
        # usual case), the rewrite and the mark below, each a pass over every row, are skipped.
        if not cursor.execute(
            f"""SELECT count(*) FROM (SELECT DISTINCT {name} AS v FROM staged WHERE reason IS NULL AND {name} IS NOT NULL)
                WHERE NOT EXISTS (SELECT 1 FROM {ref_table} r WHERE r.{ref_column} = v)"""  # noqa: E501 - embedded SQL/CSS/JS text
        ).fetchone()[0]:
            continue
        if kind.name == "rainfall":
            # A gauge may be named instead of coded; only names that are unique stand for a code.
            cursor.execute(f"""
                UPDATE staged SET {name} = g.code FROM (
                    SELECT name, any_value(code) AS code FROM rain_gauges GROUP BY name HAVING count(*) = 1
                ) g
                WHERE staged.{name} = g.name AND staged.reason IS NULL
                  AND NOT EXISTS (SELECT 1 FROM rain_gauges r WHERE r.code = staged.{name})
                """)
        _mark(
            cursor,
            "unknown_reference",
            label,
            _raw(positions[name]),
            f"{name} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {ref_table} r WHERE r.{ref_column} = staged.{name})",
        )


def _duplicate_rules(cursor, kind: Kind, table: Table, positions) -> None:
    keys = ", ".join(kind.key)
    label = " + ".join(_header(kind, table, positions, k) for k in kind.key)
    matches = " AND ".join(f"staged.{k} = d.{k}" for k in kind.key)
    at = (
        "CASE WHEN _sheet_row IS NOT NULL AND _sheet_row <> _row THEN _sheet || '!' || _sheet_row "
        "ELSE CAST(_row AS VARCHAR) END"
        if _has_sheets(table)
        else f"CAST({_row_sql(table)} AS VARCHAR)"
    )
    row = _row_sql(table)
    cursor.execute(
        f"""
        UPDATE staged SET reason = to_json(['duplicate', ?::VARCHAR, d.first_at, NULL::VARCHAR])
        FROM (
            SELECT {keys}, min({row}) AS first_row, arg_min({at}, {row}) AS first_at
            FROM staged WHERE reason IS NULL
            GROUP BY {keys} HAVING count(*) > 1
        ) d
        WHERE {matches} AND staged.reason IS NULL AND {_row_sql(table, "staged")} <> d.first_row
        """,
        [label],
    )


def _county(cursor) -> shapely.Geometry | None:
    row = cursor.execute("SELECT geometry FROM county LIMIT 1").fetchone()
    return geo.wkb_to_geometry(bytes(row[0])) if row else None


def _townships(cursor) -> pd.DataFrame:
    return cursor.execute("SELECT code, name, geometry FROM townships ORDER BY code").df()


def _to_wgs84(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        lon, lat = geo.to_wgs84(x, y, crs)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat)
    return np.where(bad, np.nan, lon), np.where(bad, np.nan, lat)


def _inside(area: shapely.Geometry | None, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    finite = np.isfinite(lon) & np.isfinite(lat)
    plausible = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if area is None:
        return plausible
    return plausible & shapely.contains_xy(area, np.nan_to_num(lon), np.nan_to_num(lat))


class _Rejections:
    """The first rejection of each row found by the Python-side checks, kept as arrays."""

    def __init__(self, n: int) -> None:
        self.reason = np.full(n, None, dtype=object)
        self.field = np.full(n, None, dtype=object)
        self.value = np.full(n, None, dtype=object)

    @property
    def open(self) -> np.ndarray:
        return pd.isna(self.reason)

    def add(self, mask, code: str, label: str, values=None) -> None:
        mask = np.asarray(mask, dtype=bool) & self.open
        self.reason[mask] = code
        self.field[mask] = label
        if values is not None:
            self.value[mask] = np.asarray(values, dtype=object)[mask]


def _file_geometries(table: Table, rows: pd.DataFrame) -> np.ndarray:
    return table.frame.set_index("_row").loc[rows["_row"], "_geometry"].to_numpy(dtype=object)


def _point_checks(rows, kind, table, positions, crs, area, rejections: _Rejections) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (columns or point geometry) converted to WGS84; missing, outside or swapped flagged."""
    if _located_by_geometry(kind, table):
        geoms = _file_geometries(table, rows)
        # GIS tools often write a point layer as MultiPoint: a single point is that point.
        single = (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
        geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
        kinds = shapely.get_type_id(geoms)
        names = np.array([g.geom_type if g is not None else "" for g in geoms], dtype=object)
        rejections.add((kinds != 0) & (kinds >= 0), "not_point", "geometry", names)
        rejections.add(kinds < 0, "bad_geometry", "geometry", names)
        points = np.where(kinds == 0, geoms, None)
        x, y = shapely.get_x(points), shapely.get_y(points)
    else:
        x, y = rows["lon"].to_numpy(dtype=float), rows["lat"].to_numpy(dtype=float)
    lon_label = _header(kind, table, positions, "lon")
    lat_label = _header(kind, table, positions, "lat")
    has_x, has_y = np.isfinite(x), np.isfinite(y)
    rejections.add(has_x & ~has_y, "missing", lat_label)
    rejections.add(~has_x & has_y, "missing", lon_label)
    located = has_x & has_y
    lon, lat = _to_wgs84(x, y, crs)
    inside = _inside(area, lon, lat)
    swapped = _inside(area, *_to_wgs84(y, x, crs))
    text = np.array([f"{a:.6f}, {b:.6f}" for a, b in zip(x, y, strict=True)], dtype=object)
    both = f"{lon_label}/{lat_label}"
    rejections.add(located & ~inside & swapped, "swapped_coordinates", both, text)
    rejections.add(located & ~inside, "out_of_area" if area is not None else "bad_coordinate", both, text)
    return np.where(located, lon, np.nan), np.where(located, lat, np.nan)


def _polygon_checks(rows, kind, table, positions, crs, area, rejections: _Rejections) -> dict[str, list]:
    """Polygons (GIS geometry or WKT) valid, in WGS84 and mostly inside the county; area and label point."""
    if table.has_geometry:
        geoms = _file_geometries(table, rows)
    else:
        wkt = np.array([w if isinstance(w, str) else None for w in rows["wkt"]], dtype=object)
        geoms = shapely.from_wkt(wkt, on_invalid="ignore")
        rejections.add(pd.isna(geoms), "bad_geometry", _header(kind, table, positions, "wkt"), wkt)
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    rejections.add(
        ~polygonal,
        "not_polygon",
        "geometry",
        np.array([shapely.GeometryType(t).name if t >= 0 else "-" for t in types]),
    )
    geoms = np.where(polygonal, geoms, None)
    rejections.add(polygonal & ~shapely.is_valid(geoms), "invalid_geometry", "geometry", shapely.is_valid_reason(geoms))
    wgs = np.full(len(geoms), None, dtype=object)
    ok = rejections.open
    if ok.any():
        wgs[ok] = geo.geometry_to_wgs84(geoms[ok], crs)
    if area is not None:
        # Mostly inside: a boundary drawn a little past the county line is still this county's.
        with np.errstate(all="ignore"):
            share = shapely.area(shapely.intersection(area, wgs)) / shapely.area(wgs)
        bounds = np.array(["{:.4f}, {:.4f}, {:.4f}, {:.4f}".format(*b) for b in shapely.bounds(wgs)], dtype=object)
        rejections.add(ok & ~(share > 0.5), "out_of_area", "geometry", bounds)
    keep = rejections.open
    wgs = np.where(keep, wgs, None)
    labels = shapely.point_on_surface(wgs)
    return {
        "geometry": [geo.geometry_to_wkb(g) if g is not None else None for g in wgs],
        "area_km2": [float(geo.area_km2(g)) if g is not None else np.nan for g in wgs],
        "label_lon": shapely.get_x(labels),
        "label_lat": shapely.get_y(labels),
    }


def _township_codes(
    cursor,
    given: np.ndarray,
    lon: np.ndarray | None,
    lat: np.ndarray | None,
    label: str,
    rejections: _Rejections,
    notes: list[str],
) -> np.ndarray:
    """Township codes: the file's (by code or name), else the township containing the point."""
    townships = _townships(cursor)
    lookup = {
        **dict(zip(townships["name"], townships["code"], strict=True)),
        **dict(zip(townships["code"], townships["code"], strict=True)),
    }
    named = np.array([lookup.get(t) if isinstance(t, str) else None for t in given], dtype=object)
    rejections.add(pd.notna(given) & pd.isna(named), "unknown_township", label, given)
    if townships.empty or lon is None:
        return named
    polygons = geo.wkb_to_geometry(townships["geometry"].map(bytes).to_numpy())
    index = geo.locate(np.nan_to_num(lon), np.nan_to_num(lat), polygons)
    codes = townships["code"].to_numpy(dtype=object)
    located = np.where((index >= 0) & np.isfinite(lon), codes[np.clip(index, 0, None)], None)
    if (pd.isna(given) & pd.notna(located)).any():
        notes.append("township_assigned")
    return np.where(pd.isna(given), located, named)


def _update_staged(cursor, result: pd.DataFrame, table: Table) -> None:
    """Write a Python check's columns (and rejections) back into ``staged`` by row."""
    cursor.register("ingest_result", result)
    try:
        # Column names come from this module, never from the file.
        sets = ", ".join(f"{c} = r.{c}" for c in result.columns if c not in ("_row", "reason", "field", "value"))
        # A rejection is packed into ``reason`` (see _pack).
        sets += (
            ", reason = CASE WHEN r.reason IS NOT NULL THEN to_json([CAST(r.reason AS VARCHAR), "
            "CAST(r.field AS VARCHAR), CAST(r.value AS VARCHAR), NULL::VARCHAR]) END"
        )
        cursor.execute(f"UPDATE staged SET {sets} FROM ingest_result r WHERE {_row_sql(table, 'staged')} = r._row")
    finally:
        cursor.unregister("ingest_result")


def _refuse_without_geometry(cursor, kind: Kind, table: Table) -> None:
    """Refuse, as a whole file, a file whose every geometry is empty (or that has none for areas)."""
    if table.has_geometry and (kind.location == "polygon" or _located_by_geometry(kind, table)):
        geoms = table.frame["_geometry"].to_numpy(dtype=object)
        present = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
        if not present.any():
            raise IngestError(table.file_name, "no_geometry")
    elif (
        kind.location == "polygon"
        and not cursor.execute("SELECT count(wkt) FROM staged").fetchall()[0][0]  # fetchall: register() follows
    ):
        raise IngestError(table.file_name, "no_geometry")


def _location_rules(cursor, kind: Kind, table: Table, positions, crs: str, notes: list[str]) -> None:
    """Where rows are: CRS conversion, county and swap checks, geometry checks (numpy/shapely)."""
    county = _county(cursor)
    area = None
    if county is None:
        notes.append("no_county")
    else:
        area = shapely.buffer(county, COUNTY_MARGIN_DEG)
        shapely.prepare(area)
    columns = [f"{_row_sql(table)} AS _row", *(("lon", "lat") if kind.location == "point" else ("wkt",))]
    # Identifiers from the kind spec; the rows are the ones no rule has rejected yet.
    rows = cursor.execute(f"SELECT {', '.join(columns)} FROM staged WHERE reason IS NULL ORDER BY _row").df()
    _refuse_without_geometry(cursor, kind, table)
    if rows.empty:
        return
    rejections = _Rejections(len(rows))
    result = pd.DataFrame({"_row": rows["_row"]})
    if kind.location == "point":
        result["lon"], result["lat"] = _point_checks(rows, kind, table, positions, crs, area, rejections)
    else:
        for name, values in _polygon_checks(rows, kind, table, positions, crs, area, rejections).items():
            result[name] = values
    result["reason"], result["field"], result["value"] = rejections.reason, rejections.field, rejections.value
    _update_staged(cursor, result, table)


def _township_rules(cursor, kind: Kind, table: Table, positions, notes: list[str]) -> None:
    """Township given by code or name becomes its code; a point without one gets the township containing it."""
    located = kind.location == "point"
    columns = [f"{_row_sql(table)} AS _row", "township", *(("lon", "lat") if located else ())]
    rows = cursor.execute(f"SELECT {', '.join(columns)} FROM staged WHERE reason IS NULL ORDER BY _row").df()
    if rows.empty:
        return
    rejections = _Rejections(len(rows))
    label = _header(kind, table, positions, "township")
    codes = _township_codes(
        cursor,
        rows["township"].to_numpy(dtype=object),
        rows["lon"].to_numpy(dtype=float) if located else None,
        rows["lat"].to_numpy(dtype=float) if located else None,
        label,
        rejections,
        notes,
    )
    result = pd.DataFrame({"_row": rows["_row"], "township": codes})
    result["reason"], result["field"], result["value"] = rejections.reason, rejections.field, rejections.value
    _update_staged(cursor, result, table)


def _written_columns(cursor, kind: Kind, table: Table, positions, source_name: str | None) -> list[str]:
    """Table columns this import writes: the key, every mapped field and what is derived from them.

    A column the file does not provide is left alone on update (a status file without
    coordinates must not erase them); derived columns the target table lacks are skipped, so
    a kind added by another feature needs only the columns it uses.
    """
    columns = [f.name for f in kind.fields if positions.get(f.name) is not None and f.name != "wkt" and f.stored]
    # The text kept beside an "other" code is written with its code.
    columns += [
        f"{f.name}_label"
        for f in kind.fields
        if f.type == "code" and f.vocabulary in codelists.OPEN_LISTS and positions.get(f.name) is not None
    ]
    located = kind.location == "point" and (_located_by_geometry(kind, table) or positions.get("lon") is not None)
    derived = []
    if located:
        derived += ["lon", "lat"]
    if kind.location == "polygon":
        derived += ["geometry", "area_km2", "label_lon", "label_lat"]
    if "township" in kind.field_names and located and kind.field("township").stored:
        derived.append("township")  # assigned by point-in-polygon where the file has none
    derived += list(FILLED_COLUMNS.get(kind.name, {}))
    if kind.source_field and source_name:
        derived.append(kind.source_field)
    present = {
        r[0]
        for r in cursor.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [kind.table]
        ).fetchall()
    }
    return list(dict.fromkeys([*kind.key, *columns, *(c for c in derived if c in present)]))


def _classify(cursor, kind: Kind, columns: list[str], source_name: str | None) -> tuple[int, object] | None:
    """Create ``accepted``: accepted rows with _status new, changed or same versus the table.

    Returns (rows, latest time) when every accepted row is new and ``accepted`` is a view
    of ``staged``, else None.
    """
    join = " AND ".join(f"t.{k} = a.{k}" for k in kind.key)
    values = [c for c in columns if c not in kind.key]
    # Blank coordinates never erase known ones (a later list without them is no move).
    differs = (
        " OR ".join(
            (
                f"(a.{c} IS NOT NULL AND a.{c} IS DISTINCT FROM t.{c})"
                if c in KEEP_KNOWN
                else f"a.{c} IS DISTINCT FROM t.{c}"
            )
            for c in values
        )
        or "false"
    )
    filled = FILLED_COLUMNS.get(kind.name, {})

    def expression(column: str) -> str:
        if column == kind.source_field:
            return f"coalesce(staged.{column}, CAST(? AS VARCHAR)) AS {column}"
        return f"{filled[column](cursor)} AS {column}" if column in filled else f"staged.{column}"

    inner = ", ".join(expression(c) for c in columns)
    # The source name is a value: it enters as a parameter, never as SQL text.
    params = [source_name] if kind.source_field in columns else []
    all_new = _all_new(cursor, kind) if not params else None
    if all_new is not None:
        # Nothing in the table can match (a new day of rainfall): no copy of the accepted
        # rows and no join, a view that the writes read ``staged`` through.
        cursor.execute(
            f"CREATE TEMP VIEW accepted AS SELECT {inner}, 'new' AS _status FROM staged WHERE reason IS NULL"
        )
        return all_new
    cursor.execute(
        f"""
        CREATE TEMP TABLE accepted AS
        SELECT a.*, CASE WHEN t.{kind.key[0]} IS NULL THEN 'new' WHEN {differs} THEN 'changed' ELSE 'same' END AS _status
        FROM (SELECT {inner} FROM staged WHERE staged.reason IS NULL) a
        LEFT JOIN {kind.table} t ON {join}
        """,  # noqa: E501 - embedded SQL/CSS/JS text
        params,
    )


def _all_new(cursor, kind: Kind) -> tuple[int, object] | None:
    """(rows, latest time) of the accepted rows when none of their keys can be in the table yet, else None.

    Only for kinds keyed by their time (rainfall): the table has no row within the file's
    time span, which DuckDB answers from its per-row-group min/max of the time column.
    """
    if kind.time_field is None or kind.time_field not in kind.key:
        return None
    # Identifiers from the kind spec.
    rows, first, last = cursor.execute(
        f"SELECT count(*), min({kind.time_field}), max({kind.time_field}) FROM staged WHERE reason IS NULL"
    ).fetchone()
    if (
        first is not None
        and cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {kind.table} WHERE {kind.time_field} BETWEEN ? AND ? LIMIT 1)",
            [first, last],
        ).fetchone()[0]
    ):
        return None
    return rows, last


# Columns an update fills only where the file has a value.
KEEP_KNOWN = ("lon", "lat")


def _create_references(cursor, kind: Kind, positions) -> list[str]:
    """Names of warehouses a stock file's accepted rows name that the store lacks (created at write)."""
    if CREATES_REFERENCES.get(kind.name) != "warehouses":
        return []
    return [
        r[0]
        for r in cursor.execute(
            "SELECT DISTINCT warehouse FROM staged WHERE reason IS NULL AND warehouse NOT IN (SELECT name FROM"
            " warehouses) ORDER BY 1"
        ).fetchall()
    ]


def _write_created(cursor, kind: Kind, positions) -> None:
    """Create the warehouses a stock file names: name, address and township from its rows, no location."""
    if CREATES_REFERENCES.get(kind.name) != "warehouses":
        return
    address = "any_value(warehouse_address)" if positions.get("warehouse_address") is not None else "NULL"
    township = "any_value(township)" if positions.get("township") is not None else "NULL::VARCHAR"
    # The township is written by code or name; one the store does not know is left empty.
    cursor.execute(f"""INSERT INTO warehouses (name, address, township, lon, lat)
            SELECT s.warehouse, s.address, (SELECT min(code) FROM townships t WHERE t.code = s.town OR t.name = s.town), NULL, NULL
            FROM (SELECT warehouse, {address} AS address, {township} AS town FROM staged
                  WHERE reason IS NULL AND warehouse NOT IN (SELECT name FROM warehouses) GROUP BY warehouse) s""")  # noqa: E501 - embedded SQL/CSS/JS text


def _write(
    cursor,
    kind: Kind,
    columns: list[str],
    table: Table,
    report: ImportReport,
    user: str | None,
    source_name: str | None,
    progress: Progress,
) -> int:
    """Insert new rows, update changed ones, log and quarantine; inside the caller's transaction."""
    names = ", ".join(columns)
    cursor.execute(f"INSERT INTO {kind.table} ({names}) SELECT {names} FROM accepted WHERE _status = 'new'")
    progress("write", 0.8)
    values = [c for c in columns if c not in kind.key]
    if values and report.updated:
        sets = ", ".join(
            f"{c} = coalesce(a.{c}, {kind.table}.{c})" if c in KEEP_KNOWN else f"{c} = a.{c}" for c in values
        )
        match = " AND ".join(f"{kind.table}.{k} = a.{k}" for k in kind.key)
        cursor.execute(f"UPDATE {kind.table} SET {sets} FROM accepted a WHERE a._status = 'changed' AND {match}")
    if kind.table == "rainfall":
        # The hourly sums (schema 7) change with the rows, in the same transaction: new rows
        # are added to their hours, hours with a corrected row are summed again.
        if report.inserted and report.inserted == report.accepted and _hours_counted(cursor) == report.inserted:
            # Every row grouped by the rainfall rules is inserted (none rejected after them, none
            # already stored): their sums are the new rows' sums.
            store.add_rain_hourly(
                cursor, "(SELECT station, start, mm, readings, max_mm FROM ingest_hours)", summed=True
            )
        elif report.inserted:
            store.add_rain_hourly(cursor, "(SELECT station, ts, mm FROM accepted WHERE _status = 'new')")
        if report.updated:
            cursor.execute(f"""CREATE TEMP TABLE touched_hours AS
                    SELECT DISTINCT station, {store.RAIN_HOUR_SQL} AS hour FROM accepted WHERE _status = 'changed'""")
            store.refresh_rain_hourly(cursor, "temp.touched_hours")
    now = local_now(precise=True)
    import_id = cursor.execute(
        """
        INSERT INTO import_log (file_name, file_hash, kind, accepted, rejected, user_name, imported_at,
                                source, file_format, inserted, updated, latest_data_at, details)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
        """,
        [
            table.file_name,
            table.sha256,
            kind.name,
            report.accepted,
            report.rejected,
            user,
            now,
            source_name,
            table.format,
            report.inserted,
            report.updated,
            report.latest_data_at,
            json.dumps(report.details(), ensure_ascii=False, default=str),
        ],
    ).fetchone()[0]
    # A re-import of the same file replaces its quarantined rows instead of piling them up.
    cursor.execute("DELETE FROM quarantine WHERE file_hash = ? AND kind = ?", [table.sha256, kind.name])
    _clear_stored_from_quarantine(cursor, kind, table)
    if report.rejected:
        pairs = ", ".join(f"?, c{i}" for i in range(len(table.headers)))
        cursor.execute(
            f"""
            INSERT INTO quarantine (import_id, file_name, file_hash, kind, row_number, reason, field, value, raw,
                                    quarantined_at, problems, sheet, record_key)
            SELECT ?, ?, ?, ?, coalesce(_sheet_row, _row), reason, field, value, CAST(json_object({pairs}) AS VARCHAR), ?,
                   problems, _sheet, {_record_key_sql(kind)}
            FROM rejected ORDER BY _row
            """,  # noqa: E501 - embedded SQL/CSS/JS text
            [import_id, table.file_name, table.sha256, kind.name, *table.headers, now],
        )
    return import_id


def _record_key_sql(kind: Kind) -> str:
    """Build the SQL of a row's natural key as quarantine.record_key holds it: a JSON array of its key fields as text.

    NULL where a key field is missing (it did not parse): such a row names no record.
    """
    fields = [f"CAST({name} AS VARCHAR)" for name in kind.key]  # key names come from the kind spec
    present = " AND ".join(f"{field} IS NOT NULL" for field in fields)
    return f"CASE WHEN {present} THEN CAST(to_json([{', '.join(fields)}]) AS VARCHAR) END"


def _clear_stored_from_quarantine(cursor, kind: Kind, table: Table) -> None:
    """Remove the quarantined rows of other files whose record this import stores (a corrected file).

    The few quarantined keys of the kind are matched against the accepted rows; a file that
    stores millions of rows pays for it only when rows of its kind wait in the quarantine.
    """
    pending = cursor.execute(
        "SELECT id, record_key FROM quarantine WHERE kind = ? AND file_hash <> ? AND record_key IS NOT NULL",
        [kind.name, table.sha256],
    ).fetchall()
    if not pending:
        return
    stored = cursor.execute(
        f"""
        SELECT p.id FROM (SELECT unnest(?::BIGINT[]) AS id, unnest(?::VARCHAR[]) AS record_key) p
        WHERE p.record_key IN (SELECT {_record_key_sql(kind)} FROM accepted)
        """,
        [[row[0] for row in pending], [row[1] for row in pending]],
    ).fetchall()
    if stored:
        cursor.execute("DELETE FROM quarantine WHERE id IN (SELECT unnest(?::BIGINT[]))", [[row[0] for row in stored]])


def _hours_counted(cursor) -> int | None:
    """Count the rows the rainfall rules grouped into ``ingest_hours`` (None: no such table)."""
    if not cursor.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'ingest_hours'"
    ).fetchone()[0]:
        return None
    return cursor.execute("SELECT coalesce(sum(readings), 0) FROM ingest_hours").fetchone()[0]


def _rejects_frame(cursor, table: Table) -> pd.DataFrame:
    pairs = ", ".join(f"?, c{i}" for i in range(len(table.headers)))
    return cursor.execute(
        f"""
        SELECT coalesce(_sheet_row, _row) AS row_number, _sheet AS sheet, reason, field, value,
               CAST(json_object({pairs}) AS VARCHAR) AS raw, problems
        FROM rejected ORDER BY _row LIMIT ?
        """,
        [*table.headers, REPORT_REJECTS_MAX],
    ).df()


def _drop_temp(cursor) -> None:
    # ``accepted`` is a view when every accepted row is new (see :func:`_classify`).
    views = {r[0] for r in cursor.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    for name in ("accepted", "rejected", "staged", "ingest_steps", "ingest_hours", "touched_hours", "added_hours"):
        cursor.execute(f"DROP {'VIEW' if name in views else 'TABLE'} IF EXISTS temp.{name}")
    with contextlib.suppress(duckdb.Error):
        cursor.unregister("ingest_frame")


def _extras(cursor, spec: Kind, table: Table, positions, ctx: _Context, report: ImportReport) -> None:
    """Fill the report's other-labels, unit conversions, created references and missing locations."""
    for f in spec.fields:
        if positions.get(f.name) is None:
            continue
        if f.type == "code" and f.vocabulary in codelists.OPEN_LISTS:
            rows = cursor.execute(
                f"SELECT {f.name}_label, count(*) FROM staged WHERE reason IS NULL AND {f.name}_label IS NOT NULL "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
            if rows:
                report.others[f.name] = {label: int(n) for label, n in rows}
        if f.unit is not None:
            header = table.headers[positions[f.name]]
            parsed_rows, cell_rows = cursor.execute(
                f"SELECT count({f.name}), count(*) FILTER (WHERE {f.name} IS NOT NULL AND _cell_unit_{f.name}) FROM"
                " staged"
            ).fetchone()
            unit = ctx.factors.get(f.name)
            if unit is not None and unit[1] != 1.0:
                report.conversions.append(
                    {
                        "field": f.name,
                        "header": header,
                        "unit": unit[0],
                        "to": kinds_mod.stored_unit(f),
                        "factor": unit[1],
                        "rows": int(parsed_rows - cell_rows),
                        "where": "header",
                    }
                )
            if cell_rows:
                report.conversions.append(
                    {
                        "field": f.name,
                        "header": header,
                        "unit": "",
                        "to": kinds_mod.stored_unit(f),
                        "factor": None,
                        "rows": int(cell_rows),
                        "where": "cell",
                    }
                )
    created = _create_references(cursor, spec, positions)
    if created:
        report.created["warehouses"] = created
    if spec.table in ("warehouses", "teams", "shelters"):  # resources kept as "location missing"
        report.location_missing = int(
            cursor.execute(
                "SELECT count(*) FROM staged WHERE reason IS NULL AND (lon IS NULL OR lat IS NULL)"
            ).fetchone()[0]
        )


def _check(
    cursor,
    spec: Kind,
    table: Table,
    positions,
    mapping,
    crs: str,
    now: datetime,
    notes: list[str],
    source_name: str | None,
    progress: Progress,
    ctx: _Context | None = None,
) -> tuple[ImportReport, list[str]]:
    """Apply every rule to ``staged`` (see :func:`_stage_file`); return the report and the written columns."""
    ctx = ctx or _Context()
    progress("validate", 0.25)
    total = cursor.execute("SELECT count(*) FROM staged").fetchone()[0]
    if total == 0:
        raise IngestError(table.file_name, "no_rows")
    _value_rules(cursor, spec, table, positions, now, ctx)
    _reference_rules(cursor, spec, table, positions)
    key_unique = KIND_RULES[spec.name](cursor, spec, table, positions, notes) if spec.name in KIND_RULES else False
    progress("validate", 0.45)
    if spec.location:
        _location_rules(cursor, spec, table, positions, crs, notes)
    if "township" in spec.field_names and spec.field("township").stored:
        _township_rules(cursor, spec, table, positions, notes)
    if not key_unique:
        _duplicate_rules(cursor, spec, table, positions)
    _collect_rejected(cursor, table, ctx)
    _all_problems(cursor, ctx)
    progress("validate", 0.6)
    columns = _written_columns(cursor, spec, table, positions, source_name)
    all_new = _classify(cursor, spec, columns, source_name)
    latest = None
    if all_new is not None:
        # Every accepted row is new: counted (and its latest time found) while proving it.
        counts, latest = {"new": all_new[0]}, all_new[1]
    else:
        counts = dict(cursor.execute("SELECT _status, count(*) FROM accepted GROUP BY _status").fetchall())
        if spec.time_field and spec.time_field in columns:
            # Identifier from the kind spec.
            latest = cursor.execute(f"SELECT max({spec.time_field}) FROM accepted").fetchone()[0]
    counts = {k: v for k, v in counts.items() if v}
    accepted = sum(counts.values())
    report = ImportReport(
        file_name=table.file_name,
        kind=spec.name,
        format=table.format,
        sha256=table.sha256,
        encoding=table.encoding,
        crs=crs,
        sheet=table.sheet,
        sheets=table.sheets,
        mapping=dict(mapping),
        total=total,
        accepted=accepted,
        rejected=total - accepted,
        inserted=counts.get("new", 0),
        updated=counts.get("changed", 0),
        unchanged=counts.get("same", 0),
        rejects=_rejects_frame(cursor, table),
        notes=list(dict.fromkeys(notes)),
        latest_data_at=latest,
    )
    _extras(cursor, spec, table, positions, ctx, report)
    report.sheets_read = list(table.sheets_read)
    report.sheets_skipped = list(table.sheets_skipped)
    return report, columns


def _stage_file(cursor, spec: Kind, table: Table, positions, ctx: _Context) -> None:
    """Create ``staged`` from the file, before the import's transaction.

    ``staged`` holds only the file's own rows (a temp table no other connection sees), so it
    needs no snapshot of the store; made outside the transaction, its ``rowid`` counts from
    0 in file order, which gives a CSV row its number without a ``row_number()`` window
    (one that would make DuckDB read the file on a single thread; see _row_sql). Valid CSVs
    DuckDB's fast scanner refuses are staged again with lenient options.
    """
    source, source_params = _load_source(cursor, table)
    try:
        _stage(cursor, spec, table, positions, source, source_params, ctx)
    except _LenientRetry as retry:
        _drop_temp(cursor)
        table.csv_lenient = retry.options
        ctx.checks.clear()
        source, source_params = _load_source(cursor, table)
        _stage(cursor, spec, table, positions, source, source_params, ctx)


def remembered_mapping(cursor, source_name: str | None, kind: str) -> dict[str, str | None]:
    """Return the mapping this source confirmed for this kind before: {field: header or None}."""
    if not source_name:
        return {}
    return dict(
        cursor.execute(
            "SELECT field, header FROM header_mappings WHERE source = ? AND kind = ?", [source_name, kind]
        ).fetchall()
    )


def rollback(cursor) -> None:
    """Undo the cursor's open transaction; nothing when none is left (it had already failed or ended)."""
    with contextlib.suppress(duckdb.Error):  # no transaction left to undo (it had already failed or ended)
        cursor.execute("ROLLBACK")


def import_table(  # noqa: C901 - the import's one transaction with its lock, retry and rollback in view
    conn: duckdb.DuckDBPyConnection,
    table: Table,
    kind: str,
    *,
    crs: str | None = None,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    user: str | None = None,
    source_name: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    before_commit: Callable[[duckdb.DuckDBPyConnection, ImportReport], None] | None = None,
) -> ImportReport:
    """Check every row of an opened :class:`Table` and, unless ``dry_run``, write it (see :func:`import_file`)."""
    started = time.perf_counter()
    progress = progress or _noop
    spec = KINDS.get(kind)
    if spec is None:
        raise IngestError(table.file_name, "unknown_kind", detail=f"{kind} ∉ {', '.join(KINDS)}")
    given = dict(mapping or {})
    # A mapping the user gives is taken at its word: a field or a column it names that is not
    # there is a typo to report, never left out for the automatic choice to fill silently.
    unknown = [f"{k} ∉ {', '.join(spec.field_names)}" for k in given if k not in spec.field_names]
    unknown += [f"{k} → {v}" for k, v in given.items() if v is not None and v not in table.headers]
    if unknown:
        raise IngestError(table.file_name, "unknown_column", detail="; ".join(unknown))
    with conn.cursor() as reader:
        recalled = mappings.recall(reader, spec.name, table.headers, source_name)
    remembered = recalled.mapping
    # Automatic, then what this header set and this source confirmed before, then what the user gives now.
    mapping = kinds_mod.merge_mapping(spec, table.headers, remembered, given)
    auto = kinds_mod.suggest_mapping(spec, table.headers)
    # What the user decided differently from the automatic match is what is worth remembering.
    decided = {k: v for k, v in given.items() if auto.get(k) != v}
    positions = _positions(spec, table, mapping)
    ctx = _Context(min_time=min_data_time())
    for f in spec.fields:
        if positions.get(f.name) is not None and f.unit is not None:
            unit = kinds_mod.header_unit(table.headers[positions[f.name]], f)
            if unit is not None:
                ctx.factors[f.name] = unit
    chosen_crs = crs or table.crs or "wgs84"
    try:
        geo.to_wgs84(118.0, 28.0, chosen_crs)
    except Exception as error:  # pyproj raises its own types for odd texts; all mean "not a CRS"
        raise IngestError(table.file_name, "crs", detail=str(error)[:200]) from error
    now = now or local_now(precise=True)
    notes = list(table.notes)
    cursor = conn.cursor()
    # DuckDB would draw its progress bar on the terminal of the CLI or the app server.
    cursor.execute("SET enable_progress_bar = false")
    lock = WRITE_LOCK if not dry_run else threading.Lock()
    try:
        # On a server store several processes import: the advisory lock serializes them as
        # WRITE_LOCK serializes this process's threads ((station, ts) stays unique).
        with lock, store.process_lock(conn, "import") if not dry_run else contextlib.nullcontext():
            # Checks and writes share one transaction: the checks read one snapshot of the
            # store, and the file's rows appear to readers all at once or (dry run) never.
            progress("read", 0.05)
            _stage_file(cursor, spec, table, positions, ctx)
            cursor.execute("BEGIN TRANSACTION")
            try:
                report, columns = _check(
                    cursor,
                    spec,
                    table,
                    positions,
                    mapping,
                    chosen_crs,
                    now,
                    list(notes),
                    source_name,
                    progress,
                    ctx,
                )
                report.dry_run = dry_run
                report.remembered = {k: v for k, v in remembered.items() if mapping.get(k) == v and auto.get(k) != v}
                report.remembered_from = recalled.applied(mapping, auto)
                report.unused_headers = kinds_mod.look_alike_headers(spec, table.headers, mapping)
                if dry_run:
                    cursor.execute("ROLLBACK")
                else:
                    progress("write", 0.7)
                    _write_created(cursor, spec, positions)
                    report.import_id = _write(cursor, spec, columns, table, report, user, source_name, progress)
                    mappings.remember(cursor, spec.name, table.headers, source_name, decided, user, local_now())
                    if before_commit is not None:
                        before_commit(cursor, report)  # the audit row, in this transaction
                    progress("commit", 0.95)
                    cursor.execute("COMMIT")
            except BaseException:
                rollback(cursor)
                raise
            progress("done", 1.0)
    except IngestError:
        raise
    except duckdb.Error as error:
        raise IngestError(table.file_name, "store", detail=str(error).splitlines()[0][:300]) from error
    finally:
        try:
            _drop_temp(cursor)
        finally:
            cursor.close()
    report.seconds = time.perf_counter() - started
    return report


def import_file(
    conn: duckdb.DuckDBPyConnection,
    source,
    kind: str,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: dict[str, str | None] | None = None,
    dry_run: bool = False,
    user: str | None = None,
    source_name: str | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    before_commit: Callable[[duckdb.DuckDBPyConnection, ImportReport], None] | None = None,
) -> ImportReport:
    """Import one file into the store: all accepted rows in one transaction, rejected rows quarantined.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
        The store, opened read-write (a private cursor is used, so readers keep going).
    source : path, Upload or list of Upload
        The file; a list is the parts of one Shapefile.
    kind : str
        A key of :data:`emergency.ingest.kinds.KINDS` (``"rainfall"``, ``"incidents"`` ...).
    crs : str, optional
        Coordinate system of the file's coordinates (``wgs84``, ``cgcs2000``, ``gcj02``,
        ``bd09`` or an EPSG code); defaults to the file's own (.prj), else WGS84.
    encoding : str, optional
        Text encoding of a CSV or .dbf; detected when omitted.
    sheet : str, optional
        Excel sheet or GIS layer.
    mapping : dict, optional
        Field -> header; :func:`emergency.ingest.kinds.suggest_mapping` when omitted.
    dry_run : bool
        Check and report only; write nothing.
    user, source_name : str, optional
        Who imports, and the department the data comes from (import_log, ``source`` columns).
    progress : callable, optional
        Called as ``progress(stage, fraction)`` with stages read, validate, write, commit, done.
    now : datetime, optional
        Local time for the future-time check (tests); the clock's Shanghai time otherwise.
    before_commit : callable, optional
        Called as ``before_commit(cursor, report)`` after the rows are written and before the
        commit, on the import's own cursor (the audit row is written there, in the same transaction).

    Returns
    -------
    ImportReport

    Raises
    ------
    IngestError
        When the file cannot be imported at all; nothing was written.

    Examples
    --------
    >>> report = import_file(conn, "rain.csv", "rainfall")  # doctest: +SKIP
    >>> report.accepted, report.rejected  # doctest: +SKIP
    (2016, 3)
    """
    with open_table(source, encoding=encoding, sheet=sheet, kind=kind) as table:
        return import_table(
            conn,
            table,
            kind,
            crs=crs,
            mapping=mapping,
            dry_run=dry_run,
            user=user,
            source_name=source_name,
            progress=progress,
            now=now,
            before_commit=before_commit,
        )


def report_json(report: ImportReport) -> str:
    """Serialize the report as JSON (without the rejects table), for the CLI and logs."""
    data = {k: v for k, v in report.__dict__.items() if k != "rejects"}
    return json.dumps(data, ensure_ascii=False, default=str, indent=2)


__all__ += ["Upload", "report_json"]


def write_rows_in(
    cursor, spec: Kind, table: Table, mapping: dict[str, str | None], crs: str, now: datetime, source_name: str
) -> ImportReport:
    """Check and write an opened table inside the caller's transaction (the live feed's runs).

    The same staging, rules and write as :func:`import_table`, without its lock, transaction and
    remembered mappings: the caller holds :data:`WRITE_LOCK` and commits or rolls back. Returns the
    report with its ``import_id``.
    """
    positions = _positions(spec, table, mapping)
    ctx = _Context()
    try:
        _stage_file(cursor, spec, table, positions, ctx)
        report, columns = _check(cursor, spec, table, positions, mapping, crs, now, [], source_name, _noop, ctx)
        report.import_id = _write(cursor, spec, columns, table, report, f"feed:{source_name}", source_name, _noop)
    finally:
        # After a failed statement the transaction is aborted: the caller's rollback drops these.
        with contextlib.suppress(duckdb.TransactionException):
            _drop_temp(cursor)
    return report
