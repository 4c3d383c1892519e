"""The demo's township responsible persons: synthetic names, fake phone numbers, labelled demo."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from emergency.demo.names import GIVEN_NAMES, SURNAMES
from emergency.warning import CONTACT_ROLES


def demo_contacts(township_codes: Sequence[str], rng: np.random.Generator) -> pd.DataFrame:
    """Return synthetic responsible persons (labelled demo) for the townships, for the demo store.

    Two per township (township head and flood duty officer) plus a grid member in every
    other township; names are drawn from ``rng`` and phones are well-formed but fake
    (137 0000 xxxx), so no real person is ever on the list.

    Returns
    -------
    pandas.DataFrame
        The rows of ``township_contacts``: township, name, role, phone, is_demo.
    """
    townships = [code for index, code in enumerate(township_codes) for _ in CONTACT_ROLES[: 3 - index % 2]]
    roles = [role for index, _ in enumerate(township_codes) for role in CONTACT_ROLES[: 3 - index % 2]]
    names = np.char.add(rng.choice(SURNAMES, len(roles)), rng.choice(GIVEN_NAMES, len(roles)))
    return pd.DataFrame(
        {
            "township": townships,
            "name": names.astype(str),
            "role": roles,
            "phone": [f"1370000{i:04d}" for i in range(1, len(roles) + 1)],
            "is_demo": True,
        }
    )
