"""Feed URLs live in the settings file (``[yitu_feeds]``), never in the store or the audit log.

A SQLAlchemy URL may carry a user name and password; everything the store keeps, shows or
logs about a source goes through :func:`mask`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from emergency import config

# Table of the settings file holding ``"feed name" = "sqlalchemy url"``.
SECTION = "yitu_feeds"
_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def settings_path() -> Path:
    """Return the settings file: $YITU_SETTINGS, else .streamlit/secrets.toml."""
    return Path(os.environ.get(config.SETTINGS_PATH_ENV) or config.SECRETS_PATH)


def _read(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def feed_url(name: str) -> str | None:
    """Return the URL of feed ``name`` from the settings file, or None."""
    return _read(settings_path()).get(SECTION, {}).get(name)


def set_feed_url(name: str, url: str) -> Path:
    """Write ``name = url`` into the ``[yitu_feeds]`` table of the settings file (mode 600).

    The rest of the file is kept as it is; the table is rewritten at the end of the file.
    """
    path = settings_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    urls = dict(_read(path).get(SECTION, {}))
    urls[name] = url
    kept, skipping = [], False
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            skipping = header.group(1).strip() == SECTION
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    # JSON strings are valid TOML basic strings (same escapes).
    block = [f"[{SECTION}]"] + [
        f"{json.dumps(k, ensure_ascii=False)} = {json.dumps(v, ensure_ascii=False)}" for k, v in urls.items()
    ]
    new_text = "\n".join([*kept, "", *block]).lstrip("\n") + "\n"
    tomllib.loads(new_text)  # never leave a file the app cannot read
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new_text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][\w+.-]*://)(?P<user>[^:/@\s]*)(?::(?P<password>[^@\s]*))?@")


def mask(url: str | None) -> str:
    """Return the URL with its password replaced by ``***``.

    Examples
    --------
    >>> mask("postgresql+psycopg://sw:S3cret@10.1.2.3/sl323")
    'postgresql+psycopg://sw:***@10.1.2.3/sl323'
    >>> mask("sqlite:///data/sl323.db")
    'sqlite:///data/sl323.db'
    """
    if not url:
        return ""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}{':***' if m['password'] is not None else ''}@", url)


def scrub(text: str, url: str | None) -> str:
    """``text`` (an error message) with the URL's password and the URL itself masked."""
    if not text:
        return text
    if url:
        text = text.replace(url, mask(url))
        match = _USERINFO.match(url)
        password = match["password"] if match else None
        if password:
            text = text.replace(password, "***")
            from urllib.parse import unquote

            text = text.replace(unquote(password), "***")
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}{':***' if m['password'] is not None else ''}@", text)
