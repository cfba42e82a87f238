"""A stand-in for Wikimedia's OAuth 2 server (meta's rest.php/oauth2/*), served over real HTTP.

Wikimedia's server cannot run here, so this plays its token and profile endpoints: it checks
the client credentials, the redirect URI, and the PKCE verifier against the S256 challenge
the authorize URL carried, and records every request for the test to inspect.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import Flask, jsonify, request

from .browserkit import live_server

CLIENT_ID = "wikiseminar-test-client"
CLIENT_SECRET = "test-client-secret"


@dataclass
class OAuthMock:
    """State of the fake server: grants by code, tokens issued, requests seen."""

    base: str = ""
    username: str = "Someone"
    sub: str = "4242"
    grants: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    profile_requests: int = 0

    def config(self) -> dict[str, str]:
        """The OAUTH_* settings that point the app at this server."""
        return {
            "OAUTH_CLIENT_ID": CLIENT_ID,
            "OAUTH_CLIENT_SECRET": CLIENT_SECRET,
            "OAUTH_AUTHORIZE_URL": f"{self.base}/oauth2/authorize",
            "OAUTH_TOKEN_URL": f"{self.base}/oauth2/access_token",
            "OAUTH_PROFILE_URL": f"{self.base}/oauth2/resource/profile",
        }

    def approve(self, authorize_url: str) -> tuple[str, dict[str, str]]:
        """Play the user clicking "Allow": a code bound to the request's PKCE challenge.

        Returns the code and the authorize request's parameters.
        """
        query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
        code = secrets.token_urlsafe(16)
        self.grants[code] = query
        return code, query


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_server_app(mock: OAuthMock) -> Flask:
    """The fake OAuth server's endpoints."""
    server = Flask("oauthmock")

    @server.post("/oauth2/access_token")
    def token() -> Any:
        form = request.form.to_dict()
        mock.token_requests.append(form)
        grant = mock.grants.pop(form.get("code", ""), None)  # codes are single-use
        if grant is None:
            return jsonify(error="invalid_grant"), 400
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return jsonify(error="invalid_client"), 401
        if form.get("redirect_uri") != grant.get("redirect_uri"):
            return jsonify(error="invalid_grant", error_description="redirect_uri"), 400
        if grant.get("code_challenge_method") != "S256" \
                or _s256(form.get("code_verifier", "")) != grant.get("code_challenge"):
            return jsonify(error="invalid_grant", error_description="PKCE"), 400
        access = f"access-{secrets.token_hex(16)}"
        mock.tokens.append(access)
        return jsonify(access_token=access, token_type="Bearer", expires_in=14400,
                       refresh_token=f"refresh-{secrets.token_hex(16)}")

    @server.get("/oauth2/resource/profile")
    def profile() -> Any:
        mock.profile_requests += 1
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in mock.tokens:
            return jsonify(error="invalid_token"), 401
        return jsonify(sub=mock.sub, username=mock.username, editcount=3,
                       confirmed_email=True, blocked=False, groups=["*", "user"],
                       rights=["read"], grants=["mwoauth-authonly"])

    return server


@contextmanager
def oauth_server() -> Iterator[OAuthMock]:
    """Run the fake OAuth server for the duration of a test."""
    mock = OAuthMock()
    with live_server(make_server_app(mock)) as base:
        mock.base = base
        yield mock
