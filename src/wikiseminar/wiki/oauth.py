"""Wikimedia OAuth 2.0 sign-in: authorization code with PKCE (S256), identity only.

The access token is used for exactly one request (the profile) and then dropped: it is
never returned, stored in the database, or put in the cookie session. What leaves this
module is the central user id (`sub`) and the username.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from .. import __version__
from .errors import WikiError

__all__ = ["AuthorizationRequest", "OAuthError", "OAuthSettings", "OAuthUnreachable", "WikimediaIdentity",
           "authorization_request", "fetch_identity"]


class OAuthError(WikiError):
    """The OAuth server refused the code, or answered something unusable."""


class OAuthUnreachable(OAuthError):
    """The OAuth server could not be reached (the code may still be good)."""


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    """The OAUTH_* keys of the config: a client registered on meta.wikimedia.org."""

    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    profile_url: str
    user_agent: str = f"wikiseminar/{__version__}"
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> OAuthSettings:
        """Read the OAuth client from a Flask config."""
        contact = str(config.get("WIKI_CONTACT") or "").strip()
        agent = str(config.get("WIKI_USER_AGENT") or f"wikiseminar/{__version__}")
        return cls(
            client_id=str(config.get("OAUTH_CLIENT_ID") or ""),
            client_secret=str(config.get("OAUTH_CLIENT_SECRET") or ""),
            authorize_url=str(config.get("OAUTH_AUTHORIZE_URL") or ""),
            token_url=str(config.get("OAUTH_TOKEN_URL") or ""),
            profile_url=str(config.get("OAUTH_PROFILE_URL") or ""),
            user_agent=f"{agent} ({contact})" if contact else agent,
            timeout=float(config.get("WIKI_TIMEOUT", 20.0)),
        )

    @property
    def enabled(self) -> bool:
        """Whether an OAuth client is configured at all."""
        return bool(self.client_id and self.authorize_url and self.token_url and self.profile_url)


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the browser, and what to remember (in the session) until it comes back."""

    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class WikimediaIdentity:
    """Who signed in: the central (SUL) user id and the global username."""

    sub: str
    username: str


def _session(settings: OAuthSettings, redirect_uri: str) -> OAuth2Session:
    """An Authlib client for one exchange; confidential clients authenticate in the body."""
    session = OAuth2Session(
        settings.client_id,
        settings.client_secret or None,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post" if settings.client_secret else "none",
        default_timeout=settings.timeout,
    )
    session.headers["User-Agent"] = settings.user_agent
    return session


def authorization_request(settings: OAuthSettings, redirect_uri: str) -> AuthorizationRequest:
    """The authorize URL with a fresh state and an S256 code challenge."""
    verifier = generate_token(64)
    with _session(settings, redirect_uri) as session:
        url, state = session.create_authorization_url(settings.authorize_url, code_verifier=verifier)
    return AuthorizationRequest(url=url, state=state, code_verifier=verifier)


def fetch_identity(settings: OAuthSettings, redirect_uri: str, code: str,
                   code_verifier: str) -> WikimediaIdentity:
    """Trade the code for a token, read the profile with it, and forget the token."""
    with _session(settings, redirect_uri) as session:
        try:
            session.fetch_token(settings.token_url, code=code, code_verifier=code_verifier,
                                grant_type="authorization_code")
            response = session.get(settings.profile_url)
        except AuthlibBaseError as exc:  # OAuth2Error and the client's OAuthError alike
            raise OAuthError(f"the OAuth server refused the code ({exc.error})") from None
        except requests.RequestException as exc:
            raise OAuthUnreachable(
                f"the OAuth server could not be reached ({type(exc).__name__})") from None
        finally:
            session.token = None
    if response.status_code != 200:
        raise OAuthError(f"the profile request failed (HTTP {response.status_code})")
    try:
        profile = response.json()
    except ValueError:
        raise OAuthError("the profile is not JSON") from None
    if not isinstance(profile, dict):
        raise OAuthError("the profile is not a JSON object")
    sub, username = profile.get("sub"), profile.get("username")
    if not sub or not username:
        raise OAuthError("the profile lacks sub or username")
    return WikimediaIdentity(sub=str(sub), username=str(username))
