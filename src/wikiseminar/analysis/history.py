"""Stream a page history through the metrics: each text parsed once, memory bounded.

Along one page, revision *n*'s parse is the child of diff (n-1 → n) and the parent of diff
(n → n+1): only that one previous parse is kept (the parser also keeps the previous text's
pieces, see `WikitextParser`). Whether a revision is *reverted* is only known later (see
`reverts`: final once 32 revisions followed it), so results wait in a buffer of at most 32
(revision, metrics) pairs — without texts — and leave it final: nothing is corrected after
it is emitted. Several pages (an XML export) are analysed one after the other; each page's
revisions must be contiguous and chronological, as exports give them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from ..wiki.types import Revision, SiteInfo
from .metrics import FLAG_PARENT_MISMATCH, RevisionMetrics, compare
from .reverts import MAX_REVERT_DEPTH, RevertRecord, RevertTracker, normalize_sha1
from .wikitext import PAGE_ABSENT, ParsedText, WikitextParser

__all__ = ["analyse_history", "analyse_pair", "iter_analysed"]


def _page_key(rev: Revision) -> tuple[int, str]:
    """Which page a revision belongs to (title when the source has no page ids)."""
    return (rev.pageid, "") if rev.pageid else (0, rev.title)


def iter_analysed(revisions: Iterable[Revision], site: SiteInfo | None = None, *,
                  parser: WikitextParser | None = None,
                  max_depth: int = MAX_REVERT_DEPTH,
                  ) -> Iterator[tuple[Revision, RevisionMetrics]]:
    """Yield (revision without its text, metrics) in input order, for one or more pages."""
    parser = parser or WikitextParser(site)
    buffer: deque[tuple[Revision, RevisionMetrics]] = deque()
    pending: dict[int, RevisionMetrics] = {}
    tagged: set[int] = set()
    tracker = RevertTracker(max_depth)
    previous: ParsedText | None = None
    previous_revid = 0
    page: tuple[int, str] | None = None
    for rev in revisions:
        key = _page_key(rev)
        first = key != page
        if first:
            yield from buffer
            buffer.clear()
            pending.clear()
            tagged.clear()
            tracker = RevertTracker(max_depth)
            page = key
        text = rev.text
        child = parser.parse(text) if text is not None else None
        flags: tuple[str, ...] = ()
        if first:
            parent: ParsedText | None = PAGE_ABSENT if rev.parentid == 0 else None
        else:
            parent = previous
            if rev.parentid and rev.parentid != previous_revid:
                flags = (FLAG_PARENT_MISMATCH,)
        metrics = compare(parent, child, revid=rev.revid, comment=rev.comment, tags=rev.tags,
                          flags=flags)
        # Hash the text we have (declared sha1s can be wrong: test fixtures, old imports).
        hash_key = child.sha1 if child is not None else normalize_sha1(rev.sha1)
        info, changes = tracker.push(RevertRecord(rev.revid, hash_key, rev.tags))
        if info.reverts:
            metrics.is_revert = True
            metrics.reverts = info.reverts
        if metrics.reverted:
            tagged.add(rev.revid)
        for revid, reverter in changes.items():
            earlier = pending.get(revid)
            if earlier is not None:
                earlier.reverted = reverter is not None or revid in tagged
                earlier.reverted_by = reverter
        buffer.append((rev.replace(text=None), metrics))
        pending[rev.revid] = metrics
        if len(buffer) > tracker.horizon:
            done = buffer.popleft()
            pending.pop(done[1].revid, None)
            tagged.discard(done[1].revid)
            yield done
        previous = child
        previous_revid = rev.revid
    yield from buffer


def analyse_history(revisions: Iterable[Revision], site: SiteInfo | None = None, *,
                    parser: WikitextParser | None = None,
                    max_depth: int = MAX_REVERT_DEPTH) -> Iterator[RevisionMetrics]:
    """Metrics of every revision of chronological page histories, in input order."""
    for _, metrics in iter_analysed(revisions, site, parser=parser, max_depth=max_depth):
        yield metrics


def analyse_pair(parent_text: str | None, text: str | None, site: SiteInfo | None = None, *,
                 revid: int = 0, parentid: int | None = None, comment: str | None = None,
                 tags: Iterable[str] = (), parser: WikitextParser | None = None,
                 ) -> RevisionMetrics:
    """Metrics of one revision from its parent's text and its own (the sync's entry point).

    `parentid == 0` means a page creation; otherwise a None `parent_text` means the parent is
    unknown (flag `parent_missing`). With `parentid` None, a None parent text is a creation.
    Identity reverts need the history: use `reverts.find_reverts` over the page's sha1s.
    To reuse parses across pairs, call `WikitextParser.parse` and `metrics.compare`.
    """
    parser = parser or WikitextParser(site)
    created = parentid == 0 if parentid is not None else parent_text is None
    parent = PAGE_ABSENT if created else (
        parser.parse(parent_text) if parent_text is not None else None)
    child = parser.parse(text) if text is not None else None
    return compare(parent, child, revid=revid, comment=comment, tags=tags)
