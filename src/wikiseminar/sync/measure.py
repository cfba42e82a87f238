"""Run the pure analysis over stored texts and store each revision's metrics.

Each needed text is parsed once per run: revisions are measured page by page in history order,
so the parse of revision n serves as the child of (n-1 → n) and as the parent of (n → n+1).
Revert flags are recomputed for every page that received revisions in the run, because a
later revert (by anyone) changes the status of an edit measured earlier.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import sqlalchemy as sa

from ..analysis.metrics import RevisionMetrics, compare
from ..analysis.reverts import RevertInfo, RevertRecord, find_reverts
from ..analysis.wikitext import PAGE_ABSENT, ParsedText, WikitextParser
from ..dbsession import DbSession
from ..models import Page, PageAuthorship, Participant, Revision, RevisionText, Seminar
from ..models import RevisionMetrics as MetricsRow
from ..models._types import utcnow
from ..scope import seminar_revisions
from . import store

__all__ = ["ANALYSIS_VERSION", "measure_seminar", "texts_needed", "update_reverts", "update_reverts_of"]

# Bump when a metric's definition changes: stored metrics of older versions are recomputed.
ANALYSIS_VERSION = 1

METRIC_COLUMNS = tuple(
    f.name for f in dataclasses.fields(RevisionMetrics)
    if f.name not in ("revid", "reverts", "sections_added_by_level", "flags")
    and f.name in MetricsRow.__table__.c
)


def texts_needed(session: DbSession, seminar: Seminar, participants: Sequence[Participant],
                 tracked: Sequence[Page]) -> list[int]:
    """Revision ids whose text the analysis needs: unmeasured revisions, their parents, and
    the revisions of tracked pages not yet folded into their authorship state."""
    needed: set[int] = set()
    for rev_id, parent_id in session.execute(
            _unmeasured(seminar).with_only_columns(Revision.rev_id, Revision.parent_id)):
        needed.add(rev_id)
        if parent_id:
            needed.add(parent_id)
    for chunk in store.chunks(store.primary_keys(tracked)):
        last = dict(session.execute(sa.select(PageAuthorship.page_pk, PageAuthorship.last_rev_id)
                                    .where(PageAuthorship.page_pk.in_(chunk))).all())
        for page_pk, rev_id in session.execute(sa.select(Revision.page_pk, Revision.rev_id).where(
                Revision.page_pk.in_(chunk), Revision.text_hidden.is_(False))):
            if not last.get(page_pk) or rev_id > last[page_pk]:
                needed.add(rev_id)
    return sorted(needed)


def _unmeasured(seminar: Seminar) -> sa.Select:
    """The seminar's revisions without metrics of the current analysis version."""
    return (
        seminar_revisions(seminar, include_removed=False)
        .outerjoin(MetricsRow, MetricsRow.revision_id == Revision.id)
        .where(sa.or_(MetricsRow.revision_id.is_(None),
                      MetricsRow.analysis_version < ANALYSIS_VERSION))
    )


def _texts(session: DbSession, wiki_id: int, rev_ids: set[int]) -> dict[int, str | None]:
    """Stored texts by rev id (None when hidden); ids without a stored text are absent."""
    found: dict[int, str | None] = {}
    ids = sorted(rev_ids)
    for start in range(0, len(ids), 200):
        rows = session.execute(sa.select(RevisionText.rev_id, RevisionText.content).where(
            RevisionText.wiki_id == wiki_id, RevisionText.rev_id.in_(ids[start:start + 200])))
        for rev_id, content in rows:
            found[rev_id] = None if content is None else zlib.decompress(content).decode("utf-8")
    return found


def measure_seminar(session: DbSession, seminar: Seminar, participants: Sequence[Participant],
                    tracked: Sequence[Page], *, changed_since: dt.datetime | None = None,
                    progress: Callable[[str, int, int | None], None] | None = None) -> int:
    """Compute and store metrics of every unmeasured revision of the seminar; return how many."""
    by_page: dict[int, list[Revision]] = defaultdict(list)
    seen: set[int] = set()
    for revision in session.scalars(_unmeasured(seminar).with_only_columns(Revision)):
        if revision.id not in seen:  # two participants may share one wiki account
            seen.add(revision.id)
            by_page[revision.page_pk].append(revision)
    parser = WikitextParser(seminar.wiki.siteinfo)
    done = 0
    total = sum(len(v) for v in by_page.values())
    for group in _page_groups(list(by_page.values())):
        # One query for the texts and one for the metrics rows of a group of pages.
        revisions = [r for page in group for r in page]
        wanted = {r.rev_id for r in revisions} | {r.parent_id for r in revisions if r.parent_id}
        texts = _texts(session, seminar.wiki_id, wanted)
        rows = _metrics_rows(session, [r.id for r in revisions])
        for page in group:
            done += _measure_page(session, parser, page, texts, rows)
            if progress:
                progress("analysis", done, total)
    pages = set(by_page)
    if changed_since is not None:
        pages.update(session.scalars(sa.select(Revision.page_pk).where(
            Revision.wiki_id == seminar.wiki_id, Revision.first_seen_at >= changed_since,
            Revision.page_pk.in_(_seminar_page_pks(session, seminar))).distinct()))
    update_reverts_of(session, pages)
    return done


