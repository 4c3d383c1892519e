"""Panels of the warning page: signals, hazard points at risk, incident grades, issuing and 叫应."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached, export_buttons, identity

# Plotly's own toolbar without the logo; its PNG export runs in the browser.
from components.chart_config import PLOTLY_CONFIG
from components.text import MISSING, chart, data_editor, dataframe, label, labels, lang, plain, tr
from emergency import charts as chart_core
from emergency import i18n, warning
from emergency import rules as rules_engine
from emergency.access import PermissionDenied
from emergency.filters import Filters
from emergency.vocab import INCIDENT_GRADES, NO_SIGNAL_COLOR, SIGNAL_LEVELS, WARNING_CHANNELS

TIME_FORMAT = "%m-%d %H:%M"
SAVED_KEY = "warning_config_saved"
# Longest acknowledgement deadline offered, minutes (one day).
MAX_ACK_MINUTES = 1440


def _time(value) -> str:
    return "—" if pd.isna(value) else pd.Timestamp(value).strftime(TIME_FORMAT)


def _rgb(color: tuple[int, int, int]) -> str:
    return f"rgb({color[0]},{color[1]},{color[2]})"


def level_text(code) -> str:
    """Display text of a signal level code; no signal for None."""
    return tr("warning.no_signal") if code is None or pd.isna(code) else label("signal_level", code)


def legend(title: str, rows: list[tuple[str, tuple[int, int, int]]]) -> None:
    """A horizontal legend of colour swatches (all text escaped)."""
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:14px">'
        f'<span style="width:14px;height:14px;border-radius:3px;border:1px solid #888;background:{_rgb(color)}"></span>'
        f"{html.escape(text)}</span>"
        for text, color in rows
    )
    st.markdown(f'<div class="yitu-legend"><b>{html.escape(title)}</b>：{items}</div>', unsafe_allow_html=True)


def signal_legend() -> None:
    legend(
        tr("warning.legend.signal"),
        [(tr("warning.no_signal"), NO_SIGNAL_COLOR)]
        + [(label("signal_level", c), rgb) for c, rgb in SIGNAL_LEVELS.items()],
    )


def grade_legend() -> None:
    legend(tr("warning.legend.grade"), [(label("incident_grade", c), rgb) for c, rgb in INCIDENT_GRADES.items()])


def _coloured(frame: pd.DataFrame, column: str, colors: dict[str, tuple[int, int, int]]):
    """Styler that paints ``column`` cells with the colour of their display text."""

    def paint(text):
        color = colors.get(text)
        if color is None:
            return ""
        ink = "#000" if sum(color) > 450 else "#fff"
        return f"background-color: {_rgb(color)}; color: {ink}"

    # A Styler shows every decimal unless told; the figures here carry one. It writes its own
    # text for a missing value (the table's placeholder does not reach it): a dash, never "None".
    return frame.style.map(paint, subset=[column]).format(precision=1, na_rep=MISSING)


# ------------------------------------------------------------------------- signals


def rule_texts(rules: pd.DataFrame) -> list[str]:
    return [
        tr("warning.rule", level=label("signal_level", r.level), hours=int(r.window_hours), mm=float(r.min_mm))
        for r in rules.itertuples(index=False)
    ]


def signals(f: Filters) -> pd.DataFrame:
    """Signal counts, per-township table and history chart at the window end; returns the summary."""
    summary, history = cached.township_signals(f.start, f.end)
    if f.townships:
        summary = summary[summary["code"].isin(f.townships)]
        history = history[history["key"].isin(f.townships)]
    now = cached.township_signals_at(f.end)
    rules = cached.signal_thresholds()
    method = cached.warning_settings()["township_method"]

    columns = st.columns(len(SIGNAL_LEVELS))
    for column, code in zip(columns, reversed(list(SIGNAL_LEVELS)), strict=True):
        column.metric(
            tr("warning.signals.metric", level=label("signal_level", code)), int((summary["level"] == code).sum())
        )
    st.caption(
        " · ".join(rule_texts(rules)) + " · " + tr("warning.signals.method", method=label("township_method", method))
    )
    signal_legend()
    if not (summary["rank"] > 0).any():
        st.info(tr("warning.signals.none"))

    windows = warning.window_hours(rules)
    table = summary.merge(
        now[["code", *[f"mm_{h}h" for h in windows], "gauges", "decided_by_name", "stale_gauges"]],
        on="code",
        how="left",
    )
    level_colors = {label("signal_level", c): rgb for c, rgb in SIGNAL_LEVELS.items()}
    shown = pd.DataFrame(
        {
            tr("warning.col.township"): table["name"],
            tr("warning.col.level"): [level_text(code) for code in table["level"]],
            tr("warning.col.level_since"): [
                _time(t) + ("*" if clipped else "")
                for t, clipped in zip(table["level_since"], table["since_clipped"], strict=True)
            ],
            tr("warning.col.signal_since"): [
                _time(t) + ("*" if clipped else "")
                for t, clipped in zip(table["signal_since"], table["since_clipped"], strict=True)
            ],
            tr("warning.col.peak_level"): [level_text(code) for code in table["peak_level"]],
            tr("warning.col.peak_at"): [_time(t) for t in table["peak_at"]],
            **{tr("warning.col.mm_h", hours=h): table[f"mm_{h}h"].round(1) for h in windows},
            tr("warning.col.gauges"): table["gauges"].fillna(0).astype(int),
            tr("rules.col.decided_by"): [
                v if isinstance(v, str) and level else "—"
                for v, level in zip(table["decided_by_name"], table["level"], strict=True)
            ],
            tr("rules.col.stale_gauges"): [v if isinstance(v, str) and v else "—" for v in table["stale_gauges"]],
        }
    )
    styled = _coloured(shown, tr("warning.col.level"), level_colors)
    styled = styled.map(lambda text: _paint_text(text, level_colors), subset=[tr("warning.col.peak_level")])
    dataframe(styled, hide_index=True, width="stretch", key="warning_signal_table")
    if table["since_clipped"].any():
        st.caption(tr("warning.signals.clipped", start=_time(history["ts"].min())))
    _history_chart(history, summary)
    _gauge_signals(f, windows, level_colors)
    _signal_rows(f, summary, windows)
    return summary


def _signal_rows(f: Filters, summary: pd.DataFrame, windows: list[int]) -> None:
    """Open a township's signal to the reports behind it: gauge, time, amount, which windows count it."""
    names = dict(zip(summary["code"], summary["name"], strict=True))
    if not names:
        return
    with st.expander(tr("rules.rows.title")):
        code = st.selectbox(
            tr("warning.col.township"), options=list(names), format_func=names.get, key="warning_signal_rows_township"
        )
        rows = cached.signal_rows(f.end, code)
        st.caption(tr("rules.rows.caption", moment=f"{f.end:%Y-%m-%d %H:%M}", hours=max(windows)))
        if rows.empty:
            st.info(tr("rules.rows.none"))
            return
        yes, no = tr("export.yes"), tr("export.no")
        shown = pd.DataFrame(
            {
                tr("rules.col.gauge"): rows["gauge_name"],
                tr("rules.col.report_end"): rows["ts"].dt.strftime("%m-%d %H:%M"),
                tr("rules.col.interval"): rows["interval_min"].astype(int),
                tr("rules.col.mm"): rows["mm"].round(1),
                **{tr("rules.col.in_window", hours=h): rows[f"in_{h}h"].map({True: yes, False: no}) for h in windows},
            }
        )
        dataframe(shown, hide_index=True, width="stretch", key="warning_signal_rows")


