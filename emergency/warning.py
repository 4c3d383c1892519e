"""Early warning: rainstorm signals, hazard points at risk, incident grades and 叫应 records.

The derived figures themselves are computed in :mod:`emergency.rules` (the one rule engine);
the functions here that return them delegate to it. Signals follow the CMA rainstorm warning
signals (暴雨预警信号): blue when 50 mm fell in 12 h, yellow 50 mm in 6 h, orange 50 mm in 3 h,
red 100 mm in 3 h; the rules live in the store's ``signal_thresholds`` table and can be edited.
Incident grades follow the national production-safety thresholds (生产安全事故报告和调查处理条例,
2007, art. 3): the grade is the highest that any criterion reaches, "以上" including the bound;
the rules live in ``grade_thresholds``. Everything is evaluated "at a moment" (the filter window end), never
at the wall clock; only warnings and acknowledgements are stamped with the wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from emergency import queries, store
from emergency.clock import local_now
from emergency.vocab import INCIDENT_GRADES, SIGNAL_LEVELS, WARNING_CHANNELS

# Level codes by rank: rank 1 is blue .. 4 red; rank 0 means no signal.
LEVEL_CODES = tuple(SIGNAL_LEVELS)
# Grade codes by rank: rank 1 is general .. 4 especially major.
GRADE_CODES = tuple(INCIDENT_GRADES)
TOWNSHIP_METHODS = tuple(queries.TOWNSHIP_AGGREGATES)
DEFAULT_TOWNSHIP_METHOD = "max"
# Minutes after issue when a recipient who has not acknowledged is listed as overdue.
DEFAULT_ACK_MINUTES = 30
# Rolling sums of 0.1 mm readings carry float noise (49.99999999); compare at this precision.
SUM_DECIMALS = 6
# Signal history shown before the window end when the window is shorter, hours.
MIN_HISTORY_H = 24
# Longest warning text kept, characters (a provincial release system limit, well above SMS).
MAX_TEXT_CHARS = 2000
# Incident figures per grade criterion; deaths count the missing too (死亡（含失踪）).
GRADE_CRITERIA = {
    "deaths": lambda frame: frame["deaths"].fillna(0) + frame["missing"].fillna(0),
    "injured": lambda frame: frame["injured"].fillna(0),
    "loss_10k_yuan": lambda frame: frame["loss_10k_yuan"].fillna(0),
}
# Roles of the township responsible persons who receive warnings.
CONTACT_ROLES = ("township_head", "flood_duty", "grid_member")
# A mainland mobile number or a fixed line with its area code (separators removed first).
PHONE_PATTERN = re.compile(r"1\d{10}|0\d{2,3}\d{7,8}")


def level_code(rank: int) -> str | None:
    """Return the level code of a signal rank (None for 0, no signal)."""
    return LEVEL_CODES[rank - 1] if 1 <= rank <= len(LEVEL_CODES) else None


def settings(conn: duckdb.DuckDBPyConnection) -> dict:
    """Return the warning settings with defaults: township_method (str), ack_minutes (int)."""
    stored = queries.warning_settings(conn)
    method = stored.get("township_method", DEFAULT_TOWNSHIP_METHOD)
    return {
        "township_method": method if method in TOWNSHIP_METHODS else DEFAULT_TOWNSHIP_METHOD,
        "ack_minutes": int(stored.get("ack_minutes", DEFAULT_ACK_MINUTES)),
    }


# --------------------------------------------------------------------------- signals


def window_hours(thresholds: pd.DataFrame) -> list[int]:
    """Return the distinct accumulation windows the signal rules use, hours."""
    return sorted({int(h) for h in thresholds["window_hours"]})


def signal_rank(sums: pd.DataFrame, thresholds: pd.DataFrame) -> np.ndarray:
    """Return the signal rank per row: the highest rule rank whose window sum reaches its bound.

    Parameters
    ----------
    sums : pandas.DataFrame
        One row per gauge/township and time, a column ``mm_<h>h`` per window a rule uses
        (NaN means no data and reaches nothing).
    thresholds : pandas.DataFrame
        Rules with rank, window_hours, min_mm (see :func:`emergency.queries.signal_thresholds`).

    Returns
    -------
    numpy.ndarray
        Integer ranks, 0 where no rule holds.

    Examples
    --------
    >>> rules = pd.DataFrame({"rank": [1, 4], "window_hours": [12, 3], "min_mm": [50.0, 100.0]})
    >>> signal_rank(pd.DataFrame({"mm_3h": [10.0, 100.0], "mm_12h": [50.0, 120.0]}), rules).tolist()
    [1, 4]
    """
    ranks = np.zeros(len(sums), dtype=int)
    for rule in thresholds.itertuples(index=False):
        values = np.round(sums[f"mm_{int(rule.window_hours)}h"].to_numpy(dtype=float), SUM_DECIMALS)
        with np.errstate(invalid="ignore"):
            reached = values >= rule.min_mm
        ranks = np.where(reached, np.maximum(ranks, int(rule.rank)), ranks)
    return ranks


def with_levels(frame: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` (window sums per row) with its signal ``rank`` and ``level`` code.

    The ranks are :func:`signal_rank`'s under ``thresholds``; the level is the rank's code (``level_code``).
    """
    frame = frame.copy()
    frame["rank"] = signal_rank(frame, thresholds)
    frame["level"] = [level_code(rank) for rank in frame["rank"]]
    return frame


