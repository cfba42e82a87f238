"""Install the demonstration seminar from `seminar.toml`: people, calendar, topics, revisions.

The revisions go through the sync's own steps: `sync.store` upserts the revisions, texts and
page states (as `usercontribs`, `prop=revisions` and `prop=info` answers would), then
`sync.measure.measure_seminar` and `sync.authorship.update_authorship` compute every metric.
Nothing on the dashboard is typed in: it is measured from the bundled wikitext. Installing
twice changes nothing; the demo accounts keep the password printed the first time (kept in a
private file of the instance folder) unless a new one is given; `reset=True` rebuilds the
seminar around today with a new password.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ..dbsession import DbSession
from ..models import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    AuthorshipFigure,
    Page,
    PageAuthorship,
    Participant,
    Revision,
    RevisionMetrics,
    RevisionText,
    Role,
    Seminar,
    SeminarSession,
    SessionKind,
    SyncRun,
    Topic,
    User,
    Wiki,
)
from ..models._types import utcnow
from ..scope import synced_participants
from ..services.seminars import create_seminar
from ..sync import store
from ..sync.measure import measure_seminar
from ..wiki.sha1 import sha1_base36
from ..wiki.types import NS_MAIN, PageInfo, SiteInfo
from ..wiki.types import Revision as WikiRevision
from ..wiki.types import RevisionText as WikiRevisionText
from . import DEMO_API_URL

__all__ = ["DemoAccount", "DemoResult", "install_demo", "load_data"]

HERE = Path(__file__).resolve().parent
FIRST_REV_ID = 163_000_000  # plausible fr.wikipedia revision ids; the host is .invalid anyway
SESSION_START, SESSION_END = dt.time(17, 0), dt.time(19, 0)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A sign-in the command prints."""

    name: str
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What `install_demo` did."""

    slug: str
    created: bool
    instructor: DemoAccount
    student: DemoAccount
    participants: int
    revisions: int
    password_changed: bool = True


def load_data() -> dict[str, Any]:
    """The bundled seminar description."""
    return tomllib.loads((HERE / "seminar.toml").read_text(encoding="utf-8"))


def _siteinfo() -> SiteInfo:
    """The bundled French siteinfo of the demonstration wiki."""
    return SiteInfo.from_dict(json.loads((HERE / "siteinfo.json").read_text(encoding="utf-8")))


def install_demo(session: DbSession, *, today: dt.date | None = None, password: str | None = None,
                 reset: bool = False, password_file: Path | None = None) -> DemoResult:
    """Create the demo seminar unless it exists; keep its password unless told; commit.

    With `password_file`, the password is remembered there (owner-only) so that running the
    command again can print it instead of silently changing it.
    """
    data = load_data()
    zone = ZoneInfo(data["seminar"]["timezone"])
    today = today or dt.datetime.now(zone).date()
    slug = data["seminar"]["slug"]
    existing = session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
    if existing is not None and reset:
        remove_demo(session, existing)
        existing = None
    created = existing is None
    if created:
        _build(session, data, today, zone)
    changed = True
    if password is None and not created:
        kept = _remembered_password(session, data, password_file)
        if kept is not None:
            password, changed = kept, False
    password = password or secrets.token_urlsafe(9)
    if changed:
        _set_passwords(session, data, password)
    session.commit()
    if password_file is not None and changed:
        _remember_password(password_file, password)
    seminar = session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
    assert seminar is not None
    revisions = session.scalar(sa.select(sa.func.count(Revision.id)).join(Wiki).where(
        Wiki.api_url == DEMO_API_URL)) or 0
    student = next(p for p in data["people"] if p["role"] == "student")
    return DemoResult(
        slug=slug, created=created,
        instructor=DemoAccount(data["instructor"]["name"], data["instructor"]["email"], password),
        student=DemoAccount(student["name"], student["email"], password),
        participants=len(data["people"]), revisions=revisions, password_changed=changed)


def _remembered_password(session: DbSession, data: dict[str, Any],
                         password_file: Path | None) -> str | None:
    """The password written last time, if it still signs the demo instructor in."""
    if password_file is None:
        return None
    try:
        stored = password_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    user = session.scalar(sa.select(User).where(User.email == data["instructor"]["email"]))
    if not stored or user is None or not user.password_hash:
        return None
    return stored if check_password_hash(user.password_hash, stored) else None


def _remember_password(password_file: Path, password: str) -> None:
    """Write the demo password to a file only its owner can read."""
    password_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    os.chmod(password_file, 0o600)


def _emails(data: dict[str, Any]) -> list[str]:
    """Every demo account's email."""
    return [data["instructor"]["email"]] + [p["email"] for p in data["people"]]


