"""Run the integrity checks on a seminar's new revisions and store the findings.

Incremental: a revision is checked once (an `integrity_check` row marks it), a source URL
is fetched once (`integrity_source` caches its status and text for every seminar). The
pure work is in `integrity/`; this module reads texts, fetches sources and writes rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from ..analysis.excerpts import added_prose
from ..analysis.wikitext import WikitextParser
from ..dbsession import DbSession
from ..integrity.checks import Finding, cited_urls, copy_findings, offline_findings
from ..integrity.citations import added_urls, doi_is_wellformed, extract_dois
from ..integrity.compare import SourceIndex
from ..integrity.fetch import FetchSettings, doi_resolves, fetch_source
from ..models import (
    IntegrityCheck,
    IntegrityFinding,
    IntegritySource,
    Page,
    Participant,
    Revision,
    RevisionText,
    Seminar,
)
from ..models._types import utcnow
from ..scope import seminar_revisions
from ..wiki.client import WikiClient
from ..wiki.errors import WikiError
from ..wiki.types import NS_MAIN
from .measure import _texts

__all__ = ["CHECK_VERSION", "IntegritySettings", "check_seminar", "get_source"]

log = logging.getLogger("wikiseminar.integrity")

CHECK_VERSION = 1
# Below this many added words a detector's score means little: the text is not sent.
DETECTOR_MIN_WORDS = 40
# Linked wiki articles compared per revision (one API request each, once per pass).
MAX_LINKED_ARTICLES = 10
# Prepared texts of the seminar's other pages kept in memory during a pass.
PEER_INDEX_CACHE = 256
# Revisions read, checked and written together: one commit and one lock heartbeat each.
CHUNK = 200
# A chunk's work is written (and the lock extended) sooner when it has taken this long:
# fetching sources on a first pass can be slow; the lock must not expire meanwhile, and
# the run's progress (written in this transaction) shows, and SQLite's write lock is
# released, at each commit.
HEARTBEAT_SECONDS = 10.0


class IntegritySettings:
    """The [integrity] settings of the app config."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.enabled = bool(config.get("INTEGRITY_ENABLED", True))
        self.fetch = bool(config.get("INTEGRITY_FETCH_SOURCES", True))
        self.possible = float(config.get("INTEGRITY_POSSIBLE", 0.5))
        self.suspected = float(config.get("INTEGRITY_SUSPECTED", 0.75))
        self.max_sources = int(config.get("INTEGRITY_MAX_SOURCES_PER_REVISION", 20))
        self.doi_resolver = str(config.get("INTEGRITY_DOI_RESOLVER") or "")
        self.detector_url = str(config.get("INTEGRITY_DETECTOR_URL") or "")
        self.detector_token = str(config.get("INTEGRITY_DETECTOR_TOKEN") or "")
        self.detector_threshold = float(config.get("INTEGRITY_DETECTOR_THRESHOLD", 0.9))
        agent = str(config.get("WIKI_USER_AGENT") or "wikiseminar")
        contact = str(config.get("WIKI_CONTACT") or "")
        self.http = FetchSettings(
            user_agent=f"{agent} ({contact})" if contact else agent,
            timeout=float(config.get("INTEGRITY_FETCH_TIMEOUT", 15.0)),
            max_bytes=int(config.get("INTEGRITY_MAX_SOURCE_BYTES", 10_000_000)),
            allow_private_hosts=bool(config.get("INTEGRITY_ALLOW_PRIVATE_HOSTS", False)),
        )


