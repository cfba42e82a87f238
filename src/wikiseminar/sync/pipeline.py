"""Sync one seminar: contributions → pages → histories → texts → metrics → authorship.

Every write is an idempotent upsert keyed on wiki ids, committed phase by phase; the
participants' watermarks move only when the whole run succeeds. A run that dies at any point
is simply run again: what was stored stays, what was missing is fetched, nothing is doubled.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import (
    AssignedArticle,
    Assignment,
    Page,
    Participant,
    Revision,
    Seminar,
    SyncRun,
    Wiki,
)
from ..models._types import utcnow
from ..scope import synced_participants
from ..wiki.client import ClientSettings, RequestGate, WikiClient
from ..wiki.errors import WikiError
from ..wiki.types import NS_MAIN
from ..wiki.types import Revision as WikiRevision
from . import locking, store

__all__ = ["Progress", "SyncOptions", "client_for", "ensure_siteinfo", "sync_seminar"]

log = logging.getLogger("wikiseminar.sync")

Progress = Callable[[str, int, int | None], None]
SITEINFO_MAX_AGE = dt.timedelta(days=7)


def _no_progress(phase: str, done: int, total: int | None) -> None:
    """Progress sink used under cron: say nothing."""


@dataclass(slots=True)
class SyncOptions:
    """How a run behaves; built from the app config."""

    lock_ttl: int = 600
    overlap: dt.timedelta = dt.timedelta(minutes=10)
    track_histories: bool = True
    page_checks: int = 50
    full: bool = False
    trigger: str = "cli"
    owner: str | None = None
    progress: Progress = field(default=_no_progress)
    # The [integrity] settings (INTEGRITY_* keys); None: no integrity checks in this run.
    integrity: dict[str, Any] | None = None
    quality_talk_every: dt.timedelta = dt.timedelta(hours=24)

    @classmethod
    def from_config(cls, config: dict[str, Any], **kwargs: Any) -> SyncOptions:
        """Read the SYNC_* keys of a Flask config."""
        return cls(
            lock_ttl=int(config.get("SYNC_LOCK_TTL", 600)),
            overlap=dt.timedelta(minutes=int(config.get("SYNC_WATERMARK_OVERLAP_MINUTES", 10))),
            track_histories=bool(config.get("SYNC_TRACK_HISTORIES", True)),
            page_checks=int(config.get("SYNC_PAGE_CHECKS_PER_RUN", 50)),
            integrity={k: v for k, v in config.items()
                       if k.startswith("INTEGRITY_") or k.startswith("WIKI_")},
            quality_talk_every=dt.timedelta(hours=float(config.get("SYNC_QUALITY_TALK_HOURS", 24))),
            **kwargs,
        )


def client_for(wiki_api_url: str, config: dict[str, Any], gate: RequestGate | None = None,
               sleep: Callable[[float], None] = time.sleep) -> WikiClient:
    """A WikiClient configured from the app config (User-Agent, auth, batch sizes)."""
    return WikiClient(wiki_api_url, ClientSettings.from_config(config), gate=gate, sleep=sleep)


def ensure_siteinfo(session: DbSession, wiki: Wiki, client: WikiClient, *, force: bool = False) -> None:
    """Read namespaces and URLs from the wiki when unknown or older than a week."""
    fresh = wiki.siteinfo_fetched_at and utcnow() - wiki.siteinfo_fetched_at < SITEINFO_MAX_AGE
    if force or not wiki.siteinfo_json or not fresh:
        wiki.siteinfo = client.siteinfo()
        session.commit()


class _Run:
    """State of one sync run of one seminar."""

    def __init__(self, session: DbSession, seminar: Seminar, client: WikiClient,
                 options: SyncOptions) -> None:
        self.session = session
        self.seminar = seminar
        self.wiki = seminar.wiki
        self.client = client
        self.options = options
        self.owner = options.owner or locking.lock_owner(options.trigger)
        self.requests_at_start = client.requests
        self.now = utcnow()
        self.revisions_added = 0
        self.texts_fetched = 0
        self.pages_checked = 0
        # Pages whose current state this run saw in contributions (top revision known).
        self.fresh_pages: dict[int, int | None] = {}

    def heartbeat(self) -> None:
        """Commit the phase's writes and extend the lock."""
        locking.refresh(self.session, self.seminar.id, self.owner, self.options.lock_ttl)
        self.session.commit()

    # -- phase 1: participants' accounts ---------------------------------------------------

    def resolve_accounts(self, participants: list[Participant]) -> None:
        """Find the user id of usernames entered without one (ids survive renames)."""
        todo = [p for p in participants if p.wiki_username and not p.wiki_user_id]
        if not todo:
            return
        found = {u.name.replace("_", " ").casefold(): u for u in self.client.users(
            [p.wiki_username for p in todo if p.wiki_username])}
        for p in todo:
            user = found.get((p.wiki_username or "").replace("_", " ").casefold())
            if user and user.userid:
                p.wiki_user_id = user.userid
                p.wiki_username = user.name
            else:
                log.warning("seminar %s: wiki account %r not found", self.seminar.slug, p.wiki_username)
        self.heartbeat()

    # -- phase 2: contributions ------------------------------------------------------------

    def fetch_contributions(self, participants: list[Participant]) -> None:
        """usercontribs from each participant's watermark, 50 accounts a request."""
        window_end = min(self.now, self.seminar.end_at)
        start_floor = self.seminar.start_at
        if window_end <= start_floor:
            return
        store.refresh(self.session, participants)
        groups: dict[dt.datetime, list[Participant]] = defaultdict(list)
        for p in participants:
            if not p.wiki_user_id:
                continue
            start = start_floor
            if p.contribs_synced_until and not self.options.full:
                start = max(start_floor, p.contribs_synced_until - self.options.overlap)
            if start >= window_end:
                continue
            groups[start].append(p)
        namespaces = self.wiki.siteinfo.tracked_namespaces()
        by_id = {p.wiki_user_id: p for p in participants if p.wiki_user_id}
        done = 0
        total = sum(len(g) for g in groups.values())
        for start, group in sorted(groups.items()):
            batch: list[WikiRevision] = []
            for rev in self.client.contributions(
                [p.wiki_user_id for p in group if p.wiki_user_id],
                start=start, end=window_end, namespaces=namespaces,
            ):
                batch.append(rev)
                if len(batch) >= 1000:
                    self._store_contributions(batch, by_id)
                    batch = []
            self._store_contributions(batch, by_id)
            done += len(group)
            self.options.progress("contributions", done, total)

    def _store_contributions(self, batch: list[WikiRevision], by_id: dict[int, Participant]) -> None:
        """Upsert a batch of contributions and remember which pages they show current."""
        if not batch:
            return
        self.revisions_added += store.upsert_revisions(self.session, self.wiki.id, batch)
        for rev in batch:
            participant = by_id.get(rev.userid or 0)
            if participant and rev.user and participant.wiki_username != rev.user:
                participant.wiki_username = rev.user  # the account was renamed
        tops = {r.pageid: r.revid for r in batch if r.top}
        for rev in batch:
            self.fresh_pages.setdefault(rev.pageid, None)
        self.fresh_pages.update(tops)
        self.heartbeat()

    # -- phase 3: pages (moves, deletions, assigned articles) ------------------------------

    def seminar_page_keys(self, participants: list[Participant]) -> dict[int, int]:
        """wiki page id -> Page.id for every page of the seminar (edited or assigned)."""
        store.refresh(self.session, participants)
        user_ids = [p.wiki_user_id for p in participants if p.wiki_user_id]
        rows = self.session.execute(
            sa.select(Page.page_id, Page.id).join(Revision, Revision.page_pk == Page.id).where(
                Page.wiki_id == self.wiki.id,
                Revision.user_id.in_(user_ids or [-1]),
                Revision.timestamp >= self.seminar.start_at,
                Revision.timestamp < self.seminar.end_at,
            ).distinct()
        ).all()
        keys = {page_id: pk for page_id, pk in rows}
        assigned = self._assigned_page_ids()
        keys.update(store.page_keys(self.session, self.wiki.id, assigned))
        for page_id in assigned:
            keys.setdefault(page_id, 0)
        return keys

    def _assigned_page_ids(self) -> set[int]:
        """Page ids of the seminar's assigned articles and sandboxes already resolved."""
        rows = self.session.execute(
            sa.select(AssignedArticle.wiki_page_id, AssignedArticle.sandbox_page_id)
            .join(Assignment).join(Participant)
            .where(Participant.seminar_id == self.seminar.id)
        ).all()
        return {pid for row in rows for pid in row if pid}

    def resolve_assigned_titles(self) -> None:
        """Link assigned articles (and sandboxes) to page ids once the pages exist."""
        articles = list(self.session.scalars(
            sa.select(AssignedArticle).join(Assignment).join(Participant)
            .where(Participant.seminar_id == self.seminar.id)
        ))
        wanted: dict[str, list[tuple[AssignedArticle, str]]] = defaultdict(list)
        for art in articles:
            if not art.wiki_page_id and art.title:
                wanted[art.title].append((art, "wiki_page_id"))
            if art.sandbox_title and not art.sandbox_page_id:
                wanted[art.sandbox_title].append((art, "sandbox_page_id"))
        if not wanted:
            return
        site = self.wiki.siteinfo
        # Pages already stored under that title need no request.
        unresolved = []
        for title, targets in wanted.items():
            ns, text = site.split_title(title)
            page = self.session.scalar(sa.select(Page).where(
                Page.wiki_id == self.wiki.id, Page.namespace == ns,
                Page.title == site.full_title(ns, text), Page.deleted.is_(False)))
            if page is not None:
                for art, attr in targets:
                    setattr(art, attr, page.page_id)
                    if attr == "wiki_page_id":
                        art.exists_on_wiki = True
            else:
                unresolved.append(title)
        if unresolved:
            for title, info in self.client.normalise_titles(unresolved).items():
                if isinstance(info, str) or info.missing:
                    continue
                for art, attr in wanted[title]:
                    setattr(art, attr, info.pageid)
                    if attr == "wiki_page_id":
                        art.exists_on_wiki = True
        self.heartbeat()

    def check_pages(self, keys: dict[int, int]) -> None:
        """prop=info for pages not seen current in this run: follow moves, flag deletions."""
        missing_rows = [pid for pid, pk in keys.items() if not pk]
        if missing_rows:
            keys.update(store.page_keys(self.session, self.wiki.id, missing_rows))
        to_check = self._pages_to_check(keys)
        if to_check:
            infos = self.client.page_infos(to_check, categories=self._deletion_categories())
            new_pages = [i for i in infos if not i.missing and not keys.get(i.pageid)]
            if new_pages:
                self.session.execute(
                    store._insert(self.session, Page.__table__).on_conflict_do_nothing(
                        index_elements=["wiki_id", "page_id"]),
                    [{"wiki_id": self.wiki.id, "page_id": i.pageid, "title": i.title,
                      "namespace": i.namespace, "redirect": i.redirect, "deleted": False,
                      "tracked": False} for i in new_pages],
                )
                keys.update(store.page_keys(self.session, self.wiki.id, [i.pageid for i in new_pages]))
            store.mark_pages(self.session, self.wiki.id, infos, keys)
            self.pages_checked += len(to_check)
        tops = {keys[page_id]: top for page_id, top in self.fresh_pages.items()
                if top and keys.get(page_id)}
        for pk, page in store.load_pages(self.session, tops).items():
            page.last_rev_id = tops[pk]
            page.checked_at = self.now
        self.heartbeat()

    def _deletion_categories(self) -> list[str]:
        """Full titles of the deletion/admissibility categories the alerts look for."""
        from ..analysis.deletion import DELETION_CATEGORIES

        site = self.wiki.siteinfo
        names = {name for by_lang in DELETION_CATEGORIES.values() for name in by_lang}
        return sorted(site.full_title(14, name) for name in names)

    def _pages_to_check(self, keys: dict[int, int]) -> list[int]:
        """Pages whose state to ask the wiki for, least recently checked first.

        A page seen in this run's contributions with its top revision is known to be current.
        The others are checked in rotation, `options.page_checks` per run (one request of 50
        by default), so a seminar with many pages still costs one request on a quiet resync;
        pages never checked go first, and --full checks them all.
        """
        candidates = [pid for pid in keys if not self.fresh_pages.get(pid) or self.options.full]
        if self.options.full or not self.options.page_checks:
            return candidates
        checked = dict(self.session.execute(sa.select(Page.page_id, Page.checked_at).where(
            Page.wiki_id == self.wiki.id, Page.page_id.in_(candidates or [-1]))).all())
        floor = dt.datetime.min.replace(tzinfo=dt.UTC)
        candidates.sort(key=lambda pid: (checked.get(pid) or floor, pid))
        return candidates[: self.options.page_checks]

    # -- phase 4: full histories of tracked pages ------------------------------------------

    def track_histories(self, keys: dict[int, int]) -> list[Page]:
        """Mark article pages as tracked; fetch the edits by others their history lacks."""
        loaded = store.load_pages(self.session, [pk for pk in keys.values() if pk])
        pages = [loaded.get(pk) for pk in keys.values() if pk]
        tracked = [p for p in pages if p is not None and not p.deleted and p.namespace == NS_MAIN]
        assigned = self._assigned_page_ids()
        tracked += [p for p in pages if p is not None and not p.deleted
                    and p.page_id in assigned and p not in tracked]
        # What each page needs, read once: commits below expire the objects.
        todo = [(page.id, page.page_id, page.last_rev_id, page.history_rev_id)
                for page in tracked if page.last_rev_id is not None]
        for page in tracked:
            page.tracked = True
        complete = self._histories_complete(todo)
        for pk, _, last_rev_id, _ in todo:
            if pk in complete:
                loaded[pk].history_rev_id = last_rev_id
        fetch = [item for item in todo if item[0] not in complete]
        # Histories are stored in batches; a page's history_rev_id is committed with its
        # revisions, so a run that dies mid-way fetches again only the pages not committed.
        revisions: list[WikiRevision] = []
        done: list[tuple[int, int]] = []
        for i, (pk, page_id, last_rev_id, history_rev_id) in enumerate(fetch, 1):
            for rev in self.client.page_history(page_id, after_revid=history_rev_id):
                revisions.append(rev)
                if len(revisions) >= 1000:
                    store.upsert_revisions(self.session, self.wiki.id, revisions)
                    revisions = []
            done.append((pk, last_rev_id))
            if len(revisions) >= 500 or len(done) >= 50 or i == len(fetch):
                store.upsert_revisions(self.session, self.wiki.id, revisions)
                revisions = []
                self.session.execute(sa.update(Page), [
                    {"id": pk, "history_rev_id": last} for pk, last in done])
                done = []
                self.options.progress("histories", i, len(fetch))
                self.heartbeat()
        self.heartbeat()
        return tracked

    def _histories_complete(self, todo: list[tuple[int, int, int, int | None]]) -> set[int]:
        """Pages whose stored revisions chain from their last revision back to a known point."""
        parents: dict[int, dict[int, int | None]] = defaultdict(dict)
        for chunk in store.chunks([pk for pk, *_ in todo]):
            for page_pk, rev_id, parent_id in self.session.execute(
                    sa.select(Revision.page_pk, Revision.rev_id, Revision.parent_id)
                    .where(Revision.page_pk.in_(chunk))):
                parents[page_pk][rev_id] = parent_id
        complete = set()
        for pk, _, last_rev_id, history_rev_id in todo:
            if _chain_complete(parents[pk], last_rev_id, history_rev_id):
                complete.add(pk)
        return complete

    # -- phase 5: texts ----------------------------------------------------------------------

    def fetch_texts(self, participants: list[Participant], tracked: list[Page]) -> None:
        """Fetch the texts the analysis needs (the participants' revisions and their parents)."""
        from .measure import texts_needed

        needed = texts_needed(self.session, self.seminar, participants, tracked)
        missing = sorted(set(needed) - store.stored_text_ids(self.session, self.wiki.id, needed))
        total = len(missing)
        done = 0
        size = self.client.settings.revisions_per_request
        for start in range(0, total, size):
            chunk = missing[start : start + size]
            revisions, texts = [], []
            for rev, text in self.client.revision_texts(chunk):
                texts.append(text)
                if rev.pageid:
                    revisions.append(rev)
            # Fill in sha1 (usercontribs has none) for revisions we store.
            known = set(store.existing_revision_ids(self.session, self.wiki.id, [r.revid for r in revisions]))
            store.upsert_revisions(self.session, self.wiki.id, [r for r in revisions if r.revid in known])
            self.texts_fetched += store.upsert_texts(self.session, self.wiki.id, texts)
            done += len(chunk)
            self.options.progress("texts", done, total)
            self.heartbeat()


