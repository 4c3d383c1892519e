"""Rivers and reservoirs on the pages, and the live feeds' freshness.

Every figure here comes from :func:`emergency.feed.water.station_states` (through
``cached.water_states``): the map layer, its detail panel, the KPI 超警戒站点 and the warning
page's list show the same states.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pydeck as pdk
import streamlit as st

from components import cached, map_layers
from components.chart_config import PLOTLY_CONFIG
from components.text import chart, dataframe, label, lang, plain, tr
from emergency import mapdata
from emergency.feed import figures, water
from emergency.filters import Filters

LAYER = "water"
# Minutes without a level after which a water station gets the stale (magenta) ring.
STALE_MINUTES = 60
# Seconds between looks at the feeds' freshness on an open page.
ALARM_REFRESH_S = 30


def _m(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.2f} {tr('unit.m')}"


def layer(f: Filters) -> pdk.Layer | None:
    """Water stations coloured by state (a larger dot the higher the state), stale ones ringed."""
    states = cached.water_states(f.end, f.townships)
    if states.empty:
        return None
    tips, ring = [], []
    for row in states.itertuples():
        rows = [
            ("ID", row.code),
            (tr("water.kind"), label("water_kind", row.kind)),
            (tr("water.state"), label("water_state", row.state)),
            (tr("water.level"), _m(row.level_m)),
            (tr("water.warning_level"), _m(row.warning_level_m)),
            (tr("water.guarantee_level"), _m(row.guarantee_level_m)),
        ]
        if row.kind == "reservoir":
            rows.append((tr("water.limit_level"), _m(row.limit_level_m)))
        if not pd.isna(row.ts):
            rows.append((tr("water.time"), f"{row.ts:%m-%d %H:%M}"))
        stale = pd.isna(row.age_min) or row.age_min > STALE_MINUTES
        if stale:
            rows.append(
                (
                    tr("map.tooltip.stale"),
                    tr("map.tooltip.never") if pd.isna(row.age_min) else f"{int(row.age_min)} min",
                )
            )
        tips.append(mapdata.tooltip_text(f"{label('water_kind', row.kind)} · {row.name}", rows))
        ring.append([*map_layers.STALE_RING, 255] if stale else [30, 30, 30, 230])
    fill = [[*water.STATE_COLORS[s], 240] for s in states["state"]]
    radius = states["state"].map(water.STATE_RANK).fillna(0) * 150 + 350
    return map_layers.point_layer(LAYER, states, fill, radius, tips, line_color=ring, line_width_px=2.5)


def legend() -> None:
    rows = [
        (label("water_state", s), water.STATE_COLORS[s])
        for s in ("normal", "over_flood_limit", "over_warning", "over_guarantee", "no_data")
    ]
    rows.append((tr("map.legend.stale", minutes=STALE_MINUTES), map_layers.STALE_RING))
    map_layers.legend(tr("map.layer.water"), rows, note=tr("water.legend_note"))


def detail(f: Filters, code: str) -> None:
    """Detail panel of a clicked water station: its state and the hydrograph of the window."""
    states = cached.water_states(f.end, ())
    match = states[states["code"] == code]
    if match.empty:
        st.info(tr("detail.gone"))
        return
    row = match.iloc[0]
    st.subheader(f"{label('water_kind', row['kind'])} · {plain(row['name'])}")
    left, right = st.columns([1, 2])
    with left:
        table = [
            ("ID", code),
            (tr("water.state"), label("water_state", row["state"])),
            (tr("water.level"), _m(row["level_m"])),
            (tr("water.warning_level"), _m(row["warning_level_m"])),
            (tr("water.guarantee_level"), _m(row["guarantee_level_m"])),
            (tr("water.limit_level"), _m(row["limit_level_m"])),
            (tr("water.river"), row["river"]),
            (tr("water.time"), None if pd.isna(row["ts"]) else f"{row['ts']:%Y-%m-%d %H:%M}"),
        ]
        dataframe(
            pd.DataFrame(
                {
                    tr("detail.field"): [n for n, _ in table],
                    tr("detail.value"): [
                        "—" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for _, v in table
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    with right:
        series = cached.water_hydrograph(code, f.start, f.end)
        if series.empty:
            st.info(tr("water.no_levels"))
        else:
            st.plotly_chart(
                chart(figures.hydrograph(series, row, lang())), key="detail_hydrograph", config=PLOTLY_CONFIG
            )


def live_over_table(f: Filters) -> None:
    """:func:`over_table`, redrawn every screen refresh; with no ``end`` in the URL it follows the
    newest data, so reports synced while the page is open appear without a reload."""
    from components import big_screen

    @st.fragment(run_every=big_screen.refresh_seconds())
    def live() -> None:
        over_table(big_screen.following_latest(f))

    live()


def over_table(f: Filters) -> None:
    """Warning page: stations over their thresholds in the window, with time over and peak."""
    st.subheader(tr("water.over_title"))
    over = cached.water_over(f.start, f.end, f.townships)
    if over.empty:
        st.caption(tr("water.over_none") if not cached.water_states(f.end, ()).empty else tr("water.no_stations"))
        return
    now = cached.water_states(f.end, f.townships)
    now = now[now["state"].isin(water.OVER_STATES)]
    if not now.empty:
        # Plain text (names are data): who is over right now, readable without the table.
        st.caption(
            tr(
                "water.over_now",
                moment=f"{f.end:%m-%d %H:%M}",
                stations="、".join(f"{plain(r.name)}（{label('water_state', r.state)}）" for r in now.itertuples()),
            )
        )
    names = dict(zip(cached.townships()["code"], cached.townships()["name"], strict=True))
    shown = pd.DataFrame(
        {
            tr("water.station"): over["name"],
            tr("water.kind"): over["kind"].map(lambda k: label("water_kind", k)),
            tr("col.township_name"): over["township"].map(lambda c: names.get(c, "—")),
            tr("water.state_now"): over["state"].map(lambda s: label("water_state", s)),
            tr("water.level_now"): over["level_m"],
            tr("water.threshold"): over["threshold_m"],
            tr("water.first_over"): over["first_over"],
            tr("water.hours_over"): (over["over_minutes"] / 60).round(1),
            tr("water.peak"): over["peak_m"],
            tr("water.peak_at"): over["peak_at"],
        }
    )
    dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="water_over_table",
        column_config={
            tr("water.level_now"): st.column_config.NumberColumn(format="%.2f"),
            tr("water.threshold"): st.column_config.NumberColumn(format="%.2f"),
            tr("water.peak"): st.column_config.NumberColumn(format="%.2f"),
            tr("water.first_over"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
            tr("water.peak_at"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
        },
    )


# ------------------------------------------------------------------ feeds: worker and freshness


def start_worker() -> None:
    """Start this server process's sync loop (once; idle while another process holds the lock)."""
    from emergency import config
    from emergency.feed import worker

    # [yitu] feed_worker = false: the store is synced by `python -m emergency feed run` instead.
    if config.setting("feed_worker", True) is False:
        return
    worker.start(cached.get_store(), config.store_target(), on_change=cached.clear)


