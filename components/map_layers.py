"""Reusable pydeck layers of the one-map page, each with a fixed id, and the deck around them."""

from __future__ import annotations

import html

import pandas as pd
import pydeck as pdk
import streamlit as st

from components.text import label, tr
from emergency import mapdata, symbology
from emergency.vocab import INCIDENT_STATUSES

# Served by Streamlit static serving from static/basemap.json: no outside style or tiles.
LOCAL_MAP_STYLE = "/app/static/basemap.json"
# CJK-capable fonts, installed with the system (fonts-noto-cjk) on the intranet machines.
# pydeck turns every plain string argument into a JS accessor; a string wrapped in double
# quotes is passed through as a literal (the quotes are stripped).
LABEL_FONT = '"Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"'
# One tooltip for every layer: each row carries its own pre-escaped HTML in ``tip``.
TOOLTIP = {
    "html": "{tip}",
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


def township_layer(townships: pd.DataFrame, shapes: list[dict], window_hours: float,
                   selected: tuple[str, ...]) -> pdk.Layer:
    """Townships filled by the mean accumulated rain of their gauges; unselected ones faded."""
    alpha = townships["code"].map(lambda code: 170 if not selected or code in selected else 50)
    fill = symbology.rain_colors(townships["mean_mm"], window_hours)
    props = pd.DataFrame(
        {
            "code": townships["code"],
            "name": townships["name"],
            "fill": [[*rgba[:3], a] for rgba, a in zip(fill, alpha)],
            "tip": [
                mapdata.tooltip_html(
                    f"{tr('map.tooltip.township')} · {name}",
                    [(tr("map.tooltip.rain"), "—" if pd.isna(mm) else f"{mm:.1f} {tr('unit.mm')}")],
                )
                for name, mm in zip(townships["name"], townships["mean_mm"])
            ],
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


def gauge_layer(gauges: pd.DataFrame, window_hours: float) -> pdk.Layer:
    """Gauges coloured on the precipitation-grade scale and sized by accumulated rain."""
    data = gauges[["code", "name", "lon", "lat", "total_mm"]].copy()
    data["fill"] = symbology.rain_colors(data["total_mm"], window_hours)
    data["radius"] = 250 + data["total_mm"].fillna(0).clip(upper=300) * 8
    data["tip"] = [
        mapdata.tooltip_html(
            f"{tr('map.tooltip.gauge')} · {name}",
            [("ID", code), (tr("map.tooltip.rain"), "—" if pd.isna(mm) else f"{mm:.1f} {tr('unit.mm')}")],
        )
        for code, name, mm in zip(data["code"], data["name"], data["total_mm"])
    ]
    return pdk.Layer(
        "ScatterplotLayer",
        id="gauges",
        data=data,
        get_position=["lon", "lat"],
        get_fill_color="fill",
        get_radius="radius",
        radius_min_pixels=4,
        radius_max_pixels=18,
        stroked=True,
        get_line_color=[40, 40, 40, 200],
        line_width_min_pixels=1,
        pickable=True,
    )


def incident_layer(incidents: pd.DataFrame) -> pdk.Layer:
    """Incidents coloured by status."""
    data = incidents[["id", "type", "status", "occurred_at", "address", "lon", "lat"]].dropna(subset=["lon", "lat"]).copy()
    data["fill"] = [[*INCIDENT_STATUSES.get(status, (90, 90, 90)), 230] for status in data["status"]]
    data["tip"] = [
        mapdata.tooltip_html(
            f"{tr('map.tooltip.incident')} · {label('incident_type', kind)}",
            [
                ("ID", ident),
                (tr("map.tooltip.status"), label("incident_status", status)),
                (tr("map.tooltip.time"), f"{when:%m-%d %H:%M}"),
                (tr("map.tooltip.address"), address),
            ],
        )
        for ident, kind, status, when, address in zip(
            data["id"], data["type"], data["status"], data["occurred_at"], data["address"]
        )
    ]
    data["occurred_at"] = data["occurred_at"].dt.strftime("%Y-%m-%d %H:%M")
    return pdk.Layer(
        "ScatterplotLayer",
        id="incidents",
        data=data,
        get_position=["lon", "lat"],
        get_fill_color="fill",
        get_radius=300,
        radius_min_pixels=5,
        radius_max_pixels=14,
        stroked=True,
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1.5,
        pickable=True,
    )


def deck(layers: list[pdk.Layer], view: dict) -> pdk.Deck:
    """Wrap layers in a deck on the local offline style."""
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        map_style=LOCAL_MAP_STYLE,
        tooltip=TOOLTIP,
    )


def legend(title: str, rows: list[tuple[str, tuple[int, int, int]]], note: str | None = None) -> None:
    """Draw a legend: a title and colour swatches with their text (all escaped)."""
    items = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        f'<span style="width:14px;height:14px;border-radius:3px;border:1px solid #888;'
        f'background:rgb({r},{g},{b})"></span><span>{html.escape(text)}</span></div>'
        for text, (r, g, b) in rows
    )
    note_html = f'<div style="color:#666;font-size:0.8em">{html.escape(note)}</div>' if note else ""
    st.markdown(
        f'<div class="yitu-legend"><b>{html.escape(title)}</b>{items}{note_html}</div>',
        unsafe_allow_html=True,
    )
