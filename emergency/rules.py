"""The one rule engine: every derived figure of the picture, as a function of (store, moment, filters).

Pages, the township card, the briefing and the big screen draw these results and compute
none of their own, so one figure is the same wherever it is shown. Each function is
evaluated at one moment ``T`` (the filter window end; in live use, now) and never at the wall
clock. A new figure is one more function here with the same signature.

Public functions
----------------
signals(conn, moment, filters=None)
    Township rainstorm signals at ``T``: rain of ``(T - h, T]`` from every report of every
    gauge whatever its interval, combined per township (max/mean, a setting). A gauge that
    fell silent contributes what it reported in the window (never extrapolated) and is
    flagged stale; ``decided_by`` names the gauge that set the level.
gauge_signals(conn, moment, filters=None)
    The same per gauge, with last report, age and stale flag.
signal_history(conn, start, moment, filters=None)
    Township signals at every report time in ``(start, T]`` and at ``T`` itself, by the same
    rule (its last row per township equals :func:`signals`), with the summary the warning
    page shows (level since, peak, changes).
signal_rows(conn, moment, township)
    The reports behind a township's signal: gauge, time, mm and which windows count them.
kpis(conn, moment, filters)
    The headline figures of the window ending at ``T`` (rain, incidents, serious incidents by
    their type's grade, townships under a signal, hazard points at risk).
grades(conn, moment, filters)
    The window's incidents with the grade of their own type's scale (``grade_rules``):
    production safety by 国务院令第493号 with 重伤, geological disasters by 《地质灾害防治条例》
    art. 4, a type without a national single-incident scale ``未分级`` unless an admin
    configured a provincial rule. ``grade_rule`` names the rule and its source.
hazards(conn, moment, filters=None, only_at_risk=True)
    Hazard points against their critical rainfall, measured by the nearest gauge that
    reported, within the configured distance (``hazard_gauge_km``); ``gauge`` names it.
rain_grade_values(frame, window_hours, column)
    The values a rain layer is coloured by: the window total up to 24 h; for longer windows
    the largest 24 h total inside the window (graded on the 24 h scale, the legend says so).
freshness(conn, now=None)
    "数据截至 T", the age of the data against the wall clock and whether it is stale, and
    whether the store is a demo replay.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from emergency import clock, config, queries, store, warning
from emergency.filters import Filters
from emergency.i18n import label, t
from emergency.store import run
from emergency.vocab import OPEN_STATUSES

# A gauge silent this long before T is flagged stale ([yitu] stale_minutes).
DEFAULT_STALE_MINUTES = 60
# Data older than this relative to the wall clock gets the stale notice ([yitu] stale_data_minutes).
DEFAULT_STALE_DATA_MINUTES = 180
# Hazard points use reporting gauges within this distance, km (warning_settings hazard_gauge_km).
DEFAULT_HAZARD_GAUGE_KM = 10.0
# Grade rank from which an incident counts as serious on the KPI card (2 = 较大 / 中型).
SERIOUS_GRADE_RANK = 2
# Windows longer than this are graded by their largest 24 h total, hours.
LONGEST_SCALE_H = 24
GRADE_CRITERIA_FIGURES = {
    "deaths": lambda frame: frame["deaths"].fillna(0),
    "deaths_missing": lambda frame: frame["deaths"].fillna(0) + frame["missing"].fillna(0),
    "seriously_injured": lambda frame: frame["seriously_injured"].fillna(0),
    "loss_10k_yuan": lambda frame: frame["loss_10k_yuan"].fillna(0),
}
GRADE_CRITERIA = tuple(GRADE_CRITERIA_FIGURES)
GRADE_CODES = ("general", "large", "major", "especially_major")


def stale_minutes() -> int:
    """Minutes without a report after which a gauge is flagged stale ([yitu] stale_minutes)."""
    return int(config.setting("stale_minutes", DEFAULT_STALE_MINUTES))


def _window(filters: Filters | None, moment: datetime) -> Filters:
    """Move the filters so that their window ends at ``moment`` (same length, same selections)."""
    if filters is None:
        return Filters(end=moment)
    if filters.end == moment:
        return filters
    return replace(filters, end=moment, start=moment - (filters.end - filters.start))


# ------------------------------------------------------------------------------ signals


def gauge_signals(
    conn: duckdb.DuckDBPyConnection,
    moment: datetime,
    filters: Filters | None = None,
    max_age_minutes: int | None = None,
) -> pd.DataFrame:
    """Return every gauge's rain over each signal window ending at ``moment`` and its signal.

    Returns
    -------
    pandas.DataFrame
        code, name, township, township_name, lon, lat, reports, ``mm_<h>h`` per rule window
        (NaN: no report in the longest window), rank, level, last_ts (last report at or
        before ``moment``), age_min, stale (no report in the ``max_age_minutes`` before
        ``moment``). Restricted to the filter's townships.
    """
    max_age = stale_minutes() if max_age_minutes is None else max_age_minutes
    thresholds = queries.signal_thresholds(conn)
    gauges = queries.gauge_rain_at(conn, moment, warning.window_hours(thresholds))
    fresh = queries.gauge_freshness(conn, moment, max_age)[["code", "last_ts", "age_min", "stale"]]
    frame = warning.with_levels(gauges, thresholds).merge(fresh, on="code", how="left")
    frame["stale"] = frame["stale"].fillna(True).astype(bool)
    if filters is not None and filters.townships:
        frame = frame[frame["township"].isin(filters.townships)].reset_index(drop=True)
    return frame


def _decided_by(gauges: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per township: the gauge whose sums set the level (highest rank, then largest longest-window sum)."""
    columns = [c for c in gauges.columns if c.startswith("mm_")]
    ranked = gauges.dropna(subset=["township"]).copy()
    ranked["_key"] = ranked[columns].max(axis=1).fillna(-1)
    ranked = ranked.sort_values(["township", "rank", "_key", "code"], ascending=[True, False, False, True])
    top = ranked.groupby("township").head(1)
    return top.set_index("township")[["code", "name"]].rename(columns={"code": "decided_by", "name": "decided_by_name"})


