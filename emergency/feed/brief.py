"""The duty briefing's 水情 section: stations over their thresholds, from the one water-state rule."""

from __future__ import annotations

import duckdb
import pandas as pd

from emergency.feed import water
from emergency.filters import Filters
from emergency.i18n import label, t


def _m(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.2f}"


def water_blocks(conn: duckdb.DuckDBPyConnection, f: Filters, lang: str, block) -> list:
    """Blocks of the 水情 section (``block`` is emergency.briefing.Block); none without water stations."""
    states = water.station_states(conn, f.end, f.townships)
    if states.empty:
        return []
    blocks = [block("heading", t("briefing.water", lang))]
    counts = states["state"].value_counts()
    summary = ("；" if lang == "zh" else "; ").join(
        f"{label('water_state', s, lang)} {int(counts.get(s, 0))}"
        for s in ("over_guarantee", "over_warning", "over_flood_limit", "normal", "no_data")
        if counts.get(s, 0)
    )
    over_now = int(states["state"].isin(water.OVER_STATES).sum())
    blocks.append(
        block(
            "paragraph",
            f"{t('kpi.water_over', lang)}：{over_now}（{summary}）"
            if lang == "zh"
            else f"{t('kpi.water_over', lang)}: {over_now} ({summary})",
        )
    )
    over = water.over_periods(conn, f.start, f.end, f.townships)
    if over.empty:
        return blocks + [block("paragraph", t("briefing.water_none", lang))]
    for row in over.itertuples():
        excess = None if pd.isna(row.level_m) else row.level_m - row.threshold_m
        blocks.append(
            block(
                "paragraph",
                t(
                    "briefing.water_line",
                    lang,
                    station=row.name,
                    kind=label("water_kind", row.kind, lang),
                    state=label("water_state", row.state, lang),
                    level=_m(row.level_m),
                    threshold=_m(row.threshold_m),
                    excess=_m(excess),
                    peak=_m(row.peak_m),
                    peak_at=f"{row.peak_at:%m-%d %H:%M}",
                    hours=f"{row.over_minutes / 60:.1f}",
                ),
            )
        )
    header = [
        t(k, lang)
        for k in (
            "water.station",
            "water.kind",
            "water.state_now",
            "water.level_now",
            "water.threshold",
            "water.peak",
            "water.peak_at",
            "water.hours_over",
        )
    ]
    rows = [
        [
            r.name,
            label("water_kind", r.kind, lang),
            label("water_state", r.state, lang),
            _m(r.level_m),
            _m(r.threshold_m),
            _m(r.peak_m),
            f"{r.peak_at:%m-%d %H:%M}",
            f"{r.over_minutes / 60:.1f}",
        ]
        for r in over.itertuples()
    ]
    return blocks + [block("table", header=header, rows=rows)]
