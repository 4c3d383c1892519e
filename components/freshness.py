"""The freshness line of every page: "数据截至 T", and a prominent notice when the data is old.

The big screen (``?screen=1``) calls :func:`render` too. The figures come from
:func:`emergency.rules.assess_freshness`; only the drawing is here.
"""

from __future__ import annotations

import streamlit as st

from components import cached
from components.text import tr
from emergency import rules


def _age_text(minutes: int) -> str:
    if minutes >= 48 * 60:
        return tr("fresh.age_days", days=minutes // (24 * 60))
    if minutes >= 120:
        return tr("fresh.age_hours", hours=minutes // 60)
    return tr("fresh.age_minutes", minutes=minutes)


def current() -> rules.Freshness:
    """The store's freshness now (latest data time is cached; the clock is read every run).

    The clock is the store's: the wall clock, or the live demo's accelerated storm clock, whose
    data would otherwise look months old.
    """
    meta = cached.meta()
    return rules.assess_freshness(
        cached.data_range()[1], meta.get("is_demo") == "true", cached.store_now(), rules.stale_data_minutes()
    )


def render(where=st) -> rules.Freshness:
    """Draw "数据截至 T" and, for a demo, that it is a replay; for live data older than the limit, an error box."""
    state = current()
    if state.data_end is None:
        # A county being set up: the page's guidance names what to import next; no alarm here.
        where.caption(tr("fresh.no_data"))
        return state
    as_of = f"{state.data_end:%Y-%m-%d %H:%M}"
    if state.is_demo:
        where.info(tr("fresh.replay", as_of=as_of), icon=":material/history:")
    elif state.stale:
        where.error(
            tr("fresh.stale", as_of=as_of, age=_age_text(state.age_minutes), limit=_age_text(state.limit_minutes)),
            icon=":material/schedule:",
        )
    else:
        where.caption(tr("fresh.as_of", as_of=as_of))
    return state
