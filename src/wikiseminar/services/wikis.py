"""Which wikis a seminar may point at: Wikimedia projects and wikis already in use.

Checked before any request, so an instructor's form can never make the server call an
address of their choosing (an internal service, another host). Admins and the command line
(the operator) may add any wiki.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Wiki
from .messages import N_, ServiceError

__all__ = ["WIKIMEDIA_DOMAINS", "WikiNotAllowed", "check_wiki_allowed", "is_known_wiki",
           "is_wikimedia_api"]

WIKIMEDIA_DOMAINS = (
    "wikipedia.org", "wiktionary.org", "wikibooks.org", "wikinews.org", "wikiquote.org",
    "wikisource.org", "wikiversity.org", "wikivoyage.org", "wikimedia.org", "wikidata.org",
    "mediawiki.org", "wikifunctions.org",
)
_LABELS = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+$")


class WikiNotAllowed(ServiceError):
    """The address is not a known wiki and the user may not add new ones."""


def is_wikimedia_api(api_url: str) -> bool:
    """True for https://<project host>/w/api.php of a Wikimedia project, nothing else."""
    try:
        parts = urlsplit(api_url.strip())
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme != "https" or parts.username is not None or parts.password is not None \
            or port not in (None, 443) or parts.query or parts.fragment \
            or parts.path != "/w/api.php":
        return False
    return any(host == domain or (host.endswith("." + domain)
                                  and _LABELS.match(host[: -len(domain)]) is not None)
               for domain in WIKIMEDIA_DOMAINS)


def is_known_wiki(session: DbSession, api_url: str) -> bool:
    """A Wikimedia project, or a wiki a seminar of this server already uses."""
    url = api_url.strip()
    return is_wikimedia_api(url) or session.scalar(
        sa.select(Wiki.id).where(Wiki.api_url == url)) is not None


def check_wiki_allowed(session: DbSession, api_url: str, *, admin: bool) -> None:
    """Refuse, before any request, a new wiki that this user may not add."""
    if not admin and not is_known_wiki(session, api_url):
        raise WikiNotAllowed(N_("Only Wikimedia wikis and wikis already in use on this server can "
                                "be chosen; ask the server's operator to add another wiki."),
                             field="api_url")
