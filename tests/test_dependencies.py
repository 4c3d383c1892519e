"""requirements.txt holds what the app imports, pinned, and nothing only the tests need.

Every third-party module imported by the runtime code (app.py, pages/, components/, emergency/,
scripts/serve.py) must come from a distribution pinned in requirements.txt; every pin there must be imported
by the runtime code or be named below as a run-time need reached indirectly. Test-only packages live
in requirements-dev.txt.
"""

from __future__ import annotations

import ast
import functools
import sys
from importlib import metadata

from emergency import config

ROOT = config.PROJECT_ROOT
# scripts/load.py is a test tool (its websockets and playwright are dev requirements).
RUNTIME_SOURCES = ["app.py", "pages", "components", "emergency", "scripts/serve.py"]
# Pinned for run time although no runtime module imports them by name.
INDIRECT = {
    "lxml": "python-docx writes the briefing with it",
    "kaleido": "plotly's image export (fig.to_image) drives it",
    "charset-normalizer": "imported as charset_normalizer",
    "authlib": "st.login's OIDC client",
    "httpx": "Authlib's token exchange under st.login",
    "pyarrow": "DuckDB/pandas Arrow conversion",
    "pyproj": "geopandas/shapely CRS handling",
    "geopandas": "pyogrio.read_dataframe returns GeoDataFrames",
    "python-calamine": "imported as python_calamine",
    "python-docx": "imported as docx",
    "pillow": "imported as PIL",
    "xlsxwriter": 'pandas.ExcelWriter(engine="xlsxwriter") in emergency/export.py',
    # SQLAlchemy loads the driver a feed URL names (emergency/feed/source.py)
    "psycopg[binary]": "postgresql+psycopg:// feed URLs",
    "psycopg-binary": "psycopg's compiled core",
    "pymysql": "mysql+pymysql:// feed URLs",
    "pymssql": "mssql+pymssql:// feed URLs",
    "oracledb": "oracle+oracledb:// feed URLs",
}
TEST_ONLY = {"pytest", "playwright", "pypdf", "openpyxl"}


def _pins(name: str) -> set[str]:
    pins = set()
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            pin = line.split("==")[0].strip().lower().replace("_", "-")
            pins.add(pin)
            pins.add(pin.split("[")[0])  # psycopg[binary] pins psycopg (imported by emergency.pgstore)
    return pins


def _runtime_imports() -> set[str]:
    modules = set()
    for source in RUNTIME_SOURCES:
        path = ROOT / source
        for file in [path] if path.is_file() else path.rglob("*.py"):
            for node in ast.walk(ast.parse(file.read_text(), str(file))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    local = {"emergency", "components", "pages", "tests", "app", "scripts"}
    return {m for m in modules if m not in sys.stdlib_module_names and m not in local}


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _distribution(module: str) -> str:
    names = _distributions().get(module, [module])
    return names[0].lower().replace("_", "-")


def test_every_runtime_import_is_pinned_in_requirements():
    pins = _pins("requirements.txt")
    unpinned = {module: _distribution(module) for module in _runtime_imports() if _distribution(module) not in pins}
    assert not unpinned, f"imported at run time but not pinned in requirements.txt: {unpinned}"


def test_every_runtime_pin_is_used():
    imported = {_distribution(module) for module in _runtime_imports()}
    unused = _pins("requirements.txt") - imported - set(INDIRECT)
    assert not unused, f"pinned in requirements.txt but never imported (move or remove): {unused}"
    assert "h3" not in _pins("requirements.txt")


def test_test_only_packages_live_in_the_dev_file():
    assert not TEST_ONLY & _pins("requirements.txt")
    assert _pins("requirements-dev.txt") >= TEST_ONLY
    assert not TEST_ONLY & {_distribution(module) for module in _runtime_imports()}
