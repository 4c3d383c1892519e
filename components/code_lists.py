"""Code-list administration: the texts departments used that no code covers, mapped or added as codes.

Shown on the import page under a validation report (the labels of that file) and on the admin
page (every list). Writes go through emergency.actions (configure permission + audit).
"""

from __future__ import annotations

import streamlit as st

from components import cached, identity
from components.text import dataframe, label, lang, plain, tr
from emergency import actions, codelists, i18n
from emergency.access import PermissionDenied


def _code_options(list_name: str) -> list[str]:
    codes = codelists.codes(cached.get_store(), list_name)
    return [c for c in codes["code"] if c != codelists.OTHER]


def _code_name(list_name: str, code: str) -> str:
    return label(list_name, code) if code in i18n.CODE_LABELS.get(list_name, {}) else code


def map_form(list_name: str, text: str, rows: int, key: str) -> None:
    """One department text of a list: pick an existing code, or add a new one, and apply."""
    if not identity.can("configure"):
        return
    conn = cached.get_store()
    left, middle, right = st.columns([3, 3, 2])
    left.markdown(
        f"{tr('codes.text')}: **{plain(codelists.display(list_name, codelists.OTHER, text, lang()))}**  ·  {rows:,}"
    )
    new = "__new__"
    options = ["", *_code_options(list_name), new]
    chosen = middle.selectbox(
        tr("codes.map_to"),
        options,
        key=f"{key}_code",
        format_func=lambda c: (
            tr("codes.choose") if not c else tr("codes.new") if c == new else _code_name(list_name, c)
        ),
    )
    if chosen == new:
        a, b, c, d = st.columns(4)
        code = a.text_input(tr("codes.code"), key=f"{key}_new_code", help=tr("codes.code_help")).strip()
        zh = b.text_input(tr("codes.name_zh"), value=text, key=f"{key}_new_zh").strip()
        en = c.text_input(tr("codes.name_en"), key=f"{key}_new_en").strip()
        color = d.color_picker(tr("codes.color"), value="#7f7f7f", key=f"{key}_new_color")
    if right.button(tr("codes.apply"), key=f"{key}_apply", disabled=not chosen):
        try:
            if chosen == new:
                actions.add_code(conn, identity.actor(), list_name, code, zh, en, color)
                chosen = code
            changed = actions.map_code_label(conn, identity.actor(), list_name, text, chosen)
        except codelists.CodeListError as error:
            fields = {k: plain(v) for k, v in error.fields.items()}
            st.error(tr("codes.failed", detail=tr(f"codes.error.{error.reason}", **fields)))
            return
        except (ValueError, PermissionDenied) as error:
            st.error(tr("codes.failed", detail=plain(str(error))))
            return
        cached.clear()
        st.session_state[f"{key}_done"] = tr(
            "codes.mapped", text=plain(text), code=plain(_code_name(list_name, chosen)), rows=changed
        )
        st.rerun()
    done = st.session_state.pop(f"{key}_done", None)
    if done:
        st.success(done)


def report_others(report, kind) -> None:
    """Under a validation report: the texts of this file kept as "other", each mappable on the spot."""
    if not report.others:
        return
    st.markdown(f"**{tr('codes.others_in_file')}**")
    st.caption(tr("codes.others_help"))
    for field_name, labels in report.others.items():
        list_name = kind.field(field_name).vocabulary
        for index, (text, rows) in enumerate(labels.items()):
            map_form(list_name, text, rows, key=f"codes_{field_name}_{index}_{report.sha256[:8]}")


def render_admin() -> None:
    """Every open list: its codes (with the national class they belong to) and its unmapped texts."""
    conn = cached.get_store()
    codelists.sync_labels(conn)
    st.subheader(tr("codes.title"))
    st.caption(tr("codes.intro"))
    list_name = st.selectbox(
        tr("codes.list"),
        list(codelists.OPEN_LISTS + codelists.CLOSED_LISTS),
        key="codes_list",
        format_func=lambda n: label("code_list", n),
    )
    codes = codelists.codes(conn, list_name)
    shown = codes.assign(builtin=[tr("codes.builtin") if b else tr("codes.added") for b in codes["builtin"]])
    # A code outside every national class (其他, codes an administrator added) shows a dash, never "None".
    for column in ("color", "standard", "standard_class", "name_en"):
        shown[column] = shown[column].astype(object).where(shown[column].notna(), "—")
    dataframe(
        shown.rename(
            columns={
                "code": tr("codes.code"),
                "name_zh": tr("codes.name_zh"),
                "name_en": tr("codes.name_en"),
                "color": tr("codes.color"),
                "standard": tr("codes.standard"),
                "standard_class": tr("codes.standard_class"),
                "builtin": tr("codes.origin"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    others = codelists.other_labels(conn, list_name)
    if others.empty:
        st.info(tr("codes.no_others"))
        return
    st.markdown(f"**{tr('codes.others_stored')}**")
    for index, row in enumerate(others.itertuples()):
        map_form(list_name, row.label, int(row.rows), key=f"codes_admin_{list_name}_{index}")