def signals(
    conn: duckdb.DuckDBPyConnection, moment: datetime, filters: Filters | None = None, method: str | None = None
) -> pd.DataFrame:
    """Return the rainstorm signal of every township at ``moment``.

    Parameters
    ----------
    conn : duckdb.DuckDBPyConnection
    moment : datetime
        T: the windows are ``(T - h, T]``.
    filters : Filters, optional
        Only its townships (all when empty).
    method : {"max", "mean"}, optional
        Township = max or mean of its gauges' sums; default from the settings table.

    Returns
    -------
    pandas.DataFrame
        code, name, ``mm_<h>h``, rank (0 none .. 4 red), level, gauges (reporting in the
        longest window), stale_gauges (codes of its gauges silent at T, comma-separated, ""
        when none), decided_by / decided_by_name (the gauge that set the level with method
        max; the highest gauge with mean), one row per township in code order.
    """
    method = method or warning.settings(conn)["township_method"]
    thresholds = queries.signal_thresholds(conn)
    gauges = gauge_signals(conn, moment)
    combined = warning.aggregate_townships(gauges[["township", *[c for c in gauges if c.startswith("mm_")]]], method)
    reporting = gauges[gauges["reports"] > 0].groupby("township").size().rename("gauges")
    stale = gauges[gauges["stale"]].groupby("township")["code"].agg(lambda codes: ",".join(sorted(codes)))
    townships = queries.townships(conn)[["code", "name"]]
    frame = townships.merge(combined, left_on="code", right_on="township", how="left").drop(columns="township")
    frame = frame.merge(reporting, left_on="code", right_index=True, how="left")
    frame["gauges"] = frame["gauges"].fillna(0).astype(int)
    frame["stale_gauges"] = [value if isinstance(value, str) else "" for value in frame["code"].map(stale)]
    frame = warning.with_levels(frame, thresholds)
    frame = frame.merge(_decided_by(gauges, method), left_on="code", right_index=True, how="left")
    if filters is not None and filters.townships:
        frame = frame[frame["code"].isin(filters.townships)]
    return frame.reset_index(drop=True)


