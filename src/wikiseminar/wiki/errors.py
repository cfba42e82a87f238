"""Errors raised by `wiki/`: each one reads as a one-line message for the operator."""

from __future__ import annotations

__all__ = [
    "ExportFormatError",
    "WikiAPIError",
    "WikiAuthError",
    "WikiError",
    "WikiInvalidURL",
    "WikiResponseError",
    "WikiUnavailable",
]


class WikiError(Exception):
    """Base of every wiki-side failure."""


class WikiInvalidURL(WikiError):
    """The configured api.php URL is not a URL, or does not answer like a MediaWiki API."""


class WikiUnavailable(WikiError):
    """The wiki could not be reached or kept failing after the bounded retries."""


class WikiResponseError(WikiError):
    """The wiki answered something that is not a valid API response (HTML, truncated JSON)."""


class WikiAPIError(WikiError):
    """The API answered with an error code (other than the ones we wait out)."""

    def __init__(self, code: str, info: str, host: str = "") -> None:
        self.code = code
        self.info = info
        super().__init__(f"{host + ': ' if host else ''}API error {code}: {info}")


class WikiAuthError(WikiError):
    """Login with the configured bot password or OAuth consumer failed."""


class ExportFormatError(WikiError):
    """An XML export or JSON revision file is malformed or of an unknown shape."""