def _url_hash(url: str) -> str:
    """The cache key of a URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def get_source(session: DbSession, url: str, settings: IntegritySettings) -> IntegritySource:
    """The cached source of a URL, fetched (once, ever) when not cached yet."""
    key = _url_hash(url)
    source = session.scalar(sa.select(IntegritySource).where(IntegritySource.url_hash == key))
    if source is not None:
        return source
    result = fetch_source(url, settings.http)
    source = IntegritySource(
        url_hash=key, url=url, status=result.status, http_status=result.http_status,
        content_type=result.content_type[:100], title=result.title[:500],
        text=result.text or None, error=result.error, fetched_at=utcnow())
    try:
        with session.begin_nested():
            session.add(source)
    except sa.exc.IntegrityError:  # another process cached it meanwhile
        source = session.scalars(
            sa.select(IntegritySource).where(IntegritySource.url_hash == key)).one()
    return source


class _Pending(NamedTuple):
    """What the pass reads of a revision to check (plain values: they survive commits)."""

    id: int
    rev_id: int
    parent_id: int | None
    page_pk: int
    timestamp: dt.datetime
    participant_id: int


class _Source(NamedTuple):
    """What the pass uses of a cached source (plain values: they survive commits)."""

    url: str
    status: str
    http_status: int | None
    title: str
    text: str | None


def _source_of(source: IntegritySource) -> _Source:
    """The plain values of a cached source."""
    return _Source(source.url, source.status, source.http_status, source.title, source.text)


class _SeminarCheck:
    """State of one integrity pass over a seminar (parsed sources kept for the pass)."""

    def __init__(self, session: DbSession, seminar: Seminar, settings: IntegritySettings,
                 client: WikiClient | None = None) -> None:
        self.session = session
        self.client = client
        self.linked: dict[str, SourceIndex | None] = {}
        self._titles: set[str] | None = None
        self.parser = WikitextParser(seminar.wiki.siteinfo)
        self.seminar = seminar
        self.seminar_id = seminar.id
        self.wiki_id = seminar.wiki_id
        self.settings = settings
        self.site = seminar.wiki.siteinfo
        self.indexes: dict[str, SourceIndex] = {}
        # Cached sources by URL, read once per pass (a page's revisions cite the same ones).
        self.sources: dict[str, _Source] = {}
        self.peer_indexes: dict[int, SourceIndex | None] = {}
        # Texts of peer revisions read ahead for a chunk, dropped once prepared.
        self.peer_texts: dict[int, str | None] = {}
        self._pages: tuple[dict[int, list[tuple[dt.datetime, int]]], dict[int, str],
                           dict[int, set[int]]] | None = None
        self.fetched = 0

    def source_index(self, source: _Source) -> SourceIndex | None:
        """The prepared text of a fetched source, or None when it has none."""
        if source.status != "ok" or not source.text:
            return None
        if source.url not in self.indexes:
            self.indexes[source.url] = SourceIndex(source.text)
        return self.indexes[source.url]

    def read_sources_ahead(self, ready: Sequence[tuple[str | None, str, list[str]]]) -> None:
        """Read with IN queries the cached sources that (parent, text, passages) cite."""
        if not self.settings.fetch:
            return
        urls = {url for parent, text, passages in ready
                for url in cited_urls(parent, text, passages)[: self.settings.max_sources]}
        by_hash = {_url_hash(url): url for url in urls if url not in self.sources}
        hashes = sorted(by_hash)
        for start in range(0, len(hashes), 500):
            for source in self.session.scalars(sa.select(IntegritySource).where(
                    IntegritySource.url_hash.in_(hashes[start:start + 500]))):
                self.sources[by_hash[source.url_hash]] = _source_of(source)

    def passages(self, parent: str | None, text: str) -> list[str]:
        """The prose a revision added, what the copy checks compare."""
        return added_prose(parent, text, self.site, max_chars=1_000_000)

    def check(self, revision: _Pending, parent: str | None, text: str,
              passages: list[str]) -> list[Finding]:
        """Every finding of one revision, given the prose it added."""
        findings = offline_findings(parent, text, revision.timestamp)
        if self.settings.fetch:
            findings += self._sources(parent, text, passages)
            findings += self._dois(parent, text)
        findings += self._peers(revision, passages)
        findings += self._linked(parent, text, passages)
        findings += self._detector(passages)
        return findings

    def _linked(self, parent: str | None, text: str, passages: list[str]) -> list[Finding]:
        """Passages copied from the wiki's articles that the revision links to."""
        if self.client is None or not passages or not self.settings.fetch:
            return []
        before = set(self.parser.parse(parent).wikilinks) if parent else set()
        titles = [t for t in self.parser.parse(text).wikilinks
                  if t not in before and self.site.split_title(t)[0] == NS_MAIN]
        own = self._seminar_titles()
        indexes: dict[str, SourceIndex] = {}
        for title in titles[:MAX_LINKED_ARTICLES]:
            if title in own:
                continue  # the seminar's own pages are compared as peers, as of the edit
            if title not in self.linked:
                try:
                    wikitext = self.client.page_text(title)
                except WikiError as exc:  # an unreadable link is skipped, not a failed sync
                    log.warning("integrity: linked article %r not read: %s", title, exc)
                    wikitext = None
                prose = "\n".join(added_prose(None, wikitext, self.site,
                                              max_chars=1_000_000)) if wikitext else ""
                self.linked[title] = SourceIndex(prose) if prose else None
            index = self.linked[title]
            if index is not None:
                indexes[title] = index
        return copy_findings(passages, indexes, threshold=self.settings.possible,
                             kind="copy-wiki")

    def _seminar_titles(self) -> set[str]:
        """Current titles of the pages the seminar's participants edited."""
        if self._titles is None:
            self._titles = set(self.session.scalars(
                sa.select(Page.title).where(Page.id.in_(
                    seminar_revisions(self.seminar).with_only_columns(Revision.page_pk)
                    .order_by(None).distinct()))))
        return self._titles

    def _detector(self, passages: list[str]) -> list[Finding]:
        """The external detector's score of the added prose, when one is configured."""
        from ..integrity.detector import DetectorError, detector_score
        from ..integrity.text import words

        text = "\n\n".join(passages)
        if not self.settings.detector_url or len(words(text)) < DETECTOR_MIN_WORDS:
            return []
        try:
            score = detector_score(self.settings.detector_url, text, lang=self.site.lang,
                                   token=self.settings.detector_token,
                                   timeout=self.settings.http.timeout,
                                   user_agent=self.settings.http.user_agent)
        except DetectorError as exc:
            log.warning("integrity detector: %s", exc)
            return []
        if score < self.settings.detector_threshold:
            return []
        return [Finding(kind="ai-detector", source=self.settings.detector_url, passage=text,
                        confidence=round(score, 3), detail=f"detector score {score:.2f}")]

    def _sources(self, parent: str | None, text: str, passages: list[str]) -> list[Finding]:
        """Copies of cited sources, and links dead when added."""
        findings: list[Finding] = []
        urls = cited_urls(parent, text, passages)[: self.settings.max_sources]
        new = set(added_urls(parent, text))
        indexes: dict[str, SourceIndex] = {}
        titles: dict[str, str] = {}
        for url in urls:
            source = self.sources.get(url) or self._fetch(url)
            if url in new and source.status in ("not-found", "no-host"):
                reason = (f"HTTP {source.http_status}" if source.status == "not-found"
                          else "no such host")
                findings.append(Finding(kind="dead-link", source=url, passage=url,
                                        detail=f"{url}: {reason}"))
            index = self.source_index(source) if passages else None
            if index is not None:
                indexes[url] = index
                titles[url] = source.title
        if passages and indexes:
            findings += copy_findings(passages, indexes, threshold=self.settings.possible,
                                      titles=titles)
        return findings

    def _fetch(self, url: str) -> _Source:
        """A source not cached when the chunk was read ahead, fetched and committed at once.

        The pass's own rows wait in memory for the chunk's write; committing the new source
        right away keeps it if the pass stops, and never makes another seminar's sync that
        cites the same URL wait on (or deadlock with) this transaction's unique row.
        """
        source = self.sources[url] = _source_of(get_source(self.session, url, self.settings))
        self.session.commit()
        return source

    def _dois(self, parent: str | None, text: str) -> list[Finding]:
        """Well-formed DOIs the resolver does not know."""
        if not self.settings.doi_resolver:
            return []
        before = set(extract_dois(parent or ""))
        findings = []
        for doi in extract_dois(text):
            if doi in before or not doi_is_wellformed(doi):
                continue
            if doi_resolves(doi, self.settings.doi_resolver, self.settings.http) is False:
                findings.append(Finding(kind="doi", passage=doi, source=doi,
                                        detail=f"{doi}: does not resolve"))
        return findings

    def _peers(self, revision: _Pending, passages: list[str]) -> list[Finding]:
        """Passages found in other pages of the seminar as they stood before this edit."""
        if not passages:
            return []
        peers = self._peer_revisions(revision)
        self._read_peer_texts(peers.values())  # those not read ahead: one query
        indexes: dict[str, SourceIndex] = {}
        for title, rev_id in peers.items():
            index = self._peer_index(rev_id)
            if index is not None:
                indexes[title] = index
        return copy_findings(passages, indexes, threshold=self.settings.possible,
                             kind="copy-seminar")

    def _peer_revisions(self, revision: _Pending) -> dict[str, int]:
        """The last stored revision before this edit of each other page of the seminar,
        by the page's title (pages of the revision's author are not peers)."""
        histories, titles, own = self._seminar_pages()
        skip = own.get(revision.participant_id, set()) | {revision.page_pk}
        when = (revision.timestamp, revision.rev_id)
        peers: dict[str, int] = {}
        for page_pk, history in histories.items():
            if page_pk in skip:
                continue
            at = bisect.bisect_left(history, when)
            if at:  # else the page had no stored text before this edit
                peers[titles[page_pk]] = history[at - 1][1]
        return peers

    def read_peers_ahead(self, revisions: Sequence[_Pending],
                         texts: Mapping[int, str | None]) -> None:
        """Read at once the peer texts a chunk's revisions are compared with, taking those
        of `texts` (already read) as they are; at most PEER_INDEX_CACHE of them."""
        self.peer_texts.clear()
        wanted: dict[int, None] = {}
        for revision in revisions:
            for rev_id in self._peer_revisions(revision).values():
                if rev_id not in self.peer_indexes:
                    wanted[rev_id] = None
            if len(wanted) >= PEER_INDEX_CACHE:
                break
        ids = list(wanted)[:PEER_INDEX_CACHE]
        self.peer_texts.update((i, texts[i]) for i in ids if i in texts)
        self._read_peer_texts(ids)

    def _read_peer_texts(self, rev_ids: Collection[int]) -> None:
        """Read with one query the peer texts neither prepared nor read yet."""
        missing = {i for i in rev_ids if i not in self.peer_indexes and i not in self.peer_texts}
        if missing:
            found = _texts(self.session, self.wiki_id, missing)
            self.peer_texts.update((i, found.get(i)) for i in missing)

    def _seminar_pages(self) -> tuple[dict[int, list[tuple[dt.datetime, int]]], dict[int, str],
                                      dict[int, set[int]]]:
        """Read once per pass: each seminar page's revisions with a stored text (in time
        order), the pages' titles, and the pages each participant edited."""
        if self._pages is None:
            rows = self.session.execute(
                seminar_revisions(self.seminar).with_only_columns(
                    Revision.page_pk, Participant.id).order_by(None).distinct()).all()
            own: dict[int, set[int]] = {}
            for page_pk, participant_id in rows:
                own.setdefault(participant_id, set()).add(page_pk)
            pages = sorted({page_pk for page_pk, _ in rows})
            histories: dict[int, list[tuple[dt.datetime, int]]] = {pk: [] for pk in pages}
            titles: dict[int, str] = {}
            for start in range(0, len(pages), 500):
                chunk = pages[start:start + 500]
                titles.update(self.session.execute(
                    sa.select(Page.id, Page.title).where(Page.id.in_(chunk))).all())
                for page_pk, stamp, rev_id in self.session.execute(
                        sa.select(Revision.page_pk, Revision.timestamp, Revision.rev_id)
                        .join(RevisionText, sa.and_(
                            RevisionText.wiki_id == Revision.wiki_id,
                            RevisionText.rev_id == Revision.rev_id))
                        .where(Revision.page_pk.in_(chunk), RevisionText.hidden.is_(False))):
                    histories[page_pk].append((stamp, rev_id))
            for history in histories.values():
                history.sort()
            self._pages = (histories, titles, own)
        return self._pages

    def _peer_index(self, rev_id: int) -> SourceIndex | None:
        """The prepared prose of a stored revision, kept for the pass (bounded cache)."""
        if rev_id not in self.peer_indexes:
            if len(self.peer_indexes) >= PEER_INDEX_CACHE:
                self.peer_indexes.pop(next(iter(self.peer_indexes)))
            if rev_id in self.peer_texts:
                text = self.peer_texts.pop(rev_id)
            else:
                text = _texts(self.session, self.wiki_id, {rev_id}).get(rev_id)
            prose = self._prose(text)
            self.peer_indexes[rev_id] = SourceIndex(prose) if prose else None
        return self.peer_indexes[rev_id]

    def _prose(self, text: str | None) -> str:
        """The visible prose of a stored revision's text."""
        return "\n".join(added_prose(None, text, self.site, max_chars=1_000_000)) if text else ""


