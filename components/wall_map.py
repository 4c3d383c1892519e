"""The wall's map: rain by township, signal borders, gauges with a halo, open incidents, labels that do not collide.

Everything is sized in screen pixels scaled with the screen (``scale`` = 1 on a 1920×1080
wall), so symbols and names read the same from the back of the room on any wall; the
basemap is the local dark style (no outside request).
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk
import shapely

from components import map_layers, wall_theme
from emergency import config, mapdata, symbology, wall
from emergency.vocab import INCIDENT_GRADES, INCIDENT_STATUSES, SIGNAL_LEVELS

# Served from static/ by Streamlit: a dark background only; [yitu] wall_map_style may name an intranet style.
DARK_MAP_STYLE = "/app/static/basemap_dark.json"
NO_RAIN_FILL = (30, 48, 66)
STALE_RING = map_layers.STALE_RING
# Label text size at the design screen, px (the body size).
LABEL_PX = 18.0
# Furthest a tour zooms in beyond the county view.
TOUR_MAX_EXTRA_ZOOM = 2.5


def px(value: str) -> str:
    """A literal string for a pydeck argument (plain strings become JS expressions)."""
    return f'"{value}"'


def map_size(width: int, height: int) -> tuple[float, float, float]:
    """Map panel size in CSS px for a screen, and the screen's scale against the design screen."""
    scale = min(width / wall_theme.DESIGN_W, height / wall_theme.DESIGN_H)
    rem = wall_theme.BODY_PX * scale
    map_w = (
        width * (1 - (wall_theme.LEFT_PCT + wall_theme.RIGHT_PCT) / 100)
        - 2 * wall_theme.GAP_REM * rem
        - 2 * wall_theme.PAD_REM * rem
    )
    map_h = height - (2 * wall_theme.PAD_REM + wall_theme.HEAD_REM + wall_theme.GAP_REM) * rem
    return max(map_w, 100.0), max(map_h, 100.0), scale


def county_view(county: pd.DataFrame, map_w: float, map_h: float, legend_w: float = 0.0) -> dict:
    """The county fitted into the map panel beside the legend (bottom left), centred in what is left."""
    box = county.iloc[0]
    view = mapdata.fit_view(
        box["min_lon"],
        box["min_lat"],
        box["max_lon"],
        box["max_lat"],
        width_px=int(map_w - legend_w),
        height_px=int(map_h),
    )
    degrees_per_px = 360 / (mapdata.WORLD_PX * 2 ** view["zoom"])
    county_w = (box["max_lon"] - box["min_lon"]) / degrees_per_px
    # Shift the county right only as far as the legend needs room beside it.
    shift = max(0.0, legend_w - (map_w - county_w) / 2)
    view["longitude"] -= shift * degrees_per_px
    return view


def township_view(geometry_wkb: bytes, map_w: float, map_h: float, base_zoom: float) -> dict:
    min_lon, min_lat, max_lon, max_lat = shapely.from_wkb(bytes(geometry_wkb)).bounds
    view = mapdata.fit_view(min_lon, min_lat, max_lon, max_lat, width_px=int(map_w), height_px=int(map_h))
    view["zoom"] = min(view["zoom"], base_zoom + TOUR_MAX_EXTRA_ZOOM)
    return view


def _rgba(color, alpha: int = 255) -> list[int]:
    return [int(color[0]), int(color[1]), int(color[2]), alpha]


