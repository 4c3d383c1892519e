"""The only place with st.cache_resource / st.cache_data: the store and cached query wrappers."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import streamlit as st

from emergency import (
    actions,
    briefing,
    cap,
    codelists,
    completeness,
    config,
    demo,
    dispatch,
    export,
    i18n,
    queries,
    rules,
    shared_cache,  # replicas follow each other's writes
    store,
    surface,
    uploads,  # memory caps
    warning,
)
from emergency.access import Actor
from emergency.filters import Filters
from emergency.ingest import templates

# Seconds a cached query result stays valid on the DuckDB file: short, so a big screen sees new
# imports soon even from a writer that did not clear the caches.
QUERY_TTL_S = 60
# On a server store every writer (app replicas, command-line imports, feed runs) moves the shared
# cache stamp in its own transaction, which drops the cached results of every replica at the next
# click (emergency.shared_cache); the TTL is only a safety net there (a change made with plain SQL),
# and a short one made each replica recompute every view once a minute: the slowest runs under load.
SERVER_QUERY_TTL_S = 600


def query_ttl_s() -> int:
    """Seconds a cached result lives: ``[yitu] cache_seconds``, else by store kind (above)."""
    from emergency import pgstore

    try:
        configured = config.setting("cache_seconds")
        if configured:
            return max(1, int(configured))
        return SERVER_QUERY_TTL_S if pgstore.is_url(config.store_target()) else QUERY_TTL_S
    except (ValueError, TypeError, OSError):  # a broken settings file is reported by the page that reads it
        return QUERY_TTL_S


# Cached results kept per query; one per recent filter combination.
QUERY_MAX_ENTRIES = 256


def query(func=None, *, max_entries: int = QUERY_MAX_ENTRIES):
    """Cache a query wrapper's result per argument combination for :func:`query_ttl_s` seconds.

    The one cache decorator of the components: ``@query`` keeps up to QUERY_MAX_ENTRIES results,
    ``@query(max_entries=N)`` fewer for large ones. :func:`clear` forgets them all.
    """
    decorator = st.cache_data(ttl=query_ttl_s(), max_entries=max_entries, show_spinner=False)
    return decorator(func) if func is not None else decorator


def get_store() -> duckdb.DuckDBPyConnection:
    """Return the one connection of this process to the configured store."""
    return _open_store(str(config.store_target()))


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> duckdb.DuckDBPyConnection:
    # Keyed by path so that a changed setting (tests, a second county) opens the right file.
    demo.ensure_demo(path)
    conn = store.connect(path)
    codelists.sync_labels(conn)  # codes an administrator added are shown by name
    uploads.limit_store_memory(conn)  # one big import cannot take the machine's memory
    from emergency import backup

    backup.serve_requests(conn, path)  # `python -m emergency backup` while the app serves
    return conn


@query(max_entries=4)
def feed_status_at(minute: datetime) -> pd.DataFrame:
    """Every live source's state at ``minute`` (the alarm bars and the wall's chip): one query a minute
    per server, however many pages and walls ask (silence is counted in minutes)."""
    from emergency.feed import water

    return water.feed_status(get_store(), minute)


def store_now() -> datetime:
    """Now for this store: the wall clock, or the live demo's storm clock (emergency.feed.water.clock)."""
    from emergency.feed import water

    return water.clock_of(meta().get(water.CLOCK_META))


def clear() -> None:
    """Forget every cached query result (after an import or a write), here and in the other replicas."""
    st.cache_data.clear()
    _replicas.own(shared_cache.bump(get_store()))  # the other app processes follow


# this process's view of the store's cache stamp (emergency.shared_cache)
_replicas = shared_cache.Follower()


def follow_other_replicas() -> None:
    """At the start of a run: drop cached results and re-read code labels when another replica wrote."""
    conn = get_store()
    if _replicas.changed(conn):
        st.cache_data.clear()
        codelists.sync_labels(conn)


@query
def meta() -> dict[str, str]:
    return store.get_meta(get_store())


@query
def data_range() -> tuple[datetime | None, datetime | None]:
    return queries.data_range(get_store())


@query
def county() -> pd.DataFrame:
    return queries.county(get_store())


@query
def townships() -> pd.DataFrame:
    return queries.townships(get_store())


