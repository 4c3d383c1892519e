"""Trend panels: fetch through the cache, build the figure in core, draw it with its exports or an empty state."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached, export_buttons, filter_bar, identity
from components.chart_config import PLOTLY_CONFIG
from components.text import chart, data_editor, dataframe, labels, lang, plain, tr
from emergency import charts
from emergency import filters as flt
from emergency.filters import Filters, bucket_minutes

AREA = "__area__"
# Townships compared by default when the filter selects none: the wettest ones.
DEFAULT_COMPARED = 5
# Latest incidents listed under the incident charts.
LATEST_INCIDENTS = 50
# Bucket of township heat tables and incident counts: never finer than an hour.
MIN_COUNT_BUCKET_MIN = 60


def show(key: str, fig: go.Figure | None, data: pd.DataFrame, f: Filters, empty_text: str) -> None:
    """Draw one chart with its download buttons, or the explicit empty state when there is no data."""
    if fig is None:
        st.info(empty_text, icon=":material/info:")
        return
    st.plotly_chart(chart(fig), key=f"{key}_chart", theme=None, config=PLOTLY_CONFIG)
    export_buttons.render(key, fig, data, f)


def _count_bucket(f: Filters) -> int:
    return max(MIN_COUNT_BUCKET_MIN, bucket_minutes(f.window_hours))


def _names() -> dict[str, str]:
    frame = cached.townships()
    return dict(zip(frame["code"], frame["name"], strict=True))


# ---------------------------------------------------------------------------- rainfall


def hyetograph(f: Filters) -> None:
    """Hyetograph with cumulative line for the area mean or one gauge of the filtered townships."""
    gauges = cached.gauge_totals(f.start, f.end, f.townships).sort_values("total_mm", ascending=False)
    area_name = tr("chart.area_mean") if f.townships else tr("chart.county_mean")
    options = {
        AREA: area_name,
        **{
            code: f"{name}（{township or '—'}）"
            for code, name, township in zip(gauges["code"], gauges["name"], gauges["township_name"], strict=True)
        },
    }
    if st.session_state.get("rain_subject") not in options:
        st.session_state["rain_subject"] = AREA
    subject = st.selectbox(
        tr("trends.rain.subject"),
        options=list(options),
        format_func=lambda code: options.get(code, code),
        key="rain_subject",
    )
    minutes = bucket_minutes(f.window_hours)
    stations = () if subject == AREA else (subject,)
    series = cached.rain_series(f.start, f.end, minutes, stations, f.townships)
    title = area_name if subject == AREA else gauges.set_index("code").loc[subject, "name"]
    fig = charts.hyetograph(series, minutes, title, lang()) if series["gauges"].sum() else None
    show("rain_hyetograph", fig, series, f, tr("trends.empty_series"))


def station_ranking(f: Filters) -> None:
    """Gauges ranked by accumulated rain or by their largest 1/3/6/24 h rain, with the full table."""
    measures = list(charts.RANKING_MEASURES)
    measure = (
        st.segmented_control(
            tr("trends.rain.ranking_measure"),
            options=measures,
            format_func=lambda m: tr(f"chart.measure.{m}"),
            default=measures[0],
            key="rain_ranking_measure",
        )
        or measures[0]
    )
    ranking = cached.station_ranking(f.start, f.end, f.townships)
    fig = charts.station_ranking(ranking, measure, f.window_hours, lang()) if not ranking.empty else None
    show("rain_ranking", fig, ranking, f, tr("trends.empty_series"))
    if not ranking.empty:
        with st.expander(tr("trends.rain.ranking_table")):
            table = ranking.drop(columns=["township"])
            dataframe(table.rename(columns={c: tr(f"col.{c}") for c in table.columns}), hide_index=True)


def township_heat(f: Filters) -> None:
    """Township × interval table of mean rain."""
    minutes = _count_bucket(f)
    series = cached.township_rain_series(f.start, f.end, minutes, f.townships)
    fig = charts.township_heat(series, minutes, lang()) if series["mm"].sum() > 0 else None
    st.caption(tr("trends.rain.heat_help"))
    show("rain_heat", fig, series, f, tr("trends.empty_series"))


def township_comparison(f: Filters) -> None:
    """Accumulated rain of chosen townships side by side."""
    names = _names()
    wettest = cached.township_rain(f.start, f.end).sort_values("mean_mm", ascending=False).dropna(subset=["mean_mm"])
    default = list(f.townships) or wettest["code"].head(DEFAULT_COMPARED).tolist()
    if "rain_compare" not in st.session_state:
        st.session_state["rain_compare"] = default
    chosen = st.multiselect(
        tr("trends.rain.compare"),
        options=list(names),
        format_func=names.get,
        select_all=False,
        key="rain_compare",
        help=tr("trends.rain.compare_hint", n=DEFAULT_COMPARED),
    )
    order = {code: index for index, code in enumerate(names)}
    codes = tuple(sorted(chosen or default, key=order.get))
    minutes = bucket_minutes(f.window_hours)
    series = cached.township_rain_series(f.start, f.end, minutes, codes)
    fig = charts.township_comparison(series, minutes, lang()) if series["mm"].sum() > 0 else None
    show("rain_compare", fig, series, f, tr("trends.empty_series"))


# ---------------------------------------------------------------------------- incidents


def incidents_over_time(f: Filters) -> None:
    """Incidents per hour (or day) stacked by type or by status."""
    groups = ["type", "status"]
    by = (
        st.segmented_control(
            tr("trends.incidents.by"),
            options=groups,
            format_func=lambda g: tr(f"chart.by.{g}"),
            default="type",
            key="incidents_by",
        )
        or "type"
    )
    minutes = _count_bucket(f)
    series = cached.incident_series(f.start, f.end, minutes, by, f.townships, f.types, f.statuses)
    fig = charts.incidents_over_time(series, by, minutes, lang(), window=(f.start, f.end)) if not series.empty else None
    show("incidents_time", fig, series, f, tr("map.empty_incidents"))


def incidents_by_township(f: Filters) -> None:
    counts = cached.incident_counts(f.start, f.end, ("township", "type"), f.townships, f.types, f.statuses)
    fig = charts.incidents_by_township(counts, lang()) if not counts.empty else None
    show("incidents_township", fig, counts, f, tr("map.empty_incidents"))


def incidents_by_status(f: Filters) -> None:
    counts = cached.incident_counts(f.start, f.end, ("status",), f.townships, f.types, f.statuses)
    fig = charts.incidents_by_status(counts, lang()) if not counts.empty else None
    show("incidents_status", fig, counts, f, tr("map.empty_incidents"))


def incident_backlog(f: Filters) -> None:
    minutes = _count_bucket(f)
    backlog = cached.incident_backlog(f.start, f.end, minutes, f.townships, f.types, f.statuses)
    has_any = bool((backlog["open"] + backlog["closed"]).sum())
    fig = charts.incident_backlog(backlog, minutes, lang(), window=(f.start, f.end)) if has_any else None
    st.caption(tr("trends.incidents.backlog_help"))
    show("incidents_backlog", fig, backlog, f, tr("map.empty_incidents"))


def latest_incidents(f: Filters) -> None:
    """The newest incidents; selecting one offers to open its township on the situation map."""
    _, latest = cached.data_range()
    params = flt.to_query_params(f, latest)
    st.page_link(
        "pages/one_map.py", label=tr("trends.incidents.filters_on_map"), icon=":material/map:", query_params=params
    )
    incidents = cached.incidents(f.start, f.end, f.townships, f.types, f.statuses).head(LATEST_INCIDENTS)
    if incidents.empty:
        st.info(tr("map.empty_incidents"), icon=":material/info:")
        return
    columns = [
        "id",
        "occurred_at",
        "type",
        "status",
        "township_name",
        "address",
        "deaths",
        "injured",
        "missing",
        "trapped",
    ]
    table = incidents[columns].copy()
    table["type"] = table["type"].map(labels("incident_type")).fillna(table["type"])
    table["status"] = table["status"].map(labels("incident_status")).fillna(table["status"])
    st.caption(tr("trends.incidents.latest_help"))
    state = dataframe(
        table.rename(columns={c: tr(f"col.{c}") for c in columns}),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="incidents_latest",
    )
    rows = state.selection.rows if state else []
    if rows:
        chosen = incidents.iloc[rows[0]]
        target = {**params, "township": chosen["township"]} if pd.notna(chosen["township"]) else params
        if st.button(
            tr("trends.incidents.open_on_map", id=plain(chosen["id"]), township=plain(chosen["township_name"] or "—")),
            icon=":material/location_on:",
            key="incidents_open_on_map",
        ):
            # st.switch_page drops widget state, and this session's filter bar was seeded from
            # the URL already: un-seed it so the map page reads the filters from the target URL,
            # exactly as a shared link would be read.
            st.session_state.pop(filter_bar.SEEDED_KEY, None)
            st.switch_page("pages/one_map.py", query_params=target)


# ---------------------------------------------------------------------------- resources


def stock_by_warehouse(f: Filters) -> None:
    frame = cached.stock_by_category(f.townships)
    fig = charts.stock_by_warehouse(frame, lang()) if not frame.empty else None
    show("stock_warehouse", fig, frame, f, tr("trends.empty_stock"))


def stock_by_item(f: Filters) -> None:
    frame = cached.stock_by_item(f.townships)
    fig = charts.stock_by_item(frame, lang()) if not frame.empty else None
    show("stock_item", fig, frame, f, tr("trends.empty_stock"))


def stock_below_minimum(f: Filters) -> None:
    """The stock lines under their minimum, and the editor of the minimums."""
    minimums = cached.stock_minimums()
    below = cached.stock_below_minimum(f.townships)
    if minimums.empty:
        st.info(tr("trends.resources.no_minimums"), icon=":material/info:")
    elif below.empty:
        st.success(tr("trends.resources.none_below"), icon=":material/check_circle:")
    else:
        table = below.assign(category=below["category"].map(labels("stock_category")))
        dataframe(table.rename(columns={c: tr(f"col.{c}") for c in table.columns}), hide_index=True)
    with st.expander(tr("trends.resources.minimums")):
        st.caption(tr("trends.resources.minimums_help"))
        shown = minimums.rename(columns={c: tr(f"col.{c}") for c in minimums.columns})
        if not identity.can("configure"):
            dataframe(shown, hide_index=True)
            return
        edited = data_editor(shown, num_rows="dynamic", hide_index=True, key="stock_minimums_editor")
        if st.button(tr("trends.resources.save"), key="stock_minimums_save", icon=":material/save:"):
            edited.columns = list(minimums.columns)
            try:
                saved = cached.save_minimums(identity.actor(), edited)
            except ValueError as error:
                st.error(tr("trends.resources.invalid", reason=plain(error)))
            else:
                st.success(tr("trends.resources.saved", n=saved))


def shelter_occupancy(f: Filters) -> None:
    frame = cached.shelter_occupancy(f.townships)
    fig = charts.shelter_occupancy(frame, lang()) if not frame.empty else None
    show("shelters", fig, frame, f, tr("trends.empty_shelters"))
