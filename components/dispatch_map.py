"""The dispatch view: incident list, map with rings and lines, nearby resources, dispatch form and log."""

from __future__ import annotations

import math

import pandas as pd
import pydeck as pdk
import streamlit as st

from components import cached, identity, map_layers
from components.text import dataframe, label, labels, lang, plain, tr
from emergency import dispatch, mapdata, rules
from emergency.access import PermissionDenied
from emergency.filters import Filters
from emergency.vocab import DISPATCH_STATUSES, INCIDENT_GRADES, RESOURCE_KINDS

DECK_KEY = "dispatch_deck"
TABLE_KEY = "dispatch_incident_table"
TARGET_KEY = "dispatch_target"
IDS_KEY = "dispatch_incident_ids"
DONE_KEY = "dispatch_form_done"
ROUND_KEY = "dispatch_form_round"
MAP_HEIGHT_PX = 560
# Side of the invisible cells that make any map point clickable, km.
PICK_CELL_KM = 1.0
RING_COLOR = (90, 90, 90)
TARGET_COLOR = (20, 20, 20)
GAP_COLOR = (214, 39, 40)
# Incidents listed at most (the gravest first); the map shows the same rows.
MAX_LISTED = 300


# ------------------------------------------------------------------------- target


def target() -> dict | None:
    """The incident or point dispatch works on: incident_id (or None), type, lon, lat."""
    return st.session_state.get(TARGET_KEY)


def _set_incident(row: dict) -> None:
    st.session_state[TARGET_KEY] = {
        "incident_id": row["id"],
        "type": row.get("type"),
        "lon": float(row["lon"]),
        "lat": float(row["lat"]),
        "address": row.get("address"),
    }


def _on_table_select() -> None:
    rows = st.session_state[TABLE_KEY].get("selection", {}).get("rows", [])
    records = st.session_state.get(IDS_KEY, [])
    if rows and rows[0] < len(records):
        _set_incident(records[rows[0]])


def _on_map_select() -> None:
    """A click on an incident targets it; a click anywhere else targets that point (its 1 km cell)."""
    objects = st.session_state[DECK_KEY].get("selection", {}).get("objects", {})
    incidents = objects.get("dispatch-incidents") or []
    cells = objects.get("dispatch-pick-grid") or []
    if incidents:
        _set_incident(incidents[0])
    elif cells:
        cell = cells[0]
        st.session_state[TARGET_KEY] = {
            "incident_id": None,
            "type": None,
            "lon": float(cell["lon"]),
            "lat": float(cell["lat"]),
            "address": None,
        }


def search(goal: dict | None) -> dispatch.Nearby | None:
    """The radius slider and the radius query around the target (None without a target)."""
    radius = st.slider(
        tr("dispatch.radius"),
        min_value=1.0,
        max_value=dispatch.MAX_RADIUS_KM,
        value=dispatch.DEFAULT_RADIUS_KM,
        step=1.0,
        key="dispatch_radius",
    )
    return cached.nearby(goal["lon"], goal["lat"], float(radius), goal["type"]) if goal else None


def heading(goal: dict) -> None:
    if goal["incident_id"]:
        st.subheader(
            tr(
                "dispatch.target.incident",
                id=plain(goal["incident_id"]),
                type=label("incident_type", goal["type"]),
                address=plain(goal["address"] or "—"),
            )
        )
    else:
        st.subheader(tr("dispatch.target.point", lon=goal["lon"], lat=goal["lat"]))


# -------------------------------------------------------------------------- list


