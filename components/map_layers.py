"""Reusable pydeck layers of the one-map page, each with a fixed id, and the deck around them."""

from __future__ import annotations

import html
import json

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from components.text import labels, lang, tr
from emergency import codelists, config, mapdata, symbology
from emergency.vocab import INCIDENT_GRADES, INCIDENT_STATUSES, SIGNAL_LEVELS

# Served by Streamlit static serving from static/basemap.json: no outside style or tiles.
# An intranet MapLibre style URL can replace it: [yitu] map_style in secrets.toml.
LOCAL_MAP_STYLE = "/app/static/basemap.json"
# CJK-capable fonts, installed with the system (fonts-noto-cjk) on the intranet machines.
# pydeck turns every plain string argument into a JS accessor; a string wrapped in double
# quotes is passed through as a literal (the quotes are stripped).
LABEL_FONT = '"Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"'
# Columns that identify a clicked object (kept in the layer data for on_select).
KEY_COLUMNS = ("code", "id", "name")
# One tooltip for every layer: each row carries its text in ``tip`` (mapdata.tooltip_text);
# Streamlit escapes the value it substitutes, the template itself is ours.
TOOLTIP = {
    "html": '<div style="white-space: pre-line; max-width: 320px">{tip}</div>',
    "style": {"backgroundColor": "rgba(30,30,30,0.9)", "color": "white", "fontSize": "13px"},
}


def county_outline_layer(county_geojson: dict) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id="county-outline",
        data=county_geojson,
        stroked=True,
        filled=False,
        get_line_color=[60, 60, 60, 255],
        line_width_min_pixels=2.5,
        pickable=False,
    )


