"""The SL 323-2011 tables this project reads, as SQLAlchemy Core metadata.

Used to build the demo source database and the test sources (SQLite and PostgreSQL); a
bureau's own database already has these tables, usually with more columns.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

ST_STBPRP_B = sa.Table(
    "ST_STBPRP_B",
    metadata,
    sa.Column("STCD", sa.String(8), primary_key=True),
    sa.Column("STNM", sa.String(30)),
    sa.Column("RVNM", sa.String(30)),
    sa.Column("HNNM", sa.String(30)),
    sa.Column("BSNM", sa.String(30)),
    sa.Column("LGTD", sa.Numeric(10, 6)),
    sa.Column("LTTD", sa.Numeric(10, 6)),
    sa.Column("STLC", sa.String(50)),
    sa.Column("ADDVCD", sa.String(6)),
    sa.Column("STTP", sa.String(2)),
    sa.Column("ADMAUTH", sa.String(20)),
    sa.Column("USFL", sa.String(1)),
    sa.Column("MODITIME", sa.DateTime),
)
ST_PPTN_R = sa.Table(
    "ST_PPTN_R",
    metadata,
    sa.Column("STCD", sa.String(8), primary_key=True),
    sa.Column("TM", sa.DateTime, primary_key=True),
    sa.Column("DRP", sa.Numeric(5, 1)),
    sa.Column("INTV", sa.Numeric(5, 2)),
    sa.Column("PDR", sa.Numeric(5, 2)),
    sa.Column("DYP", sa.Numeric(5, 1)),
    sa.Column("WTH", sa.String(1)),
)
ST_RIVER_R = sa.Table(
    "ST_RIVER_R",
    metadata,
    sa.Column("STCD", sa.String(8), primary_key=True),
    sa.Column("TM", sa.DateTime, primary_key=True),
    sa.Column("Z", sa.Numeric(7, 3)),
    sa.Column("Q", sa.Numeric(9, 3)),
    sa.Column("XSA", sa.Numeric(9, 3)),
    sa.Column("WPTN", sa.String(1)),
)
ST_RSVR_R = sa.Table(
    "ST_RSVR_R",
    metadata,
    sa.Column("STCD", sa.String(8), primary_key=True),
    sa.Column("TM", sa.DateTime, primary_key=True),
    sa.Column("RZ", sa.Numeric(7, 3)),
    sa.Column("INQ", sa.Numeric(9, 3)),
    sa.Column("W", sa.Numeric(9, 3)),
    sa.Column("OTQ", sa.Numeric(9, 3)),
    sa.Column("RWPTN", sa.String(1)),
)
ST_RVFCCH_B = sa.Table(
    "ST_RVFCCH_B",
    metadata,
    sa.Column("STCD", sa.String(8), primary_key=True),
    sa.Column("LDKEL", sa.Numeric(7, 3)),
    sa.Column("RDKEL", sa.Numeric(7, 3)),
    sa.Column("WRZ", sa.Numeric(7, 3)),
    sa.Column("WRQ", sa.Numeric(9, 3)),
    sa.Column("GRZ", sa.Numeric(7, 3)),
    sa.Column("GRQ", sa.Numeric(9, 3)),
)
ST_RSVRFSR_B = sa.Table(
    "ST_RSVRFSR_B",
    metadata,
    sa.Column("STCD", sa.String(8), primary_key=True),
    sa.Column("BGMD", sa.String(4), primary_key=True),
    sa.Column("EDMD", sa.String(4)),
    sa.Column("FSLTDZ", sa.Numeric(7, 3)),
    sa.Column("FSLTDW", sa.Numeric(9, 3)),
    sa.Column("FSTP", sa.String(1)),
)


def create(engine: sa.Engine) -> None:
    """Create the tables (if missing) in the database behind ``engine``."""
    metadata.create_all(engine)


def insert(engine: sa.Engine, table: sa.Table, rows: list[dict], upsert: bool = False) -> None:
    """Insert rows (dicts keyed by standard column names); ``upsert`` replaces rows with the same key."""
    if not rows:
        return
    # One statement for all rows: every row needs every column, else later rows lose theirs.
    rows = [{c.name: row.get(c.name) for c in table.columns} for row in rows]
    with engine.begin() as connection:
        if upsert:
            keys = [c for c in table.primary_key.columns]
            for row in rows:
                connection.execute(table.delete().where(sa.and_(*(k == row[k.name] for k in keys))))
        connection.execute(table.insert(), rows)
