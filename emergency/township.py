"""Township command view (乡镇可视化指挥): one township's situation, who to call, its card, and the county ranking.

Distances are straight lines. A township's "nearest team" is the rescue team nearest to its
seat (the label point of its polygon, where the township government is drawn), so every
township is measured the same way; resources "near" a township lie within ``NEAR_KM`` of its
boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import shapely

from emergency import briefing, clock, dispatch, geo, queries, rules, store
from emergency.briefing import Block
from emergency.filters import Filters
from emergency.i18n import label, t
from emergency.vocab import OPEN_STATUSES

# Resources this close to a township's boundary are listed with it, km.
NEAR_KM = 5.0
# A gauge silent this long before the moment makes its township's data lag (the map's default).
DEFAULT_STALE_MINUTES = 60
# Rows printed on the one-page card (contacts, open incidents, resources of each kind), tried
# in this order until the card fits on one page; the rows left out are counted in a note.
CARD_ROW_LIMITS = ((10, 8, 3), (8, 6, 2), (6, 4, 2), (4, 3, 1), (2, 2, 1))
# Who to call, in this order; labels in i18n "call_role".
CALL_ROLES = ("duty_leader", "township_head", "flood_duty", "grid_member")
RESOURCE_KINDS = ("teams", "warehouses", "shelters")


def _nearest_teams(lon, lat, teams: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``teams`` of the nearest team to each point and its distance in km (-1 / NaN without teams)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if teams.empty:
        return np.full(lon.shape, -1), np.full(lon.shape, np.nan)
    km = geo.haversine_km(
        lon[:, None], lat[:, None], teams["lon"].to_numpy()[None, :], teams["lat"].to_numpy()[None, :]
    )
    index = km.argmin(axis=1)
    return index, km[np.arange(lon.size), index]


def ranking(conn: duckdb.DuckDBPyConnection, f: Filters, max_age_minutes: int = DEFAULT_STALE_MINUTES) -> pd.DataFrame:
    """Compare every township on the same figures for the filter window.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    f : Filters
        Window ``(start, end]`` and incident type/status selections (the township
        selection is ignored: the ranking is always county-wide).
    max_age_minutes : int
        A gauge with no report this long before ``f.end`` is stale.

    Returns
    -------
    pandas.DataFrame
        code, name, rain_mean_mm, rain_max_mm, max_1h_mm, incidents, open_incidents,
        hazard_people, shelter_capacity, shelter_free, shelter_cover (capacity ÷ people at
        hazard points; NaN when none live there), nearest_team, nearest_team_km, gauges,
        stale_gauges, last_rain_at, rain_lag_min, last_report_at, lagging (no gauge, a
        stale gauge, or rain data older than ``max_age_minutes``); wettest first.
    """
    metrics = queries.township_metrics(conn, f.start, f.end, f.types, f.statuses)
    shelters = queries.shelter_gaps(conn)[["code", "shelter_capacity", "shelter_free"]]
    fresh = queries.township_freshness(conn, f.end, max_age_minutes).drop(columns="name")
    seats = queries.townships(conn)[["code", "label_lon", "label_lat"]]
    teams = queries.teams(conn)
    frame = metrics.merge(shelters, on="code", how="left").merge(fresh, on="code", how="left").merge(seats, on="code")
    index, km = _nearest_teams(frame["label_lon"], frame["label_lat"], teams)
    frame["nearest_team"] = np.where(
        index >= 0, teams["name"].to_numpy()[np.maximum(index, 0)] if len(teams) else None, None
    )
    frame["nearest_team_km"] = np.round(km, 1)
    people = frame["hazard_people"].astype(float)
    frame["shelter_cover"] = (frame["shelter_capacity"].astype(float) / people.where(people > 0)).round(2)
    frame["lagging"] = (
        (frame["gauges"] == 0)
        | (frame["stale_gauges"] > 0)
        | frame["rain_lag_min"].isna()
        | (frame["rain_lag_min"].astype(float) > max_age_minutes)
    )
    columns = [
        "code",
        "name",
        "rain_mean_mm",
        "rain_max_mm",
        "max_1h_mm",
        "incidents",
        "open_incidents",
        "hazard_people",
        "shelter_capacity",
        "shelter_free",
        "shelter_cover",
        "nearest_team",
        "nearest_team_km",
        "gauges",
        "stale_gauges",
        "last_rain_at",
        "rain_lag_min",
        "last_report_at",
        "lagging",
    ]
    return (
        frame[columns]
        .sort_values(["rain_mean_mm", "code"], ascending=[False, True], na_position="last", kind="stable")
        .reset_index(drop=True)
    )


def _local_km(geometry: shapely.Geometry, lat0: float) -> shapely.Geometry:
    """Project the geometry to km on a plane tangent at ``lat0`` (enough for distances of a few km)."""
    scale = np.array([geo.KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)), geo.KM_PER_DEG_LAT])
    return shapely.transform(geometry, lambda xy: xy * scale)


def distance_to_km(polygon: shapely.Geometry, lon, lat) -> np.ndarray:
    """Return each point's straight-line distance to ``polygon`` in km (0 inside).

    Examples
    --------
    >>> box = shapely.box(118.0, 28.0, 118.1, 28.1)
    >>> distance_to_km(box, [118.05, 118.2], [28.05, 28.05]).round(1).tolist()
    [0.0, 9.8]
    """
    lat0 = (polygon.bounds[1] + polygon.bounds[3]) / 2
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(shapely.distance(_local_km(polygon, lat0), _local_km(points, lat0)), dtype=float)


def resources_near(
    conn: duckdb.DuckDBPyConnection, code: str, polygon: shapely.Geometry, near_km: float = NEAR_KM
) -> dict[str, pd.DataFrame]:
    """Return the teams, warehouses and shelters in a township or within ``near_km`` of it.

    Each frame adds ``distance_km`` (0 inside the boundary) and ``inside`` (its township is
    ``code``); inside first, then nearest first.
    """
    found = {}
    for kind, frame in (
        ("teams", queries.teams(conn)),
        ("warehouses", queries.warehouses(conn)),
        ("shelters", queries.shelters(conn)),
    ):
        frame = frame.assign(
            distance_km=np.round(distance_to_km(polygon, frame["lon"], frame["lat"]), 2),
            inside=frame["township"] == code,
        )
        chosen = frame[frame["inside"] | (frame["distance_km"] <= near_km)]
        found[kind] = chosen.sort_values(["inside", "distance_km"], ascending=[False, True], kind="stable").reset_index(
            drop=True
        )
    return found


def who_to_call(
    conn: duckdb.DuckDBPyConnection, code: str, moment: datetime, incidents: pd.DataFrame, hazards: pd.DataFrame
) -> pd.DataFrame:
    """Return who to call for a township at ``moment``.

    The leader on duty that day, the township's responsible persons, and the grid member of
    every grid cell holding an open incident of ``incidents`` or an at-risk point of
    ``hazards`` (located by point in polygon).

    Returns
    -------
    pandas.DataFrame
        role (CALL_ROLES code), title (duty title code or None), name, phone, grid and
        grid_code (None but for grid members), incidents and hazards (ids that make the
        call needed, "、"-joined).
    """
    rows = []
    for leader in queries.duty_leaders(conn, moment, (code,)).itertuples():
        rows.append({"role": "duty_leader", "title": leader.title, "name": leader.name, "phone": leader.phone})
    for contact in queries.township_contacts(conn, (code,)).itertuples():
        rows.append({"role": contact.role, "title": None, "name": contact.name, "phone": contact.phone})
    grids = queries.grids(conn, (code,))
    if not grids.empty:
        cells = geo.wkb_to_geometry(grids["geometry"])
        open_incidents = incidents[incidents["status"].isin(OPEN_STATUSES) & incidents["lon"].notna()]
        in_grid = {
            "incidents": (open_incidents["id"], geo.locate(open_incidents["lon"], open_incidents["lat"], cells)),
            "hazards": (hazards["id"], geo.locate(hazards["lon"], hazards["lat"], cells)),
        }
        reasons: dict[int, dict[str, list[str]]] = {}
        for kind, (ids, where) in in_grid.items():
            for ident, cell in zip(ids, where, strict=True):
                if cell >= 0:
                    reasons.setdefault(int(cell), {"incidents": [], "hazards": []})[kind].append(str(ident))
        for cell in sorted(reasons, key=lambda c: (-len(reasons[c]["incidents"]) - len(reasons[c]["hazards"]), c)):
            grid = grids.iloc[cell]
            rows.append(
                {
                    "role": "grid_member",
                    "title": None,
                    "name": grid["keeper"],
                    "phone": grid["phone"],
                    "grid": grid["name"],
                    "grid_code": grid["code"],
                    "incidents": "、".join(reasons[cell]["incidents"]),
                    "hazards": "、".join(reasons[cell]["hazards"]),
                }
            )
    frame = pd.DataFrame(rows, columns=["role", "title", "name", "phone", "grid", "grid_code", "incidents", "hazards"])
    order = {role: index for index, role in enumerate(CALL_ROLES)}
    frame["_order"] = frame["role"].map(order).fillna(len(order))
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


@dataclass
class TownshipSummary:
    """Everything the township page and card show for one township and filter window."""

    code: str
    name: str
    start: datetime
    end: datetime
    area_km2: float
    population: int
    villages: int
    grids: int
    figures: pd.Series  # its row of :func:`ranking`
    nearest_team: dict | None  # name, kind, km, eta_min
    incidents: pd.DataFrame  # in the window, matching the type/status filters, newest first
    hazards: pd.DataFrame  # its hazard points at risk at ``end`` (rules.hazards)
    resources: dict[str, pd.DataFrame]  # resources_near
    contacts: pd.DataFrame  # who_to_call
    is_demo: bool
    signal: pd.Series | None = None  # its row of rules.signals at ``end`` (the one rule)
    signal_rules: pd.DataFrame | None = None  # the signal thresholds, to say which rule holds

    @property
    def people_at_risk(self) -> int:
        """Return the people living at the township's hazard points."""
        return int(self.hazards["people"].sum()) if not self.hazards.empty else 0