def township_layer(
    townships: pd.DataFrame, shapes: list[dict], fill: list[list[int]], tips: list[str], selected: tuple[str, ...]
) -> pdk.Layer:
    """Township polygons filled by a metric's colours; unselected ones faded when a filter is set."""
    alpha = [170 if not selected or code in selected else 45 for code in townships["code"]]
    props = pd.DataFrame(
        {
            "code": townships["code"],
            "name": townships["name"],
            "fill": [[*rgba[:3], a] for rgba, a in zip(fill, alpha, strict=True)],
            "tip": tips,
        }
    )
    return pdk.Layer(
        "GeoJsonLayer",
        id="townships",
        data=mapdata.feature_collection(shapes, props),
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color=[255, 255, 255, 230],
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


def rain_surface_layer(image_url: str, bounds: list[float]) -> pdk.Layer:
    """The interpolated rain surface as one image (a few kB, whatever the number of gauges).

    pydeck turns a plain string argument into a JavaScript expression (``"@@=data:..."``),
    which broke the whole deck with "Unexpected ':'"; ``pdk.types.String`` keeps the data
    URL a literal.
    """
    return pdk.Layer("BitmapLayer", id="rain-surface", image=pdk.types.String(image_url), bounds=bounds, pickable=False)


def township_label_layer(townships: pd.DataFrame) -> pdk.Layer:
    return pdk.Layer(
        "TextLayer",
        id="township-labels",
        data=townships[["name", "label_lon", "label_lat"]],
        get_position=["label_lon", "label_lat"],
        get_text="name",
        get_size=13,
        get_color=[40, 40, 40, 255],
        font_family=LABEL_FONT,
        # deck.gl's default font atlas is ASCII only; "auto" collects the characters drawn.
        character_set='"auto"',
        outline_width=2,
        outline_color=[255, 255, 255, 220],
        font_settings={"sdf": True},
        pickable=False,
    )


# Ring of a gauge that has stopped reporting.
STALE_RING = (255, 0, 255)


def gauge_layer(gauges: pd.DataFrame, window_hours: float, stale: dict[str, int]) -> pdk.Layer:
    """Gauges coloured on the precipitation-grade scale and sized by accumulated rain.

    ``stale`` maps the codes of gauges that stopped reporting to minutes since their last
    report (None if never): they get a magenta ring and say so in the tooltip.
    """
    mm = tr("unit.mm")
    tips = []
    graded = gauges["grade_mm"] if "grade_mm" in gauges else gauges["total_mm"]
    longer = window_hours > 24 and "max_24h_mm" in gauges
    for code, name, total, day in zip(
        gauges["code"],
        gauges["name"],
        gauges["total_mm"],
        gauges["max_24h_mm"] if longer else gauges["total_mm"],
        strict=True,
    ):
        rows = [
            (tr("map.tooltip.code"), code),
            (tr("map.tooltip.rain"), "—" if pd.isna(total) else f"{total:.1f} {mm}"),
        ]
        if longer:
            rows.append((tr("map.tooltip.max_24h"), "—" if pd.isna(day) else f"{day:.1f} {mm}"))
        if code in stale:
            age = stale[code]
            rows.append(
                (
                    tr("map.tooltip.stale"),
                    (
                        tr("map.tooltip.never")
                        if age is None or pd.isna(age)
                        else tr("map.tooltip.minutes", minutes=int(age))
                    ),
                )
            )
        tips.append(mapdata.tooltip_text(f"{tr('map.tooltip.gauge')} · {name}", rows))
    ring = [[*STALE_RING, 255] if code in stale else [40, 40, 40, 200] for code in gauges["code"]]
    radius = 250 + gauges["total_mm"].fillna(0).clip(upper=300) * 8
    return point_layer(
        "gauges", gauges, symbology.rain_colors(graded, window_hours), radius, tips, line_color=ring, line_width_px=2
    )


def severity(incidents: pd.DataFrame) -> pd.Series:
    """People harmed or at risk in an incident: the size of its dot."""
    return incidents["deaths"] * 3 + incidents["missing"] * 2 + incidents["injured"] + incidents["trapped"]


def incident_layer(incidents: pd.DataFrame) -> pdk.Layer:
    """Incidents: fill by type, ring by status, size by people harmed or trapped."""
    data = incidents.dropna(subset=["lon", "lat"])
    # Every code of the store's list has a colour (an administrator's code included).
    type_colors = codelists.colors("incident_type", data["type"].unique())
    fill = [[*type_colors[kind], 235] if kind in type_colors else [90, 90, 90, 235] for kind in data["type"]]
    ring = [[*INCIDENT_STATUSES.get(status, (90, 90, 90)), 255] for status in data["status"]]
    # Texts looked up once, not per point: thousands of incidents on a 72 h window.
    title, status_text, time_text, address_text, grade_text = (
        tr(key)
        for key in (
            "map.tooltip.incident",
            "map.tooltip.status",
            "map.tooltip.time",
            "map.tooltip.address",
            "map.tooltip.grade",
        )
    )
    types = codelists.labels("incident_type", lang(), data["type"].unique())
    statuses, grades = (labels(vocabulary) for vocabulary in ("incident_status", "incident_grade"))
    tips = [
        mapdata.tooltip_text(
            f"{title} ·"
            f" {types.get(kind, kind)}{'·' + text if kind == 'other' and isinstance(text, str) and text else ''}",
            [
                ("ID", ident),
                (status_text, statuses.get(status, status)),
                (time_text, f"{when:%m-%d %H:%M}"),
                (address_text, address),
                (grade_text, grades.get(grade, grade) if isinstance(grade, str) else "—"),
            ],
        )
        for ident, kind, status, when, address, grade, text in zip(
            data["id"],
            data["type"],
            data["status"],
            data["occurred_at"],
            data["address"],
            data["grade"] if "grade" in data else [None] * len(data),
            data["type_label"] if "type_label" in data else [None] * len(data),
            strict=True,  # 其他·<text>
        )
    ]
    radius = 260 + severity(data).clip(upper=20) * 60
    return point_layer("incidents", data, fill, radius, tips, line_color=ring, line_width_px=2.5)


WAREHOUSE_COLOR = (121, 85, 72)
SHELTER_COLOR = (46, 125, 50)


def warehouse_layer(rows: pd.DataFrame) -> pdk.Layer:
    """Warehouses sized by their total stock."""
    # Texts looked up once per layer, not per point (a session-state read each).
    title, items, quantity, phone = (
        tr(key) for key in ("map.layer.warehouses", "map.tooltip.items", "map.tooltip.quantity", "detail.phone")
    )
    tips = [
        mapdata.tooltip_text(
            f"{title} · {r.name}", [(items, r.items), (quantity, f"{r.quantity:,.0f}"), (phone, r.phone)]
        )
        for r in rows.itertuples()
    ]
    radius = 300 + (rows["quantity"].clip(lower=1) ** 0.5) * 6
    return point_layer("warehouses", rows, [[*WAREHOUSE_COLOR, 230]] * len(rows), radius, tips)


def _kind_fill(name: str, kinds: pd.Series, alpha: int) -> list[list[int]]:
    """RGBA per row from the code list's colours: every code, an administrator's too, has one."""
    colours = codelists.colors(name, kinds.unique())
    return [[*colours[kind], alpha] if kind in colours else [90, 90, 90, alpha] for kind in kinds]


def _kind_text(name: str, kind, rows: pd.DataFrame, row) -> str:
    """A kind as the tooltip shows it: its label, 其他·<department text> for "other"."""
    text = getattr(row, "kind_label", None) if "kind_label" in rows else None
    return codelists.display(name, kind, text, lang())


def code_legend(title: str, name: str, note: str | None = None, present=()) -> None:
    """The legend of a layer coloured by code list ``name``: every code of the store's list."""
    legend(
        title,
        [
            (codelists.code_label(name, code, lang()), colour)
            for code, colour in codelists.colors(name, present).items()
        ],
        note=note,
    )


def team_layer(rows: pd.DataFrame) -> pdk.Layer:
    """Rescue teams coloured by kind and sized by members."""
    title, kind_text, members, phone = (
        tr(key) for key in ("map.layer.teams", "map.tooltip.kind", "map.tooltip.members", "detail.phone")
    )
    tips = [
        mapdata.tooltip_text(
            f"{title} · {r.name}",
            [(kind_text, _kind_text("team_kind", r.kind, rows, r)), (members, r.members), (phone, r.phone)],
        )
        for r in rows.itertuples()
    ]
    fill = _kind_fill("team_kind", rows["kind"], 230)
    return point_layer(
        "teams",
        rows,
        fill,
        250 + rows["members"].clip(upper=200) * 6,
        tips,
        line_color=[20, 20, 20, 255],
        line_width_px=2,
    )


def shelter_layer(rows: pd.DataFrame) -> pdk.Layer:
    """Shelters sized by their free places."""
    title, free, kind_text = tr("map.layer.shelters"), tr("map.tooltip.free"), tr("map.tooltip.kind")
    tips = [
        mapdata.tooltip_text(
            f"{title} · {r.name}",
            [
                (kind_text, _kind_text("shelter_kind", getattr(r, "kind", None), rows, r)),
                (free, f"{r.free} / {r.capacity}"),
            ],
        )
        for r in rows.itertuples()
    ]
    radius = 200 + (rows["free"].clip(lower=0) ** 0.5) * 15
    # Fill by shelter kind, ring in the shelter colour (tells them from teams and hazard points).
    fill = _kind_fill("shelter_kind", rows["kind"], 210) if "kind" in rows else [[*SHELTER_COLOR, 210]] * len(rows)
    return point_layer("shelters", rows, fill, radius, tips, line_color=[*SHELTER_COLOR, 255], line_width_px=2)


def hazard_layer(rows: pd.DataFrame) -> pdk.Layer:
    """Hazard points coloured by kind and sized by the people exposed.

    A ``risk`` column (text of :func:`hazard_risk_text`, NaN for points not over their critical
    rain) adds that line to the point's tooltip.
    """
    title, name, people, over = (
        tr(key) for key in ("map.layer.hazards", "map.tooltip.name", "map.tooltip.people", "map.hazard_risk.over")
    )
    risk = rows["risk"] if "risk" in rows else pd.Series(None, index=rows.index, dtype=object)
    tips = [
        mapdata.tooltip_text(
            f"{title} · {_kind_text('hazard_kind', r.kind, rows, r)}",
            [("ID", r.id), (name, r.name), (people, r.people)] + ([(over, text)] if isinstance(text, str) else []),
        )
        for r, text in zip(rows.itertuples(), risk, strict=True)
    ]
    fill = _kind_fill("hazard_kind", rows["kind"], 220)
    return point_layer(
        "hazards", rows, fill, 150 + rows["people"].clip(upper=500) * 3, tips, line_color=[255, 255, 255, 255]
    )


# The ring around a hazard point whose critical rainfall is exceeded: the red of the signals.
HAZARD_RISK_RING = SIGNAL_LEVELS["red"]


def hazard_risk_text(row) -> str:
    """One line of a hazard point's worst window: "24 小时 120.5 / 临界 100 毫米（1.21 倍）"; "—" when unassessed."""
    window = row.exceeded_window if isinstance(row.exceeded_window, str) else None
    if window is None or pd.isna(row.exceedance):
        return "—"
    return tr(
        "map.hazard_risk.value",
        window=tr("rules.window_hours", hours=window[:-1]),
        mm=f"{float(getattr(row, f'mm_{window}')):.1f}",
        critical=f"{float(getattr(row, f'critical_mm_{window}')):g}",
        ratio=f"{float(row.exceedance):.2f}",
    )


def hazard_risk_layer(risk: pd.DataFrame) -> pdk.Layer:
    """A red ring around each hazard point over its critical rainfall (emergency.rules.hazards at_risk).

    Drawn over the hazard points, or over their aggregated cells when too many to ship, so the
    points the 超临界雨量 KPI counts can be found on the map. Picking a ring opens the point.
    """
    title, over, gauge = tr("map.hazard_risk.title"), tr("map.hazard_risk.over"), tr("warning.col.gauge_name")
    data = risk[["id", "lon", "lat"]].copy()
    data["radius"] = 600 + risk["people"].fillna(0).clip(upper=500).to_numpy() * 3
    data["tip"] = [
        mapdata.tooltip_text(
            f"{title} · {r.name}",
            [(over, hazard_risk_text(r)), (gauge, f"{r.gauge_name}（{r.gauge_km:.1f} km）")],
        )
        for r in risk.itertuples()
    ]
    return pdk.Layer(
        "ScatterplotLayer",
        id="hazard-risk",
        data=data,
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_min_pixels=10,
        radius_max_pixels=30,
        filled=False,
        stroked=True,
        get_line_color=[*HAZARD_RISK_RING, 255],
        line_width_min_pixels=3,
        pickable=True,
    )


# Resource layer builders by layer id.
RESOURCE_LAYERS = {
    "warehouses": warehouse_layer,
    "teams": team_layer,
    "shelters": shelter_layer,
    "hazards": hazard_layer,
}


def incident_grade_layer(serious: pd.DataFrame) -> pdk.Layer:
    """A halo in the grade's colour around incidents graded large or worse."""
    data = serious.dropna(subset=["lon", "lat"])[["id", "lon", "lat"]].copy()
    data["line"] = [
        [*INCIDENT_GRADES.get(grade, (90, 90, 90)), 255] for grade in serious.dropna(subset=["lon", "lat"])["grade"]
    ]
    return pdk.Layer(
        "ScatterplotLayer",
        id="incident-grades",
        data=data,
        get_position=["lon", "lat"],
        get_radius=900,
        radius_min_pixels=11,
        filled=False,
        stroked=True,
        get_line_color="line",
        line_width_min_pixels=3,
        pickable=False,
    )


def grid_layer(
    layer_id: str, cells: pd.DataFrame, color: tuple[int, int, int], radius_m: float, tips: list[str]
) -> pdk.Layer:
    """Aggregated cells drawn as circles sized by their count, for layers too dense to ship."""
    data = cells[["lon", "lat"]].copy()
    weight = cells.iloc[:, 2].astype(float)
    data["radius"] = radius_m * (0.35 + 0.65 * (weight / max(weight.max(), 1)) ** 0.5)
    data["tip"] = tips
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=data,
        get_position=["lon", "lat"],
        get_fill_color=[*color, 190],
        get_radius="radius",
        stroked=True,
        get_line_color=[255, 255, 255, 220],
        line_width_min_pixels=1,
        pickable=True,
    )