def build(
    fig,
    ranked: list[str],
    townships: pd.DataFrame,
    county: pd.DataFrame,
    shapes: list[dict],
    county_shapes: list[dict],
    view: dict,
    map_w: float,
    map_h: float,
    scale: float,
) -> pdk.Deck:
    """The deck of the wall for the figures ``fig`` at ``view``; ``ranked``: the township list's codes, worst first."""
    window_hours = fig.filters.window_hours
    metrics = townships[["code", "name", "area_km2", "label_lon", "label_lat"]].merge(
        fig.metrics[["code", "rain_mean_mm", "rank", "level"]], on="code", how="left"
    )
    grades = symbology.rain_grade(metrics["rain_mean_mm"], window_hours)
    fills = symbology.rain_colors(metrics["rain_mean_mm"], window_hours, alpha=215)
    fills = [_rgba(NO_RAIN_FILL, 235) if grade < 0 else fill for fill, grade in zip(fills, grades, strict=True)]
    selected = set(fig.filters.townships)
    if selected:
        fills = [
            fill if code in selected else [*fill[:3], 70] for fill, code in zip(fills, metrics["code"], strict=True)
        ]
    props = pd.DataFrame({"code": metrics["code"], "fill": fills})
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            id="wall-townships",
            data=mapdata.feature_collection(shapes, props),
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",
            get_line_color=[200, 215, 230, 150],
            line_width_units=px("pixels"),
            get_line_width=max(1.0, scale),
            pickable=False,
        )
    ]
    rank = metrics["rank"].fillna(0).astype(int)
    with_signal = rank > 0
    if with_signal.any():
        order = rank[with_signal].sort_values(kind="stable").index  # red drawn last, on top
        signal_props = pd.DataFrame(
            {
                "code": metrics.loc[order, "code"],
                "line": [_rgba(SIGNAL_LEVELS[level]) for level in metrics.loc[order, "level"]],
            }
        )
        signal_shapes = mapdata.feature_collection([shapes[i] for i in order], signal_props)
        # A dark casing under the signal colour: a blue border still reads on the blue of 暴雨.
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="wall-signal-casing",
                data=signal_shapes,
                stroked=True,
                filled=False,
                get_line_color=[0, 0, 0, 235],
                line_width_units=px("pixels"),
                get_line_width=11 * scale,
                pickable=False,
            )
        )
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="wall-signals",
                data=signal_shapes,
                stroked=True,
                filled=False,
                get_line_color="properties.line",
                line_width_units=px("pixels"),
                get_line_width=5 * scale,
                pickable=False,
            )
        )
    layers.append(
        pdk.Layer(
            "GeoJsonLayer",
            id="wall-county",
            data=mapdata.feature_collection(county_shapes, county[["code"]]),
            stroked=True,
            filled=False,
            get_line_color=[235, 242, 250, 255],
            line_width_units=px("pixels"),
            get_line_width=3 * scale,
            pickable=False,
        )
    )
    gauges = fig.gauges.dropna(subset=["lon", "lat"])
    if not gauges.empty:
        data = gauges[["code", "lon", "lat"]].copy()
        data["fill"] = symbology.rain_colors(gauges["total_mm"], window_hours)
        data["line"] = [
            _rgba(STALE_RING) if code in fig.stale_gauges else [255, 255, 255, 255] for code in gauges["code"]
        ]
        # A dark halo under a white ring: the gauge reads on the lightest and the darkest fill.
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="wall-gauge-halo",
                data=data[["lon", "lat"]],
                get_position=["lon", "lat"],
                radius_units=px("pixels"),
                get_radius=7.5 * scale,
                get_fill_color=[0, 0, 0, 170],
                pickable=False,
            )
        )
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="wall-gauges",
                data=data,
                get_position=["lon", "lat"],
                radius_units=px("pixels"),
                get_radius=5 * scale,
                get_fill_color="fill",
                stroked=True,
                get_line_color="line",
                line_width_units=px("pixels"),
                get_line_width=1.8 * scale,
                pickable=False,
            )
        )
    incidents = fig.incidents
    if not incidents.empty:
        open_rows = incidents[incidents["status"].isin(("pending", "active"))].dropna(subset=["lon", "lat"])
        if not open_rows.empty:
            data = open_rows[["id", "lon", "lat"]].copy()
            harmed = map_layers.severity(open_rows).clip(upper=20)
            data["radius"] = ((6.5 + harmed.to_numpy() ** 0.5 * 2.2) * scale).round(1)
            data["fill"] = [_rgba(INCIDENT_STATUSES[s]) for s in open_rows["status"]]
            serious = (
                open_rows["grade_rank"].fillna(0) >= 2
                if "grade_rank" in open_rows
                else pd.Series(False, index=open_rows.index)
            )
            data["line"] = [
                _rgba(INCIDENT_GRADES.get(g, (255, 255, 255))) if s else [255, 255, 255, 255]
                for g, s in zip(open_rows.get("grade", [None] * len(open_rows)), serious, strict=True)
            ]
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    id="wall-incidents",
                    data=data,
                    get_position=["lon", "lat"],
                    radius_units=px("pixels"),
                    get_radius="radius",
                    get_fill_color="fill",
                    stroked=True,
                    get_line_color="line",
                    line_width_units=px("pixels"),
                    get_line_width=2.2 * scale,
                    pickable=False,
                )
            )
    font_px = LABEL_PX * scale
    # Which labels win a collision: signal level, then a place in the township list (a leader looks
    # for those on the map), then area (a big township has room for its name).
    listed = metrics["code"].map({code: len(ranked) - i for i, code in enumerate(ranked)}).fillna(0).astype(float)
    area = metrics["area_km2"].fillna(0).astype(float)
    priority = rank * 1e6 + listed * 1e3 + area / (area.max() + 1) * 999
    shown = set(wall.choose_labels(metrics, priority, view, font_px, map_w, map_h))
    labels = metrics[metrics["code"].isin(shown)][["name", "label_lon", "label_lat"]]
    layers.append(
        pdk.Layer(
            "TextLayer",
            id="wall-labels",
            data=labels,
            get_position=["label_lon", "label_lat"],
            get_text="name",
            get_size=font_px,
            size_units=px("pixels"),
            get_color=[255, 255, 255, 255],
            font_family=map_layers.LABEL_FONT,
            font_weight=px("600"),
            character_set=px("auto"),
            outline_width=3,
            outline_color=[0, 0, 0, 235],
            font_settings={"sdf": True, "fontSize": 64, "buffer": 6},
            pickable=False,
        )
    )
    return map_layers.CompactDeck(
        layers=layers,
        initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        map_style=config.setting("wall_map_style", DARK_MAP_STYLE),
        tooltip=False,
    )


class PreparedDeck:
    """A deck whose JSON was built already (shared by every wall of the same window and screen).

    ``st.pydeck_chart`` reads only these attributes; a real ``pydeck.Deck`` would probe for the
    Jupyter extension on every construction.
    """

    layers: list = []
    mapbox_key = None
    deck_widget = None
    width = None
    _tooltip = None

    def __init__(self, spec: str) -> None:
        self._spec = spec

    def to_json(self) -> str:
        return self._spec
