"""The filtered situation of a window: graded incidents and headline figures, for map and KPIs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components import cached
from emergency.filters import Filters
from emergency.rules import SERIOUS_GRADE_RANK  # noqa: F401 (the map's grade ring uses it)


@dataclass
class Situation:
    """What the page shows for one window."""

    incidents: pd.DataFrame  # graded (grade_rank, grade, grade_basis), filtered by grade
    figures: pd.Series  # rain and incident figures, plus signal_townships and serious_incidents


def incidents(f: Filters) -> pd.DataFrame:
    """The window's incidents graded by their own type's rules (emergency.rules.grades), grade filter applied."""
    graded = cached.incident_grades(f.start, f.end, f.townships, f.types, f.statuses)
    if f.grades:
        graded = graded[graded["grade"].isin(f.grades)].reset_index(drop=True)
    return graded


def of(f: Filters) -> Situation:
    """Incidents and figures of the window ``f``: both from the one rule engine (emergency.rules)."""
    return Situation(incidents(f), cached.rule_kpis(f).copy())
