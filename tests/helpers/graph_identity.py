"""The Microsoft identity platform part of the local Graph emulator: the OpenID configuration,
device code and token endpoints that the real msal uses (unsigned id tokens, client_info), a
self-signed certificate, and a browser that consents."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

CLIENT_ID = "00000000-0000-0000-0000-00000000c0ff"
TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def fake_browser(auth_uri: str) -> None:
    """Answer an authorization request as a user who consents: post a code (carrying the nonce,
    which the token endpoint echoes) and the state to the loopback redirect, as msal expects."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(auth_uri).query))
    redirect = query["redirect_uri"].replace("localhost", "127.0.0.1")
    form = {"code": "code-" + query.get("nonce", ""), "state": query["state"]}

    def post() -> None:
        data = urllib.parse.urlencode(form).encode()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(urllib.request.Request(redirect, data=data), timeout=10) as answer:
            answer.read()

    threading.Thread(target=post, name="fake-browser", daemon=True).start()


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class IdentityPlatform:
    """The authority's endpoints, mixed into the emulator (whose state they read)."""

    address: str
    issued_secrets: list[str]
    revoked: bool
    device_pending: bool
    scopes_requested: set[str]
    _ids: Any

    @property
    def base(self) -> str:
        raise NotImplementedError

    @property
    def authority(self) -> str:
        return f"{self.base}/common"

    def _identity(self, path: str, method: str, raw: bytes) -> tuple[int, Any]:
        base = self.authority
        if path.endswith("/.well-known/openid-configuration"):
            return 200, {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{self.base}/{TENANT_ID}/v2.0",
            }
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        if path.endswith("/devicecode"):
            return 200, {
                "device_code": "dc-1", "user_code": "COFFEE42",
                "verification_uri": f"{self.base}/devicelogin", "expires_in": 900,
                "interval": 1, "message": f"Go to {self.base}/devicelogin, enter COFFEE42",
            }  # fmt: skip
        if path.endswith("/token") or path.endswith("/devicecode"):
            self.scopes_requested.update(form.get("scope", "").split())
        if path.endswith("/token"):
            grant = form.get("grant_type", "")
            if "device_code" in grant and self.device_pending:
                return 400, {"error": "authorization_pending",
                             "error_description": "the user has not signed in yet"}  # fmt: skip
            if grant == "refresh_token" and (
                self.revoked or form.get("refresh_token") not in self.issued_secrets
            ):
                return 400, {"error": "invalid_grant", "error_description": "revoked",
                             "suberror": "bad_token"}  # fmt: skip
            nonce = {}
            if grant == "authorization_code":
                nonce = {"nonce": form.get("code", "").removeprefix("code-")}
            n = next(self._ids)
            access, refresh = f"at-{n:06d}-graph", f"rt-{n:06d}-refresh"
            self.issued_secrets += [access, refresh]
            id_token = ".".join([
                _b64({"alg": "none", "typ": "JWT"}),
                _b64({"aud": CLIENT_ID, "iss": f"{self.base}/{TENANT_ID}/v2.0",
                      "tid": TENANT_ID, "oid": "user-oid", "sub": "sub",
                      "preferred_username": self.address, "name": "Sam Rivera",
                      "iat": 1, "exp": 4102444800, **nonce}),
                "",
            ])  # fmt: skip
            return 200, {
                "token_type": "Bearer", "scope": form.get("scope", ""), "expires_in": 3600,
                "access_token": access, "refresh_token": refresh, "id_token": id_token,
                "client_info": _b64({"uid": "user-oid", "utid": TENANT_ID}),
            }  # fmt: skip
        return 404, {"error": "not_found"}