def _gauge_signals(f: Filters, windows: list[int], level_colors: dict) -> None:
    """Gauges with a signal at the window end, highest first."""
    gauges = cached.gauge_signals_at(f.end)
    if f.townships:
        gauges = gauges[gauges["township"].isin(f.townships)]
    gauges = gauges[gauges["rank"] > 0].sort_values(["rank", *[f"mm_{h}h" for h in windows[:1]]], ascending=False)
    with st.expander(tr("warning.signals.gauges", count=len(gauges))):
        if gauges.empty:
            st.info(tr("warning.signals.none"))
            return
        shown = pd.DataFrame(
            {
                tr("warning.col.gauge_name"): gauges["name"],
                tr("warning.col.township"): gauges["township_name"],
                tr("warning.col.level"): [level_text(code) for code in gauges["level"]],
                **{tr("warning.col.mm_h", hours=h): gauges[f"mm_{h}h"].round(1) for h in windows},
            }
        )
        dataframe(_coloured(shown, tr("warning.col.level"), level_colors), hide_index=True, width="stretch")


def _paint_text(text, colors) -> str:
    color = colors.get(text)
    return f"color: {_rgb(color)}; font-weight: 600" if color else ""


def _history_chart(history: pd.DataFrame, summary: pd.DataFrame) -> None:
    """One row per township that had a signal, a square per report time coloured by its level."""
    names = dict(zip(summary["code"], summary["name"], strict=True))
    touched = summary.loc[summary["peak_rank"] > 0, "code"].tolist()
    data = history[history["key"].isin(touched) & (history["rank"] > 0)]
    if data.empty:
        return
    st.markdown(f"**{tr('warning.signals.history')}**")
    fig = go.Figure()
    for rank, (code, color) in enumerate(SIGNAL_LEVELS.items(), start=1):
        part = data[data["rank"] == rank]
        fig.add_trace(
            go.Scatter(
                x=part["ts"],
                y=part["key"].map(names),
                mode="markers",
                name=label("signal_level", code),
                marker={"symbol": "square", "size": 9, "color": _rgb(color)},
                hovertemplate="%{y} · %{x|%m-%d %H:%M}<extra>" + html.escape(label("signal_level", code)) + "</extra>",
            )
        )
    fig.update_layout(
        # Township names are whole (automargin; the left margin fits five characters at least),
        # the time axis reads 06-20 02:40, never "Jun 20".
        height=140 + 28 * len(touched),
        margin={"l": 90, "r": 10, "t": 10, "b": 40},
        font={"family": chart_core.FONT_FAMILY, "size": 13},
        legend={"title": {"text": tr("warning.legend.signal")}, "orientation": "h", "y": -0.2},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [names[c] for c in reversed(touched)],
            "automargin": True,
            "title": {"text": tr("warning.col.township")},
        },
        xaxis={
            "type": "date",
            "tickformat": "%m-%d %H:%M",
            "automargin": True,
            "title": {"text": tr("rules.axis.report_time")},
        },
        plot_bgcolor="white",
    )
    st.plotly_chart(chart(fig), key="warning_history_chart", theme=None, config=PLOTLY_CONFIG)


