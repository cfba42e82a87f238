"""Plain records that leave `wiki/`: nothing downstream ever sees an mwclient object."""

from __future__ import annotations

import datetime as dt

from ..record import FrozenRecord, Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Namespace",
    "PageInfo",
    "Revision",
    "RevisionText",
    "SiteInfo",
    "WikiUser",
    "http_url",
    "parse_timestamp",
]

# Canonical namespace ids that every MediaWiki shares.
NS_MAIN = 0
NS_TALK = 1
NS_USER = 2
NS_USER_TALK = 3
NS_FILE = 6
NS_TEMPLATE = 10
NS_CATEGORY = 14
# Draft is an extension namespace (en.wikipedia: 118/119); fr.wikipedia has none.
NS_DRAFT_CANONICAL = "Draft"


def parse_timestamp(value: str | dt.datetime) -> dt.datetime:
    """Parse a MediaWiki ISO 8601 timestamp ('2024-01-05T10:00:00Z') into an aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class Namespace(FrozenRecord):
    """One namespace as the wiki declares it: local name, canonical name and aliases."""

    __slots__ = ("id", "name", "canonical", "aliases", "content")

    id: int
    name: str
    canonical: str | None
    aliases: tuple[str, ...]
    content: bool

    def __init__(
        self,
        id: int,
        name: str,
        canonical: str | None = None,
        aliases: tuple[str, ...] = (),
        content: bool = False,
    ) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(id, name, canonical, aliases, content)

    def all_names(self) -> tuple[str, ...]:
        """Every name that selects this namespace in a link (local, canonical, aliases)."""
        names = [self.name]
        if self.canonical and self.canonical not in names:
            names.append(self.canonical)
        names.extend(a for a in self.aliases if a not in names)
        return tuple(n for n in names if n or self.id == 0)


def _default_namespaces() -> dict[int, Namespace]:
    """English canonical names plus French local names: what an export without siteinfo uses."""
    return {
        0: Namespace(0, "", "", (), True),
        1: Namespace(1, "Talk", "Talk", ("Discussion",)),
        2: Namespace(2, "User", "User", ("Utilisateur", "Utilisatrice")),
        3: Namespace(3, "User talk", "User talk", ("Discussion utilisateur",)),
        4: Namespace(4, "Project", "Project", ("Wikipedia", "Wikipédia", "WP")),
        6: Namespace(6, "File", "File", ("Image", "Fichier", "Média", "Media")),
        10: Namespace(10, "Template", "Template", ("Modèle",)),
        14: Namespace(14, "Category", "Category", ("Catégorie",)),
        -2: Namespace(-2, "Media", "Media", ("Média",)),
    }


def http_url(url: str) -> str:
    """The URL if it is http(s) with a host, else ''.

    Links are built from what a wiki says about itself (its `server`, its paths); a hostile
    or broken wiki must not turn them into `javascript:` or `data:` links on our pages.
    """
    from urllib.parse import urlsplit  # here: `analyze` starts without urllib (section 10)

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc \
            or any(ord(char) < 0x20 for char in url):
        return ""
    return url.strip()


class SiteInfo(FrozenRecord):
    """What the analysis and the UI need to know about a wiki, read from meta=siteinfo."""

    __slots__ = (
        "api_url", "sitename", "lang", "server", "articlepath", "script", "generator",
        "namespaces",
    )

    api_url: str
    sitename: str
    lang: str
    server: str
    articlepath: str
    script: str
    generator: str
    namespaces: dict[int, Namespace]

    def __init__(
        self,
        api_url: str = "",
        sitename: str = "",
        lang: str = "en",
        server: str = "",
        articlepath: str = "/wiki/$1",
        script: str = "/w/index.php",
        generator: str = "",
        namespaces: dict[int, Namespace] | None = None,
    ) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(
            api_url, sitename, lang, server, articlepath, script, generator,
            _default_namespaces() if namespaces is None else namespaces
        )

    def namespace_names(self, ns_id: int) -> tuple[str, ...]:
        """All names of a namespace; empty when the wiki lacks it."""
        ns = self.namespaces.get(ns_id)
        return ns.all_names() if ns else ()

    def namespace_id(self, prefix: str) -> int | None:
        """The namespace a title prefix selects (case-insensitive first letter, '_' = ' ')."""
        wanted = prefix.replace("_", " ").strip().casefold()
        for ns in self.namespaces.values():
            for name in ns.all_names():
                if name.casefold() == wanted:
                    return ns.id
        return None

    @property
    def draft_namespace(self) -> int | None:
        """The id of the Draft namespace when the wiki has one (en: 118), else None."""
        for ns in self.namespaces.values():
            if ns.canonical == NS_DRAFT_CANONICAL:
                return ns.id
        return None

    def tracked_namespaces(self) -> tuple[int, ...]:
        """Namespaces whose edits a seminar cares about: articles, user pages, drafts, talks."""
        ids = [NS_MAIN, NS_TALK, NS_USER, NS_USER_TALK]
        draft = self.draft_namespace
        if draft is not None:
            ids += [draft, draft + 1]
        return tuple(ids)

    def split_title(self, title: str) -> tuple[int, str]:
        """Split a full title into (namespace id, title without prefix)."""
        if ":" in title:
            prefix, rest = title.split(":", 1)
            ns = self.namespace_id(prefix)
            if ns is not None and ns != 0:
                return ns, rest.strip()
        return NS_MAIN, title.strip()

    def full_title(self, ns_id: int, text: str) -> str:
        """The title as the wiki writes it, with the local namespace name."""
        ns = self.namespaces.get(ns_id)
        return f"{ns.name}:{text}" if ns and ns.name else text

    def page_url(self, title: str) -> str:
        """The article URL of a title on this wiki ('' unless it is http or https)."""
        from urllib.parse import quote

        path = self.articlepath.replace("$1", quote(title.replace(" ", "_"), safe="/:()'!,"))
        return http_url(f"{self.server}{path}")

    def diff_url(self, revid: int) -> str:
        """The URL of the diff a revision made, against its parent ('' unless http(s))."""
        return http_url(f"{self.server}{self.script}?diff=prev&oldid={revid}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, to cache siteinfo in the database."""
        return {
            "api_url": self.api_url,
            "sitename": self.sitename,
            "lang": self.lang,
            "server": self.server,
            "articlepath": self.articlepath,
            "script": self.script,
            "generator": self.generator,
            "namespaces": [
                [ns.id, ns.name, ns.canonical, list(ns.aliases), ns.content]
                for ns in self.namespaces.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteInfo:
        """Rebuild a SiteInfo cached with to_dict()."""
        namespaces = {
            int(i): Namespace(int(i), name, canonical, tuple(aliases), bool(content))
            for i, name, canonical, aliases, content in data.get("namespaces", [])
        }
        return cls(
            api_url=data.get("api_url", ""),
            sitename=data.get("sitename", ""),
            lang=data.get("lang", "en"),
            server=data.get("server", ""),
            articlepath=data.get("articlepath", "/wiki/$1"),
            script=data.get("script", "/w/index.php"),
            generator=data.get("generator", ""),
            namespaces=namespaces or _default_namespaces(),
        )


class WikiUser(FrozenRecord):
    """A wiki account as list=users reports it; `missing`/`invalid` instead of silent drops."""

    __slots__ = ("name", "userid", "missing", "invalid", "registration", "editcount")

    name: str
    userid: int | None
    missing: bool
    invalid: bool
    registration: dt.datetime | None
    editcount: int | None

    def __init__(
        self,
        name: str,
        userid: int | None,
        missing: bool = False,
        invalid: bool = False,
        registration: dt.datetime | None = None,
        editcount: int | None = None,
    ) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(name, userid, missing, invalid, registration, editcount)


class Revision(Record):
    """One revision: from usercontribs, prop=revisions, or an XML export (then with text)."""

    __slots__ = (
        "revid", "pageid", "title", "namespace", "timestamp", "parentid", "user", "userid", "size",
        "sizediff", "sha1", "comment", "tags", "minor", "new", "texthidden", "userhidden",
        "commenthidden", "suppressed", "text", "top",
    )

    revid: int
    pageid: int
    title: str
    namespace: int
    timestamp: dt.datetime
    parentid: int
    user: str | None
    userid: int | None
    size: int | None
    sizediff: int | None
    sha1: str | None
    comment: str | None
    tags: tuple[str, ...]
    minor: bool
    new: bool
    texthidden: bool
    userhidden: bool
    commenthidden: bool
    suppressed: bool
    text: str | None
    # usercontribs only: this revision is the page's latest.
    top: bool

    def __init__(
        self,
        revid: int,
        pageid: int,
        title: str,
        namespace: int,
        timestamp: dt.datetime,
        parentid: int = 0,
        user: str | None = None,
        userid: int | None = None,
        size: int | None = None,
        sizediff: int | None = None,
        sha1: str | None = None,
        comment: str | None = None,
        tags: tuple[str, ...] = (),
        minor: bool = False,
        new: bool = False,
        texthidden: bool = False,
        userhidden: bool = False,
        commenthidden: bool = False,
        suppressed: bool = False,
        text: str | None = None,
        top: bool = False,
    ) -> None:
        """Store the fields (assigned one by one: a sync builds thousands of revisions)."""
        self.revid = revid
        self.pageid = pageid
        self.title = title
        self.namespace = namespace
        self.timestamp = timestamp
        self.parentid = parentid
        self.user = user
        self.userid = userid
        self.size = size
        self.sizediff = sizediff
        self.sha1 = sha1
        self.comment = comment
        self.tags = tags
        self.minor = minor
        self.new = new
        self.texthidden = texthidden
        self.userhidden = userhidden
        self.commenthidden = commenthidden
        self.suppressed = suppressed
        self.text = text
        self.top = top


class RevisionText(FrozenRecord):
    """The main-slot wikitext of one revision (None when hidden or deleted)."""

    __slots__ = ("revid", "pageid", "text", "sha1", "texthidden", "missing")

    revid: int
    pageid: int
    text: str | None
    sha1: str | None
    texthidden: bool
    missing: bool

    def __init__(
        self,
        revid: int,
        pageid: int,
        text: str | None,
        sha1: str | None = None,
        texthidden: bool = False,
        missing: bool = False,
    ) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(revid, pageid, text, sha1, texthidden, missing)


class PageInfo(FrozenRecord):
    """Current state of a page from prop=info: follows moves and notices deletions."""

    __slots__ = (
        "pageid", "title", "namespace", "lastrevid", "length", "redirect", "missing", "categories",
    )

    pageid: int
    title: str
    namespace: int
    lastrevid: int | None
    length: int | None
    redirect: bool
    missing: bool
    categories: tuple[str, ...]

    def __init__(
        self,
        pageid: int,
        title: str,
        namespace: int,
        lastrevid: int | None = None,
        length: int | None = None,
        redirect: bool = False,
        missing: bool = False,
        categories: tuple[str, ...] = (),
    ) -> None:
        """Store the fields (in `__slots__` order)."""
        self._fill(pageid, title, namespace, lastrevid, length, redirect, missing, categories)
