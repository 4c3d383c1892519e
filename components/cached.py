"""The only place with st.cache_resource / st.cache_data: the store and cached query wrappers."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import streamlit as st

from emergency import config, demo, queries, store, surface

# Seconds a cached query result stays valid; short, so a big screen sees new imports soon.
QUERY_TTL_S = 60
# Cached results kept per query; one per recent filter combination.
QUERY_MAX_ENTRIES = 256


def get_store() -> duckdb.DuckDBPyConnection:
    """Return the one connection of this process to the configured store."""
    return _open_store(str(config.database_path()))


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> duckdb.DuckDBPyConnection:
    # Keyed by path so that a changed setting (tests, a second county) opens the right file.
    demo.ensure_demo(path)
    return store.connect(path)


def clear() -> None:
    """Forget every cached query result (after an import or a write)."""
    st.cache_data.clear()


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def meta() -> dict[str, str]:
    return store.get_meta(get_store())


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def data_range() -> tuple[datetime | None, datetime | None]:
    return queries.data_range(get_store())


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def county() -> pd.DataFrame:
    return queries.county(get_store())


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def townships() -> pd.DataFrame:
    return queries.townships(get_store())


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def gauge_totals(start: datetime, end: datetime, townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.gauge_totals(get_store(), start, end, townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def township_rain(start: datetime, end: datetime) -> pd.DataFrame:
    return queries.township_rain(get_store(), start, end)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def incidents(
    start: datetime,
    end: datetime,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.incidents(get_store(), start, end, townships, types, statuses)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def kpis(
    start: datetime,
    end: datetime,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.kpis(get_store(), start, end, townships, types, statuses)


# --- one map (issue 4) ---
@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def township_metrics(start: datetime, end: datetime, types: tuple[str, ...], statuses: tuple[str, ...]) -> pd.DataFrame:
    return queries.township_metrics(get_store(), start, end, types, statuses)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def gauge_series(station: str, start: datetime, end: datetime, minutes: int) -> pd.DataFrame:
    return queries.gauge_series(get_store(), station, start, end, minutes)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def gauge_grid(start: datetime, end: datetime, cell_deg: float, townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.gauge_grid(get_store(), start, end, cell_deg, townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def incident_grid(
    start: datetime, end: datetime, cell_deg: float,
    townships: tuple[str, ...], types: tuple[str, ...], statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.point_grid(get_store(), "incidents", start, end, cell_deg, townships, types, statuses)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def count_gauges(townships: tuple[str, ...]) -> int:
    return queries.count_gauges(get_store(), townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def count_incidents(
    start: datetime, end: datetime, townships: tuple[str, ...], types: tuple[str, ...], statuses: tuple[str, ...]
) -> int:
    return queries.count_incidents(get_store(), start, end, townships, types, statuses)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def warehouses(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.warehouses(get_store(), townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def warehouse_stock(warehouse: str) -> pd.DataFrame:
    return queries.warehouse_stock(get_store(), warehouse)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def teams(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.teams(get_store(), townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def shelters(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.shelters(get_store(), townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def hazard_points(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.hazard_points(get_store(), townships)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def incident(ident: str) -> pd.DataFrame:
    return queries.incident(get_store(), ident)


@st.cache_data(ttl=QUERY_TTL_S, max_entries=QUERY_MAX_ENTRIES, show_spinner=False)
def rain_surface(start: datetime, end: datetime) -> tuple[str, list[float]] | None:
    return surface.window_surface(get_store(), start, end)
