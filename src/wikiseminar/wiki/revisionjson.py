"""Read revisions with text from JSON as `prop=revisions` returns it.

Accepted shapes: a bare list of revision objects; a whole API answer
`{"query": {"pages": …}}` (pages as a dict in formatversion 1, a list in 2); a list of such
answers (continuation batches); one page object `{"title": …, "revisions": […]}`. Content is
read from formatversion 1 `'*'`, formatversion 2 `slots.main.content` (or `content`), and
formatversion 1 with slots `slots.main['*']`. Revisions are sorted chronologically per page
(the API lists them newest first by default). A JSON file is read whole: API answers are
small; use an XML export for long histories.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from .errors import ExportFormatError
from .types import Namespace, Revision, SiteInfo, parse_timestamp
from .xmlexport import derived_facts, open_binary

TYPE_CHECKING = False  # no `typing` at run time: `analyze` reads these files (section 10)
if TYPE_CHECKING:
    from typing import Any

    from .xmlexport import Source

__all__ = ["RevisionJsonFile", "load_revision_json", "revisions_from_json"]


def _flag(obj: dict[str, Any], key: str) -> bool:
    """A boolean flag: formatversion 1 marks it by presence (""), 2 by true/false."""
    value = obj.get(key, False)
    return value is not False and value is not None


def _content(rev: dict[str, Any]) -> tuple[str | None, bool]:
    """The main-slot text of a revision object, and whether it is hidden."""
    slots = rev.get("slots")
    holder = rev
    if isinstance(slots, dict) and isinstance(slots.get("main"), dict):
        holder = slots["main"]
    hidden = _flag(rev, "texthidden") or _flag(holder, "texthidden") or _flag(rev, "sha1hidden")
    for key in ("content", "*"):
        value = holder.get(key)
        if isinstance(value, str):
            return value, hidden
    return None, hidden


def _revision(rev: dict[str, Any], page: dict[str, Any], site: SiteInfo,
              previous: Revision | None) -> Revision:
    """One API revision object as a Revision."""
    revid = rev.get("revid")
    if not isinstance(revid, int):
        raise ValueError(f"revision without an integer 'revid': {str(rev)[:80]}")
    title = str(rev.get("title") or page.get("title") or "")
    ns = rev.get("ns", page.get("ns"))
    namespace = ns if isinstance(ns, int) else site.split_title(title)[0]
    pageid = rev.get("pageid", page.get("pageid")) or 0
    text, texthidden = _content(rev)
    parentid = rev.get("parentid")
    if not isinstance(parentid, int):
        parentid = previous.revid if previous is not None else 0
    sha1 = rev.get("sha1") if isinstance(rev.get("sha1"), str) else None
    tags = rev.get("tags") or ()
    size = rev.get("size") if isinstance(rev.get("size"), int) else None
    size, sha1, sizediff = derived_facts(text, size, sha1, parentid, previous)
    return Revision(
        revid=revid,
        pageid=int(pageid),
        title=title,
        namespace=namespace,
        timestamp=parse_timestamp(str(rev.get("timestamp", ""))),
        parentid=parentid,
        user=rev.get("user") if isinstance(rev.get("user"), str) else None,
        userid=rev.get("userid") if isinstance(rev.get("userid"), int) else None,
        size=size,
        sizediff=sizediff,
        sha1=sha1,
        comment=rev.get("comment") if isinstance(rev.get("comment"), str) else None,
        tags=tuple(str(t) for t in tags),
        minor=_flag(rev, "minor"),
        new=parentid == 0,
        texthidden=texthidden,
        userhidden=_flag(rev, "userhidden"),
        commenthidden=_flag(rev, "commenthidden"),
        suppressed=_flag(rev, "suppressed"),
        text=None if texthidden else text,
    )


def _pages(data: Any) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """(page object, its revision objects) for every accepted JSON shape."""
    if isinstance(data, list):
        if data and all(isinstance(item, dict) and "query" in item for item in data):
            for item in data:
                yield from _pages(item)
        elif all(isinstance(item, dict) for item in data):
            yield {}, data
        else:
            raise ValueError("a JSON list must hold revision objects or API answers")
        return
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object or list")
    if "query" in data:
        pages = (data["query"] or {}).get("pages", [])
        if isinstance(pages, dict):
            pages = list(pages.values())
        for page in pages:
            if isinstance(page, dict):
                yield page, list(page.get("revisions") or [])
        return
    if "revisions" in data:
        yield data, list(data["revisions"] or [])
        return
    raise ValueError("no 'query', 'revisions' or revision list found")


def _siteinfo(data: Any) -> SiteInfo:
    """A SiteInfo from `meta=siteinfo` parts of an API answer, defaults otherwise."""
    query = data.get("query") if isinstance(data, dict) else None
    if not isinstance(query, dict) or not isinstance(query.get("namespaces"), dict):
        return SiteInfo()
    general = query.get("general") or {}
    namespaces: dict[int, Namespace] = {}
    for value in query["namespaces"].values():
        try:
            key = int(value["id"])
        except (KeyError, TypeError, ValueError):
            continue
        name = value.get("name", value.get("*", ""))
        namespaces[key] = Namespace(key, name, value.get("canonical"), (),
                                    _flag(value, "content"))
    for alias in query.get("namespacealiases") or []:
        key = alias.get("id")
        if key in namespaces:
            ns = namespaces[key]
            extra = alias.get("alias", alias.get("*", ""))
            namespaces[key] = Namespace(ns.id, ns.name, ns.canonical, (*ns.aliases, extra),
                                        ns.content)
    return SiteInfo(sitename=general.get("sitename", ""), lang=general.get("lang", "en"),
                    server=general.get("server", ""),
                    articlepath=general.get("articlepath", "/wiki/$1"),
                    generator=general.get("generator", ""), namespaces=namespaces)


def revisions_from_json(data: Any, site: SiteInfo | None = None) -> list[Revision]:
    """Revisions (with text) from decoded JSON, chronological within each page."""
    site = site or SiteInfo()
    out: list[Revision] = []
    for page, revs in _pages(data):
        objs = [r for r in revs if isinstance(r, dict)]
        objs.sort(key=lambda r: (str(r.get("timestamp", "")), r.get("revid", 0)))
        previous: Revision | None = None
        page_revs: list[Revision] = []
        for obj in objs:
            rev = _revision(obj, page, site, previous)
            page_revs.append(rev)
            previous = rev
        out.extend(page_revs)
    return out


def load_revision_json(source: Source) -> tuple[SiteInfo, list[Revision]]:
    """Read a JSON revision file (plain or compressed); malformed → ExportFormatError."""
    stream, counter, name = open_binary(source)
    try:
        raw = stream.read()
    except (EOFError, OSError, ValueError) as exc:
        raise ExportFormatError(f"{name}: corrupt or truncated file ({exc})") from exc
    finally:
        if isinstance(source, (str, os.PathLike)):
            stream.close()
            counter.raw.close()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ExportFormatError(f"{name}: not UTF-8 text (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ExportFormatError(
            f"{name}: line {exc.lineno}, column {exc.colno}: malformed JSON ({exc.msg})") from exc
    site = _siteinfo(data)
    try:
        return site, revisions_from_json(data, site)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ExportFormatError(f"{name}: not a revision list ({exc})") from exc


class RevisionJsonFile:
    """The same face as ExportReader (siteinfo, iteration, bytes_read) for a JSON file."""

    def __init__(self, source: Source) -> None:
        self.name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else str(
            getattr(source, "name", "<stream>"))
        self.siteinfo, self._revisions = load_revision_json(source)
        try:
            self.total_bytes: int | None = os.path.getsize(self.name)
        except OSError:
            self.total_bytes = None
        self.bytes_read = self.total_bytes or 0

    def __iter__(self) -> Iterator[Revision]:
        return iter(self._revisions)

    def close(self) -> None:
        """Nothing to close: the file was read whole."""

    def __enter__(self) -> RevisionJsonFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
