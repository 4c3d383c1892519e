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
# Environment variable naming a PostgreSQL server store (postgresql://…); wins over db_url and
# over any DuckDB path.
DB_URL_ENV = "YITU_DB_URL"
# Environment variable naming another settings file instead of .streamlit/secrets.toml
# (a second county, a test); only its [yitu] table is read here.
SETTINGS_PATH_ENV = "YITU_SETTINGS"
# Environment variable choosing the sign-in mode; wins over [yitu] auth.
AUTH_ENV = "YITU_AUTH"


def _secrets() -> dict:
    path = Path(os.environ.get(SETTINGS_PATH_ENV) or SECRETS_PATH)
    if path.exists():
        with path.open("rb") as handle:
            return tomllib.load(handle)
    return {}


def oidc_configured() -> bool:
    """Tell whether Streamlit's own ``[auth]`` section (for st.login) is in the settings file.

    Streamlit reads the same file: .streamlit/secrets.toml, or the one named by
    ``[secrets] files`` and $YITU_SETTINGS together.
    """
    section = _secrets().get("auth", {})
    return bool(section.get("redirect_uri") and section.get("cookie_secret"))


def settings() -> dict:
    """Return the whole ``[yitu]`` table, read once (for callers that need several settings)."""
    return _secrets().get("yitu", {})


def setting(name: str, default=None):
    """Return ``[yitu] name`` from secrets.toml, or ``default``."""
    return settings().get(name, default)


def database_path() -> Path:
    """Return the configured DuckDB path: $YITU_DB_PATH, then secrets.toml ``[yitu] db_path``, then data/."""
    configured = os.environ.get(DB_PATH_ENV) or setting("db_path")
    return Path(configured) if configured else DEFAULT_DB_PATH


def database_url() -> str | None:
    """Return the configured PostgreSQL server store: $YITU_DB_URL, then ``[yitu] db_url``; None for DuckDB."""
    return os.environ.get(DB_URL_ENV) or setting("db_url") or None


def store_target() -> str | Path:
    """Return the store to open: the server store's URL when one is configured, else the DuckDB path.

    A ``postgresql://`` URL given where a path is expected ($YITU_DB_PATH, ``db_path``) is taken
    as the server store too.
    """
    from emergency import pgstore

    url = database_url()
    if url:
        return url
    configured = os.environ.get(DB_PATH_ENV) or setting("db_path")
    if configured and pgstore.is_url(str(configured)):
        return str(configured)
    return database_path()


def store_arg(text: str) -> str | Path:
    """Argparse type of a ``--db`` option: a ``postgresql://`` URL stays text, anything else is a path."""
    from emergency import pgstore

    return text if pgstore.is_url(text) else Path(text)
