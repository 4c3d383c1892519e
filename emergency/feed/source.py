"""Reading an SL 323-2011 real-time hydrology database (实时雨水情数据库) through SQLAlchemy.

Table and column names are matched without regard to case (PostgreSQL folds unquoted names to
lower case, SQL Server and Oracle keep upper case); vendor columns beyond the standard's are
ignored. Every statement is built with SQLAlchemy Core: values are bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

# Standard table -> the columns read from it (names as in SL 323-2011).
TABLES: dict[str, tuple[str, ...]] = {
    "ST_STBPRP_B": ("STCD", "STNM", "RVNM", "HNNM", "BSNM", "LGTD", "LTTD", "STLC", "ADDVCD", "STTP", "USFL"),
    "ST_PPTN_R": ("STCD", "TM", "DRP", "INTV", "PDR", "DYP", "WTH"),
    "ST_RIVER_R": ("STCD", "TM", "Z", "Q", "WPTN"),
    "ST_RSVR_R": ("STCD", "TM", "RZ", "INQ", "OTQ", "W", "RWPTN"),
    "ST_RVFCCH_B": ("STCD", "WRZ", "WRQ", "GRZ", "GRQ"),
    "ST_RSVRFSR_B": ("STCD", "BGMD", "EDMD", "FSLTDZ"),
}
# Tables of timed reports, read incrementally by TM.
REPORT_TABLES = ("ST_PPTN_R", "ST_RIVER_R", "ST_RSVR_R")
# Tables that must exist in a source; the others are read when present.
REQUIRED_TABLES = ("ST_STBPRP_B", "ST_PPTN_R")


class SourceError(Exception):
    """The source cannot be read as SL 323 (missing table or column), as opposed to unreachable."""


@dataclass
class Snapshot:
    """What one run read: each standard table as a frame with standard (upper-case) column names."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getitem__(self, table: str) -> pd.DataFrame:
        """Return the frame read for ``table``, or an empty one with its standard columns."""
        return self.frames.get(table, pd.DataFrame(columns=list(TABLES[table])))

    @property
    def rows(self) -> int:
        """Return the number of rows read over all tables."""
        return sum(len(f) for f in self.frames.values())


def parse_filter(text: str | None) -> list[tuple[str, str]]:
    """``"ADDVCD=361130"`` or ``"ADDVCD=3611*, STTP=PP"`` -> [(column, value)]; ``*`` ends a prefix.

    Examples
    --------
    >>> parse_filter("ADDVCD=3611*")
    [('ADDVCD', '3611*')]
    """
    pairs = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"station filter {part.strip()!r}: expected COLUMN=VALUE")
        column, value = (p.strip() for p in part.split("=", 1))
        if column.upper() not in TABLES["ST_STBPRP_B"]:
            raise ValueError(f"station filter column {column!r} is not one of {', '.join(TABLES['ST_STBPRP_B'])}")
        pairs.append((column.upper(), value))
    return pairs


# Default connection timeouts per driver (seconds): connect, then each statement where the driver has one.
CONNECT_TIMEOUT_S = 15
READ_TIMEOUT_S = 300
_TIMEOUTS = {
    "psycopg": {"connect_timeout": CONNECT_TIMEOUT_S},
    "pymysql": {"connect_timeout": CONNECT_TIMEOUT_S, "read_timeout": READ_TIMEOUT_S},
    "pymssql": {"login_timeout": CONNECT_TIMEOUT_S, "timeout": READ_TIMEOUT_S},
    "oracledb": {"tcp_connect_timeout": CONNECT_TIMEOUT_S},
    "pysqlite": {"timeout": CONNECT_TIMEOUT_S},
}


def connect_args(url: str) -> dict:
    """Driver timeouts not already given in the URL's query."""
    parsed = sa.engine.make_url(url)
    driver = parsed.get_driver_name()
    return {k: v for k, v in _TIMEOUTS.get(driver, {}).items() if k not in parsed.query}