def point_layer(
    layer_id: str,
    points: pd.DataFrame,
    fill: list[list[int]],
    radius: pd.Series,
    tips: list[str],
    line_color: list[list[int]] | list[int] | None = None,
    line_width_px: float = 1.0,
) -> pdk.Layer:
    """A pickable circle per row, sized in metres, with its escaped tooltip."""
    data = points[[column for column in points.columns if column in KEY_COLUMNS] + ["lon", "lat"]].copy()
    data["fill"] = fill
    data["radius"] = radius.to_numpy()
    data["tip"] = tips
    per_row_line = isinstance(line_color, list) and line_color and isinstance(line_color[0], list)
    if per_row_line:
        data["line"] = line_color
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=data,
        get_position=["lon", "lat"],
        get_fill_color="fill",
        get_radius="radius",
        radius_min_pixels=3,
        radius_max_pixels=22,
        stroked=True,
        get_line_color="line" if per_row_line else (line_color or [255, 255, 255, 230]),
        line_width_min_pixels=line_width_px,
        pickable=True,
    )


class CompactDeck(pdk.Deck):
    """A deck that serializes to compact JSON.

    pydeck writes its JSON indented, which makes Python fall back from its C encoder to the
    pure-Python one (~5x slower) and adds whitespace to every point; at ~1 MB of deck JSON
    this was a third of an all-layers page run. Non-ASCII text stays UTF-8.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


def deck(layers: list[pdk.Layer], view: dict) -> pdk.Deck:
    """Wrap layers in a deck on the configured basemap (the local offline style by default)."""
    return CompactDeck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        map_style=config.setting("map_style", LOCAL_MAP_STYLE),
        tooltip=TOOLTIP,
    )


def legend(title: str, rows: list[tuple[str, tuple[int, int, int]]], note: str | None = None) -> None:
    """Draw a legend: a title and colour swatches with their text (all escaped)."""
    items = "".join(
        '<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        '<span style="width:14px;height:14px;border-radius:3px;border:1px solid #888;'
        f'background:rgb({r},{g},{b})"></span><span>{html.escape(text)}</span></div>'
        for text, (r, g, b) in rows
    )
    note_html = f'<div style="color:#666;font-size:0.8em">{html.escape(note)}</div>' if note else ""
    st.markdown(
        f'<div class="yitu-legend"><b>{html.escape(title)}</b>{items}{note_html}</div>',
        unsafe_allow_html=True,
    )