def _set_passwords(session: DbSession, data: dict[str, Any], password: str) -> None:
    """One password for every demo account (hashed once: scrypt is slow on purpose)."""
    hashed = generate_password_hash(password, method="scrypt")
    for user in session.scalars(sa.select(User).where(User.email.in_(_emails(data)))):
        user.password_hash = hashed


def remove_demo(session: DbSession, seminar: Seminar) -> None:
    """Delete the demo seminar, its accounts and everything stored for the demo wiki."""
    data = load_data()
    wiki_id = seminar.wiki_id
    session.execute(sa.delete(AuthorshipFigure).where(AuthorshipFigure.seminar_id == seminar.id))
    session.delete(seminar)
    session.flush()
    pages = sa.select(Page.id).where(Page.wiki_id == wiki_id)
    revisions = sa.select(Revision.id).where(Revision.wiki_id == wiki_id)
    session.execute(sa.delete(RevisionMetrics).where(RevisionMetrics.revision_id.in_(revisions)))
    session.execute(sa.delete(PageAuthorship).where(PageAuthorship.page_pk.in_(pages)))
    session.execute(sa.delete(AuthorshipFigure).where(AuthorshipFigure.page_pk.in_(pages)))
    session.execute(sa.delete(RevisionText).where(RevisionText.wiki_id == wiki_id))
    session.execute(sa.delete(Revision).where(Revision.wiki_id == wiki_id))
    session.execute(sa.delete(Page).where(Page.wiki_id == wiki_id))
    session.execute(sa.delete(User).where(User.email.in_(_emails(data))))
    session.flush()


def _demo_wiki(session: DbSession) -> Wiki:
    """The demo wiki row with the bundled siteinfo (no request is ever made to it)."""
    wiki = session.scalar(sa.select(Wiki).where(Wiki.api_url == DEMO_API_URL))
    if wiki is None:
        wiki = Wiki(api_url=DEMO_API_URL)
        session.add(wiki)
    wiki.siteinfo = _siteinfo()
    session.flush()
    return wiki


def _user(session: DbSession, email: str, name: str, *, instructor: bool = False) -> User:
    """The demo account with this email, created if needed."""
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name)
        session.add(user)
    user.is_instructor = user.is_instructor or instructor
    return user


def _build(session: DbSession, data: dict[str, Any], today: dt.date, zone: ZoneInfo) -> None:
    """Everything of the demo: seminar, calendar, people, topics, revisions and their metrics."""
    conf = data["seminar"]
    wiki = _demo_wiki(session)
    first = today - dt.timedelta(days=conf["starts_days_ago"])
    start = first - dt.timedelta(days=first.weekday())  # the Monday of that week
    restitution_day = today + dt.timedelta(days=conf["restitution_in_days"])
    restitution_time = dt.time.fromisoformat(conf["restitution_time"])
    restitution_at = dt.datetime.combine(restitution_day, restitution_time, zone).astimezone(dt.UTC)
    end = restitution_day + dt.timedelta(days=conf["ends_days_after_restitution"])
    seminar = create_seminar(
        session, slug=conf["slug"], title=conf["title"], api_url=DEMO_API_URL, start=start,
        end=end, client=None, timezone=conf["timezone"], description=conf["description"],
        restitution_at=restitution_at, restitution_place=conf["restitution_place"])
    session.flush()
    _calendar(session, seminar, data, start, restitution_day, restitution_time)
    instructor = _user(session, data["instructor"]["email"], data["instructor"]["name"],
                       instructor=True)
    session.add(Participant(seminar=seminar, user=instructor, name=instructor.name,
                            email=instructor.email, role=Role.INSTRUCTOR))
    topics = {}
    for spec in data["topics"]:
        topics[spec["key"]] = Topic(seminar=seminar, title=spec["title"],
                                    description=spec["description"],
                                    suggested_articles="\n".join(spec["suggested"]))
        session.add(topics[spec["key"]])
    session.flush()
    now = utcnow()
    pages = data["pages"]
    for spec in data["people"]:
        _person(session, seminar, spec, topics, pages, instructor, start, zone, now)
    session.flush()
    count = _revisions(session, wiki, data, start, zone)
    _measure(session, seminar)
    seminar.last_sync_at = now
    session.add(SyncRun(seminar_id=seminar.id, status="success", trigger="demo", worker="demo",
                        started_at=now, finished_at=utcnow(), revisions_added=count,
                        texts_fetched=count))