class Source:
    """One SL 323 database behind a SQLAlchemy URL.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, e.g. ``mssql+pymssql://user:pw@host/db``, ``mysql+pymysql://…``,
        ``postgresql+psycopg://…``, ``oracle+oracledb://…``, ``sqlite:///path``.
    stations_filter : str, optional
        See :func:`parse_filter`; only matching stations and their reports are read.
    """

    def __init__(self, url: str, stations_filter: str | None = None) -> None:
        # NullPool: a connection per run, so a source that went down is seen at the next run.
        # Timeouts so an unreachable server fails the run (and is retried) instead of hanging
        # the sync loop; a URL's own query options win.
        self.engine = sa.create_engine(url, poolclass=NullPool, connect_args=connect_args(url))
        self.filters = parse_filter(stations_filter)
        self._tables: dict[str, sa.Table | None] = {}

    def close(self) -> None:
        """Release the source's connections."""
        self.engine.dispose()

    def _reflect(self, connection, standard: str) -> sa.Table | None:
        if standard not in self._tables:
            names = {n.upper(): n for n in sa.inspect(connection).get_table_names()}
            actual = names.get(standard)
            if actual is None:
                if standard in REQUIRED_TABLES:
                    raise SourceError(f"table {standard} not found in the source")
                self._tables[standard] = None
            else:
                self._tables[standard] = sa.Table(actual, sa.MetaData(), autoload_with=connection)
        return self._tables[standard]

    @staticmethod
    def _column(table: sa.Table, name: str) -> sa.Column | None:
        for column in table.columns:
            if column.name.upper() == name:
                return column
        return None

    def _select(self, table: sa.Table, standard: str) -> tuple[sa.Select, list[str]]:
        wanted = [(n, self._column(table, n)) for n in TABLES[standard]]
        present = [(n, c) for n, c in wanted if c is not None]
        if self._column(table, "STCD") is None:
            raise SourceError(f"{standard} has no STCD column")

        # Numbers as floats (Decimal objects cost more than the whole check of a row); times as the
        # driver gives them (SQLite: text), parsed by the import engine, not row by row here.
        def plain(c):
            if isinstance(c.type, sa.Numeric):
                return sa.type_coerce(c, sa.Float())
            if isinstance(c.type, (sa.DateTime, sa.Date)):
                return sa.type_coerce(c, sa.String())
            return c

        columns = [plain(c).label(n) for n, c in present]
        return sa.select(*columns), [n for n, _ in present]

    def _station_condition(self, connection, table: sa.Table):
        """Rows of the filtered stations only (a sub-select, so no long parameter lists)."""
        if not self.filters:
            return None
        stations = self._reflect(connection, "ST_STBPRP_B")
        sub = sa.select(self._column(stations, "STCD"))
        for name, value in self.filters:
            column = self._column(stations, name)
            if column is None:
                raise SourceError(f"ST_STBPRP_B has no {name} column for the station filter")
            sub = sub.where(column.like(value[:-1] + "%") if value.endswith("*") else column == value)
        return self._column(table, "STCD").in_(sub)

    def _frame(self, connection, statement, names: list[str], standard: str) -> pd.DataFrame:
        rows = connection.execute(statement).fetchall()
        # Column-wise from plain tuples: pandas' from_records inspects every Row object.
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        frame = pd.DataFrame({n: pd.Series(list(c), dtype=object) for n, c in zip(names, columns, strict=True)})
        for name in TABLES[standard]:
            if name not in frame.columns:
                frame[name] = None
        return frame[list(TABLES[standard])]

    def read(self, since: dict[str, datetime | None]) -> Snapshot:
        """Read stations, thresholds and every report with ``TM >= since[table]`` (all when None).

        All statements run on one connection; any failure (source down, table gone) raises
        before anything is returned, so a run never writes a part of what it meant to read.
        """
        snapshot = Snapshot()
        with self.engine.connect() as connection:
            for standard in TABLES:
                table = self._reflect(connection, standard)
                if table is None:
                    continue
                statement, names = self._select(table, standard)
                condition = self._station_condition(connection, table)
                if standard == "ST_STBPRP_B":
                    for name, value in self.filters:
                        column = self._column(table, name)
                        statement = statement.where(
                            column.like(value[:-1] + "%") if value.endswith("*") else column == value
                        )
                elif condition is not None:
                    statement = statement.where(condition)
                if standard in REPORT_TABLES:
                    tm = self._column(table, "TM")
                    if tm is None:
                        raise SourceError(f"{standard} has no TM column")
                    if since.get(standard) is not None:
                        statement = statement.where(tm >= since[standard])
                    statement = statement.order_by(tm)
                snapshot.frames[standard] = self._frame(connection, statement, names, standard)
        return snapshot