# ---------------------------------------------------------------------- hazards


def hazards(f: Filters) -> None:
    """Hazard points whose critical rainfall is exceeded at the window end, worst first."""
    frame = cached.of_townships(cached.hazards_at_risk(f.end), f.townships)
    columns = st.columns(3)
    columns[0].metric(tr("warning.hazards.count"), len(frame))
    columns[1].metric(tr("warning.hazards.people"), int(frame["people"].sum()))
    columns[2].metric(tr("warning.hazards.households"), int(frame["households"].sum()))
    st.caption(tr("warning.hazards.method"))
    everything = cached.of_townships(cached.all_hazards(f.end), f.townships)
    unevaluated = everything[~everything["evaluated"]]
    km = float(everything["max_km"].iloc[0]) if len(everything) else rules_engine.DEFAULT_HAZARD_GAUGE_KM
    st.caption(tr("rules.hazards.method", km=f"{km:g}", unevaluated=len(unevaluated)))
    if len(unevaluated):
        with st.expander(tr("rules.hazards.unevaluated_title", count=len(unevaluated))):
            dataframe(
                pd.DataFrame(
                    {
                        tr("warning.col.name"): unevaluated["name"],
                        tr("warning.col.township"): unevaluated["township_name"].fillna("—"),
                        tr("rules.col.nearest_gauge"): unevaluated["nearest_gauge"].fillna("—"),
                        tr("warning.col.gauge_km"): unevaluated["nearest_km"].round(2),
                    }
                ),
                hide_index=True,
                width="stretch",
                key="warning_hazards_unevaluated",
            )
    if frame.empty:
        st.info(tr("warning.hazards.none"))
        return
    kinds = labels("hazard_kind")
    shown = pd.DataFrame(
        {
            tr("warning.col.name"): frame["name"],
            tr("warning.col.township"): frame["township_name"],
            tr("warning.col.kind"): frame["kind"].map(kinds),
            tr("warning.col.exceedance"): frame["exceedance"].round(2),
            tr("warning.col.exceeded_window"): frame["exceeded_window"].map(
                lambda w: tr("rules.window_hours", hours=w[:-1]) if isinstance(w, str) else "—"
            ),
            **{tr("warning.col.mm_h", hours=h): frame[f"mm_{h}h"].round(1) for h in (1, 3, 24)},
            **{tr("warning.col.critical_h", hours=h): frame[f"critical_mm_{h}h"] for h in (1, 3, 24)},
            tr("warning.col.people"): frame["people"],
            tr("warning.col.households"): frame["households"],
            tr("warning.col.gauge_name"): frame["gauge_name"],
            tr("warning.col.gauge_km"): frame["gauge_km"].round(2),
        }
    )
    dataframe(shown, hide_index=True, width="stretch", key="warning_hazard_table")


