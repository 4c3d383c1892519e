"""The one way a command of ``python -m emergency`` builds its argument parser.

Every command module (``ingest``, ``demo``, ``feed``, ``bench``…) can also run on its own
(``python -m emergency.ingest``); ``python -m emergency <command>`` passes it its own ``prog``
and description (the command's docstring). This module imports nothing of the package, so any
command module can use it without importing ``emergency.__main__``.
"""

from __future__ import annotations

import argparse


def parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """Return an argument parser whose help shows ``description`` as written (line breaks kept)."""
    return argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
