"""The one-map view: layer toggles, the deck, legends and township click-to-filter."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached, filter_bar, map_layers
from components.text import label, tr
from emergency import mapdata, symbology
from emergency.filters import Filters
from emergency.vocab import INCIDENT_STATUSES

DECK_KEY = "one_map_deck"
MAP_HEIGHT_PX = 620


def _on_select() -> None:
    """A click on a township makes it the township filter (runs before the next script run)."""
    selection = st.session_state[DECK_KEY].get("selection", {})
    for feature in selection.get("objects", {}).get("townships", []):
        code = (feature.get("properties") or {}).get("code")
        if code:
            filter_bar.select_township(code)


@st.cache_data(max_entries=4, show_spinner=False)
def _shapes(wkb: tuple[bytes, ...]) -> list[dict]:
    return mapdata.shapes_geojson(wkb)


def render(f: Filters, incidents: pd.DataFrame) -> None:
    """Draw the map of the filtered situation with its layer switches and legends."""
    county = cached.county()
    townships = cached.townships()
    if county.empty or townships.empty:
        st.info(tr("app.no_data"))
        return
    rain = cached.township_rain(f.start, f.end)
    townships = townships.merge(rain[["code", "mean_mm"]], on="code", how="left")
    gauges = cached.gauge_totals(f.start, f.end, f.townships)

    map_column, side = st.columns([4, 1])
    with side:
        st.markdown(f"**{tr('map.layers')}**")
        show_townships = st.toggle(tr("map.layer.townships"), value=True, key="one_map_layer_townships")
        show_gauges = st.toggle(tr("map.layer.gauges"), value=True, key="one_map_layer_gauges")
        show_incidents = st.toggle(tr("map.layer.incidents"), value=True, key="one_map_layer_incidents")
        scale = symbology.rain_scale_hours(f.window_hours)
        rain_rows = [(f"{label('rain_grade', code)} {text}", color) for code, text, color in symbology.rain_legend(f.window_hours)]
        map_layers.legend(
            tr("map.legend.rain", scale=scale),
            rain_rows,
            note=tr("map.legend.township_rain") if show_townships else None,
        )
        if show_incidents:
            map_layers.legend(
                tr("map.legend.incidents"),
                [(label("incident_status", code), color) for code, color in INCIDENT_STATUSES.items()],
            )

    layers = []
    county_shape = _shapes(tuple(county["geometry"]))
    if show_townships:
        layers.append(map_layers.township_layer(townships, _shapes(tuple(townships["geometry"])), f.window_hours, f.townships))
    layers.append(map_layers.county_outline_layer(mapdata.feature_collection(county_shape, county[["code", "name"]])))
    if show_gauges and not gauges.empty:
        layers.append(map_layers.gauge_layer(gauges, f.window_hours))
    if show_incidents and not incidents.empty:
        layers.append(map_layers.incident_layer(incidents))
    layers.append(map_layers.township_label_layer(townships))

    box = county.iloc[0]
    view = mapdata.fit_view(box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"], height_px=MAP_HEIGHT_PX)
    with map_column:
        if gauges["reports"].sum() == 0:
            st.info(tr("map.empty_rain"))
        st.pydeck_chart(
            map_layers.deck(layers, view),
            height=MAP_HEIGHT_PX,
            on_select=_on_select,
            selection_mode="single-object",
            key=DECK_KEY,
        )
