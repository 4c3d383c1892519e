"""The shared sidebar filter bar: seeded once per session from the URL, mirrored back to it."""

from __future__ import annotations

from datetime import datetime, time

import streamlit as st

from components import cached
from components.text import labels, lang, localized, plain, tr
from emergency import codelists
from emergency import filters as flt

# Query parameters the filter bar owns; others (lang, screen, page keys) are left alone.
MANAGED_PARAMS = ("township", "hours", "end", "start", "type", "status", "grade")
SEEDED_KEY = "flt_seeded"
CURRENT_KEY = "flt_current"
NOTICES_KEY = "flt_notices"
# Minute step of the time inputs; rainfall arrives every 5 minutes.
TIME_STEP_S = 300


def _seed(latest: datetime, township_codes: list[str]) -> None:
    """Copy validated URL parameters into the widget keys, once per session."""
    params = {name: st.query_params.get(name) for name in MANAGED_PARAMS if name in st.query_params}
    parsed = flt.from_query_params(params, latest, township_codes)
    f = parsed.filters
    st.session_state.update(
        {
            "flt_townships": list(f.townships),
            "flt_hours": f.hours,
            "flt_end_date": f.end.date(),
            "flt_end_time": f.end.time(),
            "flt_start_date": f.start.date(),
            "flt_start_time": f.start.time(),
            "flt_types": list(f.types),
            "flt_statuses": list(f.statuses),
            "flt_grades": list(f.grades),
            NOTICES_KEY: parsed.notices,
            SEEDED_KEY: True,
        }
    )


def select_township(code: str) -> None:
    """Make ``code`` the township filter (used by map clicks, before the widgets render)."""
    st.session_state["flt_townships"] = [code]


def _write_back(params: dict[str, str]) -> None:
    for name in MANAGED_PARAMS:
        if name in params:
            if st.query_params.get(name) != params[name]:
                st.query_params[name] = params[name]
        elif name in st.query_params:
            del st.query_params[name]


def render() -> flt.Filters | None:
    """Draw the filter bar in the sidebar and return the current filters.

    Returns None when the store has no data time at all (nothing to filter yet).
    """
    first, latest = cached.data_range()
    if latest is None:
        st.session_state[CURRENT_KEY] = None
        return None
    township_frame = cached.townships()
    names = dict(zip(township_frame["code"], township_frame["name"], strict=True))
    if SEEDED_KEY not in st.session_state:
        _seed(latest, list(names))

    sidebar = st.sidebar
    sidebar.subheader(tr("filter.header"))
    sidebar.multiselect(
        tr("filter.townships"),
        options=list(names),
        format_func=lambda code: names.get(code, code),
        placeholder=tr("filter.townships_all"),
        select_all=False,
        key="flt_townships",
    )
    localized(
        sidebar.selectbox,
        tr("filter.window"),
        options=[*flt.PRESET_HOURS, flt.CUSTOM],
        format_func=lambda h: tr("filter.window_custom") if h == flt.CUSTOM else tr("filter.window_hours", hours=h),
        key="flt_hours",
    )
    custom = st.session_state["flt_hours"] == flt.CUSTOM
    if custom:
        sidebar.date_input(tr("filter.start_date"), key="flt_start_date")
        sidebar.time_input(tr("filter.start_time"), step=TIME_STEP_S, key="flt_start_time")
    sidebar.date_input(tr("filter.end_date"), key="flt_end_date")
    sidebar.time_input(tr("filter.end_time"), step=TIME_STEP_S, key="flt_end_time")
    type_labels = codelists.labels("incident_type", lang())  # every code of the store's list
    localized(
        sidebar.multiselect,
        tr("filter.types"),
        options=list(type_labels),
        format_func=type_labels.get,
        placeholder=tr("filter.all"),
        select_all=False,
        key="flt_types",
    )
    status_labels = labels("incident_status")
    localized(
        sidebar.multiselect,
        tr("filter.statuses"),
        options=list(status_labels),
        format_func=status_labels.get,
        placeholder=tr("filter.all"),
        select_all=False,
        key="flt_statuses",
    )

    grade_labels = labels("incident_grade")
    localized(
        sidebar.multiselect,
        tr("filter.grades"),
        options=list(grade_labels),
        format_func=grade_labels.get,
        placeholder=tr("filter.all"),
        select_all=False,
        key="flt_grades",
        help=tr("filter.grades_help"),
    )

    state = st.session_state
    end = datetime.combine(state["flt_end_date"], state["flt_end_time"] or time())
    start = datetime.combine(state["flt_start_date"], state["flt_start_time"] or time()) if custom else None
    hours = state["flt_hours"]
    if custom and start >= end:
        sidebar.warning(tr("filter.custom_order"))
        start, hours = None, flt.DEFAULT_HOURS
    order = {code: index for index, code in enumerate(names)}
    current = flt.Filters(
        end=end,
        hours=hours,
        start=start,
        townships=tuple(sorted(state["flt_townships"], key=order.get)),
        types=tuple(code for code in type_labels if code in state["flt_types"]),
        statuses=tuple(code for code in status_labels if code in state["flt_statuses"]),
        grades=tuple(code for code in grade_labels if code in state["flt_grades"]),
    )
    sidebar.caption(tr("filter.data_range", start=f"{first:%Y-%m-%d %H:%M}", end=f"{latest:%Y-%m-%d %H:%M}"))
    _write_back(flt.to_query_params(current, latest))
    st.session_state[CURRENT_KEY] = current
    return current


def current() -> flt.Filters | None:
    """Return the filters the sidebar bar set in this run (None when the store has no data)."""
    return st.session_state.get(CURRENT_KEY)


def show_notices() -> None:
    """Show, once, which URL parameters were ignored."""
    for notice in st.session_state.pop(NOTICES_KEY, []):
        key = "filter.custom_order" if notice.reason == "order" else "filter.invalid"
        st.warning(tr(key, name=plain(notice.name), value=plain(notice.value)))