def _status() -> pd.DataFrame:
    try:
        return cached.feed_status_at(cached.store_now().replace(second=0, microsecond=0))
    except duckdb.Error:  # the freshness look must never take a page down; the log has the query
        return pd.DataFrame(columns=["feed", "state", "alarm", "silent_for_min", "silent_min"]).astype({"alarm": bool})


def alarms() -> list[tuple[str, str, int | str, int]]:
    """Return the live sources in alarm: (state "down"/"silent", feed name, minutes silent or "—", limit)."""
    status = _status()
    return [
        (row.state, row.feed, "—" if pd.isna(row.silent_for_min) else int(row.silent_for_min), row.silent_min)
        for row in status[status["alarm"]].itertuples()
    ]


@st.fragment(run_every=ALARM_REFRESH_S)
def alarm() -> None:
    """A red bar on every page while a live source is down or silent past its limit (the wall has its own chip)."""
    for state, feed, minutes, limit in alarms():
        text = tr(f"feed.alarm_{state}", feed=plain(feed), minutes=minutes, limit=limit)
        st.error(text, icon=":material/sensors_off:")


def _error(kind, message) -> str:
    """A run's failure: its kind in the page's language, then the driver's own message (data)."""
    if not isinstance(message, str) or not message:
        return ""
    return f"{label('feed_error', kind) if isinstance(kind, str) else ''}：{message}"


