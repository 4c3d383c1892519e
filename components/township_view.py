"""The township command view (乡镇可视化指挥) and the county comparison of townships."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st

from components import cached, export_buttons, filter_bar, map_layers, one_map
from components.chart_config import PLOTLY_CONFIG
from components.text import chart, dataframe, label, labels, lang, plain, tr
from emergency import charts, codelists, export, mapdata, rules, symbology, township
from emergency import filters as flt
from emergency.filters import Filters, bucket_minutes
from emergency.vocab import INCIDENT_STATUSES

PAGE = "pages/township.py"
# URL path of the township page, for links in tables (Streamlit names it after the file).
PAGE_URL = "township"
PICK_KEY = "township_pick"
DECK_KEY = "township_deck"
MAP_HEIGHT_PX = 560
# The map column's width on a common 1600 px screen (the legends take the rest).
MAP_WIDTH_PX = 760
# Grid cells with open incidents or hazard points over critical rain, and the other cells.
GRID_ALERT_COLOR = (255, 140, 0)
GRID_LINE_COLOR = (90, 90, 90)
VILLAGE_LINE_COLOR = (30, 30, 30)
# The township's own bounding box is padded by this share so near resources show too.
VIEW_PADDING = 0.08
RANK_COLUMNS = (
    "name",
    "rain_mean_mm",
    "rain_max_mm",
    "max_1h_mm",
    "open_incidents",
    "incidents",
    "hazard_people",
    "shelter_capacity",
    "shelter_cover",
    "nearest_team",
    "nearest_team_km",
    "last_rain_at",
    "rain_lag_min",
    "stale_gauges",
    "last_report_at",
    "lagging",
)


def chosen_township(f: Filters) -> str | None:
    """The township the page shows: the filter's one township, else None (the page offers a picker)."""
    return f.townships[0] if len(f.townships) == 1 else None


def _pick() -> None:
    code = st.session_state.get(PICK_KEY)
    if code:
        filter_bar.select_township(code)


def picker(f: Filters) -> None:
    """Ask for one township; choosing it sets the shared filter (and so the URL)."""
    frame = cached.townships()
    names = dict(zip(frame["code"], frame["name"], strict=True))
    options = list(f.townships) if f.townships else list(names)
    st.info(tr("township.pick_hint"), icon=":material/holiday_village:")
    st.selectbox(
        tr("township.pick"),
        options=options,
        index=None,
        format_func=lambda code: names.get(code, code),
        key=PICK_KEY,
        on_change=_pick,
        placeholder=tr("township.pick"),
    )


def stale_minutes() -> int:
    return one_map.stale_minutes()


def summary(code: str, f: Filters) -> township.TownshipSummary:
    return cached.township_situation(code, f.start, f.end, f.types, f.statuses, stale_minutes())


def kpis(s: township.TownshipSummary) -> None:
    row = s.figures
    mm = tr("unit.mm")
    cols = st.columns(6)
    cols[0].metric(
        tr("township.kpi.rain_mean"), "—" if pd.isna(row["rain_mean_mm"]) else f"{row['rain_mean_mm']:.1f} {mm}"
    )
    cols[1].metric(tr("township.kpi.max_1h"), "—" if pd.isna(row["max_1h_mm"]) else f"{row['max_1h_mm']:.1f} {mm}")
    cols[2].metric(tr("township.kpi.incidents"), f"{int(row['open_incidents'])} / {int(row['incidents'])}")
    cols[3].metric(tr("township.kpi.at_risk"), f"{s.people_at_risk}")
    cols[4].metric(
        tr("township.kpi.shelter_cover"),
        "—" if pd.isna(row["shelter_cover"]) else f"{row['shelter_cover']:.2f}",
        help=tr("township.kpi.shelter_cover_help"),
    )
    cols[5].metric(
        tr("township.kpi.nearest_team"),
        "—" if s.nearest_team is None else f"{s.nearest_team['km']:.1f}",
        help=tr("township.kpi.nearest_team_help"),
    )


def _alert_grids(s: township.TownshipSummary) -> set[str]:
    return set(s.contacts["grid_code"].dropna())