def _calendar(session: DbSession, seminar: Seminar, data: dict[str, Any], start: dt.date,
              restitution_day: dt.date, restitution_time: dt.time) -> None:
    """Weekly Tuesday sessions, then the restitution session."""
    place = data["seminar"]["place"]
    for spec in data["sessions"]:
        session.add(SeminarSession(
            seminar=seminar, date=start + dt.timedelta(days=7 * spec["week"] + 1),
            start_time=SESSION_START, end_time=SESSION_END, place=place,
            kind=SessionKind(spec["kind"]), title=spec["title"],
            speakers=spec.get("speakers", ""), description=spec.get("description", "")))
    session.add(SeminarSession(
        seminar=seminar, date=restitution_day, start_time=restitution_time,
        end_time=dt.time(18, 0), place=data["seminar"]["restitution_place"],
        kind=SessionKind.RESTITUTION, title="Séance de restitution",
        description="Chaque étudiante et chaque étudiant présente sa contribution à Wikipédia."))


def _page_for(pages: list[dict[str, Any]], title: str, *, sandbox: bool = False) -> dict[str, Any] | None:
    """The page now titled `title`, or (for a sandbox) the page first written under that title."""
    if sandbox:
        for page in pages:
            if any(r.get("title") == title for r in page["revisions"]):
                return page
    return next((p for p in pages if p["title"] == title), None)


def _person(session: DbSession, seminar: Seminar, spec: dict[str, Any], topics: dict[str, Topic],
            pages: list[dict[str, Any]], instructor: User, start: dt.date, zone: ZoneInfo,
            now: dt.datetime) -> None:
    """A student or auditor with their account state, topic and articles."""
    user = _user(session, spec["email"], spec["name"])
    account = spec.get("account", "missing")
    participant = Participant(
        seminar=seminar, user=user, name=spec["name"], email=spec["email"],
        role=Role(spec["role"]),
        wiki_username=spec.get("wiki_username") if account != "missing" else None,
        wiki_user_id=spec.get("wiki_user_id") if account != "missing" else None,
        wiki_verified=account == "verified",
        wiki_verified_at=_local(start + dt.timedelta(days=4), "18:00", zone) if account == "verified" else None,
        wiki_verification_method="code" if account == "verified" else None,
        contribs_synced_until=now if account != "missing" else None,
    )
    session.add(participant)
    session.flush()
    if "status" not in spec:
        return
    topic = topics.get(spec.get("topic", ""))
    if topic is None and spec.get("own_topic"):
        topic = Topic(seminar=seminar, title=spec["own_topic"], description=spec.get("own_description", ""),
                      in_catalogue=False, proposed_by_id=participant.id)
        session.add(topic)
    status = AssignmentStatus(spec["status"])
    decided = status != AssignmentStatus.PROPOSED
    assignment = Assignment(
        participant=participant, topic=topic, status=status, student_note=spec.get("note", ""),
        instructor_comment=spec.get("comment", ""),
        decided_at=_local(start + dt.timedelta(days=9), "10:00", zone) if decided else None,
        decided_by_id=instructor.id if decided else None)
    session.add(assignment)
    for art in spec.get("articles", []):
        page = _page_for(pages, art["title"])
        sandbox = _page_for(pages, art["sandbox"], sandbox=True) if art.get("sandbox") else None
        kind = ArticleKind(art["kind"])
        exists = (page is not None and not page.get("deleted")) or (page is None and kind == ArticleKind.IMPROVE)
        assignment.articles.append(AssignedArticle(
            title=art["title"], kind=kind, sandbox_title=art.get("sandbox"),
            exists_on_wiki=exists, wiki_page_id=page["page_id"] if page else None,
            sandbox_page_id=sandbox["page_id"] if sandbox else None, checked_at=now))