def sync_seminar(session: DbSession, seminar: Seminar, client: WikiClient,
                 options: SyncOptions | None = None) -> SyncRun:
    """Bring one seminar up to date with its wiki; returns the recorded SyncRun."""
    options = options or SyncOptions()
    run_state = _Run(session, seminar, client, options)
    if not locking.acquire(session, seminar.id, run_state.owner, options.lock_ttl):
        run = SyncRun(seminar_id=seminar.id, status="skipped", trigger=options.trigger,
                      worker=run_state.owner, finished_at=utcnow(),
                      error="another sync of this seminar is running")
        session.add(run)
        session.commit()
        return run
    # With the lock ours, a run of this seminar still marked running died mid-way (SIGKILL).
    session.execute(sa.update(SyncRun).where(
        SyncRun.seminar_id == seminar.id, SyncRun.status == "running",
    ).values(status="failed", finished_at=utcnow(), error="interrupted: its process died"))
    run = SyncRun(seminar_id=seminar.id, status="running", trigger=options.trigger,
                  worker=run_state.owner, started_at=run_state.now)
    session.add(run)
    session.commit()
    run_id = run.id
    try:
        client.login()
        ensure_siteinfo(session, seminar.wiki, client)
        participants = synced_participants(session, seminar)
        run_state.resolve_accounts(participants)
        run_state.fetch_contributions(participants)
        run_state.resolve_assigned_titles()
        keys = run_state.seminar_page_keys(participants)
        run_state.check_pages(keys)
        tracked: list[Page] = []
        if options.track_histories:
            tracked = run_state.track_histories(keys)
        run_state.fetch_texts(participants, tracked)
        from .measure import measure_seminar

        measure_seminar(session, seminar, participants, tracked, changed_since=run_state.now,
                        progress=options.progress)
        run_state.heartbeat()
        if options.track_histories:
            from .authorship import update_authorship

            update_authorship(session, seminar, participants, tracked, as_of=run_state.now,
                              progress=options.progress)
            run_state.heartbeat()
            from .quality import update_quality

            update_quality(session, seminar, client, tracked, talk_every=options.quality_talk_every,
                           full=options.full)
            run_state.heartbeat()
        if options.integrity is not None:
            from .integrity import check_seminar

            options.progress("integrity", 0, None)
            check_seminar(session, seminar, options.integrity, client,
                          heartbeat=run_state.heartbeat, progress=options.progress)
            run_state.heartbeat()
        window_end = min(run_state.now, seminar.end_at)
        store.refresh(session, participants)
        for p in participants:
            if p.wiki_user_id:
                p.contribs_synced_until = window_end
        seminar.last_sync_at = utcnow()
        run = session.get(SyncRun, run_id) or run
        run.status = "success"
    except (WikiError, sa.exc.SQLAlchemyError, OSError) as exc:
        session.rollback()
        run = session.get(SyncRun, run_id) or run
        run.status = "failed"
        run.error = _one_line(exc)
        log.error("sync of %s failed: %s", seminar.slug, run.error)
    except Exception as exc:  # a bug or a queue job's timeout: recorded, then raised
        session.rollback()
        run = session.get(SyncRun, run_id) or run
        run.status = "failed"
        run.error = _one_line(exc)
        raise
    finally:
        run = session.get(SyncRun, run_id) or run
        run.finished_at = utcnow()
        run.api_requests = client.requests - run_state.requests_at_start
        run.revisions_added = run_state.revisions_added
        run.texts_fetched = run_state.texts_fetched
        run.pages_checked = run_state.pages_checked
        session.commit()
        locking.release(session, seminar.id, run_state.owner)
    log.info("sync", extra={"event": "sync", "seminar": seminar.slug, **run.summary()})
    _refresh_snapshot(session, seminar)
    return run


def _refresh_snapshot(session: DbSession, seminar: Seminar) -> None:
    """Compute the dashboard's figures now (reports/snapshot.py), so that the instructor's first
    view after this sync reads them instead of every revision; a failure only costs that view."""
    from ..reports.snapshot import refresh_snapshot

    try:
        refresh_snapshot(session, seminar)
    except (sa.exc.SQLAlchemyError, OSError, ValueError) as exc:
        session.rollback()
        log.warning("figure snapshot of %s not computed: %s", seminar.slug, _one_line(exc))


def _chain_complete(parents: dict[int, int | None], last_rev_id: int | None,
                    history_rev_id: int | None) -> bool:
    """Whether parent links lead from the last revision to history_rev_id or the creation."""
    current = last_rev_id
    while current:
        if current == history_rev_id:
            return True
        if current not in parents:
            return False
        current = parents[current]
    return True  # reached the page creation (parent 0)


def _one_line(exc: BaseException) -> str:
    """An exception as one line for the operator."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:500]
