"""A minimal OpenID Connect provider on loopback, for sign-in tests without any outside service.

It signs every request straight in as one configured person (no login form): discovery,
authorize (redirects back with a code), token (an RS256 id_token carrying the request's
nonce) and the signing keys. Enough for Streamlit's st.login, which uses Authlib.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.jose import JsonWebKey, jwt

CLIENT_ID = "yitu-test"
CLIENT_SECRET = "yitu-test-secret"


class _Provider:
    def __init__(self, email: str, name: str) -> None:
        self.email = email
        self.name = name
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "test-key"})
        self.codes: dict[str, str] = {}  # code -> nonce
        self.issuer = ""


def _handler(provider: _Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _json(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                base = provider.issuer
                self._json(
                    {
                        "issuer": base,
                        "authorization_endpoint": f"{base}/authorize",
                        "token_endpoint": f"{base}/token",
                        "jwks_uri": f"{base}/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                    }
                )
            elif url.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(is_private=False)]})
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                code = secrets.token_urlsafe(16)
                provider.codes[code] = query.get("nonce", "")
                self.send_response(302)
                self.send_header(
                    "Location", f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                )
                self.end_headers()
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/token":
                self.send_error(404)
                return
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
            basic = self.headers.get("Authorization", "")
            client_id = form.get("client_id") or base64.b64decode(basic.split(" ", 1)[1]).decode().split(":")[0]
            nonce = provider.codes.pop(form.get("code", ""), None)
            if nonce is None or client_id != CLIENT_ID:
                self.send_error(400)
                return
            now = int(time.time())
            claims = {
                "iss": provider.issuer,
                "aud": CLIENT_ID,
                "sub": provider.email,
                "email": provider.email,
                "name": provider.name,
                "iat": now,
                "exp": now + 600,
                "nonce": nonce,
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, provider.key).decode()
            self._json(
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "id_token": id_token,
                    "scope": "openid email profile",
                }
            )

    return Handler


@contextmanager
def oidc_provider(email: str, name: str = "OIDC user"):
    """Serve a provider that signs everyone in as ``email``; yield its issuer URL."""
    provider = _Provider(email, name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider.issuer
    finally:
        server.shutdown()
        server.server_close()
