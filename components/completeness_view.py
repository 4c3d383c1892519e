"""Tables of the data-completeness page: per kind and per township, with the gaps named."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached
from components.text import dataframe, tr

GAP_FLAGS = ("no_gauges", "no_shelters", "no_teams")


def _time(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def kinds() -> None:
    """One row per kind: status, rows, latest time, fields with missing values, required fields."""
    summary = cached.kind_summary()
    table = pd.DataFrame(
        {
            tr("completeness.col.kind"): [tr(f"ingest.kind.{k}") for k in summary["kind"]],
            tr("completeness.col.status"): [
                tr("completeness.status.ok") if rows else tr("completeness.status.empty") for rows in summary["rows"]
            ],
            tr("completeness.col.rows"): summary["rows"],
            tr("completeness.col.latest"): [_time(v) for v in summary["latest"]],
            tr("completeness.col.missing"): [
                "、".join(f"{tr(f'ingest.field.{field}')} ({count:,})" for field, count in missing.items())
                for missing in summary["missing"]
            ],
            tr("completeness.col.required"): [
                "、".join(tr(f"ingest.field.{field}") for field in fields) for fields in summary["required"]
            ],
        }
    )
    dataframe(table, hide_index=True, width="stretch")


def townships() -> None:
    """One row per township with its counts and gaps (no gauge / shelter / team); a switch keeps only gaps."""
    frame = cached.township_summary()
    if frame.empty:
        st.info(tr("completeness.no_townships"), icon=":material/info:")
        return
    st.warning(
        tr("completeness.gaps", **{flag: int(frame[flag].sum()) for flag in GAP_FLAGS}), icon=":material/report:"
    )
    if st.toggle(tr("completeness.only_gaps"), key="completeness_only_gaps"):
        frame = frame[frame["gaps"] > 0]
    gaps = ["、".join(tr(f"completeness.gap.{flag}") for flag in GAP_FLAGS if row[flag]) for _, row in frame.iterrows()]
    table = pd.DataFrame(
        {
            tr("completeness.col.township"): frame["name"],
            tr("completeness.col.gaps"): gaps,
            tr("completeness.col.gauges"): frame["gauges"],
            tr("completeness.col.latest_rain"): [_time(v) for v in frame["latest_rain"]],
            tr("completeness.col.incidents"): frame["incidents"],
            tr("completeness.col.warehouses"): frame["warehouses"],
            tr("completeness.col.teams"): frame["teams"],
            tr("completeness.col.shelters"): frame["shelters"],
            tr("completeness.col.shelter_capacity"): frame["shelter_capacity"],
            tr("completeness.col.hazard_points"): frame["hazard_points"],
        }
    )
    dataframe(table, hide_index=True, width="stretch")


def location_missing() -> None:
    """Teams, shelters and warehouses kept without coordinates, per township."""
    frame = cached.location_missing()
    st.subheader(tr("completeness.location_missing"))
    if frame.empty:
        st.success(tr("completeness.no_location_missing"), icon=":material/check:")
        return
    st.warning(tr("completeness.location_missing_help"), icon=":material/location_off:")
    table = pd.DataFrame(
        {
            tr("completeness.col.township"): frame["township_name"].fillna(tr("completeness.no_township")),
            tr("completeness.col.kind"): [tr(f"ingest.kind.{t}") for t in frame["table"]],
            tr("completeness.col.missing_location"): frame["rows"],
            tr("completeness.col.names"): frame["names"],
        }
    )
    dataframe(table, hide_index=True, width="stretch")
    _locate_form(frame)


def _locate_form(frame: pd.DataFrame) -> None:
    """Give one record its coordinates (import permission; through emergency.actions)."""
    from components import identity
    from emergency import actions
    from emergency.access import PermissionDenied

    if not identity.can("import"):
        return
    records = [
        (table, name) for table, names in zip(frame["table"], frame["names"], strict=True) for name in names.split("、")
    ]
    with st.expander(tr("completeness.locate"), icon=":material/add_location:"), st.form("completeness_locate"):
        chosen = st.selectbox(
            tr("completeness.locate_record"), records, format_func=lambda r: f"{tr(f'ingest.kind.{r[0]}')} · {r[1]}"
        )
        left, middle, right = st.columns(3)
        lon = left.number_input(tr("completeness.locate_lon"), value=None, format="%.6f")
        lat = middle.number_input(tr("completeness.locate_lat"), value=None, format="%.6f")
        crs = right.selectbox(
            tr("completeness.locate_crs"),
            ["wgs84", "cgcs2000", "gcj02", "bd09"],
            format_func=lambda c: CRS_NAMES[c],
        )
        if st.form_submit_button(tr("completeness.locate_save")) and chosen and lon is not None and lat is not None:
            try:
                actions.set_location(cached.get_store(), identity.actor(), chosen[0], chosen[1], lon, lat, crs)
            except (ValueError, PermissionDenied) as error:
                st.error(tr("completeness.locate_failed", detail=str(error)))
            else:
                cached.clear()
                st.success(tr("completeness.located", name=chosen[1]))


CRS_NAMES = {"wgs84": "WGS84", "cgcs2000": "CGCS2000", "gcj02": "GCJ-02", "bd09": "BD-09"}