def summary(
    conn: duckdb.DuckDBPyConnection, code: str, f: Filters, max_age_minutes: int = DEFAULT_STALE_MINUTES
) -> TownshipSummary:
    """Gather one township's situation for the filter window.

    Parameters
    ----------
    code : str
        Township code.
    f : Filters
        Window and incident selections (its township selection is ignored).

    Raises
    ------
    ValueError
        For an unknown township code.
    """
    townships = queries.townships(conn)
    match = townships[townships["code"] == code]
    if match.empty:
        raise ValueError(f"unknown township {code!r}")
    township = match.iloc[0]
    polygon = geo.wkb_to_geometry(bytes(township["geometry"]))
    figures = ranking(conn, f, max_age_minutes).set_index("code").loc[code]
    teams = queries.teams(conn)
    index, km = _nearest_teams([township["label_lon"]], [township["label_lat"]], teams)
    nearest = None
    if index[0] >= 0:
        team = teams.iloc[int(index[0])]
        nearest = {
            "name": team["name"],
            "kind": team["kind"],
            "km": round(float(km[0]), 1),
            "eta_min": float(dispatch.travel_minutes(km[0])),
        }
    incidents = queries.incidents(conn, f.start, f.end, (code,), f.types, f.statuses)
    hazards = rules.hazards(conn, f.end)
    hazards = hazards[hazards["township"] == code].reset_index(drop=True)
    return TownshipSummary(
        code=code,
        name=township["name"],
        start=f.start,
        end=f.end,
        area_km2=float(township["area_km2"] or 0),
        population=int(township["population"] or 0),
        villages=int(store.scalar(conn, "SELECT count(*) FROM villages WHERE township = ?", [code])),
        grids=int(store.scalar(conn, "SELECT count(*) FROM grids WHERE township = ?", [code])),
        figures=figures,
        nearest_team=nearest,
        incidents=incidents,
        hazards=hazards,
        resources=resources_near(conn, code, polygon),
        contacts=who_to_call(conn, code, f.end, incidents, hazards),
        is_demo=bool(township["is_demo"]),
        signal=rules.signals(conn, f.end).set_index("code").loc[code],
        signal_rules=queries.signal_thresholds(conn),
    )


