"""Current UI language and translated text for components and pages."""

from __future__ import annotations

import streamlit as st

from emergency import i18n

LANGUAGE_KEY = "lang"


def lang() -> str:
    """Return the language chosen in this session (zh by default)."""
    value = st.session_state.get(LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def tr(key: str, **fields) -> str:
    """Return the text for ``key`` in the session's language."""
    return i18n.t(key, lang(), **fields)


def label(vocabulary: str, code: str) -> str:
    """Return the display label of a stored code in the session's language."""
    return i18n.label(vocabulary, code, lang())


def labels(vocabulary: str) -> dict[str, str]:
    """Return {code: label} of a vocabulary in the session's language."""
    return i18n.labels(vocabulary, lang())