def signal_text(row: pd.Series, thresholds: pd.DataFrame, lang: str = "zh") -> str:
    """Describe a township's signal at T in one line: level, the gauge that decided and its amount, stale gauges.

    Examples
    --------
    >>> rules_ = pd.DataFrame({"level": ["orange"], "rank": [3], "window_hours": [3], "min_mm": [50.0]})
    >>> row = pd.Series({"level": "orange", "rank": 3, "mm_3h": 55.0, "decided_by_name": "甲站", "stale_gauges": ""})
    >>> signal_text(row, rules_)
    '橙色（甲站 3 小时 55.0 毫米 ≥ 50）'
    """
    stale = row.get("stale_gauges") or ""
    stale_note = t("rules.signal.stale", lang, gauges=stale) if isinstance(stale, str) and stale else ""
    if not isinstance(row.get("level"), str):
        return t("rules.signal.none", lang) + stale_note
    rule = thresholds[thresholds["level"] == row["level"]].iloc[0]
    hours = int(rule["window_hours"])
    return (
        t(
            "rules.signal.text",
            lang,
            level=label("signal_level", row["level"], lang),
            gauge=row.get("decided_by_name") or "—",
            hours=hours,
            mm=f"{row[f'mm_{hours}h']:.1f}",
            bound=f"{rule['min_mm']:g}",
        )
        + stale_note
    )