# --------------------------------------------------------------------------- the card


def _mm(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}"


def _when(value) -> str:
    return "—" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%m-%d %H:%M")


def figure_rows(s: TownshipSummary, lang: str) -> list[tuple[str, str]]:
    """List the headline figures of a township as (name, value) text, shared by the page and the card."""
    row = s.figures
    mm = t("unit.mm", lang)
    cover = "—" if pd.isna(row["shelter_cover"]) else f"{row['shelter_cover']:.2f}"
    team = "—"
    if s.nearest_team:
        team = t(
            "township.nearest_team_value",
            lang,
            name=s.nearest_team["name"],
            km=f"{s.nearest_team['km']:.1f}",
            minutes=f"{s.nearest_team['eta_min']:.0f}",
        )
    lag = "—" if pd.isna(row["rain_lag_min"]) else f"{int(row['rain_lag_min'])}"
    signal = "—" if s.signal is None or s.signal_rules is None else rules.signal_text(s.signal, s.signal_rules, lang)
    return [
        (t("rules.fig.signal", lang), signal),
        (t("township.fig.rain_mean", lang), f"{_mm(row['rain_mean_mm'])} {mm}"),
        (t("township.fig.rain_max", lang), f"{_mm(row['rain_max_mm'])} {mm}"),
        (t("township.fig.max_1h", lang), f"{_mm(row['max_1h_mm'])} {mm}"),
        (
            t("township.fig.incidents", lang),
            t("township.open_of_total", lang, open=int(row["open_incidents"]), total=int(row["incidents"])),
        ),
        (t("township.fig.hazard_people", lang), f"{int(row['hazard_people'])}"),
        (
            t("township.fig.at_risk", lang),
            t("township.at_risk_value", lang, points=len(s.hazards), people=s.people_at_risk),
        ),
        (
            t("township.fig.shelters", lang),
            t(
                "township.shelter_value",
                lang,
                capacity=int(row["shelter_capacity"]),
                free=int(row["shelter_free"]),
                need=int(row["hazard_people"]),
                cover=cover,
            ),
        ),
        (t("township.fig.nearest_team", lang), team),
        (
            t("township.fig.freshness", lang),
            t(
                "township.freshness_value",
                lang,
                rain=_when(row["last_rain_at"]),
                lag=lag,
                report=_when(row["last_report_at"]),
                stale=int(row["stale_gauges"]),
                gauges=int(row["gauges"]),
            ),
        ),
        (
            t("township.fig.hierarchy", lang),
            t(
                "township.hierarchy_value",
                lang,
                villages=s.villages,
                grids=s.grids,
                area=f"{s.area_km2:.0f}",
                population=s.population,
            ),
        ),
    ]


