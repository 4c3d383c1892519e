"""Import templates on the import page: what to import next and a CSV/XLSX template per kind."""

from __future__ import annotations

import streamlit as st

from components import cached, guidance
from components.text import dataframe, localized, tr
from emergency import completeness
from emergency.ingest import templates
from emergency.ingest.kinds import KINDS

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render() -> None:
    """The next kind to import, then a kind picker with its CSV and XLSX template downloads."""
    guidance.next_hint()
    with st.expander(tr("templates.title"), icon=":material/download:"):
        st.caption(tr("templates.intro"))
        order = list(completeness.IMPORT_ORDER) + [k for k in KINDS if k not in completeness.IMPORT_ORDER]
        kind = localized(
            st.selectbox,
            tr("templates.kind"),
            order,
            key="templates_kind",
            format_func=lambda k: tr(f"ingest.kind.{k}"),
            default=order[0],
        )
        place = cached.template_place()
        stem = tr("templates.file", kind=tr(f"ingest.kind.{kind}"))
        dataframe(templates.template_frame(kind, place), hide_index=True)
        left, right = st.columns(2)
        left.download_button(
            tr("templates.csv"),
            templates.template_csv(kind, place),
            file_name=f"{stem}.csv",
            mime=CSV_MIME,
            key="templates_csv",
            icon=":material/table:",
        )
        right.download_button(
            tr("templates.xlsx"),
            templates.template_xlsx(kind, place),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key="templates_xlsx",
            icon=":material/grid_on:",
        )