def check_seminar(session: DbSession, seminar: Seminar, config: dict[str, Any],
                  client: WikiClient | None = None, *,
                  heartbeat: Callable[[], None] | None = None,
                  progress: Callable[[str, int, int | None], None] | None = None) -> int:
    """Check every stored, not yet checked revision of the seminar; return how many.

    Revisions are read and their checks and findings written per chunk; after each write
    the pass commits and calls `heartbeat` (the sync extends its lock there: fetching
    sources can take a while on the first pass); `progress` gets ("integrity", done, total).
    """
    settings = IntegritySettings(config)
    if not settings.enabled:
        return 0
    pending = _pending(session, seminar)
    if not pending:
        return 0
    state = _SeminarCheck(session, seminar, settings, client)
    done = 0
    checked: list[dict[str, Any]] = []
    found: list[tuple[_Pending, Finding]] = []
    written = time.monotonic()
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start:start + CHUNK]
        wanted = {r.rev_id for r in chunk} | {r.parent_id for r in chunk if r.parent_id}
        texts = _texts(session, state.wiki_id, wanted)
        ready: list[tuple[_Pending, str | None, str, list[str]]] = []
        for revision in chunk:
            if revision.rev_id not in texts:
                continue  # text not stored yet: checked on a later run
            if revision.parent_id and revision.parent_id not in texts:
                continue
            text = texts[revision.rev_id] or ""
            parent = texts.get(revision.parent_id) if revision.parent_id else None
            ready.append((revision, parent, text, state.passages(parent, text)))
        state.read_sources_ahead([(parent, text, passages) for _, parent, text, passages in ready])
        state.read_peers_ahead([r for r, _, _, passages in ready if passages], texts)
        for revision, parent, text, passages in ready:
            found += [(revision, f) for f in state.check(revision, parent, text, passages)]
            checked.append({"revision_id": revision.id, "version": CHECK_VERSION,
                            "sources_compared": len(state.indexes), "checked_at": utcnow()})
            done += 1
            if time.monotonic() - written >= HEARTBEAT_SECONDS:
                _write(session, state.seminar_id, checked, found, heartbeat)
                written = time.monotonic()
            if progress is not None:
                progress("integrity", done, len(pending))
        _write(session, state.seminar_id, checked, found, heartbeat)
        written = time.monotonic()
    return done