def incident_list(f: Filters) -> pd.DataFrame:
    """The filtered incidents with grade and dispatch count, gravest and newest first; a row click targets one."""
    graded = cached.incident_grades(f.start, f.end, f.townships, f.types, f.statuses)
    graded = (
        graded.dropna(subset=["lon", "lat"])
        .sort_values(["grade_rank", "occurred_at"], ascending=False, kind="stable")
        .head(MAX_LISTED)
    )
    log = cached.dispatches(None).dropna(subset=["incident_id"])
    counts = log.groupby("incident_id").size()
    # The log is newest first: the first status per incident is its latest.
    latest = log.groupby("incident_id")["status"].first().map(labels("dispatch_status"))
    graded = graded.assign(
        dispatched=graded["id"].map(counts).fillna(0).astype(int),
        dispatch_status=[latest.get(ident, "—") for ident in graded["id"]],
    ).reset_index(drop=True)
    st.session_state[IDS_KEY] = graded[["id", "type", "lon", "lat", "address"]].to_dict("records")
    st.markdown(f"**{tr('dispatch.incidents')}**")
    if graded.empty:
        st.info(tr("map.empty_incidents"))
        return graded
    shown = pd.DataFrame(
        {
            tr("col.id"): graded["id"],
            tr("warning.col.grade"): [
                rules.grade_label(scale, grade, lang())
                for scale, grade in zip(graded["grade_scale"], graded["grade"], strict=True)
            ],
            tr("col.type"): graded["type"].map(labels("incident_type")),
            tr("col.township_name"): graded["township_name"],
            tr("col.occurred_at"): graded["occurred_at"].dt.strftime("%m-%d %H:%M"),
            tr("col.status"): graded["status"].map(labels("incident_status")),
            tr("dispatch.log"): graded["dispatched"],
            tr("dispatch.col.latest_status"): graded["dispatch_status"],
        }
    )
    dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=MAP_HEIGHT_PX - 60,
        key=TABLE_KEY,
        on_select=_on_table_select,
        selection_mode="single-row",
    )
    return graded


# --------------------------------------------------------------------------- map


def _points(frame: pd.DataFrame, kind: str, title_column: str, rows) -> pd.DataFrame:
    data = frame[["lon", "lat", title_column, "distance_km", "eta_min"]].copy()
    data["tip"] = [
        mapdata.tooltip_text(f"{label('resource_kind', kind)} · {title}", extra)
        for title, extra in zip(data[title_column], rows, strict=True)
    ]
    return data


def _resource_layer(layer_id: str, data: pd.DataFrame, kind: str, radius_px: int) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=data,
        get_position=["lon", "lat"],
        get_fill_color=[*RESOURCE_KINDS[kind], 230],
        get_radius=200,
        radius_min_pixels=radius_px,
        radius_max_pixels=radius_px + 6,
        stroked=True,
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1.5,
        pickable=True,
    )


def _cell_polygons(cells: pd.DataFrame, cell_km: float) -> pd.DataFrame:
    """Square polygons of ``cell_km`` around cell centres (lon/lat steps at the cells' mean latitude)."""
    half_lat = cell_km / 2 / 111.195
    half_lon = half_lat / math.cos(math.radians(float(cells["lat"].mean()) if len(cells) else 0.0))
    data = cells[["lon", "lat"]].copy()
    data["polygon"] = [
        [
            [x - half_lon, y - half_lat],
            [x + half_lon, y - half_lat],
            [x + half_lon, y + half_lat],
            [x - half_lon, y + half_lat],
        ]
        for x, y in zip(data["lon"], data["lat"], strict=True)
    ]
    return data


