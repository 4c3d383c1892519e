"""Debian's nginx with the shipped deploy/nginx.conf, on a loopback port, in a temporary prefix."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from emergency import config

NGINX = "/usr/sbin/nginx"
SITE = config.PROJECT_ROOT / "deploy" / "nginx.conf"
START_TIMEOUT_S = 20
MIME_TYPES = Path("/etc/nginx/mime.types")


def render_site(
    listen_port: int, upstream_ports: list[int], log_dir: Path, text: str | None = None, listen_host: str = "127.0.0.1"
) -> str:
    """Return the shipped site file with its replicas, listen address and log folder replaced."""
    text = SITE.read_text() if text is None else text
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;\n" for p in upstream_ports)
    text, found = re.subn(
        r"(    # yitu-replicas-begin\n).*?(    # yitu-replicas-end\n)", rf"\g<1>{servers}\g<2>", text, flags=re.S
    )
    assert found == 1, "deploy/nginx.conf lost its yitu-replicas markers"
    text, found = re.subn(r"listen 80;  # yitu-listen", f"listen {listen_host}:{listen_port};", text)
    assert found == 1, "deploy/nginx.conf lost its yitu-listen marker"
    return text.replace("/var/log/nginx/", f"{log_dir}/")


def main_config(prefix: Path, site: Path) -> str:
    """A whole nginx.conf like Debian's, but every path in ``prefix`` and no daemon."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers need the private temp prefix
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log notice;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
{temp}
    access_log {prefix}/access.log;
    include {site};
}}
"""


@contextmanager
def nginx_proxy(prefix: Path, listen_port: int, upstream_ports: list[int], listen_host: str = "127.0.0.1"):
    """Run nginx with deploy/nginx.conf in front of ``upstream_ports``; yield its URL and the upstream log path.

    ``listen_host`` "[::1]" has browsers reach nginx from another address than nginx reaches the replicas.
    """
    prefix.mkdir(parents=True, exist_ok=True)
    site = prefix / "site.conf"
    site.write_text(render_site(listen_port, upstream_ports, prefix, listen_host=listen_host))
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://{listen_host}:{listen_port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/nginx-health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(prefix / 'error.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url, prefix / "yitu.access.log"
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def upstream_log(path: Path) -> list[dict[str, str]]:
    """Parse the yitu_upstream access log: request, status, upstream and route of each line."""
    rows = []
    pattern = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ upstream=(?P<upstream>\S+) route=(?P<route>\S+)')
    for line in path.read_text().splitlines() if path.exists() else []:
        match = pattern.search(line)
        if match:
            rows.append(match.groupdict())
    return rows
