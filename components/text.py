"""Current UI language and translated text for components and pages."""

from __future__ import annotations

import re

import streamlit as st

from emergency import i18n

LANGUAGE_KEY = "lang"


def lang() -> str:
    """Return the language chosen in this session (zh by default)."""
    value = st.session_state.get(LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


# Characters that Streamlit's markdown would read as syntax: links, emphasis, HTML, directives
# such as :red[...] and :material/...:, math. CommonMark lets a backslash escape any of them.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(value) -> str:
    """Return ``value`` as text that markdown elements (subheader, caption, warning...) show literally.

    For names, addresses and other text that came from users or imported files.
    """
    text = "" if value is None else str(value)
    return _MARKDOWN_SYNTAX.sub(r"\\\1", text).replace("\n", " ")


def tr(key: str, **fields) -> str:
    """Return the text for ``key`` in the session's language."""
    return i18n.t(key, lang(), **fields)


def label(vocabulary: str, code: str) -> str:
    """Return the display label of a stored code in the session's language."""
    return i18n.label(vocabulary, code, lang())


def labels(vocabulary: str) -> dict[str, str]:
    """Return {code: label} of a vocabulary in the session's language."""
    return i18n.labels(vocabulary, lang())


def localized_key(key: str) -> str:
    """Widget key of a choice widget whose option labels depend on the language."""
    return f"{key}.{lang()}"


def localized(widget, label_text: str, options, key: str, format_func, default=None, **kwargs):
    """Draw a choice widget whose option labels follow the language, keeping its value.

    The browser keeps showing a selectbox's old option labels after a language switch,
    so the widget gets a key per language while the value lives under ``key``.
    """
    widget_key = localized_key(key)
    if widget_key not in st.session_state:
        st.session_state[widget_key] = st.session_state.get(key, default)
    value = widget(label_text, options=options, format_func=format_func, key=widget_key, **kwargs)
    st.session_state[key] = value
    return value