def layers(incidents: pd.DataFrame, found: dispatch.Nearby | None, gaps: pd.DataFrame | None) -> list[pdk.Layer]:
    """Every dispatch layer, bottom to top, each with its fixed id."""
    county = cached.county()
    townships = cached.townships()
    result = []
    picks = _cell_polygons(cached.pick_cells(PICK_CELL_KM), PICK_CELL_KM)
    picks["tip"] = [
        mapdata.tooltip_text(tr("dispatch.map.pick_cell"), [("", f"{x:.3f}, {y:.3f}")])
        for x, y in zip(picks["lon"], picks["lat"], strict=True)
    ]
    # Nearly transparent cells: deck.gl picks them, the eye does not see them.
    result.append(
        pdk.Layer(
            "PolygonLayer",
            id="dispatch-pick-grid",
            data=picks,
            get_polygon="polygon",
            filled=True,
            stroked=False,
            get_fill_color=[255, 255, 255, 1],
            pickable=True,
        )
    )
    if gaps is not None and not gaps.empty:
        gap_cells = _cell_polygons(gaps, dispatch.DEFAULT_CELL_KM)
        result.append(
            pdk.Layer(
                "PolygonLayer",
                id="dispatch-coverage-gaps",
                data=gap_cells,
                get_polygon="polygon",
                filled=True,
                stroked=False,
                get_fill_color=[*GAP_COLOR, 70],
                pickable=False,
            )
        )
    shapes = mapdata.shapes_geojson(tuple(townships["geometry"]))
    result.append(
        pdk.Layer(
            "GeoJsonLayer",
            id="dispatch-townships",
            data=mapdata.feature_collection(shapes, townships[["code", "name"]]),
            stroked=True,
            filled=False,
            get_line_color=[150, 150, 150, 200],
            line_width_min_pixels=1,
            pickable=False,
        )
    )
    county_shape = mapdata.shapes_geojson(tuple(county["geometry"]))
    result.append(map_layers.county_outline_layer(mapdata.feature_collection(county_shape, county[["code", "name"]])))
    if found is not None:
        rings = pd.DataFrame({"radius_km": dispatch.ring_radii(found.radius_km)})
        rings["path"] = [dispatch.circle_path(found.lon, found.lat, r) for r in rings["radius_km"]]
        rings["width"] = [3 if r == found.radius_km else 1.5 for r in rings["radius_km"]]
        # Widths in metres with a pixel floor, as GeoJsonLayer draws lines: pixel width units
        # draw wedges under software GL (headless Chromium).
        result.append(
            pdk.Layer(
                "PathLayer",
                id="dispatch-rings",
                data=rings[["path", "width"]],
                get_path="path",
                get_width="width",
                width_scale=20,
                width_min_pixels=1.5,
                get_color=[*RING_COLOR, 220],
                pickable=False,
            )
        )
        lines = pd.concat(
            [
                frame[["lon", "lat"]].assign(color=[[*RESOURCE_KINDS[kind], 160]] * len(frame))
                for kind, frame in (("team", found.teams), ("warehouse", found.warehouses), ("shelter", found.shelters))
            ],
            ignore_index=True,
        )
        lines["path"] = [
            [[found.lon, found.lat], [lon, lat]] for lon, lat in zip(lines["lon"], lines["lat"], strict=True)
        ]
        result.append(
            pdk.Layer(
                "PathLayer",
                id="dispatch-lines",
                data=lines[["path", "color"]],
                get_path="path",
                get_color="color",
                get_width=30,
                width_min_pixels=1.5,
                pickable=False,
            )
        )
        hazard_kinds = labels("hazard_kind")
        result.append(
            _resource_layer(
                "dispatch-hazards",
                _points(
                    found.hazards,
                    "hazard",
                    "name",
                    [
                        [
                            (tr("dispatch.col.kind"), hazard_kinds.get(k, k)),
                            (tr("dispatch.col.people"), p),
                            (tr("dispatch.col.distance"), d),
                        ]
                        for k, p, d in zip(
                            found.hazards["kind"], found.hazards["people"], found.hazards["distance_km"], strict=True
                        )
                    ],
                ),
                "hazard",
                4,
            )
        )
        result.append(
            _resource_layer(
                "dispatch-shelters",
                _points(
                    found.shelters,
                    "shelter",
                    "name",
                    [
                        [(tr("dispatch.col.free"), free), (tr("dispatch.col.distance"), d), (tr("dispatch.col.eta"), e)]
                        for free, d, e in zip(
                            found.shelters["free"],
                            found.shelters["distance_km"],
                            found.shelters["eta_min"],
                            strict=True,
                        )
                    ],
                ),
                "shelter",
                5,
            )
        )
        result.append(
            _resource_layer(
                "dispatch-warehouses",
                _points(
                    found.warehouses,
                    "warehouse",
                    "name",
                    [
                        [
                            (tr("dispatch.col.items"), items),
                            (tr("dispatch.col.distance"), d),
                            (tr("dispatch.col.eta"), e),
                        ]
                        for items, d, e in zip(
                            found.warehouses["items"],
                            found.warehouses["distance_km"],
                            found.warehouses["eta_min"],
                            strict=True,
                        )
                    ],
                ),
                "warehouse",
                6,
            )
        )
        team_kinds = labels("team_kind")
        result.append(
            _resource_layer(
                "dispatch-teams",
                _points(
                    found.teams,
                    "team",
                    "name",
                    [
                        [
                            (tr("dispatch.col.kind"), team_kinds.get(k, k)),
                            (tr("dispatch.col.members"), m),
                            (tr("dispatch.col.distance"), d),
                            (tr("dispatch.col.eta"), e),
                        ]
                        for k, m, d, e in zip(
                            found.teams["kind"],
                            found.teams["members"],
                            found.teams["distance_km"],
                            found.teams["eta_min"],
                            strict=True,
                        )
                    ],
                ),
                "team",
                7,
            )
        )
    if not incidents.empty:
        data = incidents[["id", "type", "address", "lon", "lat", "grade"]].copy()
        data["fill"] = [[*INCIDENT_GRADES.get(grade, (90, 90, 90)), 240] for grade in data["grade"]]
        data["tip"] = [
            mapdata.tooltip_text(
                f"{tr('map.tooltip.incident')} · {label('incident_type', kind)}",
                [
                    ("ID", ident),
                    (tr("warning.col.grade"), label("incident_grade", grade) if grade else "—"),
                    (tr("map.tooltip.address"), address),
                ],
            )
            for ident, kind, grade, address in zip(
                data["id"], data["type"], data["grade"], data["address"], strict=True
            )
        ]
        result.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="dispatch-incidents",
                data=data,
                get_position=["lon", "lat"],
                get_fill_color="fill",
                get_radius=250,
                radius_min_pixels=5,
                radius_max_pixels=12,
                stroked=True,
                get_line_color=[40, 40, 40, 255],
                line_width_min_pixels=1,
                pickable=True,
                auto_highlight=True,
            )
        )
    if found is not None:
        result.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="dispatch-target",
                data=pd.DataFrame({"lon": [found.lon], "lat": [found.lat]}),
                get_position=["lon", "lat"],
                get_fill_color=[255, 255, 255, 255],
                get_line_color=[*TARGET_COLOR, 255],
                get_radius=400,
                radius_min_pixels=9,
                radius_max_pixels=16,
                stroked=True,
                line_width_min_pixels=4,
                pickable=False,
            )
        )
    return result


