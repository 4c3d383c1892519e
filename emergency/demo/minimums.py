"""The demo's minimum stock per item: a share of each item's typical warehouse holding."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from emergency.stock import MINIMUM_COLUMNS

# Share of an item's typical warehouse holding below which the demo calls the stock short.
DEMO_MINIMUM_SHARE = 0.7


def demo_minimums(items: Iterable[tuple[str, str, str, float]]) -> pd.DataFrame:
    """Return the demo's minimums: a share of each item's typical holding (deterministic, no random draw).

    ``items`` are (item, category, unit, typical quantity) rows as in ``emergency.demo.STOCK_ITEMS``.
    """
    return pd.DataFrame(
        [(item, float(max(1, round(typical * DEMO_MINIMUM_SHARE))), unit) for item, _, unit, typical in items],
        columns=list(MINIMUM_COLUMNS),
    )