# ----------------------------------------------------------------------- grades


def grade_rule_texts(rules: pd.DataFrame) -> list[str]:
    """One line per incident type: its scale, each grade's criteria and the rule's source."""
    texts = []
    for incident_type, rows in rules.groupby("incident_type", sort=False):
        scale = rows["scale"].iloc[0]
        parts = []
        for grade in reversed(warning.GRADE_CODES):
            graded = rows[rows["grade"] == grade]
            if graded.empty:
                continue
            criteria = "，".join(
                f"{label('grade_criterion_v2', r.criterion)} ≥ {r.min_value:g}" for r in graded.itertuples()
            )
            parts.append(
                tr("warning.grade_rule", grade=rules_engine.grade_label(scale, grade, lang()), criteria=criteria)
            )
        texts.append(
            tr(
                "rules.grade_rule_line",
                type=label("incident_type", incident_type),
                rules="；".join(parts),
                source=str(rows["source"].iloc[0]),
            )
        )
    return texts


def grades(f: Filters) -> None:
    """Incidents of the filter window with the grade of their own type's scale, gravest first."""
    frame = cached.incident_grades(f.start, f.end, f.townships, f.types, f.statuses)
    columns = st.columns(len(INCIDENT_GRADES) + 1)
    for column, code in zip(columns[:-1], reversed(list(INCIDENT_GRADES)), strict=True):
        column.metric(
            tr("warning.grades.metric", grade=label("incident_grade", code)), int((frame["grade"] == code).sum())
        )
    columns[-1].metric(tr("rules.ungraded_count"), int(frame["grade"].isna().sum()), help=tr("rules.ungraded_help"))
    grade_legend()
    with st.expander(tr("warning.grades.rules_title")):
        for text in grade_rule_texts(cached.grade_rules()):
            st.text(text)
        st.caption(tr("rules.ungraded_help"))
    if frame.empty:
        st.info(tr("map.empty_incidents"))
        return
    frame = frame.sort_values(["grade_rank", "occurred_at"], ascending=False, kind="stable")
    grade_colors = {label("incident_grade", c): rgb for c, rgb in INCIDENT_GRADES.items()}
    grade_colors.update({label("geological_grade", c): rgb for c, rgb in INCIDENT_GRADES.items()})
    language = lang()
    shown = pd.DataFrame(
        {
            tr("col.id"): frame["id"],
            tr("col.occurred_at"): frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            tr("warning.col.grade"): [
                rules_engine.grade_label(s, g, language)
                for s, g in zip(frame["grade_scale"], frame["grade"], strict=True)
            ],
            tr("warning.col.grade_basis"): frame["grade_basis"].map(
                lambda c: label("grade_criterion_v2", c) if isinstance(c, str) else "—"
            ),
            tr("rules.col.grade_source"): frame["grade_source"].map(lambda v: v if isinstance(v, str) else "—"),
            tr("col.type"): frame["type"].map(lambda c: label("incident_type", c)),
            tr("col.township_name"): frame["township_name"].fillna("—"),
            tr("col.deaths"): frame["deaths"],
            tr("col.missing"): frame["missing"],
            tr("col.injured"): frame["injured"],
            tr("rules.col.seriously_injured"): frame["seriously_injured"].map(
                lambda v: "—" if pd.isna(v) else str(int(v))
            ),
            tr("warning.col.loss"): frame["loss_10k_yuan"],
            tr("col.status"): frame["status"].map(lambda c: label("incident_status", c)),
            tr("col.address"): frame["address"].fillna(""),
        }
    )
    dataframe(
        _coloured(shown, tr("warning.col.grade"), grade_colors),
        hide_index=True,
        width="stretch",
        key="warning_grade_table",
    )


