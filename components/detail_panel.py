"""The detail panel of a clicked map object: its fields and its related rows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached, map_layers, water_view
from components.chart_config import PLOTLY_CONFIG
from components.text import chart, dataframe, label, lang, plain, tr
from emergency import charts, codelists
from emergency.filters import Filters, bucket_minutes

DETAIL_KEY = "one_map_detail"
# Layers whose objects open a detail panel, with the vocabulary of their "kind" column.
DETAIL_LAYERS = {"townships", "gauges", "incidents", "warehouses", "teams", "shelters", "hazards", "water"}


def open_detail(layer: str, key: str) -> None:
    st.session_state[DETAIL_KEY] = (layer, key)


def _close() -> None:
    st.session_state.pop(DETAIL_KEY, None)


def _fields(rows: list[tuple[str, object]]) -> None:
    """Show name/value pairs as a plain table (values are data, never markup)."""
    table = pd.DataFrame(
        {
            tr("detail.field"): [name for name, _ in rows],
            tr("detail.value"): [
                "—" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for _, v in rows
            ],
        }
    )
    dataframe(table, hide_index=True, width="stretch")


def _row(frame: pd.DataFrame, column: str, key: str) -> pd.Series | None:
    match = frame[frame[column] == key]
    return None if match.empty else match.iloc[0]


def _township(f: Filters, code: str) -> None:
    metrics = cached.township_metrics(f.start, f.end, f.types, f.statuses)
    row = _row(metrics, "code", code)
    if row is None:
        st.info(tr("detail.gone"))
        return
    st.subheader(f"{tr('map.tooltip.township')} · {plain(row['name'])}")
    cols = st.columns(4)
    mm = tr("unit.mm")
    cols[0].metric(
        tr("map.metric.rain_mean"), "—" if pd.isna(row["rain_mean_mm"]) else f"{row['rain_mean_mm']:.1f} {mm}"
    )
    cols[1].metric(tr("map.metric.max_3h"), "—" if pd.isna(row["max_3h_mm"]) else f"{row['max_3h_mm']:.1f} {mm}")
    cols[2].metric(tr("map.metric.incidents"), f"{row['incidents']}（{row['open_incidents']}）")
    cols[3].metric(tr("map.metric.hazard_people"), int(row["hazard_people"]))
    townships = (code,)
    counts = [
        (tr("map.layer.gauges"), cached.count_rows("rain_gauges", townships)),
        (tr("map.layer.warehouses"), len(cached.warehouses(townships))),
        (tr("map.layer.teams"), len(cached.teams(townships))),
        (tr("map.layer.shelters"), len(cached.shelters(townships))),
        (tr("map.layer.hazards"), len(cached.hazard_points(townships))),
    ]
    _fields(counts)
    # --- link to the township command page; the click already made it the filter ---
    st.page_link(
        "pages/township.py",
        label=tr("township.open_from_map"),
        icon=":material/holiday_village:",
        query_params={"township": code},
    )


def _gauge(f: Filters, code: str) -> None:
    gauges = cached.gauge_totals(f.start, f.end, ())
    row = _row(gauges, "code", code)
    if row is None:
        st.info(tr("detail.gone"))
        return
    st.subheader(f"{tr('map.tooltip.gauge')} · {plain(row['name'])}")
    minutes = bucket_minutes(f.window_hours)
    series = cached.rain_series(f.start, f.end, minutes, (code,), ())
    left, right = st.columns([1, 2])
    with left:
        _fields(
            [
                ("ID", code),
                (tr("col.township_name"), row["township_name"]),
                (tr("map.tooltip.rain"), row["total_mm"]),
                (tr("detail.elevation"), row["elevation_m"]),
                (tr("detail.reports"), row["reports"]),
            ]
        )
    with right:
        if series["gauges"].sum() == 0:
            st.info(tr("map.empty_rain"))
        else:
            st.plotly_chart(
                chart(charts.hyetograph(series, minutes, row["name"], lang())),
                key="detail_hyetograph",
                config=PLOTLY_CONFIG,
            )


def _incident(f: Filters, ident: str) -> None:
    record = cached.incident(ident)
    if record.empty:
        st.info(tr("detail.gone"))
        return
    row = record.iloc[0]
    kind = codelists.display("incident_type", row["type"], row.get("type_label"), lang())  # 其他·<text>
    st.subheader(f"{tr('map.tooltip.incident')} · {plain(kind)} · {plain(ident)}")
    _fields(
        [
            (tr("col.occurred_at"), f"{row['occurred_at']:%Y-%m-%d %H:%M}"),
            (tr("col.status"), label("incident_status", row["status"])),
            (tr("col.township_name"), row["township_name"]),
            (tr("col.address"), row["address"]),
            (tr("col.deaths"), row["deaths"]),
            (tr("col.injured"), row["injured"]),
            (tr("col.missing"), row["missing"]),
            (tr("col.trapped"), row["trapped"]),
            (tr("detail.loss"), row["loss_10k_yuan"]),
            (tr("detail.description"), row["description"]),
            (tr("detail.source"), row["source"]),
            (tr("detail.updated_at"), None if pd.isna(row["updated_at"]) else f"{row['updated_at']:%Y-%m-%d %H:%M}"),
        ]
    )


def _warehouse(f: Filters, name: str) -> None:
    row = _row(cached.warehouses(()), "name", name)
    if row is None:
        st.info(tr("detail.gone"))
        return
    st.subheader(f"{tr('map.layer.warehouses')} · {plain(name)}")
    _fields(
        [
            (tr("col.township_name"), row["township_name"]),
            (tr("col.address"), row["address"]),
            (tr("detail.manager"), row["manager"]),
            (tr("detail.phone"), row["phone"]),
        ]
    )
    stock = cached.warehouse_stock(name).copy()
    texts = stock.pop("category_label") if "category_label" in stock else [None] * len(stock)
    # 其他·<department text> for a category kept as "other".
    stock["category"] = [
        codelists.display("stock_category", code, text, lang())
        for code, text in zip(stock["category"], texts, strict=True)
    ]
    stock.columns = [tr(f"detail.stock.{column}") for column in stock.columns]
    dataframe(stock, hide_index=True, width="stretch")


def _team(f: Filters, name: str) -> None:
    row = _row(cached.teams(()), "name", name)
    if row is None:
        st.info(tr("detail.gone"))
        return
    st.subheader(f"{tr('map.layer.teams')} · {plain(name)}")
    _fields(
        [
            (tr("map.tooltip.kind"), codelists.display("team_kind", row["kind"], row.get("kind_label"), lang())),
            (tr("map.tooltip.members"), row["members"]),
            (tr("detail.leader"), row["leader"]),
            (tr("detail.phone"), row["phone"]),
            (tr("col.township_name"), row["township_name"]),
        ]
    )


def _shelter(f: Filters, name: str) -> None:
    row = _row(cached.shelters(()), "name", name)
    if row is None:
        st.info(tr("detail.gone"))
        return
    st.subheader(f"{tr('map.layer.shelters')} · {plain(name)}")
    _fields(
        [
            (tr("map.tooltip.kind"), codelists.display("shelter_kind", row["kind"], row.get("kind_label"), lang())),
            (tr("detail.capacity"), row["capacity"]),
            (tr("detail.occupancy"), row["occupancy"]),
            (tr("map.tooltip.free"), row["free"]),
            (tr("col.township_name"), row["township_name"]),
        ]
    )


def _hazard(f: Filters, ident: str) -> None:
    row = _row(cached.hazard_points(()), "id", ident)
    if row is None:
        st.info(tr("detail.gone"))
        return
    kind = codelists.display("hazard_kind", row["kind"], row.get("kind_label"), lang())
    st.subheader(f"{tr('map.layer.hazards')} · {plain(kind)} · {plain(row['name'])}")
    _fields(
        [
            ("ID", ident),
            (tr("map.tooltip.people"), row["people"]),
            (tr("detail.households"), row["households"]),
            (tr("detail.critical_1h"), row["critical_mm_1h"]),
            (tr("detail.critical_3h"), row["critical_mm_3h"]),
            (tr("detail.critical_24h"), row["critical_mm_24h"]),
            (tr("col.township_name"), row["township_name"]),
        ]
    )
    # The point against its critical rainfall at the window's end (emergency.rules.hazards).
    assessed = _row(cached.all_hazards(f.end), "id", ident)
    if assessed is None:
        return
    at = f.end.strftime("%m-%d %H:%M")
    if not assessed["evaluated"]:
        st.caption(tr("detail.hazard_unassessed", km=f"{float(assessed['max_km']):g}", at=at))
        return
    st.caption(tr("detail.hazard_rain", at=at))
    _fields(
        [
            *((tr("warning.col.mm_h", hours=h), f"{float(assessed[f'mm_{h}h']):.1f}") for h in (1, 3, 24)),
            (
                tr("map.hazard_risk.over") if assessed["at_risk"] else tr("detail.hazard_worst"),
                map_layers.hazard_risk_text(assessed),
            ),
            (tr("warning.col.gauge_name"), f"{assessed['gauge_name']}（{float(assessed['gauge_km']):.1f} km）"),
        ]
    )


RENDERERS = {
    "townships": _township,
    "gauges": _gauge,
    "incidents": _incident,
    "warehouses": _warehouse,
    "teams": _team,
    "shelters": _shelter,
    "hazards": _hazard,
    "water": water_view.detail,  # river and reservoir stations
}


def render(f: Filters) -> None:
    """Draw the panel of the last clicked object, or a hint how to open one."""
    picked = st.session_state.get(DETAIL_KEY)
    with st.container(border=True, key="one_map_detail_panel"):
        if not picked:
            st.caption(tr("detail.hint"))
            return
        layer, key = picked
        RENDERERS[layer](f, key)
        st.button(tr("detail.close"), on_click=_close, key="one_map_detail_close")
