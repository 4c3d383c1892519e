"""Current UI language and translated text for components and pages."""

from __future__ import annotations

import re

import streamlit as st

from emergency import i18n, inert

LANGUAGE_KEY = "lang"


def lang() -> str:
    """Return the language chosen in this session (zh by default)."""
    value = st.session_state.get(LANGUAGE_KEY, i18n.DEFAULT_LANGUAGE)
    return value if value in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


# Characters that Streamlit's markdown would read as syntax: links, emphasis, HTML, directives
# such as :red[...] and :material/...:, math, e-mail autolinks. CommonMark lets a backslash
# escape any ASCII punctuation.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@=\"'/?%;^,])")
# GitHub-flavoured autolinks are found in the text *after* parsing (escapes do not stop them):
# "http://…", "www.…", "user@host…", "mailto:…". A word joiner (U+2060, invisible, not a word
# character) after the scheme, after "www" and after "@" keeps them from matching.
WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(r"(?i)((?:https?|ftp|mailto|xmpp|file|javascript|data)(?=\\:)|www(?=\\\.)|\\@)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(value) -> str:
    """Return ``value`` as text that every markdown-reading element shows literally.

    The one helper for stored text (names, addresses, warning texts, anything from users
    or imported files) in a label, caption, heading, metric label, alert or tooltip that
    Streamlit reads as markdown: no link, image, HTML, emphasis or directive survives.

    Examples
    --------
    >>> plain("![x](http://evil.example/x.png)").count(WORD_JOINER)
    1
    >>> "](" in plain("[a](b)")
    False
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub(" ", text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    escaped = _MARKDOWN_SYNTAX.sub(r"\\\1", text)
    return _AUTOLINK_TRIGGERS.sub(lambda m: m.group(0) + WORD_JOINER, escaped)


def chart(fig):
    """The figure to hand to ``st.plotly_chart``: stored text in it cannot become a link (emergency.inert)."""
    return inert.figure(fig)


# What a table shows in a cell with no value (Streamlit's own default is the English word "None").
MISSING = "—"


def dataframe(data, **kwargs):
    """Draw ``st.dataframe`` with a dash for missing values; every table of the app goes through here."""
    kwargs.setdefault("placeholder", MISSING)
    return st.dataframe(data, **kwargs)


def data_editor(data, **kwargs):
    """Draw ``st.data_editor`` with a dash for missing values."""
    kwargs.setdefault("placeholder", MISSING)
    return st.data_editor(data, **kwargs)


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