def _pending(session: DbSession, seminar: Seminar) -> list[_Pending]:
    """The seminar's stored revisions not checked yet, in time order, each once."""
    rows = session.execute(
        seminar_revisions(seminar, include_removed=False)
        .with_only_columns(Revision.id, Revision.rev_id, Revision.parent_id, Revision.page_pk,
                           Revision.timestamp, Participant.id)
        .outerjoin(IntegrityCheck, IntegrityCheck.revision_id == Revision.id)
        .where(IntegrityCheck.revision_id.is_(None), Revision.text_hidden.is_(False))
    ).all()
    pending: dict[int, _Pending] = {}
    for row in rows:  # two participants may share one wiki account: the first one is kept
        pending.setdefault(row[0], _Pending(*row))
    return list(pending.values())


def _write(session: DbSession, seminar_id: int, checked: list[dict[str, Any]],
           found: list[tuple[_Pending, Finding]],
           heartbeat: Callable[[], None] | None) -> None:
    """Insert the findings not known in the seminar yet and the checks, commit, heartbeat.

    Empties `checked` and `found`. A finding's key is its identity in the seminar: the same
    passage against the same source is inserted once (the first revision's), then skipped.
    """
    from ..integrity.text import finding_key

    if not checked and not found:
        return
    keyed = [(finding_key(f.kind, f.passage, f.source), r, f) for r, f in found]
    keys = sorted({key for key, _, _ in keyed})
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        known.update(session.scalars(sa.select(IntegrityFinding.key).where(
            IntegrityFinding.seminar_id == seminar_id,
            IntegrityFinding.key.in_(keys[start:start + 500]))))
    rows = []
    for key, revision, finding in keyed:
        if key in known:
            continue
        known.add(key)
        rows.append({
            "seminar_id": seminar_id, "participant_id": revision.participant_id,
            "revision_id": revision.id, "key": key, "kind": finding.kind,
            "confidence": finding.confidence, "source": finding.source,
            "source_title": finding.source_title[:500], "passage": finding.passage,
            "source_passage": finding.source_passage, "detail": finding.detail,
            "created_at": utcnow()})
    finding_table, check_table = IntegrityFinding.__table__, IntegrityCheck.__table__
    assert isinstance(finding_table, sa.Table) and isinstance(check_table, sa.Table)
    if rows:
        session.execute(sa.insert(finding_table), rows)
    if checked:
        session.execute(sa.insert(check_table), checked)
    checked.clear()
    found.clear()
    session.commit()
    if heartbeat is not None:
        heartbeat()
