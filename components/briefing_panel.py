"""The duty-briefing button with its progress bar and downloads, and the filtered-data workbook."""

from __future__ import annotations

import logging

import streamlit as st

from components import cached, export_buttons, identity
from components.text import lang, plain, tr
from emergency import clock, export
from emergency.filters import Filters

log = logging.getLogger(__name__)
RESULT_KEY = "briefing_result"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


def render(f: Filters) -> None:
    """One click builds the DOCX and PDF for the current filters; both stay downloadable until the filters change."""
    st.caption(tr("briefing.intro"))
    if not identity.can("export"):
        st.info(tr("auth.read_only"), icon=":material/visibility:")
        return
    signature = (f, lang())
    if st.button(tr("briefing.build"), type="primary", key="briefing_build", icon=":material/description:"):
        bar = st.progress(0.0, text=tr("briefing.step.query"))
        try:
            result = cached.build_briefing(f, lang(), lambda fraction, text: bar.progress(fraction, text=text))
        except Exception as error:  # a failed report must read as a message, not a traceback
            log.exception("briefing failed")
            bar.empty()
            st.error(tr("briefing.failed", reason=plain(error)))
        else:
            st.session_state[RESULT_KEY] = (signature, result, clock.local_now())
    stored = st.session_state.get(RESULT_KEY)
    if not stored:
        return
    built_for, result, built_at = stored
    if built_for != signature:
        st.warning(tr("briefing.stale"), icon=":material/update:")
        return
    st.success(tr("briefing.ready", time=f"{built_at:%H:%M:%S}"), icon=":material/check_circle:")
    row = st.container(horizontal=True, key="briefing_downloads")
    export_buttons.download(
        row,
        tr("briefing.download_docx"),
        lambda: result.docx,
        result.docx_name,
        DOCX_MIME,
        "briefing_docx",
        icon=":material/article:",
    )
    export_buttons.download(
        row,
        tr("briefing.download_pdf"),
        lambda: result.pdf,
        result.pdf_name,
        PDF_MIME,
        "briefing_pdf",
        icon=":material/picture_as_pdf:",
    )


def data_export(f: Filters) -> None:
    """Download of the filtered incidents, gauges, rainfall, stock and shelters, one sheet each."""
    st.caption(tr("briefing.data_help"))
    if not identity.can("export"):
        st.info(tr("auth.read_only"), icon=":material/visibility:")
        return
    language = lang()
    name = export.file_name(
        tr("export.data_subject"), f.start, f.end, "xlsx", export_buttons.township_names(f), language
    )
    export_buttons.download(
        st,
        tr("briefing.data_download"),
        lambda: cached.data_export(f.start, f.end, f.townships, f.types, f.statuses, language),
        name,
        export.XLSX_MIME,
        "data_export_xlsx",
        icon=":material/download:",
        help=tr("export.help"),
    )
