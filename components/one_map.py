"""The one-map view: layer switches, choropleth metric, the deck, legends and click-through."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pydeck as pdk
import streamlit as st

from components import cached, detail_panel, filter_bar, map_layers, situation, water_view
from components.text import label, labels, localized, tr
from emergency import config, mapdata, rules, symbology
from emergency.filters import Filters
from emergency.vocab import INCIDENT_GRADES, INCIDENT_STATUSES, NO_SIGNAL_COLOR, SIGNAL_LEVELS

DECK_KEY = "one_map_deck"
LAYERS_KEY = "one_map_layers"
METRIC_KEY = "one_map_metric"
MAP_HEIGHT_PX = 620
SCREEN_HEIGHT_PX = 760
FILTERS_CHANGED_KEY = "one_map_filters_changed"
LAYER_OPTIONS = ("townships", "surface", "gauges", "water", "incidents", "warehouses", "teams", "shelters", "hazards")
DEFAULT_LAYERS = ["townships", "gauges", "water", "incidents"]
# A layer with more points than this is aggregated in DuckDB into grid cells before it is
# sent: pydeck ships indented JSON (~250 bytes a point with its tooltip), and one view with
# every layer on must stay under 1.5 MB.
MAX_POINTS = 1500
# Smallest grid cell of aggregated layers, degrees (~1 km in Jiangxi) ...
GRID_DEG = 0.01
# ... and at most about this many cells over the county's bounding box.
MAX_CELLS = 600
# A gauge silent this long before the window end is flagged as stale (automatic gauges
# report every 5 minutes; an hour covers a missed hourly batch from a department).
DEFAULT_STALE_MINUTES = 60


@dataclass(frozen=True)
class Metric:
    """A choropleth metric: its column and how it is classed (rain scale hours or count breaks)."""

    column: str
    rain_hours: float | None = None
    breaks: tuple[float, ...] = ()
    signal: bool = False


def _metrics(window_hours: float) -> dict[str, Metric]:
    return {
        "rain_mean": Metric("rain_mean_mm", rain_hours=window_hours),
        "max_1h": Metric("max_1h_mm", rain_hours=1),
        "max_3h": Metric("max_3h_mm", rain_hours=3),
        "incidents": Metric("incidents", breaks=symbology.COUNT_BREAKS),
        "open_incidents": Metric("open_incidents", breaks=symbology.COUNT_BREAKS),
        "hazard_people": Metric("hazard_people", breaks=symbology.PEOPLE_BREAKS),
        "signal": Metric("level", signal=True),
    }


# Layers drawn over another layer's objects: picking one opens the object underneath.
PICKED_AS = {"hazard-risk": "hazards"}


def hazards_at_risk(f: Filters) -> pd.DataFrame:
    """The hazard points over their critical rainfall at the window's end, of the filter's townships, located."""
    return cached.of_townships(cached.hazards_at_risk(f.end), f.townships).dropna(subset=["lon", "lat"])


def _on_select() -> None:
    """Runs before the next script run: a township click becomes the township filter; any
    pickable object opens the detail panel."""
    selection = st.session_state[DECK_KEY].get("selection", {})
    for layer_id, objects in (selection.get("objects") or {}).items():
        if not objects:
            continue
        picked = objects[0]
        layer_id = PICKED_AS.get(layer_id, layer_id)
        if layer_id == "townships":
            code = (picked.get("properties") or {}).get("code")
            if code:
                filter_bar.select_township(code)
                detail_panel.open_detail("townships", code)
                st.session_state[FILTERS_CHANGED_KEY] = True
        elif layer_id in detail_panel.DETAIL_LAYERS:
            key = picked.get("code") or picked.get("id") or picked.get("name")
            if key:
                detail_panel.open_detail(layer_id, key)
        return


def _controls(window_hours: float) -> tuple[list[str], str]:
    names = labels("map_layer")
    layer_column, metric_column = st.columns([3, 1])
    chosen = layer_column.pills(
        tr("map.layers"),
        options=list(LAYER_OPTIONS),
        format_func=names.get,
        selection_mode="multi",
        default=DEFAULT_LAYERS,
        key=LAYERS_KEY,
    )
    metric_names = labels("map_metric")
    metric = localized(
        metric_column.selectbox,
        tr("map.metric"),
        options=list(_metrics(window_hours)),
        format_func=metric_names.get,
        key=METRIC_KEY,
        default="rain_mean",
        disabled="townships" not in chosen,
    )
    return chosen, metric


def _township_fill(metrics: pd.DataFrame, metric: Metric) -> list[list[int]]:
    values = metrics[metric.column]
    if metric.signal:
        return [[*SIGNAL_LEVELS.get(level, NO_SIGNAL_COLOR), 255] for level in values]
    if metric.rain_hours is not None:
        if metric.column == "rain_mean_mm" and rules.graded_by_max_24h(metric.rain_hours):
            # Over 24 h: the mean of its gauges' largest 24 h, on the 24 h scale (emergency.rules).
            values = metrics["rain_mean_max_24h_mm"]
        return symbology.rain_colors(values, metric.rain_hours)
    return symbology.class_colors(values, metric.breaks)


def _township_tips(metrics: pd.DataFrame) -> list[str]:
    mm = tr("unit.mm")

    def rain(value):
        return "—" if pd.isna(value) else f"{value:.1f} {mm}"

    return [
        mapdata.tooltip_text(
            f"{tr('map.tooltip.township')} · {row.name}",
            [
                (tr("map.metric.rain_mean"), rain(row.rain_mean_mm)),
                (tr("map.metric.max_1h"), rain(row.max_1h_mm)),
                (
                    tr("map.metric.incidents"),
                    f"{row.incidents}（{tr('map.metric.open_incidents')} {row.open_incidents}）",
                ),
                (tr("map.metric.hazard_people"), row.hazard_people),
                (tr("map.metric.signal"), label("signal_level", row.level) if isinstance(row.level, str) else "—"),
            ],
        )
        for row in metrics.itertuples()
    ]


def _legend_for_metric(metric_code: str, metric: Metric) -> None:
    title = f"{tr('map.layer.townships')}：{label('map_metric', metric_code)}"
    if metric.signal:
        rows = [(tr("map.legend.no_signal"), NO_SIGNAL_COLOR)]
        rows += [(label("signal_level", code), color) for code, color in SIGNAL_LEVELS.items()]
        map_layers.legend(title, rows, note=tr("map.legend.signal_note"))
    elif metric.rain_hours is not None:
        hours = symbology.rain_scale_hours(metric.rain_hours)
        rows = [
            (f"{label('rain_grade', code)} {text}", color)
            for code, text, color in symbology.rain_legend(metric.rain_hours)
        ]
        note = tr("map.legend.scale", scale=hours)
        if metric.column == "rain_mean_mm":
            note += tr("map.legend.same_scale")
            if rules.graded_by_max_24h(metric.rain_hours):
                note += " " + tr("map.legend.max_24h")
        map_layers.legend(title, rows, note=note)
    else:
        map_layers.legend(title, symbology.class_legend(metric.breaks))


@dataclass(frozen=True)
class Resource:
    """A resource layer: its table, how one point is drawn, and its colour when aggregated."""

    layer: str
    table: str
    grid_color: tuple[int, int, int]
    weight_label: str


RESOURCES = (
    Resource("warehouses", "warehouses", map_layers.WAREHOUSE_COLOR, "map.tooltip.quantity"),
    Resource("teams", "teams", (214, 39, 40), "map.tooltip.members"),
    Resource("shelters", "shelters", map_layers.SHELTER_COLOR, "map.tooltip.free"),
    Resource("hazards", "hazard_points", (140, 86, 75), "map.tooltip.people"),
)


RESOURCE_ROWS = {
    "warehouses": cached.warehouses,
    "teams": cached.teams,
    "shelters": cached.shelters,
    "hazards": cached.hazard_points,
}


def _resource_layers(f: Filters, chosen: list[str], cell_deg: float, aggregated: set[str]) -> list[pdk.Layer]:
    layers = []
    for resource in RESOURCES:
        if resource.layer not in chosen:
            continue
        if cached.count_rows(resource.table, f.townships) > MAX_POINTS:
            aggregated.add(resource.layer)
            cells = cached.resource_grid(resource.table, cell_deg, f.townships)
            title, count_text, weight_text = (
                tr(key) for key in (f"map.layer.{resource.layer}", "map.tooltip.count", resource.weight_label)
            )
            tips = [
                mapdata.tooltip_text(title, [(count_text, n), (weight_text, f"{w:,}")])
                for n, w in zip(cells["count"], cells["weight"], strict=True)
            ]
            layers.append(
                map_layers.grid_layer(
                    f"{resource.layer}-grid",
                    cells[["lon", "lat", "count"]],
                    resource.grid_color,
                    cell_deg * 40_000,
                    tips,
                )
            )
        else:
            rows = RESOURCE_ROWS[resource.layer](f.townships)
            rows = rows.dropna(subset=["lon", "lat"])  # location missing: counted below, not drawn
            if resource.layer == "hazards":  # a point over its critical rain says so in its tooltip
                risk = hazards_at_risk(f)
                texts = [map_layers.hazard_risk_text(r) for r in risk.itertuples()]
                rows = rows.assign(risk=rows["id"].map(dict(zip(risk["id"], texts, strict=True))))
            if not rows.empty:
                layers.append(map_layers.RESOURCE_LAYERS[resource.layer](rows))
    not_drawn = cached.location_missing_count(tuple(r.table for r in RESOURCES if r.layer in chosen), f.townships)
    if not_drawn:
        st.caption(tr("map.not_drawn", n=f"{not_drawn:,}"))
    return layers


def stale_minutes() -> int:
    """Minutes without a report after which a gauge is flagged; [yitu] stale_minutes."""
    return int(config.setting("stale_minutes", DEFAULT_STALE_MINUTES))


def grid_deg(county: pd.DataFrame) -> float:
    """Cell size for aggregated layers: at least GRID_DEG, and at most ~MAX_CELLS cells over the county."""
    box = county.iloc[0]
    area = (box["max_lon"] - box["min_lon"]) * (box["max_lat"] - box["min_lat"])
    return round(max(GRID_DEG, (area / MAX_CELLS) ** 0.5), 4)


def _point_legends(chosen: list[str], aggregated: set[str], cell_deg: float, at_risk: int = 0) -> None:  # noqa: C901 - one legend per layer, in order
    grid_note = tr("map.legend.aggregated", km=round(cell_deg * 100, 1))
    if "incidents" in chosen:
        map_layers.code_legend(
            tr("map.legend.incident_types"),
            "incident_type",
            note=grid_note if "incidents" in aggregated else tr("map.legend.incident_size"),
        )
        map_layers.legend(
            tr("map.legend.incident_ring"),
            [(label("incident_status", code), color) for code, color in INCIDENT_STATUSES.items()],
        )
        map_layers.legend(
            tr("map.legend.incident_grade"),
            [(label("incident_grade", code), color) for code, color in INCIDENT_GRADES.items() if code != "general"],
        )
    if "water" in chosen:
        water_view.legend()
    if "gauges" in aggregated:
        map_layers.legend(tr("map.layer.gauges"), [], note=grid_note)
    elif "gauges" in chosen:
        map_layers.legend(
            tr("map.layer.gauges"),
            [(tr("map.legend.stale", minutes=stale_minutes()), map_layers.STALE_RING)],
            note=tr("map.legend.gauge_size"),
        )
    resource_rows = []
    if "warehouses" in chosen:
        resource_rows.append((tr("map.legend.warehouses"), map_layers.WAREHOUSE_COLOR))
    if "shelters" in chosen:
        resource_rows.append((tr("map.legend.shelters"), map_layers.SHELTER_COLOR))
    if resource_rows:
        dense = aggregated & {"warehouses", "shelters"}
        map_layers.legend(tr("map.legend.resources"), resource_rows, note=grid_note if dense else None)
    if "shelters" in chosen and "shelters" not in aggregated:
        map_layers.code_legend(tr("map.legend.shelter_kinds"), "shelter_kind", note=tr("map.legend.shelter_ring"))
    if "teams" in chosen:
        map_layers.code_legend(tr("map.legend.teams"), "team_kind", note=grid_note if "teams" in aggregated else None)
    if "hazards" in chosen:
        map_layers.code_legend(
            tr("map.legend.hazards"), "hazard_kind", note=grid_note if "hazards" in aggregated else None
        )
        map_layers.legend(
            tr("map.legend.hazard_risk_title"),
            [(tr("map.legend.hazard_risk", n=at_risk), map_layers.HAZARD_RISK_RING)],
        )


def build_deck(f: Filters, chosen: list[str], metric_code: str, incidents: pd.DataFrame) -> tuple[pdk.Deck, set[str]]:  # noqa: C901 - one branch per map layer, each a few lines; a split would scatter the layer order
    """Return the deck for the filters and the set of layers that were aggregated."""
    county = cached.county()
    townships = cached.townships()
    metric = _metrics(f.window_hours)[metric_code]
    aggregated: set[str] = set()
    layers: list[pdk.Layer] = []
    if "townships" in chosen:
        metrics = (
            townships[["code", "name", "geometry", "label_lon", "label_lat"]]
            .merge(
                cached.township_metrics(f.start, f.end, f.types, f.statuses).drop(columns="name"), on="code", how="left"
            )
            .merge(cached.township_signals_at(f.end)[["code", "level"]], on="code", how="left")
        )
        day = cached.gauge_totals(f.start, f.end, ()).groupby("township")["max_24h_mm"].mean().round(1)
        metrics["rain_mean_max_24h_mm"] = metrics["code"].map(day)
        layers.append(
            map_layers.township_layer(
                metrics,
                cached.shapes_geojson(tuple(townships["geometry"])),
                _township_fill(metrics, metric),
                _township_tips(metrics),
                f.townships,
            )
        )
    if "surface" in chosen:
        image = cached.rain_surface(f.start, f.end)
        if image:
            layers.append(map_layers.rain_surface_layer(*image))
    layers.append(
        map_layers.county_outline_layer(
            mapdata.feature_collection(cached.shapes_geojson(tuple(county["geometry"])), county[["code", "name"]])
        )
    )
    cell_deg = grid_deg(county)
    layers += _resource_layers(f, chosen, cell_deg, aggregated)
    if "hazards" in chosen and not (risk := hazards_at_risk(f)).empty:
        # Over the points or their cells: the points the KPI counts are found on the map.
        layers.append(map_layers.hazard_risk_layer(risk))
    if "gauges" in chosen:
        if cached.count_rows("rain_gauges", f.townships) > MAX_POINTS:
            aggregated.add("gauges")
            cells = cached.gauge_grid(f.start, f.end, cell_deg, f.townships)
            tips = [
                mapdata.tooltip_text(
                    tr("map.layer.gauges"), [(tr("map.tooltip.gauges"), n), (tr("map.tooltip.rain_max"), m)]
                )
                for n, m in zip(cells["gauges"], cells["max_mm"], strict=True)
            ]
            layers.append(
                map_layers.grid_layer(
                    "gauges-grid", cells[["lon", "lat", "gauges"]], (31, 119, 180), cell_deg * 40_000, tips
                )
            )
        else:
            gauges = cached.gauge_totals(f.start, f.end, f.townships)
            if not gauges.empty:
                stale = cached.stale_gauges(f.end, stale_minutes())
                layers.append(
                    map_layers.gauge_layer(
                        gauges, f.window_hours, dict(zip(stale["code"], stale["age_min"], strict=True))
                    )
                )
    if "water" in chosen and (water := water_view.layer(f)) is not None:
        layers.append(water)
    if "incidents" in chosen:
        if len(incidents) > MAX_POINTS:
            aggregated.add("incidents")
            cells = cached.incident_grid(f.start, f.end, cell_deg, f.townships, f.types, f.statuses)
            tips = [
                mapdata.tooltip_text(
                    tr("map.layer.incidents"), [(tr("map.metric.incidents"), n), (tr("map.metric.open_incidents"), o)]
                )
                for n, o in zip(cells["count"], cells["open"], strict=True)
            ]
            layers.append(
                map_layers.grid_layer(
                    "incidents-grid", cells[["lon", "lat", "count"]], (214, 39, 40), cell_deg * 40_000, tips
                )
            )
        elif not incidents.empty:
            layers.append(map_layers.incident_layer(incidents))
            serious = incidents[incidents["grade_rank"] >= situation.SERIOUS_GRADE_RANK]
            if not serious.empty:
                layers.append(map_layers.incident_grade_layer(serious))
    layers.append(map_layers.township_label_layer(townships))
    box = county.iloc[0]
    view = mapdata.fit_view(box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"], height_px=MAP_HEIGHT_PX)
    return map_layers.deck(layers, view), aggregated


def rerun_app_if_filters_changed() -> None:
    """Inside a fragment a township click must still reach the sidebar filter: rerun the page."""
    if st.session_state.pop(FILTERS_CHANGED_KEY, False):
        st.rerun(scope="app")


def render(f: Filters, incidents: pd.DataFrame, height_px: int = MAP_HEIGHT_PX) -> None:
    """Draw the map of the filtered situation with its layer switches, legends and detail panel."""
    if cached.county().empty or cached.townships().empty:
        st.info(tr("app.no_data"))
        return
    chosen, metric_code = _controls(f.window_hours)
    deck, aggregated = build_deck(f, chosen, metric_code, incidents)
    map_column, side = st.columns([4, 1.2])
    with side:
        if "townships" in chosen:
            _legend_for_metric(metric_code, _metrics(f.window_hours)[metric_code])
        # The window's rain scale is already in the township legend when it shows mean rain.
        same_scale = "townships" in chosen and metric_code == "rain_mean"
        if ("gauges" in chosen or "surface" in chosen) and not same_scale:
            rows = [
                (f"{label('rain_grade', code)} {text}", color)
                for code, text, color in symbology.rain_legend(f.window_hours)
            ]
            map_layers.legend(
                tr("map.legend.rain", scale=symbology.rain_scale_hours(f.window_hours)),
                rows,
                note=tr("map.legend.max_24h") if rules.graded_by_max_24h(f.window_hours) else None,
            )
        at_risk = len(hazards_at_risk(f)) if "hazards" in chosen else 0
        _point_legends(chosen, aggregated, grid_deg(cached.county()), at_risk)
    with map_column:
        if cached.gauge_totals(f.start, f.end, f.townships)["reports"].sum() == 0:
            st.info(tr("map.empty_rain"))
        if incidents.empty and "incidents" in chosen:
            st.caption(tr("map.empty_incidents"))
        st.pydeck_chart(deck, height=height_px, on_select=_on_select, selection_mode="single-object", key=DECK_KEY)
    detail_panel.render(f)