def _local(day: dt.date, clock: str, zone: ZoneInfo) -> dt.datetime:
    """A Paris day and time as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), zone).astimezone(dt.UTC)


def _revisions(session: DbSession, wiki: Wiki, data: dict[str, Any], start: dt.date,
               zone: ZoneInfo) -> int:
    """Store the bundled history as the sync would (revisions, texts, page states); return count."""
    users = {p["wiki_username"]: p["wiki_user_id"] for p in data["people"] if p.get("wiki_user_id")}
    users.update(data["outsiders"])
    blocks = data["blocks"]
    timeline = []
    for page in data["pages"]:
        for index, rev in enumerate(page["revisions"]):
            stamp = _local(start + dt.timedelta(days=rev["day"]), rev["time"], zone)
            timeline.append((stamp, page["page_id"], index, page, rev))
    timeline.sort(key=lambda item: item[:3])
    revisions: list[WikiRevision] = []
    texts: list[WikiRevisionText] = []
    last: dict[int, tuple[int, int]] = {}  # page id -> (rev id, size) of its latest revision
    counts: dict[int, int] = defaultdict(int)
    for number, (stamp, page_id, _, page, rev) in enumerate(timeline):
        revid = FIRST_REV_ID + 37 * number
        text = "\n\n".join(blocks[name] for name in rev["blocks"])
        size = len(text.encode("utf-8"))
        parent, parent_size = last.get(page_id, (0, 0))
        sha1 = sha1_base36(text)
        counts[page_id] += 1
        revisions.append(WikiRevision(
            revid=revid, pageid=page_id, title=rev.get("title", page["title"]),
            namespace=rev.get("ns", page["ns"]), timestamp=stamp, parentid=parent,
            user=rev["user"], userid=users[rev["user"]], size=size, sizediff=size - parent_size,
            sha1=sha1, comment=rev.get("comment", ""), tags=tuple(rev.get("tags", ())),
            minor=bool(rev.get("minor")), new=parent == 0,
            top=counts[page_id] == len(page["revisions"])))
        texts.append(WikiRevisionText(revid=revid, pageid=page_id, text=text, sha1=sha1))
        last[page_id] = (revid, size)
    store.upsert_revisions(session, wiki.id, revisions)
    store.upsert_texts(session, wiki.id, texts)
    keys = store.page_keys(session, wiki.id, [p["page_id"] for p in data["pages"]])
    infos = [PageInfo(pageid=p["page_id"], title=p["title"], namespace=p["ns"],
                      lastrevid=last[p["page_id"]][0], length=last[p["page_id"]][1],
                      redirect=bool(p.get("redirect")), missing=bool(p.get("deleted")))
             for p in data["pages"]]
    store.mark_pages(session, wiki.id, infos, keys)
    for page in session.scalars(sa.select(Page).where(Page.wiki_id == wiki.id)):
        if page.namespace == NS_MAIN and not page.deleted and not page.redirect:
            page.tracked = True  # as the sync's track_histories: the full history is here
            page.history_rev_id = page.last_rev_id
        if page.deleted:
            page.last_rev_id = last[page.page_id][0]
    session.flush()
    return len(revisions)


def _measure(session: DbSession, seminar: Seminar) -> None:
    """Metrics, reverts and authorship, computed by the sync's own functions."""
    participants = synced_participants(session, seminar)
    tracked = list(session.scalars(sa.select(Page).where(
        Page.wiki_id == seminar.wiki_id, Page.tracked.is_(True), Page.deleted.is_(False))))
    measure_seminar(session, seminar, participants, tracked)
    session.flush()
    try:
        from ..sync.authorship import update_authorship
    except ImportError:  # pragma: no cover - authorship ships with the sync
        return
    update_authorship(session, seminar, participants, tracked)
    session.flush()