# ------------------------------------------------------------------ issue a warning


def _default_text(level: str, codes: list[str], names: dict[str, str], f: Filters) -> str:
    county = cached.meta().get("county_name", "")
    return tr(
        "warning.issue.template",
        county=county,
        moment=f"{f.end:%m月%d日%H:%M}" if lang() == "zh" else f"{f.end:%Y-%m-%d %H:%M}",
        townships="、".join(names.get(code, code) for code in codes) or "—",
        level=label("signal_level", level),
    )


AUTO_TEXT_KEY = "warning_issue_auto_text"


def text_mismatch(text: str, level: str, townships: list[str], names: dict[str, str]) -> str | None:
    """Why a warning text contradicts its level or townships (names another level, or a
    township not chosen), or None.

    Examples
    --------
    >>> text_mismatch("蓝色预警：甲乡", "yellow", ["1"], {"1": "甲乡"}) is not None
    True
    """
    text = text or ""
    chosen_labels = {i18n.label("signal_level", level, language) for language in ("zh", "en")}
    other_labels = [
        i18n.label("signal_level", code, language)
        for code in SIGNAL_LEVELS
        if code != level
        for language in ("zh", "en")
    ]
    named_other = [word for word in other_labels if word in text and not any(word in c for c in chosen_labels)]
    if named_other:
        return tr("rules.issue.level_mismatch", found=named_other[0], level=label("signal_level", level))
    unchosen = [name for code, name in names.items() if code not in townships and name and name in text]
    if unchosen:
        return tr("rules.issue.township_mismatch", names="、".join(unchosen[:5]))
    return None


def issue_form(f: Filters, summary: pd.DataFrame) -> None:  # noqa: C901 - one form: its widgets and the submit branch read top to bottom
    """Choose level, townships, text and channels; record the warning and its recipients."""
    names = dict(zip(summary["code"], summary["name"], strict=True))
    ordered = cached.townships()["code"].tolist()
    top = int(summary["rank"].max()) if not summary.empty else 0
    default_level = warning.level_code(max(top, 1))
    default_townships = [code for code in ordered if code in set(summary.loc[summary["rank"] >= max(top, 1), "code"])]
    state = st.session_state
    state.setdefault("warning_issue_level", default_level)
    state.setdefault("warning_issue_townships", default_townships)
    if "warning_issue_text" not in state:
        state["warning_issue_text"] = state[AUTO_TEXT_KEY] = _default_text(default_level, default_townships, names, f)
    state.setdefault("warning_issue_channels", list(WARNING_CHANNELS))

    def follow_choice() -> None:
        # The text follows level and townships while it is the generated one; an edited text
        # is kept, and a mismatch is flagged below (and refused on issue).
        fresh = _default_text(state["warning_issue_level"], state["warning_issue_townships"], names, f)
        if state.get("warning_issue_text") == state.get(AUTO_TEXT_KEY):
            state["warning_issue_text"] = fresh
        state[AUTO_TEXT_KEY] = fresh

    def regenerate() -> None:
        state["warning_issue_text"] = state[AUTO_TEXT_KEY] = _default_text(
            state["warning_issue_level"], state["warning_issue_townships"], names, f
        )

    level_labels = labels("signal_level")
    st.selectbox(
        tr("warning.issue.level"),
        options=list(level_labels),
        format_func=level_labels.get,
        key="warning_issue_level",
        on_change=follow_choice,
    )
    chosen = st.multiselect(
        tr("warning.issue.townships"),
        options=ordered,
        format_func=lambda c: names.get(c, c),
        placeholder=tr("common.choose"),
        select_all=False,
        key="warning_issue_townships",
        on_change=follow_choice,
    )
    st.text_area(tr("warning.issue.text"), key="warning_issue_text", height=120, max_chars=warning.MAX_TEXT_CHARS)
    mismatch = text_mismatch(state["warning_issue_text"], state["warning_issue_level"], chosen, names)
    if mismatch:
        st.warning(mismatch)
        st.button(tr("rules.issue.regenerate"), key="warning_issue_regenerate", on_click=regenerate)
    channel_labels = labels("warning_channel")
    st.multiselect(
        tr("warning.issue.channels"),
        options=list(channel_labels),
        format_func=channel_labels.get,
        placeholder=tr("common.choose"),
        select_all=False,
        key="warning_issue_channels",
    )

    contacts = cached.township_contacts(tuple(chosen))
    st.markdown(f"**{tr('warning.issue.recipients')}**")
    if contacts["is_demo"].any():
        st.caption(tr("warning.issue.demo_contacts"))
    dataframe(
        pd.DataFrame(
            {
                tr("warning.col.township"): contacts["township_name"],
                tr("warning.col.person"): contacts["name"],
                tr("warning.col.role"): contacts["role"].map(labels("contact_role")),
                tr("warning.col.phone"): contacts["phone"],
            }
        ),
        hide_index=True,
        width="stretch",
        key="warning_issue_recipients",
    )
    if st.button(tr("warning.issue.submit"), type="primary", key="warning_issue_submit"):
        if mismatch:
            st.error(mismatch)
            return
        try:
            ident = cached.issue_warning(
                identity.actor(),
                state["warning_issue_level"],
                chosen,
                state["warning_issue_text"],
                state["warning_issue_channels"],
            )
        except PermissionDenied as error:
            st.error(identity.denied_message(error))
        except ValueError as error:
            st.error(tr("warning.issue.failed", reason=plain(error)))
        else:
            state["warning_ack_pick"] = ident
            st.success(tr("warning.issue.done", id=ident, count=len(contacts)))


