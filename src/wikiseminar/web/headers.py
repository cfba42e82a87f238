"""Security headers on every response: CSP without inline script, no framing, no caching."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

__all__ = ["content_security_policy", "register_security_headers"]

HSTS_MAX_AGE = 2 * 365 * 24 * 3600


def _origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, else None."""
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def content_security_policy(oauth_authorize_url: str = "") -> str:
    """Scripts and styles from this site only (no inline script); nothing may frame a page.

    Inline styles stay allowed: printed reports embed their stylesheet, and a style cannot run
    code. Forms may post to this site, and to the Wikimedia sign-in page when it is configured
    (the wiki-account link form redirects there).
    """
    form_action = " ".join(filter(None, ["'self'", _origin(oauth_authorize_url)]))
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ])


def register_security_headers(app: Flask) -> None:
    """Add the headers to every response, error pages and redirects included."""
    policy = content_security_policy(str(app.config.get("OAUTH_AUTHORIZE_URL") or ""))

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        if request.endpoint != "static":
            # Pages show personal data (names, grades) and exports are personal: no copies
            # in shared or browser caches.
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE}"
        return response
