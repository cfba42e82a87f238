"""Idempotent writes keyed on wiki ids: running a sync twice leaves the same rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..dbsession import DbSession
from ..models import Page, Revision, RevisionText
from ..models._types import utcnow
from ..wiki.types import PageInfo
from ..wiki.types import Revision as WikiRevision
from ..wiki.types import RevisionText as WikiRevisionText

__all__ = [
    "CHUNK", "chunks", "load_pages", "mark_pages", "primary_keys", "refresh", "stored_text_ids",
    "upsert_pages", "upsert_revisions", "upsert_texts",
]

# Ids per `IN (…)` list: one statement per phase for a seminar, bounded for huge ones.
CHUNK = 500


def _insert(session: DbSession, table: sa.FromClause) -> Any:
    """An INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
    assert isinstance(table, sa.Table)  # a model's __table__ (typed as any FromClause)
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database {name}")


def chunks(ids: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """The ids in lists of at most `size`, for `IN (…)` queries that stay small."""
    items = list(ids)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def primary_keys(objects: Iterable[Any]) -> list[int]:
    """Primary keys of loaded ORM objects, read without refreshing the expired ones."""
    return [sa.inspect(obj).identity[0] for obj in objects]


def refresh(session: DbSession, objects: Sequence[Any]) -> None:
    """Reload expired ORM objects of one class in one query per chunk.

    Each phase commits, which expires every loaded object; the next attribute read would
    otherwise cost one SELECT per object (per participant, per page)."""
    if not objects:
        return
    cls = type(objects[0])
    key = sa.inspect(cls).primary_key[0]
    for chunk in chunks(sorted(set(primary_keys(objects)))):
        session.scalars(sa.select(cls).where(key.in_(chunk))).all()


def load_pages(session: DbSession, pks: Iterable[int]) -> dict[int, Page]:
    """Page.id -> Page in one query per chunk (refreshing expired ones, never one query a page)."""
    found: dict[int, Page] = {}
    for chunk in chunks(sorted(set(pks))):
        found.update((page.id, page) for page in session.scalars(
            sa.select(Page).where(Page.id.in_(chunk))))
    return found


def upsert_pages(session: DbSession, wiki_id: int, revisions: Iterable[WikiRevision]) -> dict[int, int]:
    """Insert or rename the pages these revisions belong to; return page id -> Page.id."""
    latest: dict[int, WikiRevision] = {}
    for rev in revisions:
        if rev.pageid:
            latest[rev.pageid] = rev
    if latest:
        stmt = _insert(session, Page.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["wiki_id", "page_id"],
            set_={"title": stmt.excluded.title, "namespace": stmt.excluded.namespace},
        )
        session.execute(stmt, [
            {"wiki_id": wiki_id, "page_id": r.pageid, "title": r.title, "namespace": r.namespace,
             "redirect": False, "deleted": False, "tracked": False}
            for r in latest.values()
        ])
    return page_keys(session, wiki_id, latest.keys())


def page_keys(session: DbSession, wiki_id: int, page_ids: Iterable[int]) -> dict[int, int]:
    """Map wiki page ids to local Page.id for the pages already stored."""
    ids = list(set(page_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            sa.select(Page.page_id, Page.id).where(
                Page.wiki_id == wiki_id, Page.page_id.in_(ids[start : start + 500])
            )
        )
        found.update({page_id: pk for page_id, pk in rows})
    return found


def upsert_revisions(
    session: DbSession, wiki_id: int, revisions: Sequence[WikiRevision]
) -> int:
    """Insert new revisions, refresh the mutable facts of known ones; return how many are new."""
    if not revisions:
        return 0
    pages = upsert_pages(session, wiki_id, revisions)
    before = set(existing_revision_ids(session, wiki_id, [r.revid for r in revisions]))
    table = Revision.__table__
    stmt = _insert(session, table)
    ex = stmt.excluded
    # Title and namespace are kept as first seen (edit time); visibility and tags follow the
    # wiki; facts only one source knows (sha1 from prop=revisions, sizediff from usercontribs)
    # are never overwritten with NULL.
    stmt = stmt.on_conflict_do_update(
        index_elements=["wiki_id", "rev_id"],
        set_={
            "user_name": sa.func.coalesce(ex.user_name, table.c.user_name),
            "user_id": sa.func.coalesce(ex.user_id, table.c.user_id),
            "comment": sa.func.coalesce(ex.comment, table.c.comment),
            "tags": ex.tags,
            "sha1": sa.func.coalesce(ex.sha1, table.c.sha1),
            "size": sa.func.coalesce(ex.size, table.c.size),
            "size_diff": sa.func.coalesce(ex.size_diff, table.c.size_diff),
            "page_pk": ex.page_pk,
            "text_hidden": ex.text_hidden,
            "user_hidden": ex.user_hidden,
            "comment_hidden": ex.comment_hidden,
            "suppressed": ex.suppressed,
            "deleted": sa.false(),
        },
    )
    now = utcnow()
    rows = []
    seen: set[int] = set()
    for r in revisions:
        if r.revid in seen:
            continue
        seen.add(r.revid)
        rows.append({
            "wiki_id": wiki_id, "rev_id": r.revid, "parent_id": r.parentid,
            "page_pk": pages[r.pageid], "user_id": r.userid, "user_name": r.user,
            "timestamp": r.timestamp, "size": r.size, "size_diff": r.sizediff, "sha1": r.sha1,
            "comment": r.comment, "tags": list(r.tags), "minor": r.minor,
            "page_creation": r.new or r.parentid == 0, "namespace": r.namespace,
            "title": r.title, "text_hidden": r.texthidden, "user_hidden": r.userhidden,
            "comment_hidden": r.commenthidden, "suppressed": r.suppressed, "deleted": False,
            "first_seen_at": now,
        })
    session.execute(stmt, rows)
    return len(seen - before)


def existing_revision_ids(session: DbSession, wiki_id: int, rev_ids: Sequence[int]) -> list[int]:
    """The subset of rev_ids already stored for this wiki."""
    found: list[int] = []
    ids = list(set(rev_ids))
    for start in range(0, len(ids), 500):
        found.extend(session.scalars(
            sa.select(Revision.rev_id).where(
                Revision.wiki_id == wiki_id, Revision.rev_id.in_(ids[start : start + 500])
            )
        ))
    return found


def stored_text_ids(session: DbSession, wiki_id: int, rev_ids: Iterable[int]) -> set[int]:
    """Revisions whose text (or its hidden marker) is already stored: never fetch them again."""
    ids = list(set(rev_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(
            sa.select(RevisionText.rev_id).where(
                RevisionText.wiki_id == wiki_id, RevisionText.rev_id.in_(ids[start : start + 500])
            )
        ))
    return found


def upsert_texts(session: DbSession, wiki_id: int, texts: Iterable[WikiRevisionText]) -> int:
    """Store fetched texts (compressed); a text already there is left alone. Return count stored."""
    rows = []
    seen: set[int] = set()
    for t in texts:
        if t.revid in seen:
            continue
        seen.add(t.revid)
        rows.append({
            "wiki_id": wiki_id, "rev_id": t.revid,
            "content": None if t.text is None else RevisionText.pack(t.text),
            "length": len(t.text or ""), "hidden": t.text is None, "fetched_at": utcnow(),
        })
    if not rows:
        return 0
    stmt = _insert(session, RevisionText.__table__).on_conflict_do_nothing(
        index_elements=["wiki_id", "rev_id"]
    )
    session.execute(stmt, rows)
    return len(rows)


def mark_pages(session: DbSession, wiki_id: int, infos: Iterable[PageInfo], known: dict[int, int]) -> int:
    """Apply prop=info answers: follow moves by page id, flag (or unflag) deleted pages."""
    changed = 0
    now = utcnow()
    infos = list(infos)
    pages = load_pages(session, [known[i.pageid] for i in infos if known.get(i.pageid)])
    for info in infos:
        pk = known.get(info.pageid)
        if pk is None:
            continue
        page = pages.get(pk)
        if page is None:
            continue
        if info.missing:
            if not page.deleted:
                page.deleted = True
                page.deleted_detected_at = now
                session.execute(sa.update(Revision).where(Revision.page_pk == pk).values(deleted=True))
                changed += 1
        else:
            if page.deleted:
                page.deleted = False
                page.deleted_detected_at = None
                session.execute(sa.update(Revision).where(Revision.page_pk == pk).values(deleted=False))
                changed += 1
            if (page.title, page.namespace) != (info.title, info.namespace):
                page.title, page.namespace = info.title, info.namespace
                changed += 1
            page.redirect = info.redirect
            page.last_rev_id = info.lastrevid
            page.length = info.length
            # Only the deletion categories were asked for; names without the namespace.
            page.categories = [c.split(":", 1)[-1] for c in info.categories]
        page.checked_at = now
    return changed