# -------------------------------------------------------------------------- 叫应


ACK_REFRESH_S = 30


@st.fragment(run_every=ACK_REFRESH_S)
def acknowledgements() -> None:
    """Recipients of a warning, who has acknowledged, who is overdue; record 叫应; export CAP.

    A fragment re-run every ``ACK_REFRESH_S`` seconds: a recipient becomes overdue on the
    wall clock, without anyone rerunning the page.
    """
    issued = cached.warnings_issued()
    if issued.empty:
        st.info(tr("warning.acks.none"))
        return
    names = dict(zip(cached.townships()["code"], cached.townships()["name"], strict=True))
    rows = issued.set_index("id")
    if st.session_state.get("warning_ack_pick") not in rows.index:
        st.session_state["warning_ack_pick"] = int(rows.index[0])

    def option(ident) -> str:
        row = rows.loc[ident]
        return tr(
            "warning.acks.option",
            id=ident,
            level=label("signal_level", row["level"]),
            issued=_time(row["issued_at"]),
            townships="、".join(names.get(c, c) for c in row["townships"]),
        )

    left, right = st.columns([3, 1])
    pick = left.selectbox(tr("warning.acks.pick"), options=list(rows.index), format_func=option, key="warning_ack_pick")
    st.session_state.setdefault("warning_ack_minutes", cached.warning_settings()["ack_minutes"])
    minutes = right.number_input(
        tr("warning.acks.minutes"), min_value=1, max_value=MAX_ACK_MINUTES, step=5, key="warning_ack_minutes"
    )
    st.caption(plain(rows.loc[pick, "text"]))
    recipients = cached.warning_recipients(int(pick))
    overdue = warning.overdue_recipients(recipients, warning.local_now(), int(minutes))
    acked = int(recipients["acknowledged_at"].notna().sum())
    st.metric(tr("warning.col.ack_state"), tr("warning.acks.summary", acked=acked, total=len(recipients)))
    if not overdue.empty:
        st.warning(
            tr(
                "warning.acks.overdue",
                minutes=int(minutes),
                names="、".join(f"{n}（{t}）" for n, t in zip(overdue["name"], overdue["township_name"], strict=True)),
            )
        )
    elif acked == len(recipients):
        st.success(tr("warning.acks.all_done"))

    late = set(zip(overdue["township"], overdue["phone"], strict=True))
    states = [
        tr("warning.acks.state.done")
        if pd.notna(at)
        else tr("warning.acks.state.overdue")
        if (township, phone) in late
        else tr("warning.acks.state.pending")
        for at, township, phone in zip(
            recipients["acknowledged_at"], recipients["township"], recipients["phone"], strict=True
        )
    ]
    shown = pd.DataFrame(
        {
            tr("warning.col.township"): recipients["township_name"],
            tr("warning.col.person"): recipients["name"],
            tr("warning.col.role"): recipients["role"].map(labels("contact_role")),
            tr("warning.col.phone"): recipients["phone"],
            tr("warning.col.ack_state"): states,
            tr("warning.col.acknowledged_at"): [_time(t) for t in recipients["acknowledged_at"]],
        }
    )
    state_colors = {
        tr("warning.acks.state.done"): (44, 160, 44),
        tr("warning.acks.state.overdue"): (214, 39, 40),
        tr("warning.acks.state.pending"): (255, 187, 120),
    }
    dataframe(
        _coloured(shown, tr("warning.col.ack_state"), state_colors),
        hide_index=True,
        width="stretch",
        key="warning_ack_table",
    )

    pending = recipients[recipients["acknowledged_at"].isna()]
    keys = [f"{t}|{p}" for t, p in zip(pending["township"], pending["phone"], strict=True)]
    who = dict(
        zip(
            keys,
            [
                f"{n}（{tn} · {label('contact_role', r)}）"
                for n, tn, r in zip(pending["name"], pending["township_name"], pending["role"], strict=True)
            ],
            strict=True,
        )
    )
    if keys and identity.can("warn"):
        chosen = st.multiselect(
            tr("warning.acks.who"),
            options=keys,
            format_func=who.get,
            placeholder=tr("common.choose"),
            select_all=False,
            key=f"warning_ack_who_{pick}",
        )
        if st.button(tr("warning.acks.record"), key="warning_ack_record", disabled=not chosen):
            count = cached.acknowledge(identity.actor(), int(pick), [tuple(key.split("|", 1)) for key in chosen])
            st.success(tr("warning.acks.recorded", count=count))
            st.rerun()
    # The CAP message is the warning's own dissemination format: part of the duty role.
    export_buttons.download(
        st,
        tr("warning.acks.download"),
        lambda: cached.warning_alert(int(pick)),
        f"warning-{int(pick)}-cap.xml",
        "application/xml",
        "warning_cap_download",
        permission="warn",
    )


