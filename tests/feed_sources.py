"""SL 323 source databases for the feed tests: a SQLite file and a real PostgreSQL server.

The PostgreSQL server is Debian's (``/usr/lib/postgresql/15/bin``), created with initdb in a
temporary directory, listening only on a Unix socket there, with a password (so the tests can
check it never reaches the store or a log), and stopped at the end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import closing, suppress
from pathlib import Path

import sqlalchemy as sa

PG_BIN = Path(os.environ.get("YITU_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PASSWORD = "Hy-Pw!0q#7z"
PG_USER = "sw_reader"


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throw-away PostgreSQL cluster on a Unix socket; ``url`` carries user and password."""

    def __init__(self) -> None:
        # Its own directory under /tmp: pytest's are private to root, which the server is not,
        # and a Unix socket path must stay short.
        root = Path(tempfile.mkdtemp(prefix="yitu-pg-"))
        self.root = root
        self.data = root / "data"
        self.sock = root / "sock"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres account
            user = "postgres" if _has_user("postgres") else "nobody"
            self.as_user = ["runuser", "-u", user, "--"]
            shutil.chown(root, user)
        self.sock.mkdir()
        if self.as_user:
            shutil.chown(self.sock, self.as_user[2])
        pwfile = root / "pw"
        pwfile.write_text(PG_PASSWORD + "\n")
        if self.as_user:
            shutil.chown(pwfile, self.as_user[2])
        self._run(
            PG_BIN / "initdb",
            "-D",
            self.data,
            "-U",
            PG_USER,
            "--pwfile",
            pwfile,
            "--auth",
            "scram-sha-256",
            "-E",
            "UTF8",
            "--locale",
            "C",
        )
        pwfile.unlink()
        self.start()
        self.url = (
            f"postgresql+psycopg://{PG_USER}:{PG_PASSWORD.replace('#', '%23').replace('!', '%21')}"
            f"@/postgres?host={self.sock}&port={self.port}&connect_timeout=5"
        )

    def _run(self, *args) -> None:
        subprocess.run([*self.as_user, *map(str, args)], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-w",
            "-l",
            self.root / "log",
            "-o",
            f"-k {self.sock} -p {self.port} -c listen_addresses=''",
            "start",
        )

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", "immediate", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its directory."""
        with suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def pg_available() -> bool:
    return (PG_BIN / "initdb").exists()


def drop_all(url: str) -> None:
    engine = sa.create_engine(url)
    from emergency.feed import sl323

    sl323.metadata.drop_all(engine)
    engine.dispose()