def _page_groups(pages: list[list[Revision]], size: int = 200) -> Iterator[list[list[Revision]]]:
    """Pages in groups of about `size` revisions: few queries, bounded memory for the texts."""
    group: list[list[Revision]] = []
    count = 0
    for page in pages:
        if group and count + len(page) > size:
            yield group
            group, count = [], 0
        group.append(page)
        count += len(page)
    if group:
        yield group


def _metrics_rows(session: DbSession, revision_ids: list[int]) -> dict[int, MetricsRow]:
    """The stored metrics rows of these revisions, by revision id."""
    found: dict[int, MetricsRow] = {}
    for chunk in store.chunks(revision_ids):
        found.update((row.revision_id, row) for row in session.scalars(
            sa.select(MetricsRow).where(MetricsRow.revision_id.in_(chunk))))
    return found


def _measure_page(session: DbSession, parser: WikitextParser, revisions: list[Revision],
                  texts: dict[int, str | None], rows: dict[int, MetricsRow]) -> int:
    """Measure one page's unmeasured revisions in history order, each text parsed once."""
    revisions.sort(key=lambda r: (r.timestamp, r.rev_id))
    parses: dict[int, ParsedText] = {}

    def parsed(rev_id: int) -> ParsedText | None:
        if rev_id not in parses:
            text = texts.get(rev_id)
            if text is None:
                return None
            parses[rev_id] = parser.parse(text)
        return parses[rev_id]

    for revision in revisions:
        child = parsed(revision.rev_id)
        parent = PAGE_ABSENT if not revision.parent_id else parsed(revision.parent_id)
        metrics = compare(parent, child, revid=revision.rev_id, comment=revision.comment,
                          tags=tuple(revision.tags or ()))
        _store(session, revision, metrics, rows.get(revision.id))
        # Keep only this parse: along a history it is the next revision's parent.
        for key in [k for k in parses if k != revision.rev_id]:
            del parses[key]
    return len(revisions)


def _seminar_page_pks(session: DbSession, seminar: Seminar) -> sa.Select:
    """Pages holding at least one of the seminar's revisions."""
    return seminar_revisions(seminar).with_only_columns(Revision.page_pk).order_by(None).distinct()


def _store(session: DbSession, revision: Revision, metrics: RevisionMetrics,
           row: MetricsRow | None) -> None:
    """Insert or replace the metrics row of one revision (reverts are set by update_reverts)."""
    if row is None:
        row = MetricsRow(revision_id=revision.id)
        session.add(row)
    for name in METRIC_COLUMNS:
        if name in ("reverted", "reverted_by", "is_revert"):
            continue
        setattr(row, name, getattr(metrics, name))
    row.sections_added_by_level = json.dumps(
        {str(k): v for k, v in sorted(metrics.sections_added_by_level.items())})
    row.flags = list(metrics.flags)
    row.is_revert = bool(metrics.is_revert)
    row.analysis_version = ANALYSIS_VERSION
    row.computed_at = utcnow()


def update_reverts(session: DbSession, page_pk: int) -> None:
    """Recompute revert flags of a page's measured revisions from its stored history."""
    update_reverts_of(session, [page_pk])


def update_reverts_of(session: DbSession, page_pks: Iterable[int]) -> None:
    """Recompute revert flags of these pages' measured revisions from their stored histories.

    Identity reverts are only looked for inside runs of consecutive revisions (each one's
    parent is the previous one): a gap in what is stored could fake or hide a revert. The
    wiki's tags (mw-reverted, mw-undo, mw-rollback, mw-manual-revert) count everywhere.
    Histories and metrics rows are read a chunk of pages at a time, not page by page.
    """
    for chunk in store.chunks(sorted(set(page_pks)), 100):
        histories: dict[int, list[sa.Row]] = defaultdict(list)
        for row in session.execute(
                sa.select(Revision.page_pk, Revision.id, Revision.rev_id, Revision.parent_id,
                          Revision.sha1, Revision.tags)
                .where(Revision.page_pk.in_(chunk))
                .order_by(Revision.page_pk, Revision.timestamp, Revision.rev_id)):
            histories[row.page_pk].append(row)
        ids = {r.rev_id: r.id for history in histories.values() for r in history}
        measured = _metrics_rows(session, list(ids.values()))
        for history in histories.values():
            for rev_id, info in _revert_facts(history).items():
                metrics_row = measured.get(ids[rev_id])
                if metrics_row is None:
                    continue
                metrics_row.is_revert = info.is_revert
                metrics_row.reverted = info.reverted
                metrics_row.reverted_by = info.reverted_by


def _revert_facts(history: list[sa.Row]) -> dict[int, RevertInfo]:
    """Revert facts of one page's history (in order), found inside its consecutive runs."""
    segments: list[list[sa.Row]] = []
    for row in history:
        if segments and segments[-1][-1].rev_id == row.parent_id:
            segments[-1].append(row)
        else:
            segments.append([row])
    facts = {}
    for segment in segments:
        facts.update(find_reverts(RevertRecord(r.rev_id, r.sha1, tuple(r.tags or ())) for r in segment))
    return facts