# ----------------------------------------------------------------- configuration


def config_panel() -> None:
    """Edit the signal and grade thresholds and the township method; saved all or nothing."""
    signals = cached.signal_thresholds()
    grades = cached.grade_thresholds()
    st.markdown(f"**{tr('warning.config.signals')}**")
    signal_view = signals.assign(level_label=signals["level"].map(labels("signal_level")))
    edited_signals = data_editor(
        signal_view[["level_label", "window_hours", "min_mm", "level"]],
        column_config={
            "level_label": st.column_config.TextColumn(tr("warning.col.level_code"), disabled=True),
            "window_hours": st.column_config.SelectboxColumn(
                tr("warning.col.window_hours"), options=[1, 3, 6, 12, 24], required=True
            ),
            "min_mm": st.column_config.NumberColumn(tr("warning.col.min_mm"), min_value=0.1, step=0.1, required=True),
            "level": None,
        },
        hide_index=True,
        key="warning_config_signals",
        width="stretch",
    )
    # Incident grades are per type (emergency.rules, table grade_rules): edited below, type by type.
    edited_grades = grades.iloc[0:0]
    methods = labels("township_method")
    current = cached.warning_settings()["township_method"]
    method = st.selectbox(
        tr("warning.config.method"),
        options=list(methods),
        format_func=methods.get,
        index=list(methods).index(current),
        key="warning_config_method",
    )
    if st.button(tr("warning.config.save"), key="warning_config_save"):
        try:
            cached.save_warning_config(identity.actor(), edited_signals, edited_grades, method)
        except ValueError as error:
            st.error(tr("warning.config.failed", reason=plain(error)))
        else:
            # Run again so the tabs above show the new rules; say so once after the rerun.
            st.session_state[SAVED_KEY] = True
            st.rerun()
    if st.session_state.pop(SAVED_KEY, False):
        st.success(tr("warning.config.saved"))


