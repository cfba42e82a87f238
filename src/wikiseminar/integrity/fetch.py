"""Fetch a cited source once, safely, and turn it into plain text (HTML or PDF).

Safety rules, because a student chooses the URL: http(s) only; every address the host name
resolves to must be public (no loopback, private, link-local, multicast or reserved
address) unless private hosts are allowed by configuration; redirects are followed by hand
and each new location is checked the same way; a timeout; a size cap read as a stream; the
app's User-Agent; at most one request at a time per host (a lock per host name).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

import requests

__all__ = ["FetchResult", "FetchSettings", "doi_resolves", "fetch_source", "host_allowed"]

_HOST_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How sources are fetched; built from the [integrity] settings."""

    user_agent: str = "wikiseminar/0.1"
    timeout: float = 15.0
    max_bytes: int = 10_000_000
    allow_private_hosts: bool = False
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What fetching a URL gave: status (ok, not-found, no-host, blocked, http-error,
    too-large, unsupported, error), the HTTP code, and the extracted text when ok."""

    url: str
    status: str
    http_status: int | None = None
    content_type: str = ""
    text: str = ""
    title: str = ""
    error: str = ""


def host_allowed(host: str, allow_private: bool) -> tuple[bool, str]:
    """Whether every address of `host` may be contacted; (False, reason) otherwise."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        return False, f"no-host: {exc}"
    if allow_private:
        return True, ""
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if (address.is_private or address.is_loopback or address.is_link_local
                or address.is_multicast or address.is_reserved or address.is_unspecified):
            return False, f"blocked: {host} resolves to a non-public address ({address})"
    return True, ""


def _lock_for(host: str) -> threading.Lock:
    """The lock that keeps requests to one host one at a time."""
    with _LOCKS_GUARD:
        return _HOST_LOCKS.setdefault(host.lower(), threading.Lock())


def fetch_source(url: str, settings: FetchSettings,
                 session: requests.Session | None = None) -> FetchResult:
    """GET a source and extract its text; never raises for network or content problems."""
    http = session or requests.Session()
    current = url
    try:
        for _ in range(settings.max_redirects + 1):
            parsed = urlparse(current)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                return FetchResult(url, "unsupported", error=f"not an http(s) URL: {current}")
            allowed, reason = host_allowed(parsed.hostname, settings.allow_private_hosts)
            if not allowed:
                status = reason.split(":", 1)[0]
                return FetchResult(url, status, error=reason)
            with _lock_for(parsed.hostname):
                response = http.get(current, timeout=settings.timeout, stream=True,
                                    allow_redirects=False,
                                    headers={"User-Agent": settings.user_agent})
                try:
                    if response.is_redirect and response.headers.get("Location"):
                        current = urljoin(current, response.headers["Location"])
                        continue
                    return _read(url, response, settings)
                finally:
                    response.close()
        return FetchResult(url, "error", error="too many redirects")
    except requests.ConnectionError as exc:
        return FetchResult(url, "no-host", error=str(exc)[:300])
    except requests.RequestException as exc:
        return FetchResult(url, "error", error=str(exc)[:300])


def _read(url: str, response: requests.Response, settings: FetchSettings) -> FetchResult:
    """Read a final response within the size cap and extract its text."""
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code in (404, 410):
        return FetchResult(url, "not-found", response.status_code, content_type)
    if response.status_code >= 400:
        return FetchResult(url, "http-error", response.status_code, content_type)
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        return FetchResult(url, "too-large", response.status_code, content_type)
    body = bytearray()
    for chunk in response.iter_content(65536):
        body.extend(chunk)
        if len(body) > settings.max_bytes:
            return FetchResult(url, "too-large", response.status_code, content_type)
    from .extract import extract_text

    try:
        title, text = extract_text(bytes(body), content_type, response.encoding)
    except ValueError as exc:
        return FetchResult(url, "unsupported", response.status_code, content_type, error=str(exc))
    return FetchResult(url, "ok", response.status_code, content_type, text, title)


def doi_resolves(doi: str, resolver: str, settings: FetchSettings,
                 session: requests.Session | None = None) -> bool | None:
    """Whether the resolver knows a DOI: True, False (404), None (could not tell)."""
    from urllib.parse import quote

    url = resolver.rstrip("/") + "/" + quote(doi.strip(), safe="/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return None
    allowed, _ = host_allowed(parsed.hostname, settings.allow_private_hosts)
    if not allowed:
        return None
    http = session or requests.Session()
    try:
        with _lock_for(parsed.hostname):
            response = http.head(url, timeout=settings.timeout, allow_redirects=False,
                                 headers={"User-Agent": settings.user_agent})
    except requests.RequestException:
        return None
    if response.status_code == 404:
        return False
    if response.status_code < 400:
        return True
    return None
