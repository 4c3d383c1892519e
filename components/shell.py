"""The frame around every page: language toggle, store opening with clear errors, header banner."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components import builtin_text, cached, filter_bar, freshness, guidance
from components.text import LANGUAGE_KEY, plain, tr
from emergency import config, i18n, store
from emergency.filters import Filters

LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


def ignore_legacy_pages_folder() -> None:
    """Make the first run after server start use st.navigation, not the old pages/ discovery.

    Streamlit decides "the app uses a pages/ folder" from the folder name when the first
    session starts, and runs that session's first run through its legacy multipage wrapper;
    st.navigation only switches this off during that run. The browser then keeps the legacy
    page, and every later widget change in app.py (language, filters) is dropped for that
    session (seen with streamlit 1.67). Our layout keeps pages/, so switch it off and rerun.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


class NavigationPagesManager(PagesManager):
    """PagesManager for AppTest runs of this app (tests and the benchmark).

    AppTest builds a fresh PagesManager for every run and re-detects the legacy pages/
    folder each time, so from the second run on it executed only the page script, without
    app.py's sidebar and banner. Patch ``streamlit.testing.v1.app_test.PagesManager`` with this.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def language_toggle() -> None:
    """Sidebar zh/en switch, seeded from ``?lang=`` and mirrored back to it."""
    if LANGUAGE_KEY not in st.session_state:
        requested = st.query_params.get("lang", i18n.DEFAULT_LANGUAGE)
        st.session_state[LANGUAGE_KEY] = requested if requested in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    st.sidebar.radio(
        tr("app.language"),
        options=list(i18n.LANGUAGES),
        format_func=LANGUAGE_NAMES.get,
        horizontal=True,
        key=LANGUAGE_KEY,
    )
    if st.session_state[LANGUAGE_KEY] == i18n.DEFAULT_LANGUAGE:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = st.session_state[LANGUAGE_KEY]


def open_store() -> bool:
    """Open (and on first start build) the store; show a clear message instead of a traceback."""
    try:
        with st.spinner(tr("app.building_demo")):
            cached.get_store()
        cached.follow_other_replicas()  # another replica's writes show here too
    except Exception as error:  # any failure to open must read as a message, not a traceback
        st.error(tr("app.db_error", path=store.describe(config.store_target()), reason=plain(error)))
        return False
    return True


def header(meta: dict[str, str]) -> None:
    """Title line with the county name and the demo/real data banner."""
    county = meta.get("county_name", "")
    st.sidebar.markdown(f"### {tr('app.title')}")
    st.sidebar.caption(f"{plain(county)} · {tr('app.subtitle')}")
    if meta.get("is_demo") == "true":
        st.warning(tr("app.demo_banner"), icon=":material/science:")
    else:
        st.caption(tr("app.real_banner", county=plain(county)))
    freshness.render()
    builtin_text.localize()


def page_frame(page: str, period: bool = True) -> Filters:
    """Open a page that follows the sidebar filters and return them.

    The title, the notice of ignored URL parameters and, on a store still being filled, what to
    import next (:func:`components.guidance.require`). The page stops there when the store lacks
    what it needs or holds no data yet. ``period`` adds the caption naming the filter window.

    Parameters
    ----------
    page : str
        The page file's stem: ``page.<stem>`` is its title, and the key of its data needs.
    period : bool
        Show the filter window under the title.
    """
    f = filter_bar.current()
    st.title(tr(f"page.{page}"))
    filter_bar.show_notices()
    guidance.require(page)
    if f is None:
        st.info(tr("app.no_data"))
        st.stop()
    if period:
        st.caption(tr("filter.period", start=f"{f.start:%Y-%m-%d %H:%M}", end=f"{f.end:%Y-%m-%d %H:%M}"))
    return f