def grade_rules_editor() -> None:
    """Edit the grade rules of one incident type: its scale, bounds and source (rows may be added/deleted)."""
    st.markdown(f"**{tr('rules.config.title')}**")
    st.caption(tr("rules.ungraded_help"))
    types = labels("incident_type")
    kind = st.selectbox(tr("rules.config.type"), options=list(types), format_func=types.get, key="grade_rules_type")
    current = cached.grade_rules()
    current = current[current["incident_type"] == kind]
    grade_names = labels("incident_grade")
    criteria = labels("grade_criterion_v2")
    scales = labels("grade_scale")
    view = pd.DataFrame(
        {
            "scale": current["scale"].map(lambda c: scales.get(c, c)),
            "grade": current["grade"].map(grade_names),
            "criterion": current["criterion"].map(criteria),
            "min_value": current["min_value"],
            "source": current["source"],
        }
    )
    edited = data_editor(
        view,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"grade_rules_editor_{kind}",
        column_config={
            "scale": st.column_config.SelectboxColumn(
                tr("rules.col.scale"), options=list(scales.values()), required=True
            ),
            "grade": st.column_config.SelectboxColumn(
                tr("warning.col.grade"), options=list(grade_names.values()), required=True
            ),
            "criterion": st.column_config.SelectboxColumn(
                tr("warning.col.criterion"), options=list(criteria.values()), required=True
            ),
            "min_value": st.column_config.NumberColumn(tr("warning.col.min_value"), min_value=0.0, required=True),
            "source": st.column_config.TextColumn(tr("rules.col.source"), required=True, max_chars=200),
        },
    )
    if current.empty:
        st.info(tr("rules.config.none", type=types.get(kind, kind)))
    if st.button(tr("rules.config.save"), key="grade_rules_save"):
        back = {v: k for k, v in scales.items()}
        frame = pd.DataFrame(
            {
                "scale": edited["scale"].map(lambda v: back.get(v, v)),
                "grade": edited["grade"].map({v: k for k, v in grade_names.items()}),
                "criterion": edited["criterion"].map({v: k for k, v in criteria.items()}),
                "min_value": pd.to_numeric(edited["min_value"], errors="coerce"),
                "source": edited["source"],
            }
        ).dropna(how="all")
        try:
            count = cached.save_grade_rules(identity.actor(), kind, frame)
        except PermissionDenied as error:
            st.error(identity.denied_message(error))
        except (ValueError, TypeError) as error:
            st.error(tr("warning.config.failed", reason=str(error)))
        else:
            st.success(tr("rules.config.saved", count=count, type=types.get(kind, kind)))


def contacts_editor() -> None:
    """Edit the responsible persons who receive warnings (rows may be added and deleted)."""
    st.markdown(f"**{tr('warning.config.contacts')}**")
    townships = cached.townships()
    names = dict(zip(townships["code"], townships["name"], strict=True))
    codes = {name: code for code, name in names.items()}
    roles = labels("contact_role")
    role_codes = {text: code for code, text in roles.items()}
    contacts = cached.township_contacts(())
    if contacts["is_demo"].any():
        st.caption(tr("warning.issue.demo_contacts"))
    view = pd.DataFrame(
        {
            "township": contacts["township"].map(names),
            "name": contacts["name"],
            "role": contacts["role"].map(roles),
            "phone": contacts["phone"],
            "is_demo": contacts["is_demo"],
        }
    )
    edited = data_editor(
        view,
        column_config={
            "township": st.column_config.SelectboxColumn(
                tr("warning.col.township"), options=list(codes), required=True
            ),
            "name": st.column_config.TextColumn(tr("warning.col.person"), required=True),
            "role": st.column_config.SelectboxColumn(tr("warning.col.role"), options=list(role_codes), required=True),
            "phone": st.column_config.TextColumn(tr("warning.col.phone"), required=True),
            "is_demo": None,
        },
        num_rows="dynamic",
        hide_index=True,
        key="warning_config_contacts",
        width="stretch",
    )
    if st.button(tr("warning.config.save_contacts"), key="warning_config_contacts_save"):
        rows = edited.assign(
            township=edited["township"].map(lambda name: codes.get(name, name)),
            role=edited["role"].map(lambda text: role_codes.get(text, text)),
        )
        try:
            count = cached.save_contacts(identity.actor(), rows)
        except ValueError as error:
            st.error(tr("warning.config.failed", reason=plain(error)))
        else:
            st.success(tr("warning.config.contacts_saved", count=count))
