"""The filtered situation of a window: graded incidents and headline figures, for map and KPIs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components import cached, water_view
from emergency.filters import Filters
from emergency.vocab import OPEN_STATUSES

# Grade rank from which an incident counts as serious on the KPI card (2 = 较大).
SERIOUS_GRADE_RANK = 2


@dataclass
class Situation:
    """What the page shows for one window."""

    incidents: pd.DataFrame  # graded (grade_rank, grade, grade_basis), filtered by grade
    figures: pd.Series  # rain and incident figures, plus signal_townships and serious_incidents


def incidents(f: Filters) -> pd.DataFrame:
    """The window's incidents with their grades, keeping only the chosen grades if any."""
    graded = cached.incident_grades(f.start, f.end, f.townships, f.types, f.statuses)
    if f.grades:
        graded = graded[graded["grade"].isin(f.grades)].reset_index(drop=True)
    return graded


def of(f: Filters) -> Situation:
    """Incidents and figures of the window ``f``."""
    graded = incidents(f)
    figures = cached.kpis(f.start, f.end, f.townships, f.types, f.statuses).iloc[0].copy()
    if f.grades:
        # The SQL figures know nothing of grades: count the graded rows instead.
        figures["incidents"] = len(graded)
        figures["open_incidents"] = int(graded["status"].isin(OPEN_STATUSES).sum())
        figures["affected_townships"] = graded["township"].nunique()
    figures["serious_incidents"] = int((graded["grade_rank"] >= SERIOUS_GRADE_RANK).sum())
    signals = cached.township_signals_at(f.end)
    if f.townships:
        signals = signals[signals["code"].isin(f.townships)]
    figures["signal_townships"] = int(signals["level"].notna().sum())
    figures["water_over"] = water_view.over_count(f)  # issue 19: the one water-state rule
    return Situation(graded, figures)