@dataclass(frozen=True)
class _Reports:
    """Every report of the gauges of some townships in ``(start, end]``, as arrays for the running sums.

    The gauges are numbered in (township, code) order; the reports are sorted by gauge and time,
    and ``key`` (gauge number x ``span`` + microseconds after ``start``) is one sorted array that
    finds any gauge's reports up to any time with one binary search.
    """

    townships: np.ndarray  # township of each gauge
    first: np.ndarray  # index of each gauge's first report (one more entry: the end)
    ts: np.ndarray  # microseconds after start
    key: np.ndarray
    running: np.ndarray  # running total of thousandths of a millimetre, 0 before the first report
    span: int

    def at(self, gauges: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Index into ``running`` of each gauge's last report at or before each time (gauges x times).

        ``times`` are microseconds after ``start``, never before it: a history time is later than
        the reports' start by more than the longest window it looks back.
        """
        return np.searchsorted(self.key, gauges[:, None] * self.span + times[None, :], side="right")


def _us(moment: datetime) -> int:
    """Microseconds since the epoch of a naive local time (the store's time values)."""
    return int(np.datetime64(moment, "us").astype(np.int64))


def _report_rows(
    conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime, townships: tuple[str, ...] | None = None
) -> _Reports:
    """Read the reports of ``(start, end]`` of every gauge with a township (or of ``townships``)."""
    gauges = run(
        conn,
        "SELECT code, township FROM rain_gauges WHERE township IS NOT NULL ORDER BY township, code",
    )
    if townships is not None:
        gauges = gauges[gauges["township"].isin(list(townships))].reset_index(drop=True)
    codes = gauges["code"].tolist()
    # The gauges' numbers come with the list read above, so a gauge added meanwhile changes nothing.
    rows = run(
        conn,
        """
        SELECT k.gauge, r.ts, round(r.mm * 1000)::BIGINT AS milli
        FROM rainfall r
        JOIN (SELECT unnest(?::VARCHAR[]) AS code, generate_subscripts(?::VARCHAR[], 1) - 1 AS gauge) k
          ON k.code = r.station
        WHERE r.ts > ? AND r.ts <= ?
        """,
        [codes, codes, start, end],
    )
    base = _us(start)
    span = _us(end) - base + 2
    gauge = rows["gauge"].to_numpy(dtype=np.int64)
    ts = rows["ts"].to_numpy(dtype="datetime64[us]").astype(np.int64) - base
    key = gauge * span + ts
    # Sorted here rather than by the query: half the time of an ORDER BY for millions of reports.
    order = np.argsort(key, kind="stable")
    return _Reports(
        townships=gauges["township"].to_numpy(dtype=object),
        first=np.searchsorted(gauge[order], np.arange(len(codes) + 1)),
        ts=ts[order],
        key=key[order],
        running=np.concatenate([[0], np.cumsum(rows["milli"].to_numpy(dtype=np.int64)[order])]),
        span=span,
    )


def _township_sums(
    reports: _Reports, gauges: np.ndarray, times: np.ndarray, windows: list[int], method: str
) -> dict[str, np.ndarray]:
    """Sum ``(t - h, t]`` per time and window for one township's ``gauges``, combined over them.

    Each gauge's sum at t is C(t) - C(t - h) with C the running total of its reports (exact
    integers of thousandths), so every report counts whatever its interval and a silent gauge
    contributes what it reported. A gauge with no report in the longest window has no value.
    ``times`` are microseconds after the reports' start.
    """
    hour_us = clock.US_PER_HOUR
    now = reports.at(gauges, times)
    present = now - reports.at(gauges, times - max(windows) * hour_us) > 0
    out = {}
    for h in windows:
        sums = reports.running[now] - reports.running[reports.at(gauges, times - h * hour_us)]
        values = np.where(present, sums.astype(float), np.nan) / 1000
        with warnings.catch_warnings():
            # A time none of the gauges covers is NaN (all-NaN slice): no data, not no rain.
            warnings.simplefilter("ignore", RuntimeWarning)
            out[f"mm_{h}h"] = np.nanmax(values, axis=0) if method == "max" else np.nanmean(values, axis=0)
    return out


def signal_history(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    moment: datetime,
    filters: Filters | None = None,
    method: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return every township's signal summary over ``(start, T]`` and the history behind it.

    The history holds each township's signal at every report time of its gauges in
    ``(start, T]`` and at T itself, by the rule of :func:`signals` (so its last row per
    township is the signal at T: the moment, not the gauges' last report). It reaches back at
    least ``warning.MIN_HISTORY_H`` hours so that a signal's start is found in a short window.

    Returns
    -------
    summary : pandas.DataFrame
        code, name and the columns of :func:`emergency.warning.summarize_signals`; sorted by
        rank, peak, code.
    history : pandas.DataFrame
        key (township code), ts, ``mm_<h>h``, rank, level.
    """
    method = method or warning.settings(conn)["township_method"]
    thresholds = queries.signal_thresholds(conn)
    windows = warning.window_hours(thresholds)
    start = min(start, moment - timedelta(hours=warning.MIN_HISTORY_H))
    codes = filters.townships if filters is not None and filters.townships else None
    lookback = start - timedelta(hours=max(windows))
    reports = _report_rows(conn, lookback, moment, codes)
    since, at_moment = _us(start) - _us(lookback), _us(moment) - _us(lookback)
    frames = []
    # Gauges are numbered in township order: each township is one run of gauge numbers.
    township_of = reports.townships
    bounds = [0, *(np.flatnonzero(township_of[1:] != township_of[:-1]) + 1), len(township_of)]
    for low, high in zip(bounds[:-1], bounds[1:], strict=True):
        if low == high:
            continue  # no gauge at all
        rows = slice(reports.first[low], reports.first[high])
        if rows.start == rows.stop:
            continue  # no report in the longest window before start: no history
        own = reports.ts[rows]
        times = np.unique(np.concatenate([own[own > since], [at_moment]]))
        sums = _township_sums(reports, np.arange(low, high), times, windows, method)
        stamps = pd.to_datetime((times + _us(lookback)).astype("datetime64[us]"))
        frames.append(pd.DataFrame({"key": township_of[low], "ts": stamps, **sums}))
    columns = ["key", "ts", *[f"mm_{h}h" for h in windows]]
    rolling = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    for h in windows:
        rolling[f"mm_{h}h"] = rolling[f"mm_{h}h"].astype(float)
    history = warning.signal_history(rolling, thresholds)
    summary = warning.summarize_signals(history)
    townships = queries.townships(conn)[["code", "name"]]
    if codes is not None:
        townships = townships[townships["code"].isin(codes)]
    summary = townships.merge(summary, left_on="code", right_on="key", how="left").drop(columns="key")
    summary["rank"] = summary["rank"].fillna(0).astype(int)
    summary["peak_rank"] = summary["peak_rank"].fillna(0).astype(int)
    summary["since_clipped"] = summary["since_clipped"].astype("boolean").fillna(False).astype(bool)
    summary = summary.sort_values(["rank", "peak_rank", "code"], ascending=[False, False, True], kind="stable")
    return summary.reset_index(drop=True), history


def signal_rows(conn: duckdb.DuckDBPyConnection, moment: datetime, township: str) -> pd.DataFrame:
    """Return the reports behind a township's signal at T: the rows of the longest rule window.

    Columns: gauge, gauge_name, ts, interval_min, mm and ``in_<h>h`` (True when the report
    counts in the window of h hours ending at T), newest first.
    """
    thresholds = queries.signal_thresholds(conn)
    windows = warning.window_hours(thresholds)
    frame = run(
        conn,
        """
        SELECT r.station AS gauge, g.name AS gauge_name, r.ts, r.interval_min, r.mm
        FROM rainfall r JOIN rain_gauges g ON g.code = r.station
        WHERE g.township = ? AND r.ts > ? AND r.ts <= ?
        ORDER BY r.ts DESC, r.station
        """,
        [township, moment - timedelta(hours=max(windows)), moment],
    )
    for h in windows:
        frame[f"in_{h}h"] = frame["ts"] > moment - timedelta(hours=h)
    return frame


# --------------------------------------------------------------------------------- grades


def grade_rules(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the grade rules: incident_type, scale, grade, rank, criterion, min_value, source."""
    return run(
        conn,
        "SELECT incident_type, scale, grade, rank, criterion, min_value, source FROM grade_rules "
        "ORDER BY incident_type, rank, criterion",
    )


def _check_rule(incident_type: str, scale: str, grade: str, criterion: str, min_value: float, source: str) -> None:
    if not incident_type or not isinstance(incident_type, str):
        raise ValueError("grade rule: incident type is empty")
    if not scale or not source:
        raise ValueError(f"grade rule for {incident_type}: scale and source are required")
    if grade not in GRADE_CODES:
        raise ValueError(f"grade rule for {incident_type}: unknown grade {grade!r}")
    if criterion not in GRADE_CRITERIA:
        raise ValueError(f"grade rule for {incident_type}: unknown criterion {criterion!r}")
    if not (isinstance(min_value, (int, float)) and np.isfinite(min_value) and min_value >= 0):
        raise ValueError(f"grade rule for {incident_type}: bound {min_value!r} must be a number >= 0")


def save_grade_rules(conn: duckdb.DuckDBPyConnection, incident_type: str, rules: pd.DataFrame) -> int:
    """Replace the rules of one incident type (e.g. a provincial flood rule); empty = 未分级.

    ``rules`` has scale, grade, criterion, min_value, source; all rows are checked first,
    then written in one transaction. Returns the number of rules written.
    """
    rows = (
        list(rules[["scale", "grade", "criterion", "min_value", "source"]].itertuples(index=False))
        if len(rules)
        else []
    )
    for scale, grade, criterion, min_value, source in rows:
        _check_rule(incident_type, scale, grade, criterion, float(min_value), source)
    with store.transaction(conn) as cursor:
        cursor.execute("DELETE FROM grade_rules WHERE incident_type = ?", [incident_type])
        for scale, grade, criterion, min_value, source in rows:
            cursor.execute(
                "INSERT INTO grade_rules VALUES (?, ?, ?, ?, ?, ?, ?)",
                [incident_type, scale, grade, GRADE_CODES.index(grade) + 1, criterion, float(min_value), source],
            )
    return len(rows)


def grade_frame(incidents: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Add each incident's grade by the rules of its own type.

    Returns a copy with grade_rank (0 ungraded), grade (code or None), grade_scale (scale
    code or None = 未分级), grade_basis (the criterion that set the grade: deaths before
    injured before loss on ties) and grade_source (the rule's legal source).

    Examples
    --------
    >>> rules = pd.DataFrame({"incident_type": ["landslide"] * 2, "scale": ["geological"] * 2,
    ...     "grade": ["large", "general"], "rank": [2, 1], "criterion": ["deaths", "deaths"],
    ...     "min_value": [3.0, 0.0], "source": ["条例"] * 2})
    >>> rows = pd.DataFrame({"type": ["landslide", "flood"], "deaths": [3, 9], "missing": [0, 0],
    ...     "injured": [0, 0], "seriously_injured": [None, None], "loss_10k_yuan": [0.0, 0.0]})
    >>> grade_frame(rows, rules)[["grade", "grade_scale"]].values.tolist()
    [['large', 'geological'], [None, None]]
    """
    frame = incidents.copy()
    if "seriously_injured" not in frame:
        frame["seriously_injured"] = np.nan
    frame["seriously_injured"] = pd.to_numeric(frame["seriously_injured"], errors="coerce")
    best = np.zeros(len(frame), dtype=int)
    basis = np.full(len(frame), None, dtype=object)
    types = frame["type"].to_numpy(dtype=object) if len(frame) else np.zeros(0, dtype=object)
    for criterion, figure in GRADE_CRITERIA_FIGURES.items():
        values = figure(frame).to_numpy(dtype=float) if len(frame) else np.zeros(0)
        reached = np.zeros(len(frame), dtype=int)
        for rule in rules[rules["criterion"] == criterion].itertuples(index=False):
            applies = types == rule.incident_type
            reached = np.where(applies & (values >= rule.min_value), np.maximum(reached, int(rule.rank)), reached)
        basis = np.where(reached > best, criterion, basis)
        best = np.maximum(best, reached)
    scales = rules.drop_duplicates("incident_type").set_index("incident_type")
    ranks = best.tolist()

    def column(values) -> pd.Series:
        # Object columns keep None for "ungraded" (a string dtype would turn it into NaN).
        return pd.Series(values, index=frame.index, dtype=object)

    frame["grade_rank"] = best
    frame["grade"] = column([GRADE_CODES[rank - 1] if rank else None for rank in ranks])
    frame["grade_scale"] = column(
        [scales["scale"].get(code) if rank else None for code, rank in zip(types, ranks, strict=True)]
    )
    frame["grade_basis"] = column(list(basis))
    frame["grade_source"] = column(
        [scales["source"].get(code) if rank else None for code, rank in zip(types, ranks, strict=True)]
    )
    return frame


def grades(conn: duckdb.DuckDBPyConnection, moment: datetime, filters: Filters) -> pd.DataFrame:
    """Return the filtered incidents of the window ending at ``moment``, graded by their type's rules.

    Columns of :func:`emergency.queries.incidents` plus seriously_injured and those of
    :func:`grade_frame`; the filter's grades keep only incidents of those grades.
    """
    f = _window(filters, moment)
    incidents = queries.incidents(conn, f.start, f.end, f.townships, f.types, f.statuses)
    if len(incidents):
        # A join with the window's ids: ``list_contains`` would scan the whole list for every
        # stored incident (10 s for a 72 h window of a 100 k-incident store).
        extra = run(
            conn,
            """SELECT i.id, i.seriously_injured
               FROM incidents i JOIN (SELECT DISTINCT unnest(?::VARCHAR[]) AS id) w ON w.id = i.id""",
            [incidents["id"].astype(str).tolist()],
        )
        incidents = incidents.merge(extra, on="id", how="left")
    else:
        incidents["seriously_injured"] = pd.Series(dtype=float)
    graded = grade_frame(incidents, grade_rules(conn))
    if f.grades:
        graded = graded[graded["grade"].isin(f.grades)].reset_index(drop=True)
    return graded


def grade_label(scale: str | None, grade: str | None, lang: str = "zh") -> str:
    """Name the grade as the rule names it: 较大 for production safety, 中型 for geological, 未分级 when none."""
    if not grade or not isinstance(grade, str):
        return t("rules.ungraded", lang)
    if scale == "geological":
        return label("geological_grade", grade, lang)
    return label("incident_grade", grade, lang)


# ---------------------------------------------------------------------------- hazards


def hazard_gauge_km(conn: duckdb.DuckDBPyConnection) -> float:
    """Return the configured distance within which reporting gauges stand for a hazard point, km."""
    value = queries.warning_settings(conn).get("hazard_gauge_km")
    try:
        km = float(value)
    except (TypeError, ValueError):
        return DEFAULT_HAZARD_GAUGE_KM
    return km if np.isfinite(km) and km > 0 else DEFAULT_HAZARD_GAUGE_KM


def hazards(
    conn: duckdb.DuckDBPyConnection,
    moment: datetime,
    filters: Filters | None = None,
    only_at_risk: bool = True,
    max_km: float | None = None,
) -> pd.DataFrame:
    """Return hazard points against their critical rainfall at ``moment``, worst first.

    Every gauge that reported in the 24 h before T and lies within ``max_km`` (default the
    setting ``hazard_gauge_km``) is a candidate; the nearest of them decides (a silent nearer
    gauge is passed over; the larger exceedance on equal distance) and is named in ``gauge`` /
    ``gauge_name`` / ``gauge_km``. A point
    with no reporting gauge in range is kept with ``evaluated`` False (never listed at risk
    on a silent gauge's zero), and ``nearest_gauge`` / ``nearest_km`` say what is closest.

    Returns
    -------
    pandas.DataFrame
        Point columns, gauge, gauge_name, gauge_km, mm_1h,
        mm_3h, mm_24h, ratio_*, exceedance, exceeded_window, at_risk, evaluated,
        nearest_gauge, nearest_km.
    """
    km = hazard_gauge_km(conn) if max_km is None else float(max_km)
    rain = queries.gauge_rain_24h(conn, moment)  # read once for the nearest gauge and the reporting ones
    points = queries.hazard_rain_at(conn, moment, rain)
    base = points.drop(columns=["gauge", "gauge_name", "gauge_km", "mm_1h", "mm_3h", "mm_24h"])
    nearest = points[["id", "gauge", "gauge_km"]].rename(columns={"gauge": "nearest_gauge", "gauge_km": "nearest_km"})
    pairs = queries.hazard_gauges_within(conn, moment, km, rain)
    candidates = base.merge(pairs, on="id", how="inner")
    scored = warning.hazard_exceedance(candidates)
    scored["_order"] = scored["exceedance"].fillna(-1)
    # The nearest reporting gauge stands for the point (rain is local; a gauge 9 km off over a
    # ridge is not the point's rain); at equal distance the worse reading decides.
    scored = scored.sort_values(["id", "gauge_km", "_order"], ascending=[True, True, False], kind="stable")
    best = scored.groupby("id").head(1).drop(columns="_order")
    frame = base.merge(best[["id", "gauge", "gauge_name", "gauge_km", "mm_1h", "mm_3h", "mm_24h"]], on="id", how="left")
    frame = warning.hazard_exceedance(frame)
    frame = frame.merge(nearest, on="id", how="left")
    frame["evaluated"] = frame["gauge"].notna()
    frame["max_km"] = km
    if filters is not None and filters.townships:
        frame = frame[frame["township"].isin(filters.townships)]
    frame = frame.sort_values(
        ["exceedance", "people", "id"], ascending=[False, False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)
    return frame[frame["at_risk"]].reset_index(drop=True) if only_at_risk else frame


# ------------------------------------------------------------------------------- KPIs


def kpis(conn: duckdb.DuckDBPyConnection, moment: datetime, filters: Filters) -> pd.Series:
    """Return the headline figures of the window ending at ``moment``.

    Index: rain_max_mm, rain_max_station, rain_mean_mm, gauges_reporting, incidents,
    open_incidents, affected_townships (counted over the graded incidents when a grade
    filter is set), serious_incidents (grade rank >= 2 by their own type's scale),
    signal_townships (townships under a signal at T, of the filter's townships),
    hazards_at_risk (points at or over a critical amount at T), water_over (water stations over
    警戒/保证/汛限 at T; NaN without water stations).
    """
    f = _window(filters, moment)
    figures = queries.kpis(conn, f.start, f.end, f.townships, f.types, f.statuses).iloc[0].copy()
    graded = grades(conn, moment, f)
    if f.grades:
        figures["incidents"] = len(graded)
        figures["open_incidents"] = int(graded["status"].isin(OPEN_STATUSES).sum())
        figures["affected_townships"] = graded["township"].nunique()
    figures["serious_incidents"] = int((graded["grade_rank"] >= SERIOUS_GRADE_RANK).sum())
    figures["signal_townships"] = int(signals(conn, moment, f)["level"].notna().sum())
    figures["hazards_at_risk"] = len(hazards(conn, moment, f))
    figures["water_over"] = water_over(conn, moment, f.townships)
    return figures


def water_over(conn: duckdb.DuckDBPyConnection, moment: datetime, townships=()) -> float:
    """Count the stations over their warning level at ``moment`` (KPI 超警戒站点).

    See :func:`emergency.feed.water.over_count`; NaN for a store without water stations.
    """
    from emergency.feed import water

    if not store.scalar(conn, "SELECT count(*) FROM water_stations"):
        return float("nan")
    return float(water.over_count(conn, moment, tuple(townships)))


# --------------------------------------------------------------------------- rain grades


def rain_grade_values(
    frame: pd.DataFrame, window_hours: float, column: str, max_24h_column: str = "max_24h_mm"
) -> pd.Series:
    """Return the values a rain colour is graded by: the total up to 24 h, else the largest 24 h total.

    A 72 h window of 20 mm a day is 中雨 on the 24 h scale (its largest day), not 暴雨 (its
    60 mm total). Frames of windows over 24 h must carry ``max_24h_column``
    (:func:`gauge_rain_totals`).

    Examples
    --------
    >>> frame = pd.DataFrame({"total_mm": [60.0], "max_24h_mm": [20.0]})
    >>> rain_grade_values(frame, 72, "total_mm").tolist(), rain_grade_values(frame, 24, "total_mm").tolist()
    ([20.0], [60.0])
    """
    if graded_by_max_24h(window_hours):
        if max_24h_column not in frame:
            raise KeyError(f"a {window_hours:g} h window is graded by {max_24h_column}, which the frame lacks")
        return frame[max_24h_column]
    return frame[column]


def gauge_rain_totals(conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime, townships=()) -> pd.DataFrame:
    """Return the gauges with their window total and the value their colour is graded by.

    The columns of :func:`emergency.queries.gauge_totals` plus max_24h_mm (the largest 24 h inside
    the window; equal to the total for windows up to 24 h) and grade_mm, the value graded.
    """
    gauges = queries.gauge_totals(conn, start, end, townships)
    hours = (end - start).total_seconds() / 3600
    if graded_by_max_24h(hours):
        gauges = gauges.merge(queries.gauge_max_24h(conn, start, end), on="code", how="left")
    else:
        gauges["max_24h_mm"] = gauges["total_mm"]
    gauges["grade_mm"] = rain_grade_values(gauges, hours, "total_mm")
    return gauges


def township_rain(conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> pd.DataFrame:
    """Return per township the mean and max rain of its gauges, and the mean of their largest 24 h.

    The columns of :func:`emergency.queries.township_rain` plus mean_max_24h_mm, the mean of its
    gauges' largest 24 h (what a window over 24 h is graded by).
    """
    frame = queries.township_rain(conn, start, end)
    gauges = gauge_rain_totals(conn, start, end)
    day = gauges.groupby("township")["max_24h_mm"].mean().round(1)
    frame["mean_max_24h_mm"] = frame["code"].map(day)
    return frame


def graded_by_max_24h(window_hours: float) -> bool:
    """Tell whether rain of this window is graded by its largest 24 h total (legends say so)."""
    return window_hours > LONGEST_SCALE_H


# ----------------------------------------------------------------------------- freshness


@dataclass(frozen=True)
class Freshness:
    """How current the picture is."""

    data_end: datetime | None  # latest data time in the store (T of the default window)
    now: datetime  # the wall clock, local time
    age_minutes: int | None  # now - data_end
    limit_minutes: int
    stale: bool  # data older than the limit (or none at all)
    is_demo: bool  # a demo store: a replay of a past storm, not live data


def stale_data_minutes() -> int:
    """Minutes of data age after which the stale notice is shown ([yitu] stale_data_minutes)."""
    return int(config.setting("stale_data_minutes", DEFAULT_STALE_DATA_MINUTES))


def assess_freshness(latest: datetime | None, is_demo: bool, now: datetime, limit_minutes: int) -> Freshness:
    """Judge the freshness of data whose latest time is ``latest`` at wall-clock ``now``.

    Examples
    --------
    >>> f = assess_freshness(datetime(2026, 6, 22), False, datetime(2026, 6, 22, 3, 1), 180)
    >>> f.age_minutes, f.stale
    (181, True)
    """
    latest = None if latest is None or pd.isna(latest) else pd.Timestamp(latest).to_pydatetime()
    age = None if latest is None else int((now - latest).total_seconds() // 60)
    return Freshness(latest, now, age, int(limit_minutes), latest is None or age > limit_minutes, bool(is_demo))


def freshness(
    conn: duckdb.DuckDBPyConnection, now: datetime | None = None, limit_minutes: int | None = None
) -> Freshness:
    """Return the data time of the store against the wall clock (for the header and big screen)."""
    now = now or clock.local_now()
    limit = stale_data_minutes() if limit_minutes is None else int(limit_minutes)
    _, latest = queries.data_range(conn)
    meta = dict(run(conn, "SELECT key, value FROM meta").itertuples(index=False))
    return assess_freshness(latest, meta.get("is_demo") == "true", now, limit)