def contact_rows(contacts: pd.DataFrame, lang: str) -> list[list[str]]:
    """Who to call as text rows: role, name, phone, grid, why."""
    rows = []
    for c in contacts.itertuples():
        role = label("call_role", c.role, lang)
        if isinstance(c.title, str):
            role = f"{role}（{label('duty_title', c.title, lang)}）"
        why = []
        if isinstance(c.incidents, str) and c.incidents:
            why.append(t("township.why_incidents", lang, ids=c.incidents))
        if isinstance(c.hazards, str) and c.hazards:
            why.append(t("township.why_hazards", lang, ids=c.hazards))
        rows.append([role, c.name, c.phone, c.grid if isinstance(c.grid, str) else "—", "；".join(why) or "—"])
    return rows


def _more(shown: int, total: int, lang: str) -> list[Block]:
    return [Block("note", t("township.card.more", lang, n=total - shown))] if total > shown else []


def card_blocks(
    s: TownshipSummary, lang: str, now: datetime | None = None, limits: tuple[int, int, int] = CARD_ROW_LIMITS[0]
) -> list[Block]:
    """Lay out the township card (乡镇态势卡) as briefing blocks.

    ``limits`` caps the rows of contacts, open incidents and resources of each kind.
    """
    now = now or clock.local_now()
    contacts_max, incidents_max, per_kind = limits
    blocks = [
        Block("title", t("township.card.title", lang, name=s.name)),
        Block(
            "subtitle",
            t(
                "township.card.subtitle",
                lang,
                start=f"{s.start:%Y-%m-%d %H:%M}",
                end=f"{s.end:%Y-%m-%d %H:%M}",
                now=f"{now:%Y-%m-%d %H:%M}",
            ),
        ),
        Block("heading2", t("township.h.figures", lang)),
        Block(
            "table",
            header=[t("briefing.col.measure", lang), t("briefing.col.value", lang)],
            rows=[list(pair) for pair in figure_rows(s, lang)],
        ),
        Block("heading2", t("township.h.contacts", lang)),
    ]
    contacts = contact_rows(s.contacts, lang)
    if contacts:
        blocks.append(
            Block(
                "table",
                header=[t(f"township.col.{c}", lang) for c in ("role", "name", "phone", "grid", "why")],
                rows=contacts[:contacts_max],
            )
        )
        blocks += _more(min(len(contacts), contacts_max), len(contacts), lang)
    else:
        blocks.append(Block("paragraph", t("township.no_contacts", lang)))
    open_incidents = s.incidents[s.incidents["status"].isin(OPEN_STATUSES)]
    blocks.append(Block("heading2", t("township.h.open_incidents", lang, n=len(open_incidents))))
    if not open_incidents.empty:
        rows = [
            [
                i.id,
                _when(i.occurred_at),
                label("incident_type", i.type, lang),
                label("incident_status", i.status, lang),
                i.address or "—",
            ]
            for i in open_incidents.head(incidents_max).itertuples()
        ]
        header = [t(f"col.{c}", lang) for c in ("id", "occurred_at", "type", "status", "address")]
        blocks.append(Block("table", header=header, rows=rows))
        blocks += _more(len(rows), len(open_incidents), lang)
    blocks.append(Block("heading2", t("township.h.resources", lang, km=f"{NEAR_KM:g}")))
    resources = resource_rows(s, lang, per_kind)
    total = sum(len(s.resources[kind]) for kind in RESOURCE_KINDS)
    if resources:
        header = [t(f"township.col.{c}", lang) for c in ("kind", "name", "where", "size")]
        blocks.append(Block("table", header=header, rows=resources))
        blocks += _more(len(resources), total, lang)
    else:
        blocks.append(Block("paragraph", t("township.no_resources", lang)))
    if s.is_demo:
        blocks.append(Block("note", t("township.demo_note", lang)))
    return blocks