def render_map(incidents: pd.DataFrame, found: dispatch.Nearby | None, gaps: pd.DataFrame | None) -> None:
    """The map with its legends; clicks go to the incident or point target."""
    county = cached.county()
    if county.empty:
        st.info(tr("app.no_data"))
        return
    box = county.iloc[0]
    view = mapdata.fit_view(box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"], height_px=MAP_HEIGHT_PX)
    if found is not None:
        view = {**view, "longitude": found.lon, "latitude": found.lat, "zoom": max(view["zoom"], 10.2)}
    st.pydeck_chart(
        map_layers.deck(layers(incidents, found, gaps), view),
        height=MAP_HEIGHT_PX,
        on_select=_on_map_select,
        selection_mode="single-object",
        key=DECK_KEY,
    )
    rows = [(label("resource_kind", kind), color) for kind, color in RESOURCE_KINDS.items()]
    rows += [
        (tr("dispatch.map.target"), TARGET_COLOR),
        (tr("dispatch.map.ring"), RING_COLOR),
        (tr("dispatch.map.line"), (150, 150, 150)),
    ]
    if gaps is not None and not gaps.empty:
        rows.append(
            (tr("dispatch.map.gaps", km=st.session_state.get("dispatch_gap_km", dispatch.DEFAULT_GAP_KM)), GAP_COLOR)
        )
    columns = st.columns(2)
    with columns[0]:
        map_layers.legend(tr("dispatch.map.layers"), rows)
    with columns[1]:
        map_layers.legend(
            tr("dispatch.map.incidents"),
            [(label("incident_grade", code), color) for code, color in INCIDENT_GRADES.items()],
        )


# ------------------------------------------------------------------------ panel


def _empty_or_table(frame: pd.DataFrame, kind: str, shown: pd.DataFrame, key: str) -> None:
    if frame.empty:
        st.info(tr("dispatch.empty", kind=label("resource_kind", kind)))
    else:
        dataframe(shown, hide_index=True, width="stretch", key=key)


def panel(found: dispatch.Nearby) -> None:
    """Headline figures and the four nearest-first tables."""
    columns = st.columns(5)
    columns[0].metric(tr("dispatch.kpi.teams"), len(found.teams))
    columns[1].metric(tr("dispatch.kpi.members"), int(found.teams["members"].sum()))
    columns[2].metric(tr("dispatch.kpi.warehouses"), len(found.warehouses))
    columns[3].metric(tr("dispatch.kpi.shelter_free"), int(found.shelters["free"].sum()))
    columns[4].metric(tr("dispatch.kpi.people"), found.people_exposed)
    st.caption(tr("dispatch.eta_note", factor=dispatch.ROAD_FACTOR, speed=dispatch.SPEED_KMH))
    if found.categories:
        st.caption(tr("dispatch.needs", categories="、".join(label("stock_category", c) for c in found.categories)))
    distance, eta = tr("dispatch.col.distance"), tr("dispatch.col.eta")
    teams, warehouses, shelters, hazards = st.tabs(
        [f"{label('resource_kind', k)}（{len(found.frames[k])}）" for k in ("team", "warehouse", "shelter", "hazard")]
    )
    with teams:
        t = found.teams
        _empty_or_table(
            t,
            "team",
            pd.DataFrame(
                {
                    tr("dispatch.col.name"): t["name"],
                    tr("dispatch.col.kind"): t["kind"].map(labels("team_kind")),
                    tr("dispatch.col.members"): t["members"],
                    tr("dispatch.col.leader"): t["leader"],
                    tr("dispatch.col.phone"): t["phone"],
                    distance: t["distance_km"],
                    eta: t["eta_min"],
                }
            ),
            "dispatch_teams_table",
        )
    with warehouses:
        w = found.warehouses
        _empty_or_table(
            w,
            "warehouse",
            pd.DataFrame(
                {
                    tr("dispatch.col.name"): w["name"],
                    tr("dispatch.col.items"): w["items"],
                    tr("dispatch.col.leader"): w["manager"],
                    tr("dispatch.col.phone"): w["phone"],
                    distance: w["distance_km"],
                    eta: w["eta_min"],
                }
            ),
            "dispatch_warehouses_table",
        )
    with shelters:
        s = found.shelters
        _empty_or_table(
            s,
            "shelter",
            pd.DataFrame(
                {
                    tr("dispatch.col.name"): s["name"],
                    tr("dispatch.col.capacity"): s["capacity"],
                    tr("dispatch.col.free"): s["free"],
                    distance: s["distance_km"],
                    eta: s["eta_min"],
                }
            ),
            "dispatch_shelters_table",
        )
    with hazards:
        h = found.hazards
        _empty_or_table(
            h,
            "hazard",
            pd.DataFrame(
                {
                    tr("dispatch.col.name"): h["name"],
                    tr("dispatch.col.kind"): h["kind"].map(labels("hazard_kind")),
                    tr("dispatch.col.people"): h["people"],
                    distance: h["distance_km"],
                }
            ),
            "dispatch_hazards_table",
        )


def form(found: dispatch.Nearby, goal: dict) -> None:
    """Choose teams, warehouses and shelters from the nearby lists and record the dispatch (duty role)."""
    if not identity.can("dispatch"):
        return
    st.subheader(tr("dispatch.form.title"))
    # A new key after each recorded dispatch starts the choices afresh (no double dispatch).
    place = goal["incident_id"] or f"{goal['lon']:.4f},{goal['lat']:.4f}"
    key = f"{place}_{st.session_state.get(ROUND_KEY, 0)}"
    columns = st.columns(3)
    teams = columns[0].multiselect(
        tr("dispatch.form.teams"),
        options=found.teams["name"].tolist(),
        placeholder=tr("common.choose"),
        select_all=False,
        key=f"dispatch_form_teams_{key}",
    )
    warehouses = columns[1].multiselect(
        tr("dispatch.form.warehouses"),
        options=found.warehouses["name"].tolist(),
        placeholder=tr("common.choose"),
        select_all=False,
        key=f"dispatch_form_warehouses_{key}",
    )
    shelters = columns[2].multiselect(
        tr("dispatch.form.shelter"),
        options=found.shelters["name"].tolist(),
        placeholder=tr("common.choose"),
        select_all=False,
        key=f"dispatch_form_shelters_{key}",
    )
    note = st.text_input(tr("dispatch.form.note"), key=f"dispatch_form_note_{key}")
    if st.button(tr("dispatch.form.submit"), type="primary", key="dispatch_form_submit"):
        orders = []
        for kind, names, frame in (
            ("team", teams, found.teams),
            ("warehouse", warehouses, found.warehouses),
            ("shelter", shelters, found.shelters),
        ):
            rows = frame.set_index("name")
            for name in names:
                orders.append(
                    dispatch.Order(
                        kind,
                        name,
                        float(rows.loc[name, "distance_km"]),
                        float(rows.loc[name, "eta_min"]),
                        rows.loc[name, "items"] if kind == "warehouse" else None,
                    )
                )
        try:
            ids = cached.record_dispatch(identity.actor(), orders, goal["lon"], goal["lat"], goal["incident_id"], note)
        except PermissionDenied as error:
            st.error(identity.denied_message(error))
        except ValueError as error:
            st.error(tr("dispatch.form.failed", reason=plain(error)))
        else:
            # Run again so the list above shows the new log entries.
            st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
            st.session_state[DONE_KEY] = len(ids)
            st.rerun()
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(tr("dispatch.form.done", count=done))


def log(goal: dict) -> None:
    """The dispatch log of the target incident (or of every map point) with a status update."""
    st.subheader(tr("dispatch.log"))
    frame = cached.dispatches(goal["incident_id"])
    if goal["incident_id"] is None:
        frame = frame[frame["incident_id"].isna()]
    if frame.empty:
        st.info(tr("dispatch.log.empty"))
        return
    statuses = labels("dispatch_status")
    shown = pd.DataFrame(
        {
            tr("col.id"): frame["id"],
            tr("dispatch.col.resource"): [
                f"{label('resource_kind', k)} · {n}"
                for k, n in zip(frame["resource_kind"], frame["resource_name"], strict=True)
            ],
            tr("dispatch.col.items"): frame["items"].fillna("—"),
            tr("dispatch.col.status"): frame["status"].map(statuses),
            tr("dispatch.col.eta"): frame["eta_min"],
            tr("dispatch.col.created_at"): frame["created_at"].dt.strftime("%m-%d %H:%M"),
            tr("dispatch.col.created_by"): frame["created_by"],
            tr("dispatch.col.note"): frame["note"].fillna(""),
        }
    )
    dataframe(shown, hide_index=True, width="stretch", key="dispatch_log_table")
    if not identity.can("dispatch"):
        return
    columns = st.columns([2, 2, 1])
    names = dict(zip(frame["id"], shown[tr("dispatch.col.resource")], strict=True))
    which = columns[0].selectbox(
        tr("dispatch.log.which"),
        options=frame["id"].tolist(),
        format_func=lambda i: f"{i} · {names[i]}",
        key="dispatch_log_which",
    )
    status = columns[1].selectbox(
        tr("dispatch.log.status"), options=list(DISPATCH_STATUSES), format_func=statuses.get, key="dispatch_log_status"
    )
    if columns[2].button(tr("dispatch.log.update"), key="dispatch_log_update"):
        try:
            cached.set_dispatch_status(identity.actor(), int(which), status)
        except ValueError as error:
            st.error(plain(error))
        else:
            st.success(tr("dispatch.log.updated", id=which))
            st.rerun()


def coverage() -> pd.DataFrame | None:
    """Coverage gaps of teams and shelters; returns the gap cells to draw when asked."""
    with st.expander(tr("dispatch.coverage.title")):
        columns = st.columns([2, 1])
        max_km = columns[0].slider(
            tr("dispatch.coverage.km"),
            min_value=2.0,
            max_value=30.0,
            value=dispatch.DEFAULT_GAP_KM,
            step=1.0,
            key="dispatch_gap_km",
        )
        show = columns[1].toggle(tr("dispatch.coverage.show"), value=False, key="dispatch_gap_show")
        result = cached.coverage_gaps(float(max_km), dispatch.DEFAULT_CELL_KM)
        towns = result.townships[result.townships["gap"]]
        st.markdown(tr("dispatch.coverage.townships", count=len(towns), km=max_km, cell=result.cell_km))
        if not towns.empty:
            dataframe(
                pd.DataFrame(
                    {
                        tr("col.township_name"): towns["name"],
                        tr("dispatch.col.gap_share"): (towns["gap_share"] * 100).round(1),
                        tr("dispatch.col.farthest_km"): towns["farthest_km"],
                        tr("dispatch.col.label_km"): towns["label_km"],
                    }
                ),
                hide_index=True,
                width="stretch",
                key="dispatch_gap_townships",
            )
        short = result.shelters[result.shelters["gap"]]
        st.markdown(tr("dispatch.coverage.shelters", count=len(short)))
        if not short.empty:
            dataframe(
                pd.DataFrame(
                    {
                        tr("col.township_name"): short["name"],
                        tr("dispatch.col.hazard_people"): short["hazard_people"],
                        tr("dispatch.col.shelter_capacity"): short["shelter_capacity"],
                        tr("dispatch.col.shortfall"): short["shortfall"],
                    }
                ),
                hide_index=True,
                width="stretch",
                key="dispatch_gap_shelters",
            )
    return result.cells[result.cells["gap"]] if show else None
