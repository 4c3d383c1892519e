"""Panels of the warning page: signals, hazard points at risk, incident grades, issuing and 叫应."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached, export_buttons, identity
from components.text import chart, label, labels, lang, plain, tr
from emergency import warning
from emergency.access import PermissionDenied
from emergency.filters import Filters
from emergency.vocab import INCIDENT_GRADES, NO_SIGNAL_COLOR, SIGNAL_LEVELS, WARNING_CHANNELS

# Plotly's own toolbar without the logo; its PNG export runs in the browser.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
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
    st.markdown(
        f'<div class="yitu-legend"><b>{html.escape(title)}</b>：{items}</div>', unsafe_allow_html=True
    )


def signal_legend() -> None:
    legend(
        tr("warning.legend.signal"),
        [(tr("warning.no_signal"), NO_SIGNAL_COLOR)] + [(label("signal_level", c), rgb) for c, rgb in SIGNAL_LEVELS.items()],
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

    # A Styler shows every decimal unless told; the figures here carry one.
    return frame.style.map(paint, subset=[column]).format(precision=1)


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
    for column, code in zip(columns, reversed(list(SIGNAL_LEVELS))):
        column.metric(tr("warning.signals.metric", level=label("signal_level", code)), int((summary["level"] == code).sum()))
    st.caption(" · ".join(rule_texts(rules)) + " · " + tr("warning.signals.method", method=label("township_method", method)))
    signal_legend()
    if not (summary["rank"] > 0).any():
        st.info(tr("warning.signals.none"))

    windows = warning.window_hours(rules)
    table = summary.merge(now[["code", *[f"mm_{h}h" for h in windows], "gauges"]], on="code", how="left")
    level_colors = {label("signal_level", c): rgb for c, rgb in SIGNAL_LEVELS.items()}
    shown = pd.DataFrame(
        {
            tr("warning.col.township"): table["name"],
            tr("warning.col.level"): [level_text(code) for code in table["level"]],
            tr("warning.col.level_since"): [_time(t) + ("*" if clipped else "") for t, clipped in
                                           zip(table["level_since"], table["since_clipped"])],
            tr("warning.col.signal_since"): [_time(t) + ("*" if clipped else "") for t, clipped in
                                            zip(table["signal_since"], table["since_clipped"])],
            tr("warning.col.peak_level"): [level_text(code) for code in table["peak_level"]],
            tr("warning.col.peak_at"): [_time(t) for t in table["peak_at"]],
            **{tr("warning.col.mm_h", hours=h): table[f"mm_{h}h"].round(1) for h in windows},
            tr("warning.col.gauges"): table["gauges"].fillna(0).astype(int),
        }
    )
    styled = _coloured(shown, tr("warning.col.level"), level_colors)
    styled = styled.map(lambda text: _paint_text(text, level_colors), subset=[tr("warning.col.peak_level")])
    st.dataframe(styled, hide_index=True, width="stretch", key="warning_signal_table")
    if table["since_clipped"].any():
        st.caption(tr("warning.signals.clipped", start=_time(history["ts"].min())))
    _history_chart(history, summary)
    _gauge_signals(f, windows, level_colors)
    return summary


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
        st.dataframe(_coloured(shown, tr("warning.col.level"), level_colors), hide_index=True, width="stretch")


def _paint_text(text, colors) -> str:
    color = colors.get(text)
    return f"color: {_rgb(color)}; font-weight: 600" if color else ""


def _history_chart(history: pd.DataFrame, summary: pd.DataFrame) -> None:
    """One row per township that had a signal, a square per report time coloured by its level."""
    names = dict(zip(summary["code"], summary["name"]))
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
                x=part["ts"], y=part["key"].map(names), mode="markers", name=label("signal_level", code),
                marker={"symbol": "square", "size": 9, "color": _rgb(color)},
                hovertemplate="%{y} · %{x|%m-%d %H:%M}<extra>" + html.escape(label("signal_level", code)) + "</extra>",
            )
        )
    fig.update_layout(
        height=120 + 28 * len(touched), margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"title": {"text": tr("warning.legend.signal")}, "orientation": "h", "y": -0.15},
        yaxis={"categoryorder": "array", "categoryarray": [names[c] for c in reversed(touched)]},
        plot_bgcolor="white",
    )
    st.plotly_chart(chart(fig), key="warning_history_chart", theme=None, config=PLOTLY_CONFIG)


# ---------------------------------------------------------------------- hazards


def hazards(f: Filters) -> None:
    """Hazard points whose critical rainfall is exceeded at the window end, worst first."""
    frame = cached.hazards_at_risk(f.end)
    if f.townships:
        frame = frame[frame["township"].isin(f.townships)]
    columns = st.columns(3)
    columns[0].metric(tr("warning.hazards.count"), len(frame))
    columns[1].metric(tr("warning.hazards.people"), int(frame["people"].sum()))
    columns[2].metric(tr("warning.hazards.households"), int(frame["households"].sum()))
    st.caption(tr("warning.hazards.method"))
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
            tr("warning.col.exceeded_window"): frame["exceeded_window"],
            **{tr("warning.col.mm_h", hours=h): frame[f"mm_{h}h"].round(1) for h in (1, 3, 24)},
            **{tr("warning.col.critical_h", hours=h): frame[f"critical_mm_{h}h"] for h in (1, 3, 24)},
            tr("warning.col.people"): frame["people"],
            tr("warning.col.households"): frame["households"],
            tr("warning.col.gauge_name"): frame["gauge_name"],
            tr("warning.col.gauge_km"): frame["gauge_km"].round(2),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="warning_hazard_table")


# ----------------------------------------------------------------------- grades


def grade_rule_texts(rules: pd.DataFrame) -> list[str]:
    texts = []
    for grade in reversed(warning.GRADE_CODES):
        rows = rules[rules["grade"] == grade]
        criteria = "，".join(f"{label('grade_criterion', r.criterion)} ≥ {r.min_value:g}" for r in rows.itertuples())
        texts.append(tr("warning.grade_rule", grade=label("incident_grade", grade), criteria=criteria))
    return texts


def grades(f: Filters) -> None:
    """Incidents of the filter window with their grade, gravest first."""
    frame = cached.incident_grades(f.start, f.end, f.townships, f.types, f.statuses)
    columns = st.columns(len(INCIDENT_GRADES))
    for column, code in zip(columns, reversed(list(INCIDENT_GRADES))):
        column.metric(tr("warning.grades.metric", grade=label("incident_grade", code)), int((frame["grade"] == code).sum()))
    grade_legend()
    with st.expander(tr("warning.grades.rules_title")):
        for text in grade_rule_texts(cached.grade_thresholds()):
            st.markdown(f"- {html.escape(text)}")
    if frame.empty:
        st.info(tr("map.empty_incidents"))
        return
    frame = frame.sort_values(["grade_rank", "occurred_at"], ascending=False, kind="stable")
    grade_colors = {label("incident_grade", c): rgb for c, rgb in INCIDENT_GRADES.items()}
    shown = pd.DataFrame(
        {
            tr("col.id"): frame["id"],
            tr("col.occurred_at"): frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M"),
            tr("warning.col.grade"): frame["grade"].map(lambda c: label("incident_grade", c) if c else "—"),
            tr("warning.col.grade_basis"): frame["grade_basis"].map(lambda c: label("grade_criterion", c) if c else "—"),
            tr("col.type"): frame["type"].map(labels("incident_type")),
            tr("col.township_name"): frame["township_name"],
            tr("col.deaths"): frame["deaths"],
            tr("col.missing"): frame["missing"],
            tr("col.injured"): frame["injured"],
            tr("warning.col.loss"): frame["loss_10k_yuan"],
            tr("col.status"): frame["status"].map(labels("incident_status")),
            tr("col.address"): frame["address"],
        }
    )
    st.dataframe(_coloured(shown, tr("warning.col.grade"), grade_colors), hide_index=True, width="stretch",
                 key="warning_grade_table")


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


def issue_form(f: Filters, summary: pd.DataFrame) -> None:
    """Choose level, townships, text and channels; record the warning and its recipients."""
    names = dict(zip(summary["code"], summary["name"]))
    ordered = cached.townships()["code"].tolist()
    top = int(summary["rank"].max()) if not summary.empty else 0
    default_level = warning.level_code(max(top, 1))
    default_townships = [code for code in ordered if code in set(summary.loc[summary["rank"] >= max(top, 1), "code"])]
    state = st.session_state
    state.setdefault("warning_issue_level", default_level)
    state.setdefault("warning_issue_townships", default_townships)
    state.setdefault("warning_issue_text", _default_text(default_level, default_townships, names, f))
    state.setdefault("warning_issue_channels", list(WARNING_CHANNELS))

    level_labels = labels("signal_level")
    st.selectbox(tr("warning.issue.level"), options=list(level_labels), format_func=level_labels.get,
                 key="warning_issue_level")
    chosen = st.multiselect(tr("warning.issue.townships"), options=ordered, format_func=lambda c: names.get(c, c),
                            placeholder=tr("common.choose"), key="warning_issue_townships")
    st.text_area(tr("warning.issue.text"), key="warning_issue_text", height=120, max_chars=warning.MAX_TEXT_CHARS)
    channel_labels = labels("warning_channel")
    st.multiselect(tr("warning.issue.channels"), options=list(channel_labels), format_func=channel_labels.get,
                   placeholder=tr("common.choose"), key="warning_issue_channels")

    contacts = cached.township_contacts(tuple(chosen))
    st.markdown(f"**{tr('warning.issue.recipients')}**")
    if contacts["is_demo"].any():
        st.caption(tr("warning.issue.demo_contacts"))
    st.dataframe(
        pd.DataFrame(
            {
                tr("warning.col.township"): contacts["township_name"],
                tr("warning.col.person"): contacts["name"],
                tr("warning.col.role"): contacts["role"].map(labels("contact_role")),
                tr("warning.col.phone"): contacts["phone"],
            }
        ),
        hide_index=True, width="stretch", key="warning_issue_recipients",
    )
    if st.button(tr("warning.issue.submit"), type="primary", key="warning_issue_submit"):
        try:
            ident = cached.issue_warning(
                identity.actor(), state["warning_issue_level"], chosen, state["warning_issue_text"],
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


def acknowledgements() -> None:
    """Recipients of a warning, who has acknowledged, who is overdue; record 叫应; export CAP."""
    issued = cached.warnings_issued()
    if issued.empty:
        st.info(tr("warning.acks.none"))
        return
    names = dict(zip(cached.townships()["code"], cached.townships()["name"]))
    rows = issued.set_index("id")
    if st.session_state.get("warning_ack_pick") not in rows.index:
        st.session_state["warning_ack_pick"] = int(rows.index[0])

    def option(ident) -> str:
        row = rows.loc[ident]
        return tr("warning.acks.option", id=ident, level=label("signal_level", row["level"]),
                  issued=_time(row["issued_at"]), townships="、".join(names.get(c, c) for c in row["townships"]))

    left, right = st.columns([3, 1])
    pick = left.selectbox(tr("warning.acks.pick"), options=list(rows.index), format_func=option, key="warning_ack_pick")
    st.session_state.setdefault("warning_ack_minutes", cached.warning_settings()["ack_minutes"])
    minutes = right.number_input(tr("warning.acks.minutes"), min_value=1, max_value=MAX_ACK_MINUTES, step=5,
                                 key="warning_ack_minutes")
    st.caption(plain(rows.loc[pick, "text"]))
    recipients = cached.warning_recipients(int(pick))
    overdue = warning.overdue_recipients(recipients, warning.local_now(), int(minutes))
    acked = int(recipients["acknowledged_at"].notna().sum())
    st.metric(tr("warning.col.ack_state"), tr("warning.acks.summary", acked=acked, total=len(recipients)))
    if not overdue.empty:
        st.warning(tr("warning.acks.overdue", minutes=int(minutes),
                      names="、".join(f"{n}（{t}）" for n, t in zip(overdue["name"], overdue["township_name"]))))
    elif acked == len(recipients):
        st.success(tr("warning.acks.all_done"))

    late = set(zip(overdue["township"], overdue["phone"]))
    states = [
        tr("warning.acks.state.done") if pd.notna(at) else
        tr("warning.acks.state.overdue") if (township, phone) in late else tr("warning.acks.state.pending")
        for at, township, phone in zip(recipients["acknowledged_at"], recipients["township"], recipients["phone"])
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
    state_colors = {tr("warning.acks.state.done"): (44, 160, 44), tr("warning.acks.state.overdue"): (214, 39, 40),
                    tr("warning.acks.state.pending"): (255, 187, 120)}
    st.dataframe(_coloured(shown, tr("warning.col.ack_state"), state_colors), hide_index=True, width="stretch",
                 key="warning_ack_table")

    pending = recipients[recipients["acknowledged_at"].isna()]
    keys = [f"{t}|{p}" for t, p in zip(pending["township"], pending["phone"])]
    who = dict(zip(keys, [f"{n}（{tn} · {label('contact_role', r)}）" for n, tn, r in
                          zip(pending["name"], pending["township_name"], pending["role"])]))
    if keys and identity.can("warn"):
        chosen = st.multiselect(tr("warning.acks.who"), options=keys, format_func=who.get, placeholder=tr("common.choose"),
                                key=f"warning_ack_who_{pick}")
        if st.button(tr("warning.acks.record"), key="warning_ack_record", disabled=not chosen):
            count = cached.acknowledge(identity.actor(), int(pick), [tuple(key.split("|", 1)) for key in chosen])
            st.success(tr("warning.acks.recorded", count=count))
            st.rerun()
    # The CAP message is the warning's own dissemination format: part of the duty role.
    export_buttons.download(st, tr("warning.acks.download"), lambda: cached.warning_alert(int(pick)),
                            f"warning-{int(pick)}-cap.xml", "application/xml", "warning_cap_download", permission="warn")


# ----------------------------------------------------------------- configuration


def config_panel() -> None:
    """Edit the signal and grade thresholds and the township method; saved all or nothing."""
    signals = cached.signal_thresholds()
    grades = cached.grade_thresholds()
    st.markdown(f"**{tr('warning.config.signals')}**")
    signal_view = signals.assign(level_label=signals["level"].map(labels("signal_level")))
    edited_signals = st.data_editor(
        signal_view[["level_label", "window_hours", "min_mm", "level"]],
        column_config={
            "level_label": st.column_config.TextColumn(tr("warning.col.level_code"), disabled=True),
            "window_hours": st.column_config.SelectboxColumn(tr("warning.col.window_hours"),
                                                             options=[1, 3, 6, 12, 24], required=True),
            "min_mm": st.column_config.NumberColumn(tr("warning.col.min_mm"), min_value=0.1, step=0.1, required=True),
            "level": None,
        },
        hide_index=True, key="warning_config_signals", width="stretch",
    )
    st.markdown(f"**{tr('warning.config.grades')}**")
    grade_view = grades.assign(grade_label=grades["grade"].map(labels("incident_grade")),
                               criterion_label=grades["criterion"].map(labels("grade_criterion")))
    edited_grades = st.data_editor(
        grade_view[["grade_label", "criterion_label", "min_value", "grade", "criterion"]],
        column_config={
            "grade_label": st.column_config.TextColumn(tr("warning.col.grade"), disabled=True),
            "criterion_label": st.column_config.TextColumn(tr("warning.col.criterion"), disabled=True),
            "min_value": st.column_config.NumberColumn(tr("warning.col.min_value"), min_value=0.0, required=True),
            "grade": None,
            "criterion": None,
        },
        hide_index=True, key="warning_config_grades", width="stretch",
    )
    methods = labels("township_method")
    current = cached.warning_settings()["township_method"]
    method = st.selectbox(tr("warning.config.method"), options=list(methods), format_func=methods.get,
                          index=list(methods).index(current), key="warning_config_method")
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


def contacts_editor() -> None:
    """Edit the responsible persons who receive warnings (rows may be added and deleted)."""
    st.markdown(f"**{tr('warning.config.contacts')}**")
    townships = cached.townships()
    names = dict(zip(townships["code"], townships["name"]))
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
    edited = st.data_editor(
        view,
        column_config={
            "township": st.column_config.SelectboxColumn(tr("warning.col.township"), options=list(codes), required=True),
            "name": st.column_config.TextColumn(tr("warning.col.person"), required=True),
            "role": st.column_config.SelectboxColumn(tr("warning.col.role"), options=list(role_codes), required=True),
            "phone": st.column_config.TextColumn(tr("warning.col.phone"), required=True),
            "is_demo": None,
        },
        num_rows="dynamic", hide_index=True, key="warning_config_contacts", width="stretch",
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

