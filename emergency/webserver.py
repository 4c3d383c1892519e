"""Hardening of the web server Streamlit starts (uvicorn + Starlette), installed by ``scripts/serve.py``.

Four changes, each closing a hole a security test of the served app found:

* **Raw peer address.** uvicorn rewrites the client address from ``X-Forwarded-For`` when the
  connection comes from a "trusted" address (loopback by default), so any local process could
  claim to be the reverse proxy. Proxy-header handling is switched off: the address the app
  sees (``st.context.ip_address``) is always the TCP peer's.
* **Session cookie set by the server.** After a password sign-in the page exchanges a one-time
  code (valid for a minute, usable once) at ``/_yitu/session`` for the session cookie, which
  the server sets ``HttpOnly; SameSite=Strict`` (and ``Secure`` over HTTPS), so no script can
  read it.
* **Metrics off.** ``/_stcore/metrics`` answers 404.
* **Uploads streamed to disk.** The file uploader's PUT handler copies the upload to a file in a
  spool folder in chunks; Streamlit keeps only a short marker in memory, which the import page
  turns back into the file's path (:func:`spooled_path`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

# Set once the running server has been hardened (this process); proxy sign-in refuses to
# trust a header otherwise, because the peer address could be a forwarded one.
_installed = False

SESSION_ROUTE = "/_yitu/session"
# Uploads are copied from Starlette's spooled form file in chunks of this size.
COPY_CHUNK_BYTES = 1024 * 1024
SPOOL_MARKER = b"yitu-spooled-upload:"
_FILE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
_spool_lock = threading.Lock()
_spool_root: Path | None = None


def installed() -> bool:
    """Tell whether this process serves the app through the hardened server."""
    return _installed


# ------------------------------------------------------------------ spooled uploads


def spool_root() -> Path:
    """Return the folder holding this server's uploads (created on first use, private to the user)."""
    global _spool_root
    with _spool_lock:
        if _spool_root is None or not _spool_root.exists():
            _spool_root = Path(tempfile.mkdtemp(prefix="yitu-uploads-"))
        return _spool_root


def _spool_dir(file_id: str) -> Path:
    if not _FILE_ID.fullmatch(file_id or ""):
        raise ValueError("bad upload id")
    return spool_root() / file_id


def spool_file(file_id: str, name: str, source) -> Path:
    """Copy the binary stream ``source`` to the spool under ``name``; return its path."""
    folder = _spool_dir(file_id)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = Path(name or "").name
    target = folder / (base if base not in ("", ".", "..") else "upload")
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)
    return target


def remove_spooled(file_id: str) -> None:
    """Delete the spool folder of an uploaded file (nothing for an invalid id)."""
    with contextlib.suppress(ValueError):
        shutil.rmtree(_spool_dir(file_id), ignore_errors=True)


def marker(file_id: str) -> bytes:
    """Return the bytes that stand in the upload for the spooled file ``file_id``."""
    return SPOOL_MARKER + file_id.encode("ascii")


def spooled_path(data: bytes) -> Path | None:
    """Return the spooled file an uploaded file's marker stands for, or None (the bytes are the file itself)."""
    if (
        not _installed
        or not isinstance(data, (bytes, bytearray))
        or not data.startswith(SPOOL_MARKER)
        or len(data) > 100
    ):
        return None
    file_id = bytes(data[len(SPOOL_MARKER) :]).decode("ascii", errors="replace")
    try:
        folder = _spool_dir(file_id)
    except ValueError:
        return None
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    return files[0] if len(files) == 1 else None


def _spooling_manager_class(base: type) -> type:
    class SpoolingUploadedFileManager(base):  # type: ignore[misc, valid-type]
        """Streamlit's upload manager, also deleting the spooled file when Streamlit drops an upload."""

        def remove_file(self, session_id: str, file_id: str) -> None:
            super().remove_file(session_id, file_id)
            remove_spooled(file_id)

        def remove_session_files(self, session_id: str) -> None:
            with self._lock:
                ids = list(self.file_storage.get(session_id, {}))
            super().remove_session_files(session_id)
            for file_id in ids:
                remove_spooled(file_id)

    return SpoolingUploadedFileManager


