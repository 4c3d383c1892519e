"""Settings read from the environment or .streamlit/secrets.toml (core never imports streamlit)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "yitu.duckdb"
DEMO_OUTLINE_PATH = DATA_DIR / "guangxin_361104_gcj02.geojson"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"

# Environment variable naming the DuckDB file; wins over secrets.toml.
DB_PATH_ENV = "YITU_DB_PATH"


def _secrets() -> dict:
    if SECRETS_PATH.exists():
        with SECRETS_PATH.open("rb") as handle:
            return tomllib.load(handle)
    return {}


def setting(name: str, default=None):
    """Return ``[yitu] name`` from secrets.toml, or ``default``."""
    return _secrets().get("yitu", {}).get(name, default)


def database_path() -> Path:
    """Return the configured DuckDB path: $YITU_DB_PATH, then secrets.toml ``[yitu] db_path``, then data/."""
    configured = os.environ.get(DB_PATH_ENV) or setting("db_path")
    return Path(configured) if configured else DEFAULT_DB_PATH
