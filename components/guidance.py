"""The "what to import next" state.

A page that lacks its data says which kinds, in which order, and links to the import.
"""

from __future__ import annotations

import streamlit as st

from components import cached, filter_bar
from components.text import plain, tr
from emergency import completeness

IMPORT_PAGE = "pages/import_data.py"
COMPLETENESS_PAGE = "pages/completeness.py"
# Kinds that carry a data time, so the filter bar can choose a period once one of them holds rows.
TIMED_KINDS = ("rainfall", "incidents")


def _kind_name(kind: str) -> str:
    return tr(f"ingest.kind.{kind}")


def steps(needed: list[str], counts: dict[str, int]) -> None:
    """The import order as a list: done kinds with their rows, the page's missing kinds marked."""
    lines = []
    for number, kind in enumerate(completeness.IMPORT_ORDER, start=1):
        rows = counts.get(kind, 0)
        if rows:
            text = tr("guide.step_done", kind=_kind_name(kind), rows=f"{rows:,}")
        elif kind in needed:
            text = tr("guide.step_needed", kind=_kind_name(kind))
        else:
            text = tr("guide.step_later", kind=_kind_name(kind))
        lines.append(f"{number}. {text}")
    st.markdown("\n".join(lines))


def links() -> None:
    """Links to the import page and the completeness view."""
    left, right = st.columns(2)
    with left:
        st.page_link(IMPORT_PAGE, label=tr("guide.to_import"), icon=":material/upload_file:")
    with right:
        st.page_link(COMPLETENESS_PAGE, label=tr("guide.to_completeness"), icon=":material/checklist:")


def require(page: str) -> None:
    """Stop the page with the guidance state unless the store holds what ``page`` needs.

    Call it once at the top of a page, after its title. ``page`` is the page file's stem
    (a key of :data:`emergency.completeness.PAGE_NEEDS`). Pages that follow the sidebar
    filters also stop here while no kind with a data time holds rows.
    """
    counts = cached.kind_counts()
    needed = completeness.missing_for(page, counts)
    if not needed and filter_bar.current() is not None:
        return
    if not needed:
        needed = [kind for kind in TIMED_KINDS if not counts.get(kind)]
    county = cached.meta().get("county_name", "")
    if not any(counts.values()):
        st.info(tr("guide.empty_store", county=plain(county)), icon=":material/info:")
    elif not needed:
        st.info(tr("guide.no_time"), icon=":material/info:")
    st.warning(tr("guide.title"), icon=":material/playlist_add:")
    steps(needed, counts)
    links()
    st.stop()


def next_hint() -> None:
    """One line saying which kind to import next (nothing when every kind holds rows); never stops the page."""
    counts = cached.kind_counts()
    missing = [kind for kind in completeness.IMPORT_ORDER if not counts.get(kind)]
    if missing:
        st.info(tr("guide.next", kind=_kind_name(missing[0])), icon=":material/playlist_add:")
    else:
        st.caption(tr("guide.all_done"))