def _upload_put_route(runtime, upload_mgr, original_routes):  # noqa: C901 - mirrors Streamlit's own upload handler step by step (XSRF, session, size, form)
    """Build a PUT handler like Streamlit's (XSRF, session, size limits) that writes the file to disk."""
    from contextlib import aclosing

    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
    from streamlit import config
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec
    from streamlit.web.server.server_util import is_xsrf_enabled
    from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token
    from streamlit.web.server.starlette.starlette_server_config import XSRF_COOKIE_NAME

    options = next(r for r in original_routes if "OPTIONS" in (r.methods or ()))
    put = next(r for r in original_routes if "PUT" in (r.methods or ()))

    async def upload_put(request: Request) -> Response:  # noqa: C901 - mirrors Streamlit's own upload handler step by step (XSRF, session, size, form)
        if is_xsrf_enabled() and not validate_xsrf_token(
            request.headers.get("X-Xsrftoken"), request.cookies.get(XSRF_COOKIE_NAME)
        ):
            raise HTTPException(status_code=403, detail="XSRF token missing or invalid")
        session_id = request.path_params["session_id"]
        file_id = request.path_params["file_id"]
        if not runtime.is_active_session(session_id) or not _FILE_ID.fullmatch(file_id):
            raise HTTPException(status_code=400, detail="Invalid session_id or file_id")
        max_bytes = config.get_option("server.maxUploadSize") * 1024 * 1024
        declared = request.headers.get("content-length")
        if declared:
            try:
                if int(declared) > max_bytes:
                    raise HTTPException(status_code=413, detail="File too large")
            except ValueError:
                raise HTTPException(status_code=400, detail="Invalid Content-Length header") from None
        received = 0
        # Multipart framing allowance, as in Streamlit's own handler.
        cap = max_bytes + 1024 * 1024
        async with aclosing(request.stream()) as chunks:

            async def limited_receive():
                nonlocal received
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    return {"type": "http.request", "body": b"", "more_body": False}
                received += len(chunk)
                if received > cap:
                    raise HTTPException(status_code=413, detail="File too large")
                return {"type": "http.request", "body": chunk, "more_body": True}

            # Starlette spools each file part to disk past 1 MB while parsing.
            form = await Request(request.scope, limited_receive).form()
        try:
            uploads = [value for value in form.values() if isinstance(value, UploadFile)]
            if len(uploads) != 1:
                raise HTTPException(status_code=400, detail=f"Expected 1 file, but got {len(uploads)}")
            upload = uploads[0]
            path = await run_in_threadpool(spool_file, file_id, upload.filename or "", upload.file)
        finally:
            await form.close()
        if path.stat().st_size > max_bytes:
            remove_spooled(file_id)
            raise HTTPException(status_code=413, detail="File too large")
        upload_mgr.add_file(
            session_id=session_id,
            file=UploadedFileRec(
                file_id=file_id,
                name=upload.filename or "",
                type=upload.content_type or "application/octet-stream",
                data=marker(file_id),
            ),
        )
        # The CORS/XSRF headers Streamlit's own handler adds, taken from its OPTIONS answer.
        answer = await options.endpoint(request)
        response = Response(status_code=204)
        for name in (
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-allow-origin",
            "vary",
            "access-control-allow-credentials",
        ):
            if name in answer.headers:
                response.headers[name] = answer.headers[name]
        return response

    return Route(put.path, upload_put, methods=["PUT"])


# ------------------------------------------------------------------ session cookie


