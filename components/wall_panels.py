"""HTML of the wall's text regions: title bar, KPI column, ranked townships, ticker, map legend.

Stored text (township, gauge names) goes through ``esc`` (html.escape) and is never read as
markdown: the regions are drawn with ``st.html``, which takes HTML as it is (sanitized).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from components.text import label, labels, lang, tr
from emergency import symbology, wall
from emergency.filters import CUSTOM, Filters
from emergency.vocab import INCIDENT_GRADES, INCIDENT_STATUSES, NO_RAIN_COLOR, SIGNAL_LEVELS


def esc(value) -> str:
    """Stored text as HTML text: escaped, one line."""
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)).replace(
        "\n", " "
    )


def short(value, limit: int) -> str:
    """Stored text for a fixed-width cell: escaped, and cut to ``limit`` characters with "…" (whole text as tooltip)."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).replace("\n", " ")
    if len(text) <= limit:
        return html.escape(text)
    return f'<span title="{html.escape(text, quote=True)}">{html.escape(text[: limit - 1])}…</span>'


def rgb(color) -> str:
    return f"rgb({color[0]},{color[1]},{color[2]})"


def ink(color) -> str:
    """Black or white text on a swatch of ``color``, whichever contrasts more (WCAG luminance)."""

    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(color[0]) + 0.7152 * channel(color[1]) + 0.0722 * channel(color[2])
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def lag_text(minutes: int) -> str:
    if minutes >= 2 * 1440:
        return tr("wall.lag_days", n=minutes // 1440)
    if minutes >= 120:
        return tr("wall.lag_hours", n=minutes // 60)
    return tr("wall.lag_minutes", n=minutes)


def window_text(f: Filters) -> str:
    if f.hours == CUSTOM:
        return tr("wall.window_custom")
    return tr("wall.window_hours", hours=f.hours)


FEED_NAME_CHARS = 12


def feed_alarm(alarms: Sequence[tuple[str, str, int | str, int]]) -> str:
    """The live-source alarm as one chip of the title bar (the pages' red bars would push the wall off screen)."""
    if not alarms:
        return ""
    if len(alarms) == 1:
        state, feed, minutes, _ = alarms[0]
        # A long source name would push the title bar's clock off the screen: its start names it.
        short = feed if len(feed) <= FEED_NAME_CHARS else feed[: FEED_NAME_CHARS - 1] + "…"
        text = tr(f"wall.feed_{state}", feed=short, lag=lag_text(minutes) if isinstance(minutes, int) else minutes)
    else:
        text = tr("wall.feed_many", n=len(alarms))
    return f'<span class="wall-alarm wall-feed-alarm" data-wall="feed-alarm">⚠ {esc(text)}</span>'


def head(
    county: str,
    is_demo: bool,
    f: Filters,
    fresh: wall.Freshness,
    now: datetime,
    refresh_s: int,
    alarms: Sequence[tuple[str, str, int | str, int]] = (),
) -> str:
    """Title bar: county, window, data time, the stale and live-source alarms, clock."""
    demo = f'<span class="wall-chip">{tr("wall.demo")}</span>' if is_demo else ""
    as_of = f"{fresh.latest:%m-%d %H:%M}" if fresh.latest else tr("wall.no_data_time")
    if fresh.stale:
        state = (
            '<span class="wall-alarm" data-wall="stale">⚠'
            f" {esc(tr('wall.stale', lag=lag_text(fresh.lag_minutes or 0)))}</span>"
        )
    else:
        state = f'<span class="wall-ok" data-wall="fresh">● {tr("wall.fresh")}</span>'
    return (
        '<div class="wall-head" data-wall="head">'
        f'<div class="wall-title">{esc(tr("wall.title", county=county))}{demo}</div>'
        '<div class="wall-meta">'
        f'<span>{tr("wall.window")} <b data-wall="window">{window_text(f)}</b> '
        f'<b class="wall-range">{f.start:%m-%d %H:%M} – {f.end:%m-%d %H:%M}</b></span>'
        f'<span>{tr("wall.as_of")} <b data-wall="as-of">{as_of}</b></span>'
        f'{state}{feed_alarm(alarms)}<span class="wall-refresh">{tr("wall.refresh", s=refresh_s)}</span>'
        "</div>"
        f'<div class="wall-clock-box"><div class="wall-clock">{now:%H:%M:%S}</div>'
        f'<div class="wall-date"><span class="wall-date-value">{now:%Y-%m-%d}</span>'
        f" {tr('wall.weekdays').split(',')[now.weekday()]}</div></div>"
        "</div>"
    )


def _mm(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}"


def _card(key: str, title: str, body: str, changed: set[str], keys: tuple[str, ...]) -> str:
    marked = any(k in changed for k in keys)
    mark = f'<span class="mark" title="{tr("wall.changed")}">▲▼</span>' if marked else ""
    return (
        f'<div class="wall-panel wall-kpi{" changed" if marked else ""}" data-wall="kpi-{key}">'
        f"<h3>{title}</h3>{mark}{body}</div>"
    )


def _levels(counts: dict[str, int], palette: dict[str, tuple[int, int, int]], names: dict[str, str], kind: str) -> str:
    """A row of cells, one per code of ``palette``: its count on its colour, and its (short) name."""
    cells = []
    for code, color in palette.items():
        n = counts.get(code, 0)
        style = f"--c:{rgb(color)};" + ("" if n == 0 else f"background:{rgb(color)};color:{ink(color)};")
        cells.append(
            f'<div class="wall-level{" zero" if n == 0 else ""}" style="{style}" data-wall="{kind}-{code}">'
            f'<span class="n">{n}</span><span class="t">{esc(names[code])}</span></div>'
        )
    return f'<div class="wall-levels">{"".join(cells)}</div>'


def kpis(fig, changed: set[str]) -> str:
    """The KPI column."""
    f = fig.filters
    mm = tr("wall.unit.mm")
    k = fig.kpis

    def grade_chip(value) -> str:
        if value is None or pd.isna(value):
            return ""
        index = int(symbology.rain_grade([value], f.window_hours)[0])
        if index < 0:
            return (
                '<span class="wall-badge"'
                f' style="background:{rgb(NO_RAIN_COLOR)};color:#000">{tr("wall.kpi.no_rain")}</span>'
            )
        code, _, color = symbology.rain_legend(f.window_hours)[index]
        return (
            '<span class="wall-badge"'
            f' style="background:{rgb(color)};color:{ink(color)}">{label("rain_grade", code)}</span>'
        )

    town_name, town_mm = fig.township_max
    point_value = f"<b>{_mm(k['rain_max_mm'])} {mm}</b>"
    point_max = tr("wall.kpi.point_max", value=point_value, station=short(k["rain_max_station"], 8) or "—")
    rain = (
        f'<div class="wall-pair"><div><div class="wall-sub">{tr("wall.kpi.rain_max")} ·'
        f" <b>{short(town_name, 6) if town_name else '—'}</b></div><div"
        f' class="wall-value{" changed" if "rain_max" in changed else ""}" data-wall="rain-max">{_mm(town_mm)}<span'
        f' class="unit">{mm}</span></div><div class="wall-sub">{grade_chip(town_mm)}</div></div><div><div'
        f' class="wall-sub">{tr("wall.kpi.rain_mean")}</div><div'
        f' class="wall-value{" changed" if "rain_mean" in changed else ""}"'
        f' data-wall="rain-mean">{_mm(k["rain_mean_mm"])}<span class="unit">{mm}</span></div><div'
        f' class="wall-sub">{grade_chip(k["rain_mean_mm"])}</div></div></div><div class="wall-sub">{point_max}</div>'
    )
    cards = [_card("rain", f"{tr('wall.kpi.rain')} · {window_text(f)}", rain, changed, ("rain_max", "rain_mean"))]
    signal_names = {code: name.removesuffix("色") for code, name in labels("signal_level").items()}
    gauges = _levels(fig.gauge_levels, SIGNAL_LEVELS, signal_names, "gauges")
    # What that rain means on the ground: hazard points over their critical rain (the map's red
    # rings), one line under the gauges (the column is one screen high).
    points, exposed = fig.hazards_at_risk
    hazards = tr("wall.kpi.hazards", n=f"<b>{points}</b>") + (tr("wall.kpi.hazard_people", n=exposed) if points else "")
    gauges += f'<div class="wall-sub{" changed" if "hazards" in changed else ""}" data-wall="hazards">{hazards}</div>'
    cards.append(_card("gauges", tr("wall.kpi.gauges"), gauges, changed, ("gauges", "hazards")))
    if fig.water_over_warning is not None:
        water = (
            f'<div class="wall-value" data-wall="water">{fig.water_over_warning}'
            f'<span class="unit">{tr("wall.unit.stations")}</span></div>'
        )
        cards.append(_card("water", tr("wall.kpi.water"), water, changed, ("water",)))
    open_total = sum(fig.open_by_grade.values())
    ungraded = fig.open_by_grade.get("ungraded", 0)
    # Types without a national scale (未分级) count in the total but have no grade cell: say how many.
    ungraded_html = (
        f'<div class="wall-sub" data-wall="ungraded">{tr("wall.kpi.ungraded", n=ungraded)}</div>' if ungraded else ""
    )
    # Geological disasters share the cells by response level; say which of them are 小型..特大型.
    geological_names = labels("geological_grade")
    geological = fig.open_geological
    geological_html = (
        '<div class="wall-sub" data-wall="geological">'
        + esc(
            tr(
                "wall.kpi.geological",
                parts=tr("wall.kpi.list_sep").join(
                    tr("wall.kpi.geological_part", grade=geological_names[code], n=n) for code, n in geological.items()
                ),
            )
        )
        + "</div>"
        if geological
        else ""
    )
    incidents = (
        f'<div class="wall-value{" changed" if "open" in changed else ""}" data-wall="open">{open_total}'
        f'<span class="unit">{tr("wall.unit.items")}</span></div>'
        # The cells are narrow: the wall's short grade names (English "Especially major" would be cut).
        + _levels(
            fig.open_by_grade, INCIDENT_GRADES, {code: tr(f"wall.grade.{code}") for code in INCIDENT_GRADES}, "grade"
        )
        + geological_html
        + ungraded_html
    )
    cards.append(_card("open", tr("wall.kpi.open"), incidents, changed, ("open",)))
    people = fig.people
    parts = tr("wall.kpi.people_parts", **{k: people[k] for k in ("deaths", "missing", "injured", "trapped")})
    people_html = (
        f'<div class="wall-value{" changed" if "people" in changed else ""}" data-wall="people">{people["total"]}'
        f'<span class="unit">{tr("wall.unit.people")}</span></div>'
        f'<div class="wall-sub">{parts}</div>'
    )
    cards.append(_card("people", tr("wall.kpi.people"), people_html, changed, ("people",)))
    stats = fig.warnings
    ack = tr("wall.kpi.ack_parts", ack=stats.acknowledged, total=stats.recipients) if stats.recipients else None
    rate = "—" if stats.ack_rate is None else f'{stats.ack_rate * 100:.0f}<span class="unit">%</span>'
    warn_html = (
        '<div class="wall-pair">'
        f'<div class="wall-value{" changed" if "warnings" in changed else ""}" data-wall="warnings">{stats.issued}'
        f'<span class="unit">{tr("wall.unit.warnings")}</span></div>'
        f'<div class="wall-value{" changed" if "ack" in changed else ""}" data-wall="ack">{rate}</div>'
        "</div>"
        f'<div class="wall-sub">{ack or tr("wall.kpi.ack_none")}</div>'
    )
    cards.append(_card("warnings", tr("wall.kpi.warnings"), warn_html, changed, ("warnings", "ack")))
    return f'<div class="wall-kpis" data-wall="kpis">{"".join(cards)}</div>'


def signal_badge(level) -> str:
    if isinstance(level, str) and level in SIGNAL_LEVELS:
        color = SIGNAL_LEVELS[level]
        return (
            f'<span class="wall-badge" style="background:{rgb(color)};color:{ink(color)}">'
            f"{esc(label('signal_level', level))}</span>"
        )
    return f'<span class="wall-badge" style="background:#1c3147;color:#a8bccf">{tr("wall.rank.no_signal")}</span>'


def ranking(frame: pd.DataFrame, window_hours: float, by: str = "signal") -> str:
    """The worst townships ranked by ``by``: signal, name, mean rain, open incidents; the heading names the order."""
    mm = tr("wall.unit.mm")
    rows = []
    for index, row in enumerate(frame.itertuples(), start=1):
        rows.append(
            f'<tr data-wall="rank-row"><td class="idx">{index}</td><td'
            f' style="width:4.4rem">{signal_badge(row.level)}</td><td class="name">{short(row.name, 7)}</td><td'
            f' class="num" style="width:7.4rem">{_mm(row.rain_mean_mm)} {mm}</td><td class="num"'
            f' style="width:4.6rem">{tr("wall.rank.open")} {int(row.open_incidents)}</td></tr>'
        )
    return (
        f'<div class="wall-panel wall-rank" data-wall="ranking"><h3>{tr("wall.rank.title")} · '
        f'<span data-wall="rank-by">{tr(f"wall.rank.by_{by}")}</span></h3><table>{"".join(rows)}</table></div>'
    )


def ticker(frame: pd.DataFrame, fresh_since: datetime | None) -> str:
    """Latest incidents and warnings with their times; items newer than the last refresh are marked."""
    types, statuses = labels("incident_type"), labels("incident_status")
    tag_rem = 4.4 if lang() == "zh" else 6.4
    rows = []
    for row in frame.itertuples():
        new = fresh_since is not None and row.at > fresh_since
        people = ""
        if row.kind == "incident":
            color = INCIDENT_STATUSES.get(row.status, (90, 90, 90))
            tag = (
                f'<span class="wall-badge" style="background:{rgb(color)};color:{ink(color)}">'
                f"{esc(statuses.get(row.status, row.status))}</span>"
            )
            where = short(row.where, 5) if row.where else tr("wall.ticker.no_township")
            text = f"{esc(types.get(row.code, row.code))} · {where}"
            if row.people:
                people = tr("wall.ticker.people", n=int(row.people))
        else:
            tag = signal_badge(row.code)
            text = tr("wall.ticker.warning", level=esc(label("signal_level", row.code)), n=int(row.where))
        rows.append(
            f'<tr class="{"fresh" if new else ""}" data-wall="ticker-row"><td class="time">{row.at:%m-%d %H:%M}</td><td'
            f' style="width:{tag_rem}rem">{tag}</td><td>{text}</td><td class="num"'
            f' style="width:5.2rem">{people}</td></tr>'
        )
    if not rows:
        rows.append(f"<tr><td>{tr('wall.ticker.empty')}</td></tr>")
    return (
        f'<div class="wall-panel wall-ticker" data-wall="ticker"><h3>{tr("wall.ticker.title")}</h3>'
        f"<table>{''.join(rows)}</table></div>"
    )


def legend(window_hours: float, stale_color) -> str:
    """The map legend, inside the map panel."""
    scale = symbology.rain_scale_hours(window_hours)
    rain = "".join(
        '<span class="sw"><span class="box"'
        f' style="background:{rgb(color)}"></span>{esc(label("rain_grade", code))}</span>'
        for code, _, color in symbology.rain_legend(window_hours)
    )
    signals = "".join(
        '<span class="sw"><span class="line"'
        f' style="background:{rgb(color)}"></span>{esc(label("signal_level", code))}</span>'
        for code, color in SIGNAL_LEVELS.items()
    )
    statuses = labels("incident_status")
    points = (
        '<span class="sw"><span class="dot" style="background:#61b8ff;box-shadow:0 0 0 .15rem'
        f' #fff"></span>{tr("wall.map.legend.gauge")}</span><span class="sw"><span class="dot"'
        ' style="background:#61b8ff;box-shadow:0 0 0 .15rem'
        f' {rgb(stale_color)}"></span>{tr("wall.map.legend.stale")}</span>'
        + "".join(
            f'<span class="sw"><span class="dot" style="background:{rgb(INCIDENT_STATUSES[c])};box-shadow:0 0 0 .12rem'
            f' #fff"></span>{esc(statuses[c])}</span>'
            for c in ("pending", "active")
        )
    )
    return (
        f'<div class="wall-legend" data-wall="legend"><div class="ttl">{tr("wall.map.legend.rain", h=scale)}</div><div'
        f' class="row">{rain}</div><div class="ttl">{tr("wall.map.legend.signal")}</div><div'
        f' class="row">{signals}</div><div class="ttl">{tr("wall.map.legend.points")} ·'
        f' {tr("wall.map.legend.incident")}</div><div class="row">{points}</div></div>'
    )


def chart_title() -> str:
    return f'<div class="wall-chart-title" data-wall="chart-title">{tr("wall.chart.title")}</div>'


def tour_badge(text: str) -> str:
    return f'<div class="wall-tour" data-wall="tour">{esc(text)}</div>'