def _grid_layers(code: str, alert: set[str]) -> list[pdk.Layer]:
    """Village boundaries and grid cells (pickable, with grid member and phone in the tooltip)."""
    grids = cached.grids((code,))
    villages = cached.villages((code,))
    if grids.empty and villages.empty:
        return []
    layers = []
    if not grids.empty:
        tips = [
            mapdata.tooltip_text(
                f"{tr('township.tip.grid')} · {g.name}",
                [
                    (tr("township.tip.village"), g.village_name),
                    (tr("township.tip.keeper"), g.keeper),
                    (tr("township.tip.phone"), g.phone),
                ],
            )
            for g in grids.itertuples()
        ]
        props = pd.DataFrame(
            {
                "code": grids["code"],
                "name": grids["name"],
                "tip": tips,
                "fill": [[*GRID_ALERT_COLOR, 120] if code in alert else [255, 255, 255, 0] for code in grids["code"]],
            }
        )
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="township-grids",
                data=mapdata.feature_collection(mapdata.shapes_geojson(grids["geometry"]), props),
                stroked=True,
                filled=True,
                get_fill_color="properties.fill",
                get_line_color=[*GRID_LINE_COLOR, 200],
                line_width_min_pixels=1,
                pickable=True,
                auto_highlight=True,
            )
        )
    if not villages.empty:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="township-villages",
                data=mapdata.feature_collection(
                    mapdata.shapes_geojson(villages["geometry"]), villages[["code", "name"]]
                ),
                stroked=True,
                filled=False,
                get_line_color=[*VILLAGE_LINE_COLOR, 230],
                line_width_min_pixels=2,
                pickable=False,
            )
        )
    return layers


def _resource_layers(s: township.TownshipSummary, hazards: pd.DataFrame) -> list[pdk.Layer]:
    """Teams, warehouses and shelters in and near the township; its hazard points."""
    frames = {**{kind: s.resources[kind] for kind in ("warehouses", "teams", "shelters")}, "hazards": hazards}
    return [map_layers.RESOURCE_LAYERS[kind](rows) for kind, rows in frames.items() if not rows.empty]


def build_deck(s: township.TownshipSummary, f: Filters) -> pdk.Deck:
    """The map zoomed to the township: neighbours faded, its villages and grids, gauges, incidents and resources."""
    townships = cached.townships()
    metrics = townships[["code", "name", "geometry", "label_lon", "label_lat"]].merge(
        cached.township_metrics(f.start, f.end, f.types, f.statuses).drop(columns="name"), on="code", how="left"
    )
    tips = [
        mapdata.tooltip_text(
            f"{tr('map.tooltip.township')} · {name}",
            [(tr("map.metric.rain_mean"), "—" if pd.isna(mm) else f"{mm:.1f} {tr('unit.mm')}")],
        )
        for name, mm in zip(metrics["name"], metrics["rain_mean_mm"], strict=True)
    ]
    graded = metrics["rain_mean_mm"]
    if rules.graded_by_max_24h(f.window_hours):
        # Over 24 h: the mean of its gauges' largest 24 h on the 24 h scale, as on the one map.
        day = cached.gauge_totals(f.start, f.end, ()).groupby("township")["max_24h_mm"].mean()
        graded = metrics["code"].map(day)
    layers = [
        map_layers.township_layer(
            metrics,
            mapdata.shapes_geojson(townships["geometry"]),
            symbology.rain_colors(graded, f.window_hours),
            tips,
            (s.code,),
        )
    ]
    layers += _grid_layers(s.code, _alert_grids(s))
    layers += _resource_layers(s, cached.hazard_points((s.code,)))
    gauges = cached.gauge_totals(f.start, f.end, (s.code,))
    if not gauges.empty:
        stale = cached.stale_gauges(f.end, stale_minutes())
        layers.append(
            map_layers.gauge_layer(gauges, f.window_hours, dict(zip(stale["code"], stale["age_min"], strict=True)))
        )
    if not s.incidents.empty:
        layers.append(map_layers.incident_layer(s.incidents))
    layers.append(map_layers.township_label_layer(townships))
    row = townships[townships["code"] == s.code].iloc[0]
    min_lon, min_lat, max_lon, max_lat = shapely.from_wkb(bytes(row["geometry"])).bounds
    pad_lon, pad_lat = (max_lon - min_lon) * VIEW_PADDING, (max_lat - min_lat) * VIEW_PADDING
    view = mapdata.fit_view(
        min_lon - pad_lon,
        min_lat - pad_lat,
        max_lon + pad_lon,
        max_lat + pad_lat,
        width_px=MAP_WIDTH_PX,
        height_px=MAP_HEIGHT_PX,
    )
    return map_layers.deck(layers, view)