def resource_rows(s: TownshipSummary, lang: str, per_kind: int | None = None) -> list[list[str]]:
    """Teams, warehouses and shelters in and near the township as text rows: kind, name, where, size.

    ``per_kind`` keeps the first (inside, then nearest) rows of each kind.
    """
    rows = []
    for kind in RESOURCE_KINDS:
        for r in s.resources[kind].head(per_kind).itertuples():
            where = t("township.inside", lang) if r.inside else t("township.km_away", lang, km=f"{r.distance_km:.1f}")
            if kind == "teams":
                size = t("township.team_size", lang, kind=label("team_kind", r.kind, lang), members=r.members)
            elif kind == "warehouses":
                size = t("township.warehouse_size", lang, items=r.items)
            else:
                size = t("township.shelter_size", lang, free=r.free, capacity=r.capacity)
            rows.append([t(f"map.layer.{kind}", lang), r.name, where, size])
    return rows


def pdf_pages(pdf: bytes) -> int:
    """Count the pages of a PDF written by fpdf2 (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def card_pdf(s: TownshipSummary, lang: str = "zh", now: datetime | None = None) -> bytes:
    """Return the township card as a one-page A4 PDF (Noto Sans CJK SC embedded; see emergency.briefing.to_pdf).

    Long lists are cut, less each time, until the card fits on one page.
    """
    now = now or clock.local_now()
    for limits in CARD_ROW_LIMITS:
        pdf = briefing.to_pdf(card_blocks(s, lang, now, limits))
        if pdf_pages(pdf) == 1:
            break
    return pdf