def aggregate_townships(gauges: pd.DataFrame, method: str) -> pd.DataFrame:
    """Combine gauge window sums into township sums by ``method`` (max or mean of its gauges).

    Gauges without data (NaN sums) are left out of the mean; a township none of whose
    gauges reported keeps NaN sums.
    """
    if method not in TOWNSHIP_METHODS:
        raise ValueError(f"township method {method!r}: use one of {TOWNSHIP_METHODS}")
    columns = [c for c in gauges.columns if c.startswith("mm_")]
    grouped = gauges.dropna(subset=["township"]).groupby("township")[columns]
    combined = grouped.max() if method == "max" else grouped.mean()
    return combined.reset_index()


def gauge_signals_at(
    conn: duckdb.DuckDBPyConnection, moment: datetime, thresholds: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every gauge with its window sums ending at ``moment`` and its signal: :func:`emergency.rules.gauge_signals`."""
    from emergency import rules

    return rules.gauge_signals(conn, moment)


def township_signals_at(conn: duckdb.DuckDBPyConnection, moment: datetime, method: str | None = None) -> pd.DataFrame:
    """Return the rainstorm signal of every township at ``moment``: :func:`emergency.rules.signals` (the one rule)."""
    from emergency import rules

    return rules.signals(conn, moment, method=method)


def signal_history(rolling: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    """Add the signal rank and level to rolling sums (key, ts, ``mm_<h>h``), sorted by key and ts."""
    return with_levels(rolling.sort_values(["key", "ts"], kind="stable").reset_index(drop=True), thresholds)


def summarize_signals(history: pd.DataFrame) -> pd.DataFrame:
    """Return per key the current signal, when it started, its peak and its changes.

    Parameters
    ----------
    history : pandas.DataFrame
        key, ts, rank (from :func:`signal_history`), sorted by key and ts; the last row of
        a key is "now".

    Returns
    -------
    pandas.DataFrame
        key, rank, level (current), level_since (first time of the trailing run at the
        current level: an upgrade or downgrade starts it anew), signal_since (first time of the
        trailing run with any signal),
        since_clipped (the run reaches back to the first row, so it began earlier or there),
        peak_rank, peak_level, peak_at (first time of the peak), changes (list of
        (ts, level) where the level changed, starting with the first row). Times are NaT
        when there is no current signal.
    """
    columns = [
        "key",
        "rank",
        "level",
        "level_since",
        "signal_since",
        "since_clipped",
        "peak_rank",
        "peak_level",
        "peak_at",
        "changes",
    ]
    if history.empty:
        return pd.DataFrame(columns=columns)
    h = history[["key", "ts", "rank"]].reset_index(drop=True)
    h["pos"] = h.groupby("key").cumcount()
    current = h.groupby("key")["rank"].last()
    h["current"] = h["key"].map(current)

    def run_start(breaks: pd.Series) -> pd.Series:
        # Position after the last row that breaks the run: the start of the trailing run.
        last_break = h["pos"].where(breaks).groupby(h["key"]).max()
        return last_break.reindex(current.index).fillna(-1).astype(int) + 1

    by_pos = h.set_index(["key", "pos"])["ts"]
    level_start = run_start(h["rank"] != h["current"])
    signal_start = run_start(h["rank"] < 1)

    def ts_at(starts: pd.Series) -> pd.Series:
        index = pd.MultiIndex.from_arrays([starts.index, starts.to_numpy()])
        return pd.Series(by_pos.reindex(index).to_numpy(), index=starts.index)

    peaks = h.loc[h.groupby("key")["rank"].idxmax(), ["key", "rank", "ts"]].set_index("key")
    changed = h[(h["pos"] == 0) | (h["rank"] != h.groupby("key")["rank"].shift())]
    changes = changed.groupby("key").apply(
        lambda g: [(ts, level_code(rank)) for ts, rank in zip(g["ts"], g["rank"], strict=True)], include_groups=False
    )
    has_signal = current > 0
    summary = pd.DataFrame(
        {
            "key": current.index,
            "rank": current.to_numpy(),
            "level": [level_code(rank) for rank in current],
            "level_since": ts_at(level_start).where(has_signal).to_numpy(),
            "signal_since": ts_at(signal_start).where(has_signal).to_numpy(),
            "since_clipped": ((signal_start == 0) & has_signal).to_numpy(),
            "peak_rank": peaks["rank"].reindex(current.index).to_numpy(),
            "peak_level": [level_code(rank) for rank in peaks["rank"].reindex(current.index)],
            "peak_at": peaks["ts"].reindex(current.index).where(peaks["rank"].reindex(current.index) > 0).to_numpy(),
            "changes": changes.reindex(current.index).to_numpy(),
        }
    )
    return summary[columns]


def township_signals(
    conn: duckdb.DuckDBPyConnection, start: datetime, end: datetime, method: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every township's signal summary over ``(start, end]`` and its history: :func:`emergency.rules.signal_history`.

    The current signal is the one at ``end`` (not at the gauges' last report).
    """
    from emergency import rules

    return rules.signal_history(conn, start, end, method=method)


# ---------------------------------------------------------------------- hazard points


def hazard_exceedance(hazards: pd.DataFrame) -> pd.DataFrame:
    """Add each point's exceedance of its critical rainfall and sort by it, largest first.

    ``ratio_<w>`` is the rain of a window over its critical amount (NaN when either is
    missing); ``exceedance`` is the largest ratio and ``exceeded_window`` its window
    (1h/3h/24h); ``at_risk`` is exceedance >= 1.
    """
    frame = hazards.copy()
    ratios = []
    for window in ("1h", "3h", "24h"):
        critical = frame[f"critical_mm_{window}"].astype(float).where(lambda c: c > 0)
        frame[f"ratio_{window}"] = np.round(frame[f"mm_{window}"].astype(float), SUM_DECIMALS) / critical
        ratios.append(f"ratio_{window}")
    ratio_values = frame[ratios].to_numpy(dtype=float)
    has_ratio = ~np.all(np.isnan(ratio_values), axis=1)
    frame["exceedance"] = np.where(
        has_ratio, np.nanmax(np.where(np.isnan(ratio_values), -np.inf, ratio_values), axis=1), np.nan
    )
    best = np.argmax(np.where(np.isnan(ratio_values), -np.inf, ratio_values), axis=1)
    frame["exceeded_window"] = np.where(has_ratio, np.asarray(["1h", "3h", "24h"])[best], None)
    frame["at_risk"] = frame["exceedance"].fillna(0) >= 1
    return frame.sort_values(
        ["exceedance", "people"], ascending=[False, False], na_position="last", kind="stable"
    ).reset_index(drop=True)


def hazards_at_risk(conn: duckdb.DuckDBPyConnection, moment: datetime, only_at_risk: bool = True) -> pd.DataFrame:
    """Hazard points over a critical amount at ``moment``, worst first: :func:`emergency.rules.hazards`."""
    from emergency import rules

    return rules.hazards(conn, moment, only_at_risk=only_at_risk)


# -------------------------------------------------------------------- incident grades


def grade_incidents(incidents: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    """Add the grade of each incident: the highest grade any criterion reaches.

    Parameters
    ----------
    incidents : pandas.DataFrame
        With deaths, missing, injured and loss_10k_yuan (in 10,000 yuan).
    thresholds : pandas.DataFrame
        grade, rank, criterion, min_value (see :func:`emergency.queries.grade_thresholds`);
        a criterion reaches a grade when its figure is >= min_value.

    Returns
    -------
    pandas.DataFrame
        A copy with grade_rank (0 when no rule holds), grade (code) and grade_basis (the
        criterion that set the grade; deaths before injured before loss on ties).

    Examples
    --------
    >>> from emergency import store
    >>> rules = queries.grade_thresholds(store.connect(":memory:"))
    >>> row = pd.DataFrame({"deaths": [2], "missing": [1], "injured": [0], "loss_10k_yuan": [0.0]})
    >>> grade_incidents(row, rules)["grade"].tolist()
    ['large']
    """
    frame = incidents.copy()
    best = np.zeros(len(frame), dtype=int)
    basis = np.full(len(frame), None, dtype=object)
    for criterion, figure in GRADE_CRITERIA.items():
        values = figure(frame).to_numpy(dtype=float) if len(frame) else np.zeros(0)
        reached = np.zeros(len(frame), dtype=int)
        for rule in thresholds[thresholds["criterion"] == criterion].itertuples(index=False):
            reached = np.where(values >= rule.min_value, np.maximum(reached, int(rule.rank)), reached)
        basis = np.where(reached > best, criterion, basis)
        best = np.maximum(best, reached)
    names = dict(zip(thresholds["rank"], thresholds["grade"], strict=True))
    frame["grade_rank"] = best
    frame["grade"] = [names.get(rank) if rank else None for rank in best.tolist()]
    frame["grade_basis"] = basis
    return frame


def incident_grades(
    conn: duckdb.DuckDBPyConnection,
    start: datetime,
    end: datetime,
    townships: Sequence[str] = (),
    types: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Grade the filtered incidents of ``(start, end]`` by their own type's rules: :func:`emergency.rules.grades`."""
    from emergency import rules
    from emergency.filters import Filters

    return rules.grades(
        conn,
        end,
        Filters(end=end, start=start, townships=tuple(townships), types=tuple(types), statuses=tuple(statuses)),
    )


# ------------------------------------------------------------- configuration writes


def _check_signal_rule(level: str, hours: int, min_mm: float) -> None:
    if level not in LEVEL_CODES:
        raise ValueError(f"unknown signal level {level!r}; use one of {LEVEL_CODES}")
    if int(hours) not in queries.SIGNAL_WINDOWS_H:
        raise ValueError(f"window {hours!r} h of {level} is not one of {queries.SIGNAL_WINDOWS_H}")
    if not float(min_mm) > 0:
        raise ValueError(f"threshold of {level} must be above 0 mm, got {min_mm!r}")


def _check_grade_rule(grade: str, criterion: str, min_value: float) -> None:
    if grade not in GRADE_CODES:
        raise ValueError(f"unknown grade {grade!r}; use one of {GRADE_CODES}")
    if criterion not in GRADE_CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}; use one of {tuple(GRADE_CRITERIA)}")
    if not float(min_value) >= 0:
        raise ValueError(f"bound of {grade}/{criterion} must be 0 or more, got {min_value!r}")


def _check_method(method: str) -> None:
    if method not in TOWNSHIP_METHODS:
        raise ValueError(f"township method {method!r}: use one of {TOWNSHIP_METHODS}")


def save_config(
    conn: duckdb.DuckDBPyConnection,
    signals: pd.DataFrame | None = None,
    grades: pd.DataFrame | None = None,
    method: str | None = None,
) -> None:
    """Write edited warning configuration: all rows are checked first, then written in one transaction.

    Parameters
    ----------
    signals : pandas.DataFrame, optional
        Rows of level, window_hours, min_mm (levels must exist; windows one of
        ``queries.SIGNAL_WINDOWS_H``; amounts above 0).
    grades : pandas.DataFrame, optional
        Rows of grade, criterion, min_value (codes must exist; bounds 0 or more).
    method : {"max", "mean"}, optional
        How a township combines its gauges.

    Raises
    ------
    ValueError
        Naming the first bad row; nothing is written.
    """
    signal_rows = [] if signals is None else list(signals[["level", "window_hours", "min_mm"]].itertuples(index=False))
    grade_rows = [] if grades is None else list(grades[["grade", "criterion", "min_value"]].itertuples(index=False))
    for level, hours, min_mm in signal_rows:
        _check_signal_rule(level, hours, min_mm)
    for grade, criterion, min_value in grade_rows:
        _check_grade_rule(grade, criterion, min_value)
    if method is not None:
        _check_method(method)
    with store.transaction(conn) as cursor:
        for level, hours, min_mm in signal_rows:
            cursor.execute(
                "UPDATE signal_thresholds SET window_hours = ?, min_mm = ? WHERE level = ?",
                [int(hours), float(min_mm), level],
            )
        for grade, criterion, min_value in grade_rows:
            cursor.execute(
                "UPDATE grade_thresholds SET min_value = ? WHERE grade = ? AND criterion = ?",
                [float(min_value), grade, criterion],
            )
        if method is not None:
            cursor.execute("INSERT OR REPLACE INTO warning_settings VALUES ('township_method', ?)", [method])


def set_signal_threshold(conn: duckdb.DuckDBPyConnection, level: str, window_hours_: int, min_mm: float) -> None:
    """Change the rule of one signal level; refuses unknown levels, windows and non-positive amounts."""
    save_config(conn, signals=pd.DataFrame({"level": [level], "window_hours": [window_hours_], "min_mm": [min_mm]}))


def set_grade_threshold(conn: duckdb.DuckDBPyConnection, grade: str, criterion: str, min_value: float) -> None:
    """Change the bound of one grade criterion; refuses unknown codes and negative bounds."""
    save_config(conn, grades=pd.DataFrame({"grade": [grade], "criterion": [criterion], "min_value": [min_value]}))


def set_township_method(conn: duckdb.DuckDBPyConnection, method: str) -> None:
    """Choose how a township combines its gauges: ``max`` or ``mean``."""
    save_config(conn, method=method)


def save_contacts(conn: duckdb.DuckDBPyConnection, contacts: pd.DataFrame) -> int:
    """Replace the responsible persons with ``contacts``, all rows checked first; return the count.

    Parameters
    ----------
    contacts : pandas.DataFrame
        township (code), name, role (one of ``CONTACT_ROLES``), phone (a mainland mobile
        1xxxxxxxxxx or a fixed line 0xxx-xxxxxxx); ``is_demo`` is kept when present.

    Raises
    ------
    ValueError
        Naming the row (1-based) and the reason; nothing is written.
    """
    known = set(queries.townships(conn)["code"])
    rows = []
    for number, row in enumerate(contacts.to_dict("records"), start=1):
        township, name = str(row.get("township") or "").strip(), str(row.get("name") or "").strip()
        role, phone = str(row.get("role") or "").strip(), re.sub(r"[\s-]", "", str(row.get("phone") or ""))
        if township not in known:
            raise ValueError(f"row {number}: unknown township {township!r}")
        if not name:
            raise ValueError(f"row {number}: the name is missing")
        if role not in CONTACT_ROLES:
            raise ValueError(f"row {number}: role {role!r} is not one of {CONTACT_ROLES}")
        if not PHONE_PATTERN.fullmatch(phone):
            raise ValueError(f"row {number}: {row.get('phone')!r} is not a phone number")
        rows.append((township, name, role, phone, bool(row.get("is_demo") or False)))
    duplicates = pd.Series([(r[0], r[3]) for r in rows]).duplicated()
    if duplicates.any():
        number = int(duplicates.idxmax()) + 1
        raise ValueError(f"row {number}: phone {rows[number - 1][3]} is listed twice for that township")
    with store.transaction(conn) as cursor:
        cursor.execute("DELETE FROM township_contacts")
        if rows:
            cursor.executemany("INSERT INTO township_contacts VALUES (?, ?, ?, ?, ?)", rows)
    return len(rows)


# ------------------------------------------------------------ warnings and 叫应


def issue_warning(
    conn: duckdb.DuckDBPyConnection,
    level: str,
    townships: Sequence[str],
    text: str,
    channels: Sequence[str],
    issued_by: str,
    issued_at: datetime | None = None,
) -> int:
    """Record a warning and its recipients (the townships' responsible persons) in one transaction.

    Channels are recorded, nothing is sent.

    Parameters
    ----------
    level : str
        Signal level code (blue, yellow, orange, red).
    townships : sequence of str
        Township codes; each must exist and have at least one responsible person.
    text : str
        The warning text (1 .. MAX_TEXT_CHARS characters after trimming).
    channels : sequence of str
        Some of ``WARNING_CHANNELS``.
    issued_by : str
        Name of the duty officer.
    issued_at : datetime, optional
        Local time of issue; the wall clock by default.

    Returns
    -------
    int
        The new warning's id.

    Raises
    ------
    ValueError
        With a message naming the bad field; nothing is written.
    """
    text, issued_by = (text or "").strip(), (issued_by or "").strip()
    townships = list(dict.fromkeys(townships))
    if level not in LEVEL_CODES:
        raise ValueError(f"unknown warning level {level!r}; use one of {LEVEL_CODES}")
    if not townships:
        raise ValueError("a warning needs at least one township")
    if not text or len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"warning text must have 1 to {MAX_TEXT_CHARS} characters, got {len(text)}")
    unknown_channels = [c for c in channels if c not in WARNING_CHANNELS]
    if not channels or unknown_channels:
        raise ValueError(f"channels must be some of {WARNING_CHANNELS}, got {list(channels)}")
    if not issued_by:
        raise ValueError("the issuing duty officer's name is missing")
    contacts = queries.township_contacts(conn, townships)
    known = set(queries.townships(conn)["code"])
    unknown = [code for code in townships if code not in known]
    if unknown:
        raise ValueError(f"unknown townships: {', '.join(unknown)}")
    uncovered = [code for code in townships if code not in set(contacts["township"])]
    if uncovered:
        raise ValueError(f"no responsible person on record for townships: {', '.join(uncovered)}")
    with store.transaction(conn) as cursor:
        warning_id = cursor.execute(
            """INSERT INTO warnings (level, townships, text, channels, issued_by, issued_at)
               VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
            [
                level,
                townships,
                text,
                [c for c in WARNING_CHANNELS if c in channels],
                issued_by,
                issued_at or local_now(),
            ],
        ).fetchone()[0]
        cursor.execute(
            """INSERT INTO warning_recipients (warning_id, township, name, role, phone)
               SELECT ?, township, name, role, phone FROM township_contacts
               WHERE list_contains(?, township)""",
            [warning_id, townships],
        )
    return int(warning_id)


def acknowledge(
    conn: duckdb.DuckDBPyConnection,
    warning_id: int,
    recipients: Sequence[tuple[str, str]],
    at: datetime | None = None,
) -> int:
    """Record that recipients (township, phone) acknowledged a warning; return how many were new.

    An acknowledgement already on record keeps its first time.
    """
    if not recipients:
        return 0
    keys = [f"{township}|{phone}" for township, phone in recipients]
    with store.transaction(conn) as cursor:
        return cursor.execute(
            """UPDATE warning_recipients SET acknowledged_at = ?
               WHERE warning_id = ? AND acknowledged_at IS NULL
                 AND list_contains(?, township || '|' || phone)""",
            [at or local_now(), int(warning_id), keys],
        ).fetchone()[0]


def overdue_recipients(recipients: pd.DataFrame, now: datetime, minutes: int) -> pd.DataFrame:
    """Return the recipients who have not acknowledged ``minutes`` or more after the issue time.

    Parameters
    ----------
    recipients : pandas.DataFrame
        With acknowledged_at (NaT = not yet) and issued_at, as from
        :func:`emergency.queries.warning_recipients`.
    now : datetime
        The time to judge at (local).
    minutes : int
        The deadline after issue.

    Returns
    -------
    pandas.DataFrame
        The overdue rows with ``waiting_min`` (whole minutes since issue).
    """
    waiting = (pd.Timestamp(now) - pd.to_datetime(recipients["issued_at"])).dt.total_seconds() / 60
    overdue = recipients["acknowledged_at"].isna() & (waiting >= minutes)
    return recipients[overdue].assign(waiting_min=waiting[overdue].astype(int)).reset_index(drop=True)