def legends(f: Filters) -> None:
    rows = [
        (f"{label('rain_grade', code)} {text}", color) for code, text, color in symbology.rain_legend(f.window_hours)
    ]
    map_layers.legend(
        tr("map.legend.rain", scale=symbology.rain_scale_hours(f.window_hours)),
        rows,
        note=tr("township.legend.neighbours")
        + (" " + tr("map.legend.max_24h") if rules.graded_by_max_24h(f.window_hours) else ""),
    )
    map_layers.legend(
        tr("township.legend.grids"),
        [
            (tr("township.legend.village"), VILLAGE_LINE_COLOR),
            (tr("township.legend.grid"), GRID_LINE_COLOR),
            (tr("township.legend.grid_alert"), GRID_ALERT_COLOR),
        ],
    )
    map_layers.legend(
        tr("map.layer.gauges"),
        [(tr("map.legend.stale", minutes=stale_minutes()), map_layers.STALE_RING)],
        note=tr("map.legend.gauge_size"),
    )
    map_layers.code_legend(tr("map.legend.incident_types"), "incident_type", note=tr("map.legend.incident_size"))
    map_layers.legend(
        tr("map.legend.incident_ring"), [(label("incident_status", c), color) for c, color in INCIDENT_STATUSES.items()]
    )
    map_layers.legend(
        tr("map.legend.resources"),
        [
            (tr("map.legend.warehouses"), map_layers.WAREHOUSE_COLOR),
            (tr("map.legend.shelters"), map_layers.SHELTER_COLOR),
        ],
        note=tr("township.legend.resources_near", km=f"{township.NEAR_KM:g}"),
    )
    map_layers.code_legend(tr("map.legend.shelter_kinds"), "shelter_kind", note=tr("map.legend.shelter_ring"))
    map_layers.code_legend(tr("map.legend.teams"), "team_kind")
    map_layers.code_legend(tr("map.legend.hazards"), "hazard_kind")


def township_map(s: township.TownshipSummary, f: Filters) -> None:
    map_column, side = st.columns([4, 1.2])
    with side:
        legends(f)
    with map_column:
        if s.grids == 0:
            st.caption(tr("township.no_grids"))
        st.pydeck_chart(build_deck(s, f), height=MAP_HEIGHT_PX, key=DECK_KEY)


def figures(s: township.TownshipSummary) -> None:
    rows = township.figure_rows(s, lang())
    dataframe(
        pd.DataFrame(rows, columns=[tr("briefing.col.measure"), tr("briefing.col.value")]),
        hide_index=True,
        width="stretch",
        key="township_figures",
    )


def contacts(s: township.TownshipSummary) -> None:
    rows = township.contact_rows(s.contacts, lang())
    if not rows:
        st.info(tr("township.no_contacts"))
        return
    columns = [tr(f"township.col.{c}") for c in ("role", "name", "phone", "grid", "why")]
    dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch", key="township_contacts")


def rain(s: township.TownshipSummary, f: Filters) -> None:
    minutes = bucket_minutes(f.window_hours)
    series = cached.rain_series(f.start, f.end, minutes, (), (s.code,))
    if series.empty or not series["gauges"].sum():
        st.info(tr("map.empty_rain"), icon=":material/info:")
        return
    st.plotly_chart(
        chart(charts.hyetograph(series, minutes, s.name, lang())),
        key="township_hyetograph",
        theme=None,
        config=PLOTLY_CONFIG,
    )


def incident_list(s: township.TownshipSummary) -> None:
    if s.incidents.empty:
        st.info(tr("map.empty_incidents"), icon=":material/info:")
        return
    columns = ["id", "occurred_at", "type", "status", "address", "deaths", "injured", "missing", "trapped"]
    table = s.incidents[columns].copy()
    texts = s.incidents["type_label"] if "type_label" in s.incidents else [None] * len(table)
    # Every code by its name, "other" with the department's text: 其他·人员失联.
    table["type"] = [
        codelists.display("incident_type", code, text, lang()) for code, text in zip(table["type"], texts, strict=True)
    ]
    table["status"] = table["status"].map(labels("incident_status")).fillna(table["status"])
    dataframe(
        table.rename(columns={c: tr(f"col.{c}") for c in columns}),
        hide_index=True,
        width="stretch",
        key="township_incidents",
    )


def resources(s: township.TownshipSummary) -> None:
    rows = township.resource_rows(s, lang())
    if not rows:
        st.info(tr("township.no_resources"))
        return
    st.caption(tr("township.h.resources", km=f"{township.NEAR_KM:g}"))
    columns = [tr(f"township.col.{c}") for c in ("kind", "name", "where", "size")]
    dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch", key="township_resources")


def grid_table(code: str) -> None:
    grids = cached.grids((code,))
    if grids.empty:
        st.info(tr("township.no_grids"))
        return
    table = grids[["code", "name", "village_name", "keeper", "phone", "area_km2"]].copy()
    table["area_km2"] = table["area_km2"].round(2)
    table.columns = [
        tr("col.code"),
        tr("township.col.grid"),
        tr("township.col.village"),
        tr("township.col.keeper"),
        tr("township.col.phone"),
        tr("township.col.area_km2"),
    ]
    dataframe(table, hide_index=True, width="stretch", key="township_grids")