def freshness_tab() -> None:
    """Import page: each feed's state and its latest runs (start, end, rows, rejects, error)."""
    conn = cached.get_store()
    status = _status()
    if status.empty:
        st.caption(tr("feed.none"))
        return
    dataframe(
        pd.DataFrame(
            {
                tr("feed.name"): status["feed"],
                tr("feed.state"): status["state"].map(lambda s: label("feed_state", s)),
                tr("feed.latest_data"): status["latest_data_at"],
                tr("feed.silent_for"): status["silent_for_min"],
                tr("feed.limit"): status["silent_min"],
                tr("feed.last_ok"): status["last_ok_at"],
                tr("feed.last_error"): [
                    _error(k, e) for k, e in zip(status["last_error_kind"], status["last_error"], strict=True)
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        key="feed_status_table",
    )
    runs = water.runs(conn, limit=100)
    dataframe(
        pd.DataFrame(
            {
                tr("feed.name"): runs["feed"],
                tr("feed.started"): runs["started_at"],
                tr("feed.ended"): runs["ended_at"],
                tr("feed.result"): runs["ok"].map(
                    lambda ok: (
                        tr("feed.ok") if ok is True else (tr("feed.failed") if ok is False else tr("feed.running"))
                    )
                ),
                tr("feed.read"): runs["read_rows"],
                tr("feed.inserted"): runs["inserted"],
                tr("feed.updated"): runs["updated"],
                tr("feed.rejected"): runs["rejected"],
                tr("feed.attempt"): runs["attempt"],
                tr("feed.error"): [_error(k, e) for k, e in zip(runs["error_kind"], runs["error"], strict=True)],
            }
        ),
        hide_index=True,
        width="stretch",
        key="feed_runs_table",
    )


def feeds_admin() -> None:
    """Admin page: add or change a live source, and sync one now (through emergency.actions)."""
    from components import identity
    from emergency import actions
    from emergency.feed import secrets, sync

    conn = cached.get_store()
    st.header(tr("feed.admin_title"))
    st.caption(tr("feed.admin_help"))
    feeds = sync.feeds(conn)
    if feeds:
        dataframe(
            pd.DataFrame(
                {
                    tr("feed.name"): [f.name for f in feeds],
                    tr("feed.url"): [f.url_shown for f in feeds],
                    tr("feed.filter"): [f.stations_filter or "" for f in feeds],
                    tr("feed.every"): [f.every_min for f in feeds],
                    tr("feed.silent"): [f.silent_min for f in feeds],
                    tr("feed.enabled"): [f.enabled for f in feeds],
                }
            ),
            hide_index=True,
            width="stretch",
            key="feed_admin_table",
        )
    with st.form("feed_form"):
        name = st.text_input(tr("feed.name"), key="feed_form_name")
        url = st.text_input(tr("feed.url"), type="password", placeholder=tr("feed.url_keep"), key="feed_form_url")
        columns = st.columns(3)
        stations_filter = columns[0].text_input(tr("feed.filter"), key="feed_form_filter")
        crs = columns[1].text_input(tr("feed.crs"), value="cgcs2000", key="feed_form_crs")
        enabled = columns[2].checkbox(tr("feed.enabled"), value=True, key="feed_form_enabled")
        numbers = st.columns(4)
        every = numbers[0].number_input(tr("feed.every"), 1, 1440, 5, key="feed_form_every")
        overlap = numbers[1].number_input(tr("feed.overlap"), 0, 10080, 60, key="feed_form_overlap")
        silent = numbers[2].number_input(tr("feed.silent"), 1, 10080, water.DEFAULT_SILENT_MIN, key="feed_form_silent")
        first_days = numbers[3].number_input(tr("feed.first_days"), 1, 400, 3, key="feed_form_days")
        submitted = st.form_submit_button(tr("feed.save"))
    if submitted:
        feed = sync.Feed(
            name=name.strip(),
            stations_filter=stations_filter.strip() or None,
            crs=crs.strip() or "cgcs2000",
            every_min=int(every),
            overlap_min=int(overlap),
            silent_min=int(silent),
            first_days=int(first_days),
            enabled=enabled,
        )
        try:
            if not url.strip() and secrets.feed_url(feed.name) is None:
                raise ValueError(tr("feed.url"))
            actions.save_feed(conn, identity.actor(), feed, url=url.strip() or None)
        except Exception as error:  # bad URL, filter or CRS: a message, never a traceback
            st.error(tr("feed.refused", reason=secrets.scrub(str(error), url.strip())))
        else:
            cached.clear()
            st.success(tr("feed.saved", feed=plain(feed.name)))
    if feeds:
        chosen = st.selectbox(tr("feed.name"), [f.name for f in feeds], key="feed_run_choice")
        if st.button(tr("feed.run_now"), key="feed_run_now"):
            result = actions.run_feed(conn, identity.actor(), chosen)
            cached.clear()
            if result.ok:
                st.success(
                    tr(
                        "feed.ran",
                        feed=plain(chosen),
                        read=result.read_rows,
                        inserted=result.inserted,
                        updated=result.updated,
                        rejected=result.rejected,
                    )
                )
            else:
                st.error(
                    tr("feed.run_failed", feed=plain(chosen), error=plain(_error(result.error_kind, result.error)))
                )
