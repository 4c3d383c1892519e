"""Chinese for the few texts Streamlit's own widgets draw in English (its frontend has no locale).

Multiselects are drawn with ``select_all=False`` (no "Select all" entry). The file
uploader's "Drag and drop a file here", "… per file" and "Upload" are hidden and replaced by
our own fixed text through CSS ``content`` (strings from the one strings table, no user text).
"""

from __future__ import annotations

import json

import streamlit as st

from components.text import lang, tr


def _css_string(text: str) -> str:
    # A CSS string literal: JSON escaping of quotes and backslashes is valid CSS escaping too.
    return json.dumps(text, ensure_ascii=False)


def localize() -> None:
    """Inject the replacement texts for the session's language (nothing to do in English)."""
    if lang() == "en":
        return
    megabytes = int(st.get_option("server.maxUploadSize"))
    limit = f"{megabytes / 1024:g} GB" if megabytes >= 1024 else f"{megabytes} MB"
    drop, button = _css_string(tr("builtin.drop_here", limit=limit)), _css_string(tr("builtin.upload"))
    st.markdown(
        f"""<style>
[data-testid=stFileUploaderDropzoneInstructions] > div > * {{ display: none !important; }}
[data-testid=stFileUploaderDropzoneInstructions] > div::after {{ content: {drop}; }}
[data-testid=stFileUploaderDropzone] button [data-testid=stMarkdownContainer],
[data-testid=stFileUploaderDropzone] button span:not([data-testid=stIconMaterial]) {{ display: none !important; }}
[data-testid=stFileUploaderDropzone] button::after {{ content: {button}; }}
</style>""",
        unsafe_allow_html=True,
    )