def card_download(s: township.TownshipSummary) -> None:
    language = lang()
    export_buttons.download(
        st,
        tr("township.card.download"),
        lambda: township.card_pdf(s, language),
        export.file_name(tr("township.card.subject"), s.start, s.end, "pdf", [s.name], language),
        "application/pdf",
        "township_card_pdf",
        icon=":material/picture_as_pdf:",
    )


def render(code: str, f: Filters) -> None:
    """Draw one township's whole situation: KPIs, map, figures, who to call, rain, incidents, resources, grids."""
    if code not in set(cached.townships()["code"]):
        st.warning(tr("township.unknown", code=plain(code)))
        return
    s = summary(code, f)
    st.subheader(tr("township.heading", name=plain(s.name), code=plain(s.code)))
    if s.is_demo:
        st.caption(tr("township.demo_note"))
    kpis(s)
    card_download(s)
    township_map(s, f)
    left, right = st.columns([1, 1.3])
    with left:
        st.markdown(f"**{tr('township.h.figures')}**")
        figures(s)
    with right:
        st.markdown(f"**{tr('township.h.contacts')}**")
        contacts(s)
    rain_tab, incident_tab, resource_tab, grid_tab = st.tabs(
        [tr("township.tab.rain"), tr("township.tab.incidents"), tr("township.tab.resources"), tr("township.tab.grids")]
    )
    with rain_tab:
        rain(s, f)
    with incident_tab:
        incident_list(s)
    with resource_tab:
        resources(s)
    with grid_tab:
        grid_table(code)


# ------------------------------------------------------------------------ county comparison


def page_url(code: str, f: Filters) -> str:
    """Relative URL of the township page for ``code`` with the same window and selections."""
    _, latest = cached.data_range()
    params = {**flt.to_query_params(f, latest), "township": code}
    return f"{PAGE_URL}?" + "&".join(f"{name}={value}" for name, value in params.items())


def ranking_table(f: Filters) -> None:
    """Every township on the same figures: sortable, exportable, each row linking to its page."""
    frame = cached.township_ranking(f.start, f.end, f.types, f.statuses, stale_minutes())
    st.caption(tr("township.rank.caption", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))
    lagging = int(frame["lagging"].sum())
    st.caption(
        f"{tr('township.rank.lagging_count', n=lagging)}　{tr('township.rank.lag_help', minutes=stale_minutes())}"
    )
    table = frame[list(RANK_COLUMNS)].copy()
    table["lagging"] = table["lagging"].map({True: tr("township.rank.lagging"), False: tr("township.rank.current")})
    table.insert(1, "link", [page_url(code, f) for code in frame["code"]])
    headers = {column: tr(f"township.rank.col.{column}") for column in [*RANK_COLUMNS, "link"]}
    shown = table.rename(columns=headers)
    st.container(key="township_ranking_table").dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="township_ranking",
        column_config={
            headers["link"]: st.column_config.LinkColumn(headers["link"], display_text=tr("township.rank.open")),
            headers["last_rain_at"]: st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
            headers["last_report_at"]: st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
        },
    )
    _exports(frame, f)
    _open_buttons(frame, f)


def _exports(frame: pd.DataFrame, f: Filters) -> None:
    language = lang()
    # Flags and missing values read as a person expects (是/否, empty), as in the table on screen.
    readable = export.readable(
        frame[["code", *RANK_COLUMNS]].rename(
            columns={"code": tr("col.code"), **{c: tr(f"township.rank.col.{c}") for c in RANK_COLUMNS}}
        ),
        language,
    )
    subject = tr("township.rank.subject")
    row = st.container(horizontal=True, key="township_ranking_exports")
    for ext, text, make, mime, icon in (
        ("csv", tr("export.csv"), lambda: export.to_csv(readable), export.CSV_MIME, ":material/table_view:"),
        (
            "xlsx",
            tr("export.xlsx"),
            lambda: export.to_xlsx({subject: readable}),
            export.XLSX_MIME,
            ":material/grid_on:",
        ),
    ):
        export_buttons.download(
            row,
            text,
            make,
            export.file_name(subject, f.start, f.end, ext, [], language),
            mime,
            f"township_ranking_{ext}",
            icon=icon,
        )


def _open_buttons(frame: pd.DataFrame, f: Filters) -> None:
    """Open a township in this tab (the table's links open a new one)."""
    names = dict(zip(frame["code"], frame["name"], strict=True))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    code = left.selectbox(
        tr("township.rank.choose"), options=list(names), format_func=names.get, key="township_ranking_choose"
    )
    if right.button(tr("township.rank.go"), icon=":material/holiday_village:", key="township_ranking_go"):
        _, latest = cached.data_range()
        # As for a shared link: the filter bar re-reads the target URL (see components.charts).
        st.session_state.pop(filter_bar.SEEDED_KEY, None)
        st.switch_page(PAGE, query_params={**flt.to_query_params(f, latest), "township": code})