def _is_https(request) -> bool:
    """Tell whether the request came over HTTPS.

    Directly, or (only from a configured proxy's own address) said so by the proxy.
    """
    if request.url.scheme in ("https", "wss"):
        return True
    from emergency import access

    try:
        settings = access.auth_settings()
    except ValueError:
        return False
    if settings.secure_cookie:
        return True
    peer = request.client.host if request.client else None
    return (
        peer_is(peer, settings.proxy_addresses)
        and request.headers.get("x-forwarded-proto", "").strip().lower() == "https"
    )


def cookie_header(token: str | None, max_age: int, secure: bool, name: str) -> str:
    """Build the Set-Cookie value of the session cookie (``token`` None expires it)."""
    value = f"{name}={token or ''}; Path=/; Max-Age={max_age if token else 0}; HttpOnly; SameSite=Strict"
    return value + ("; Secure" if secure else "")


def _session_routes(base_url: str | None):
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from emergency import access

    async def session(request: Request) -> Response:
        # Only same-origin scripts send this (SameSite cookie, custom header needs CORS preflight).
        if request.headers.get("x-yitu-session") != "1":
            return Response(status_code=403)
        body = (await request.body())[:200].decode("ascii", errors="replace").strip()
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        secure = _is_https(request)
        if request.method == "DELETE":
            response.headers["Set-Cookie"] = cookie_header(None, 0, secure, access.SESSION_COOKIE)
            return response
        handed = access.redeem_handoff(body)
        if handed is None:
            return Response(status_code=403, headers={"Cache-Control": "no-store"})
        token, max_age = handed
        response.headers["Set-Cookie"] = cookie_header(token, max_age, secure, access.SESSION_COOKIE)
        return response

    path = "/" + "/".join(p for p in ((base_url or "").strip("/"), SESSION_ROUTE.strip("/")) if p)
    return [Route(path, session, methods=["POST", "DELETE"])]


def _no_metrics_routes(base_url: str | None):
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def gone(_request):
        return PlainTextResponse("Not Found", status_code=404)

    base = (base_url or "").strip("/")
    return [Route("/" + "/".join(p for p in (base, "_stcore/metrics") if p), gone, methods=["GET", "HEAD", "POST"])]


# ------------------------------------------------------------------ installation


def install() -> None:
    """Patch Streamlit's server factory functions before the server starts (idempotent)."""
    global _installed
    if _installed:
        return
    from streamlit.web.server.starlette import starlette_app, starlette_server

    original_kwargs = starlette_server._get_uvicorn_config_kwargs

    def uvicorn_kwargs():
        kwargs = dict(original_kwargs())
        # Never rewrite the client address (or scheme) from X-Forwarded-* / Forwarded headers.
        kwargs["proxy_headers"] = False
        kwargs["forwarded_allow_ips"] = ""
        return kwargs

    starlette_server._get_uvicorn_config_kwargs = uvicorn_kwargs
    os.environ["FORWARDED_ALLOW_IPS"] = ""

    original_upload_routes = starlette_app.create_upload_routes
    original_routes = starlette_app.create_streamlit_routes

    def upload_routes(runtime, upload_mgr, base_url):
        routes = original_upload_routes(runtime, upload_mgr, base_url)
        upload_mgr.__class__ = _spooling_manager_class(type(upload_mgr))
        put = _upload_put_route(runtime, upload_mgr, routes)
        return [put, *(r for r in routes if "PUT" not in (r.methods or ()))]

    def streamlit_routes(runtime):
        from streamlit import config

        base_url = config.get_option("server.baseUrlPath")
        return [*_session_routes(base_url), *_no_metrics_routes(base_url), *original_routes(runtime)]

    starlette_app.create_upload_routes = upload_routes
    starlette_app.create_metrics_routes = lambda runtime, base_url: []
    starlette_app.create_streamlit_routes = streamlit_routes
    _installed = True


def peer_is(address: str | None, allowed: tuple[str, ...]) -> bool:
    """Tell whether ``address`` equals one of ``allowed`` as an IP address (``::ffff:`` mapped forms included)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    for item in allowed:
        try:
            if ipaddress.ip_address(item) == ip:
                return True
        except ValueError:
            continue
    return False