@query
def gauge_totals(start: datetime, end: datetime, townships: tuple[str, ...]) -> pd.DataFrame:
    return rules.gauge_rain_totals(get_store(), start, end, townships)


@query
def township_rain(start: datetime, end: datetime) -> pd.DataFrame:
    return queries.township_rain(get_store(), start, end)


@query
def incidents(
    start: datetime,
    end: datetime,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.incidents(get_store(), start, end, townships, types, statuses)


@query
def kpis(
    start: datetime,
    end: datetime,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.kpis(get_store(), start, end, townships, types, statuses)


# --- one map ---
@query
def township_metrics(start: datetime, end: datetime, types: tuple[str, ...], statuses: tuple[str, ...]) -> pd.DataFrame:
    return queries.township_metrics(get_store(), start, end, types, statuses)


@query
def gauge_grid(start: datetime, end: datetime, cell_deg: float, townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.gauge_grid(get_store(), start, end, cell_deg, townships)


@query
def incident_grid(
    start: datetime,
    end: datetime,
    cell_deg: float,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.point_grid(get_store(), "incidents", start, end, cell_deg, townships, types, statuses)


@query
def count_rows(table: str, townships: tuple[str, ...]) -> int:
    return queries.count_rows(get_store(), table, townships)


@query
def resource_grid(table: str, cell_deg: float, townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.resource_grid(get_store(), table, cell_deg, townships)


@query
def count_incidents(
    start: datetime, end: datetime, townships: tuple[str, ...], types: tuple[str, ...], statuses: tuple[str, ...]
) -> int:
    return queries.count_incidents(get_store(), start, end, townships, types, statuses)


@query
def warehouses(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.warehouses(get_store(), townships)


@query
def warehouse_stock(warehouse: str) -> pd.DataFrame:
    return queries.warehouse_stock(get_store(), warehouse)


@query
def teams(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.teams(get_store(), townships)


@query
def shelters(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.shelters(get_store(), townships)


@query
def hazard_points(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.hazard_points(get_store(), townships)


@query
def incident(ident: str) -> pd.DataFrame:
    return queries.incident(get_store(), ident)


@query
def rain_surface(start: datetime, end: datetime) -> tuple[str, list[float]] | None:
    return surface.window_surface(get_store(), start, end)


# --- trends, exports and the duty briefing ---


@query
def rain_series(
    start: datetime, end: datetime, minutes: int, stations: tuple[str, ...], townships: tuple[str, ...]
) -> pd.DataFrame:
    return queries.rain_series(get_store(), start, end, minutes, stations, townships)


@query
def township_rain_series(start: datetime, end: datetime, minutes: int, townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.township_rain_series(get_store(), start, end, minutes, townships)


@query
def station_ranking(start: datetime, end: datetime, townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.station_ranking(get_store(), start, end, townships)


@query
def incident_series(
    start: datetime,
    end: datetime,
    minutes: int,
    by: str,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.incident_series(get_store(), start, end, minutes, by, townships, types, statuses)


@query
def incident_counts(
    start: datetime,
    end: datetime,
    by: tuple[str, ...],
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.incident_counts(get_store(), start, end, by, townships, types, statuses)


@query
def incident_backlog(
    start: datetime,
    end: datetime,
    minutes: int,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return queries.incident_backlog(get_store(), start, end, minutes, townships, types, statuses)


@query
def stock_by_category(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.stock_by_category(get_store(), townships)


@query
def stock_by_item(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.stock_by_item(get_store(), townships)


@query
def stock_below_minimum(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.stock_below_minimum(get_store(), townships)


@query
def stock_minimums() -> pd.DataFrame:
    return queries.stock_minimums(get_store())


@query
def shelter_occupancy(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.shelter_occupancy(get_store(), townships)


def data_export(
    start: datetime,
    end: datetime,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
    lang: str,
) -> bytes:
    """The filtered incidents, rainfall and resources as one XLSX workbook.

    Not cached: it runs when the download is clicked, on the download's own thread, and the
    workbook can be large.
    """
    conn = get_store()
    sheets = {
        i18n.t("export.sheet.incidents", lang): queries.incidents(conn, start, end, townships, types, statuses),
        i18n.t("export.sheet.ranking", lang): queries.station_ranking(conn, start, end, townships),
        i18n.t("export.sheet.rainfall", lang): queries.rainfall_rows(conn, start, end, townships),
        i18n.t("export.sheet.stock", lang): queries.stock_rows(conn, townships),
        i18n.t("export.sheet.shelters", lang): queries.shelters(conn, townships),
    }
    return export.to_xlsx({name: export.readable(frame, lang) for name, frame in sheets.items()})


def build_briefing(f: Filters, lang: str, progress) -> briefing.Briefing:
    """Build the duty briefing for the filters (not cached: each click is a fresh report)."""
    return briefing.build(get_store(), f, lang, progress)


def save_minimums(actor: Actor, frame: pd.DataFrame) -> int:
    """Replace the minimum-stock table, then forget cached results that depend on it."""
    saved = actions.save_minimums(get_store(), actor, frame)
    clear()
    return saved


# --- warning and dispatch ---


@query
def township_signals(start: datetime, end: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    return rules.signal_history(get_store(), start, end)


@query
def township_signals_at(moment: datetime) -> pd.DataFrame:
    return rules.signals(get_store(), moment)


@query
def gauge_signals_at(moment: datetime) -> pd.DataFrame:
    return rules.gauge_signals(get_store(), moment)


@query
def hazards_at_risk(moment: datetime) -> pd.DataFrame:
    return rules.hazards(get_store(), moment)


@query
def incident_grades(
    start: datetime,
    end: datetime,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    return rules.grades(
        get_store(), end, Filters(end=end, start=start, townships=townships, types=types, statuses=statuses)
    )


@query
def rule_kpis(f: Filters) -> pd.Series:
    """The headline figures of the filter window (emergency.rules.kpis)."""
    return rules.kpis(get_store(), f.end, f)


@query
def grade_rules() -> pd.DataFrame:
    return rules.grade_rules(get_store())


@query
def all_hazards(moment: datetime) -> pd.DataFrame:
    """Every hazard point against its critical rainfall, evaluated or not (emergency.rules.hazards)."""
    return rules.hazards(get_store(), moment, only_at_risk=False)


def of_townships(frame: pd.DataFrame, townships: tuple[str, ...]) -> pd.DataFrame:
    """The rows of a cached county-wide frame in ``townships`` (all when none): one search, filtered per view."""
    return frame[frame["township"].isin(townships)] if townships else frame


@query
def signal_rows(moment: datetime, township: str) -> pd.DataFrame:
    return rules.signal_rows(get_store(), moment, township)


@query
def signal_thresholds() -> pd.DataFrame:
    return queries.signal_thresholds(get_store())


@query
def grade_thresholds() -> pd.DataFrame:
    return queries.grade_thresholds(get_store())


@query
def warning_settings() -> dict:
    return warning.settings(get_store())


@query
def township_contacts(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.township_contacts(get_store(), townships)


@query
def warnings_issued() -> pd.DataFrame:
    return queries.warnings_issued(get_store())


@query
def warning_recipients(warning_id: int) -> pd.DataFrame:
    return queries.warning_recipients(get_store(), warning_id)


@query
def warning_alert(warning_id: int) -> bytes:
    return cap.warning_alert(get_store(), warning_id)


@query
def nearby(lon: float, lat: float, radius_km: float, incident_type: str | None) -> dispatch.Nearby:
    return dispatch.nearby(get_store(), lon, lat, radius_km, incident_type)


@query
def dispatches(incident_id: str | None) -> pd.DataFrame:
    return queries.dispatches(get_store(), incident_id)


@query(max_entries=8)
def coverage_gaps(max_km: float, cell_km: float) -> dispatch.Coverage:
    return dispatch.coverage_gaps(get_store(), max_km, cell_km)


@query(max_entries=4)
def pick_cells(cell_km: float) -> pd.DataFrame:
    frame = queries.county(get_store())
    return (
        dispatch.grid_cells(frame["geometry"].iloc[0], cell_km)
        if not frame.empty
        else pd.DataFrame({"lon": [], "lat": []})
    )


def issue_warning(actor: Actor, level: str, townships: list[str], text: str, channels: list[str]) -> int:
    """Record a warning in the signed-in officer's name (see emergency.actions) and forget cached results."""
    ident = actions.issue_warning(get_store(), actor, level, townships, text, channels)
    clear()
    return ident


def acknowledge(actor: Actor, warning_id: int, recipients: list[tuple[str, str]]) -> int:
    count = actions.acknowledge(get_store(), actor, warning_id, recipients)
    clear()
    return count


def save_warning_config(actor: Actor, signals: pd.DataFrame, grades: pd.DataFrame, method: str) -> None:
    """Write edited thresholds and the township method (all checked first; see warning.save_config)."""
    actions.save_warning_config(get_store(), actor, signals, grades, method)
    clear()


def save_grade_rules(actor: Actor, incident_type: str, frame: pd.DataFrame) -> int:
    """Replace one incident type's grade rules (checked first; audited), then forget cached results."""
    count = actions.save_grade_rules(get_store(), actor, incident_type, frame)
    clear()
    return count


def save_contacts(actor: Actor, contacts: pd.DataFrame) -> int:
    """Replace the township responsible persons (all rows checked first; see warning.save_contacts)."""
    count = actions.save_contacts(get_store(), actor, contacts)
    clear()
    return count


def record_dispatch(
    actor: Actor, orders: list[dispatch.Order], lon: float, lat: float, incident_id: str | None, note: str | None
) -> list[int]:
    ids = actions.record_dispatch(get_store(), actor, orders, lon, lat, incident_id, note)
    clear()
    return ids


def set_dispatch_status(actor: Actor, dispatch_id: int, status: str) -> None:
    actions.set_dispatch_status(get_store(), actor, dispatch_id, status)
    clear()


# --- data import ---


def run_import(
    actor: Actor,
    source,
    kind: str,
    *,
    file_name: str,
    crs: str | None,
    encoding: str | None,
    sheet: str | None,
    mapping: dict[str, str | None],
    dry_run: bool,
    source_name: str | None,
    progress=None,
):
    """Check (dry run) or import a file on the shared store (an ImportReport); after a commit forget cached results.

    Runs on a cursor of the one connection in one transaction, so other sessions keep reading
    the store as it was until the commit.
    """
    report = actions.import_file(
        get_store(),
        actor,
        source,
        kind,
        file_name=file_name,
        crs=crs,
        encoding=encoding,
        sheet=sheet,
        mapping=mapping,
        dry_run=dry_run,
        source_name=source_name,
        progress=progress,
    )
    if not dry_run:
        clear()
    return report


@query
def gauge_freshness(as_of: datetime, max_age_minutes: int) -> pd.DataFrame:
    return queries.gauge_freshness(get_store(), as_of, max_age_minutes)


@query
def stale_gauges(as_of: datetime, max_age_minutes: int) -> pd.DataFrame:
    return queries.stale_gauges(get_store(), as_of, max_age_minutes)


@query
def source_freshness() -> pd.DataFrame:
    return queries.source_freshness(get_store())


@query
def import_log() -> pd.DataFrame:
    return queries.import_log(get_store())


@query
def quarantine(file_hash: str | None) -> pd.DataFrame:
    return queries.quarantine(get_store(), file_hash)


@query
def quarantine_files() -> pd.DataFrame:
    return queries.quarantine_files(get_store())


def process_inbox(actor: Actor, lang: str) -> list[dict]:
    """Import the files the command line queued while this app held the store (see emergency.ingest.inbox)."""
    results = actions.process_inbox(get_store(), actor, config.store_target(), lang)
    if results:
        clear()
    return results


# --- township command view and grid management ---


@query
def township_ranking(
    start: datetime, end: datetime, types: tuple[str, ...], statuses: tuple[str, ...], max_age_minutes: int
) -> pd.DataFrame:
    from emergency import township

    return township.ranking(get_store(), Filters(end=end, start=start, types=types, statuses=statuses), max_age_minutes)


@query
def township_situation(
    code: str, start: datetime, end: datetime, types: tuple[str, ...], statuses: tuple[str, ...], max_age_minutes: int
):
    from emergency import township

    return township.summary(
        get_store(), code, Filters(end=end, start=start, types=types, statuses=statuses), max_age_minutes
    )


@query
def villages(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.villages(get_store(), townships)


@query
def grids(townships: tuple[str, ...]) -> pd.DataFrame:
    return queries.grids(get_store(), townships)


# --- any county: guidance and completeness ---


@query
def kind_counts() -> dict[str, int]:
    return completeness.kind_counts(get_store())


@query
def kind_summary() -> pd.DataFrame:
    return completeness.kind_summary(get_store())


@query
def location_missing() -> pd.DataFrame:
    return completeness.location_missing(get_store())


@query
def location_missing_count(tables: tuple[str, ...], townships: tuple[str, ...] = ()) -> int:
    return completeness.location_missing_count(get_store(), tables, tuple(townships or ()))


@query
def township_summary() -> pd.DataFrame:
    return completeness.township_summary(get_store())


@query
def template_place() -> templates.TemplatePlace:
    return templates.place_of(get_store())


# --- live water and feeds ---


@query
def water_states(moment: datetime, townships: tuple[str, ...]) -> pd.DataFrame:
    from emergency.feed import water

    return water.station_states(get_store(), moment, townships)


@query
def water_over(start: datetime, end: datetime, townships: tuple[str, ...]) -> pd.DataFrame:
    from emergency.feed import water

    return water.over_periods(get_store(), start, end, townships)


@query
def water_hydrograph(station: str, start: datetime, end: datetime) -> pd.DataFrame:
    from emergency.feed import water

    return water.hydrograph(get_store(), station, start, end)


# --- command-centre wall ---
# Every wall shows the same thing for the same window and screen size: the figures, the deck
# JSON and the chart are built once per refresh for all walls (20 walls cost one build).


@query
def water_over_warning(moment: datetime) -> int | None:
    from emergency import wall

    return wall.water_over_warning(get_store(), moment)


def _wall_window(start, end, hours, townships, types, statuses, grades) -> Filters:
    return Filters(
        end=end, hours=hours, start=start, townships=townships, types=types, statuses=statuses, grades=grades
    )


@query(max_entries=64)
def wall_figures(
    start: datetime,
    end: datetime,
    hours,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
    grades: tuple[str, ...],
    stale_minutes: int,
):
    from components import wall_data

    return wall_data.figures(_wall_window(start, end, hours, townships, types, statuses, grades), stale_minutes)


@query(max_entries=64)
def wall_deck_json(
    start: datetime,
    end: datetime,
    hours,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
    grades: tuple[str, ...],
    stale_minutes: int,
    view: tuple[float, float, float],
    size: tuple[float, float, float],
    rank_by: str = "signal",
) -> str:
    """The wall's deck as JSON for the window, the map view (lon, lat, zoom), the map size (w, h, scale)
    and the metric the township list is ranked by (its townships' labels go before others)."""
    from components import wall_data, wall_map

    fig = wall_figures(start, end, hours, townships, types, statuses, grades, stale_minutes)
    county_rows, township_rows = county(), townships_frame()
    deck = wall_map.build(
        fig,
        list(wall_data.ranking(fig, rank_by)["code"]),
        township_rows,
        county_rows,
        shapes_geojson(tuple(township_rows["geometry"])),
        shapes_geojson(tuple(county_rows["geometry"])),
        {"longitude": view[0], "latitude": view[1], "zoom": view[2]},
        *size,
    )
    return deck.to_json()


@query(max_entries=64)
def wall_chart(
    start: datetime,
    end: datetime,
    hours,
    townships: tuple[str, ...],
    types: tuple[str, ...],
    statuses: tuple[str, ...],
    grades: tuple[str, ...],
    stale_minutes: int,
    lang: str,
    font_px: float,
) -> dict:
    """The wall's hyetograph as a plotly figure dict (texts in ``lang``, sized ``font_px``)."""
    from emergency import wall

    fig = wall_figures(start, end, hours, townships, types, statuses, grades, stale_minutes)
    texts = [i18n.t(f"wall.chart.{key}", lang) for key in ("y", "y2", "hourly", "cumulative")]
    return wall.hyetograph(fig.series, lang, font_px, *texts).to_dict()


def townships_frame() -> pd.DataFrame:
    return townships()


@query(max_entries=8)
def shapes_geojson(wkb: tuple[bytes, ...]) -> list[dict]:
    """Return the map shapes of WKB geometries (:func:`emergency.mapdata.shapes_geojson`)."""
    from emergency import mapdata

    return mapdata.shapes_geojson(wkb)
