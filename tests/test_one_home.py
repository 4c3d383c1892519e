"""One home per helper: a second copy of a shared helper or constant fails here, not in review."""

from __future__ import annotations

import re

import pytest

from emergency import config

ROOT = config.PROJECT_ROOT
SOURCES = sorted(
    path
    for folder in ("emergency", "components", "pages", "scripts")
    for path in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in path.parts
) + [ROOT / "app.py"]
# Names a module of the project is reached by (`engine._rollback`, `warning._with_levels`).
MODULES = sorted({path.stem for path in SOURCES if path.stem != "__init__"} | {"ingest", "feed", "demo"})


def _code(path) -> list[tuple[int, str]]:
    """The file's lines without comments (a rough cut: text after `#` outside quotes is dropped)."""
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.split("  # ")[0] if "  # " in line else line
        if not stripped.lstrip().startswith("#"):
            lines.append((number, stripped))
    return lines


def _hits(pattern: str, allowed: set[str]) -> list[str]:
    found = re.compile(pattern)
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        if str(path.relative_to(ROOT)) not in allowed
        for number, line in _code(path)
        if found.search(line)
    ]


@pytest.mark.parametrize(
    ("what", "pattern", "home"),
    [
        ("SQL quoting", r"def (quote_\w+|_sql_string|_quote\w*)\(", {"emergency/sql.py"}),
        ("GIS file reading", r"\bpyogrio\.|import pyogrio", {"emergency/geo.py"}),
        ("degree-km constants", r"\b(111\.32|110\.574)", {"emergency/geo.py"}),
        ("the UTC offset", r"[\"']\+08:00[\"']|8 \* 3600", {"emergency/clock.py"}),
        ("hours and minutes in microseconds", r"\b3_?600_?000_?000\b|\b60_?000_?000\b", {"emergency/clock.py"}),
        ("the haversine", r"asin\(sqrt|arcsin\(np\.sqrt", {"emergency/geo.py"}),
        # The commands' parsers (scripts/load.py is a test tool of its own, outside the package).
        ("command-line parsers", r"argparse\.ArgumentParser\(", {"emergency/commandline.py", "scripts/load.py"}),
    ],
)
def test_one_home(what, pattern, home):
    assert _hits(pattern, home) == [], f"{what} belongs in {', '.join(sorted(home))} only"


def test_no_private_function_of_another_module_is_called():
    assert _hits(rf"\b({'|'.join(MODULES)})\._[a-z]\w*", set()) == []
