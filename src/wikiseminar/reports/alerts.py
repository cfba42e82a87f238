"""Alerts: rules over stored data that tell the instructor (and the student) what needs doing.

Two steps. `collect_facts` reads what the rules need from the database (accounts, topics,
assigned and created articles with their current wikitext, sandboxes, figures); the rules are
pure functions of those facts and of `AlertSettings` (today's date is passed in, never read
from a clock here). Each alert has a stable id ("<rule>:<participant>[:<article>]") so a page,
an export or another tool can follow it from one sync to the next, a severity, a message and
two next steps (one for the instructor, one for the student), as translatable `Message`s:
English text for the CLI and JSON, rendered in the reader's language on web pages.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from ..analysis.deletion import DeletionNotice, deletion_notices
from ..dbsession import DbSession
from ..models import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    Page,
    Participant,
    PeerReview,
    Revision,
    RevisionText,
    Role,
    Seminar,
    SeminarSession,
)
from ..services.messages import N_, NP_, Message
from ..wiki.types import NS_MAIN
from .figures import StudentFigures

__all__ = [
    "HIGH",
    "INSTRUCTOR_ONLY_RULES",
    "LOW",
    "MEDIUM",
    "RULES",
    "Alert",
    "AlertRule",
    "AlertSettings",
    "ArticleFacts",
    "StudentFacts",
    "collect_facts",
    "evaluate",
    "restitution_date",
    "seminar_alerts",
    "settings_for",
]

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule: a stable id, a severity, and what it watches for (shown in the docs and legend)."""

    id: str
    severity: str
    label: str
    description: str


RULES: tuple[AlertRule, ...] = (
    AlertRule("account-missing", HIGH, N_("Account not linked"),
              N_("The participant has given no Wikipedia account: no edit can be counted.")),
    AlertRule("account-unverified", MEDIUM, N_("Account not verified"),
              N_("A Wikipedia username was entered but the participant has not proven it is theirs.")),
    AlertRule("topic-missing", MEDIUM, N_("No topic"),
              N_("The student has not proposed a topic (auditors are not expected to).")),
    AlertRule("topic-proposed", LOW, N_("Topic awaiting approval"),
              N_("The student's proposal waits for the instructor's decision.")),
    AlertRule("topic-changes-requested", MEDIUM, N_("Topic: changes requested"),
              N_("The instructor asked for changes and the student has not sent a new proposal.")),
    AlertRule("topic-rejected", HIGH, N_("Topic rejected"),
              N_("The proposal was rejected and no other topic is agreed.")),
    AlertRule("no-edit", HIGH, N_("No edit yet"),
              N_("The student has no edit while the restitution is near (configurable number of days).")),
    AlertRule("reverted", MEDIUM, N_("Contributions reverted"),
              N_("Some of the participant's edits were undone by a revert.")),
    AlertRule("article-deleted", HIGH, N_("Article deleted"),
              N_("An assigned article, or one the participant created, was deleted from the wiki.")),
    AlertRule("article-nominated", HIGH, N_("Article proposed for deletion"),
              N_("An assigned or created article carries a deletion or admissibility notice "
                 "(template or category) in its current version.")),
    AlertRule("draft-not-moved", MEDIUM, N_("Draft not published"),
              N_("An article to create is still a sandbox draft while the restitution is near.")),
    AlertRule("integrity-review", MEDIUM, N_("Integrity findings to review"),
              N_("The sync found passages copied from a cited source, impossible citations or "
                 "traces of AI tools that the instructor has not judged yet (never shown to "
                 "the student).")),
    AlertRule("integrity-confirmed", HIGH, N_("Integrity problem confirmed"),
              N_("The instructor confirmed an integrity finding (copied text, impossible "
                 "citation, AI traces).")),
    AlertRule("review-missing", MEDIUM, N_("Peer review missing"),
              N_("A peer review the student was asked for is not submitted after its deadline.")),
)
# Rules whose alerts only the instructor sees: an unjudged finding is not an accusation.
INSTRUCTOR_ONLY_RULES = frozenset({"integrity-review"})
RULES_BY_ID = {rule.id: rule for rule in RULES}


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert about one participant (and possibly one article)."""

    id: str
    rule: str
    severity: str
    participant_id: int
    message: Message
    next_step: Message
    student_step: Message
    article: str | None = None
    page_pk: int | None = None

    def to_dict(self, translate: Callable[[str], str] = str) -> dict[str, object]:
        """A JSON-ready copy; `translate` renders the messages (English by default)."""
        return {
            "id": self.id, "rule": self.rule, "severity": self.severity,
            "participant_id": self.participant_id, "article": self.article,
            "page_pk": self.page_pk, "message": translate(self.message),
            "next_step": translate(self.next_step), "student_step": translate(self.student_step),
        }


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """What the date-dependent rules need: today, the restitution day and the two thresholds."""

    today: dt.date
    restitution: dt.date
    end: dt.date
    no_edit_days: int = 21
    draft_days: int = 14

    @property
    def days_left(self) -> int:
        """Days from today to the restitution (negative once it is past)."""
        return (self.restitution - self.today).days


@dataclass(slots=True)
class ArticleFacts:
    """What the rules know about one article of a participant (assigned, or created by them)."""

    title: str
    kind: str  # "create" / "improve" (assigned) or "created" (not assigned, created by them)
    page_pk: int | None = None
    exists: bool = False
    deleted: bool = False
    notices: list[DeletionNotice] = field(default_factory=list)
    sandbox_title: str | None = None
    sandbox_has_content: bool = False
    sandbox_published: bool = False


@dataclass(slots=True)
class StudentFacts:
    """What the rules know about one participant."""

    participant_id: int
    name: str
    role: str
    account_status: str
    wiki_username: str | None
    assignment_status: str | None
    edits: int = 0
    reverted_edits: int = 0
    reverted_words: int = 0
    articles: list[ArticleFacts] = field(default_factory=list)
    integrity_unjudged: int = 0
    integrity_confirmed: int = 0
    # Peer reviews assigned to the student and not submitted: (reviewee's name, deadline).
    pending_reviews: list[tuple[str, dt.date | None]] = field(default_factory=list)


# -- rules ----------------------------------------------------------------------------------

Rule = Callable[[StudentFacts, AlertSettings], Iterable[Alert]]


def _alert(rule_id: str, facts: StudentFacts, message: Message, next_step: Message,
           student_step: Message, article: ArticleFacts | None = None) -> Alert:
    """Build an alert with its stable id and the rule's severity."""
    key = f"{rule_id}:{facts.participant_id}"
    if article is not None:
        key += f":{article.page_pk}" if article.page_pk else f":{article.title}"
    return Alert(key, rule_id, RULES_BY_ID[rule_id].severity, facts.participant_id, message,
                 next_step, student_step, article.title if article else None,
                 article.page_pk if article else None)


def account_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """No username at all, or one the participant has not proven."""
    if f.account_status == "missing":
        yield _alert("account-missing", f, Message(N_("No Wikipedia account is linked.")),
                     Message(N_("Ask %(name)s to link their Wikipedia account from their seminar page."),
                             name=f.name),
                     Message(N_("Link your Wikipedia account from your seminar page: until then "
                                "none of your edits can be counted.")))
    elif f.account_status == "unverified":
        account = f.wiki_username or ""
        yield _alert("account-unverified", f,
                     Message(N_("The Wikipedia account %(account)s is not verified."), account=account),
                     Message(N_("Ask %(name)s to confirm the account with the code shown on their "
                                "account page."), name=f.name),
                     Message(N_("Confirm that %(account)s is yours: save the code shown on your "
                                "account page on the wiki."), account=account))


def topic_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """No topic (students only), a proposal waiting, changes requested, or a rejection."""
    status = f.assignment_status
    if status is None:
        if f.role == Role.STUDENT:
            yield _alert("topic-missing", f, Message(N_("No topic proposed yet.")),
                         Message(N_("Remind %(name)s to propose a topic and the articles to write."),
                                 name=f.name),
                         Message(N_("Propose your topic and the articles you will create or improve.")))
    elif status == AssignmentStatus.PROPOSED:
        yield _alert("topic-proposed", f,
                     Message(N_("The topic proposal awaits the instructor's decision.")),
                     Message(N_("Review the proposal: approve it, ask for changes or reject it.")),
                     Message(N_("Wait for the instructor's answer; you can already write in your sandbox.")))
    elif status == AssignmentStatus.CHANGES_REQUESTED:
        yield _alert("topic-changes-requested", f,
                     Message(N_("Changes were requested on the topic proposal.")),
                     Message(N_("Check that %(name)s revises the proposal."), name=f.name),
                     Message(N_("Revise your proposal as the instructor asked, then send it again.")))
    elif status == AssignmentStatus.REJECTED:
        yield _alert("topic-rejected", f, Message(N_("The topic proposal was rejected.")),
                     Message(N_("Agree on another topic with %(name)s."), name=f.name),
                     Message(N_("Propose another topic (read the instructor's comment first).")))


def no_edit_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """A student without any edit when the restitution is at most `no_edit_days` away."""
    if f.role != Role.STUDENT or f.edits or s.today > s.end or s.days_left > s.no_edit_days:
        return
    yield _alert("no-edit", f,
                 Message.plural(NP_("No edit on the wiki yet, %(num)d day before the restitution.",
                                    "No edit on the wiki yet, %(num)d days before the restitution."),
                                max(s.days_left, 0)),
                 Message(N_("Contact %(name)s: a first edit in the sandbox can be made today."),
                         name=f.name),
                 Message(N_("Make a first edit now, in your sandbox if the article is not ready.")))


def reverted_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """Edits of the participant that a revert undid."""
    if not f.reverted_edits:
        return
    yield _alert("reverted", f,
                 Message.plural(NP_("%(num)d edit reverted (%(words)d words).",
                                    "%(num)d edits reverted (%(words)d words)."),
                                f.reverted_edits, words=f.reverted_words),
                 Message(N_("Read the diffs and the reverters' summaries with %(name)s before "
                            "anything is added back."), name=f.name),
                 Message(N_("Read why your edit was undone (the revert's summary, the talk page) "
                            "before adding it back with better sources.")))


def deletion_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """An article deleted, or carrying a deletion or admissibility notice."""
    for article in f.articles:
        if article.deleted:
            yield _alert("article-deleted", f,
                         Message(N_("The article %(title)s was deleted from the wiki."),
                                 title=article.title),
                         Message(N_("Read the deletion log and decide with %(name)s whether to "
                                    "rework the text in the sandbox."), name=f.name),
                         Message(N_("Ask the instructor how to recover your text and rework it "
                                    "in your sandbox.")), article)
        elif article.notices:
            names = ", ".join(n.name for n in article.notices)
            yield _alert("article-nominated", f,
                         Message(N_("The article %(title)s is proposed for deletion or its "
                                    "admissibility is questioned (%(notices)s)."),
                                 title=article.title, notices=names),
                         Message(N_("Help %(name)s add independent secondary sources and answer "
                                    "in the debate or on the talk page."), name=f.name),
                         Message(N_("Add independent secondary sources quickly and answer in the "
                                    "debate or on the article's talk page.")), article)


def draft_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """An article to create still only a sandbox draft when the restitution is near."""
    if s.today > s.end or s.days_left > s.draft_days:
        return
    for article in f.articles:
        if (article.kind == ArticleKind.CREATE and not article.exists and not article.deleted
                and article.sandbox_title and article.sandbox_has_content
                and not article.sandbox_published):
            yield _alert("draft-not-moved", f,
                         Message.plural(NP_(
                             "The draft %(sandbox)s of %(title)s is not in the article space "
                             "yet, %(num)d day before the restitution.",
                             "The draft %(sandbox)s of %(title)s is not in the article space "
                             "yet, %(num)d days before the restitution."),
                             max(s.days_left, 0), sandbox=article.sandbox_title, title=article.title),
                         Message(N_("Review the draft with %(name)s and plan its move to the "
                                    "article space."), name=f.name),
                         Message(N_("Once your draft is sourced, move (rename) it to the article "
                                    "title.")), article)


def review_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """Peer reviews not submitted once their deadline (a session's day or a date) is past."""
    late = sorted(name for name, due in f.pending_reviews if due is not None and s.today > due)
    if not late:
        return
    yield _alert("review-missing", f,
                 Message(N_("%(count)d peer review(s) not submitted after the deadline (%(names)s)."),
                         count=len(late), names=", ".join(late)),
                 Message(N_("Remind %(name)s to submit the peer review."), name=f.name),
                 Message(N_("Submit your peer review from your seminar page: the deadline is past.")))


def integrity_rule(f: StudentFacts, s: AlertSettings) -> Iterable[Alert]:
    """Integrity findings waiting for a verdict (instructor only), and confirmed ones."""
    if f.integrity_unjudged:
        yield _alert("integrity-review", f,
                     Message(N_("%(count)d integrity finding(s) to review."),
                             count=f.integrity_unjudged),
                     Message(N_("Compare each passage with its source on the integrity page "
                                "and give a verdict.")),
                     Message(N_("Nothing to do.")))
    if f.integrity_confirmed:
        yield _alert("integrity-confirmed", f,
                     Message(N_("%(count)d integrity problem(s) confirmed by the instructor."),
                             count=f.integrity_confirmed),
                     Message(N_("Talk with %(name)s about how to fix the passages."), name=f.name),
                     Message(N_("Read the instructor's note on your page and fix the passages: "
                                "quote and cite the source, or rewrite in your own words.")))


RULE_FUNCTIONS: tuple[Rule, ...] = (account_rule, topic_rule, no_edit_rule, reverted_rule,
                                    deletion_rule, draft_rule, integrity_rule,
                                    review_rule)


def evaluate(facts: Iterable[StudentFacts], settings: AlertSettings) -> dict[int, list[Alert]]:
    """Run every rule over every participant: participant id -> alerts, most severe first."""
    alerts: dict[int, list[Alert]] = {}
    for f in facts:
        found = [alert for rule in RULE_FUNCTIONS for alert in rule(f, settings)]
        alerts[f.participant_id] = sorted(found, key=lambda a: SEVERITY_ORDER[a.severity])
    return alerts


# -- facts from the database ----------------------------------------------------------------


def restitution_date(seminar: Seminar) -> dt.date:
    """The restitution day in the seminar's time zone (its last day when none is set)."""
    if seminar.restitution_at is None:
        return seminar.end_date
    return seminar.restitution_at.astimezone(ZoneInfo(seminar.timezone)).date()


def settings_for(seminar: Seminar, config: dict[str, object], today: dt.date) -> AlertSettings:
    """The thresholds of a seminar: its own no-edit days, else the config's."""
    no_edit = seminar.alert_no_edit_days
    if no_edit is None:
        no_edit = int(config.get("ALERTS_NO_EDIT_DAYS", 21))  # type: ignore[call-overload]
    return AlertSettings(today=today, restitution=restitution_date(seminar), end=seminar.end_date,
                         no_edit_days=int(no_edit),
                         draft_days=int(config.get("ALERTS_DRAFT_NOT_MOVED_DAYS", 14)))  # type: ignore[call-overload]


def _parse_notices(content: bytes | None, lang: str,
                   categories: tuple[str, ...]) -> tuple[DeletionNotice, ...]:
    """Notices of one stored revision text and the page's stored categories."""
    text = None if content is None else zlib.decompress(content).decode("utf-8")
    return tuple(deletion_notices(text, categories, lang=lang))


# (wiki id, rev id, language, categories) -> notices. A stored text never changes, so each
# revision is parsed once per process, not on every dashboard view; bounded in size.
_PARSED: dict[tuple[int, int, str, tuple[str, ...]], tuple[DeletionNotice, ...]] = {}
_PARSED_MAX = 20_000


def _current_texts(session: DbSession, wiki_id: int, pages: Sequence[Page]) -> dict[int, int]:
    """Page.id -> rev id of its current stored text (the last revision, else the latest stored)."""
    wanted = {p.id: p.last_rev_id for p in pages if p.last_rev_id}
    have = set(session.scalars(sa.select(RevisionText.rev_id).where(
        RevisionText.wiki_id == wiki_id, RevisionText.rev_id.in_(list(wanted.values()) or [-1]),
        RevisionText.content.is_not(None))))
    found = {pk: rev for pk, rev in wanted.items() if rev in have}
    rest = [p.id for p in pages if p.id not in found]
    if rest:  # one grouped query, not one per page: the latest revision with a stored text
        rows = session.execute(
            sa.select(Revision.page_pk, sa.func.max(Revision.rev_id))
            .join(RevisionText, sa.and_(RevisionText.wiki_id == Revision.wiki_id,
                                        RevisionText.rev_id == Revision.rev_id))
            .where(Revision.page_pk.in_(rest), RevisionText.content.is_not(None))
            .group_by(Revision.page_pk))
        found.update({pk: rev for pk, rev in rows})
    return found


def _notices(session: DbSession, seminar: Seminar, pages: Sequence[Page]) -> dict[int, list[DeletionNotice]]:
    """Page.id -> deletion notices of its current version (live article pages only)."""
    live = [p for p in pages if not p.deleted and p.namespace == NS_MAIN]
    if not live:
        return {}
    lang = seminar.wiki.lang or seminar.language or "fr"
    current = _current_texts(session, seminar.wiki_id, live)
    result: dict[int, list[DeletionNotice]] = {}
    todo: dict[int, Page] = {}
    for page in live:
        key = (seminar.wiki_id, current.get(page.id, 0), lang, tuple(page.categories or ()))
        if key in _PARSED:
            result[page.id] = list(_PARSED[key])
        else:
            todo[page.id] = page
    rev_ids = [current[pk] for pk in todo if pk in current]
    contents = dict(session.execute(sa.select(RevisionText.rev_id, RevisionText.content).where(
        RevisionText.wiki_id == seminar.wiki_id, RevisionText.rev_id.in_(rev_ids or [-1]))).all())
    for pk, page in todo.items():
        rev_id = current.get(pk, 0)
        categories = tuple(page.categories or ())
        notices = _parse_notices(contents.get(rev_id), lang, categories)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[(seminar.wiki_id, rev_id, lang, categories)] = notices
        result[pk] = list(notices)
    return result


def _latest_sizes(session: DbSession, page_pks: Iterable[int]) -> dict[int, int]:
    """Page.id -> size in bytes of its latest stored revision."""
    pks = list(set(page_pks))
    if not pks:
        return {}
    latest = (sa.select(Revision.page_pk, sa.func.max(Revision.rev_id).label("rev"))
              .where(Revision.page_pk.in_(pks)).group_by(Revision.page_pk).subquery())
    rows = session.execute(sa.select(Revision.page_pk, Revision.size).join(
        latest, sa.and_(latest.c.page_pk == Revision.page_pk, latest.c.rev == Revision.rev_id)))
    return {pk: size or 0 for pk, size in rows}


def collect_facts(session: DbSession, seminar: Seminar,
                  figures: Sequence[StudentFigures]) -> list[StudentFacts]:
    """Read what the rules need for these participants (figures from `student_figures`)."""
    ids = [f.participant_id for f in figures]
    participants = {p.id: p for p in session.scalars(
        sa.select(Participant).where(Participant.id.in_(ids or [-1]))
        .options(so.selectinload(Participant.assignment).selectinload(Assignment.articles)))}
    site = seminar.wiki.siteinfo
    wiki_id = seminar.wiki_id
    assigned: dict[int, list[AssignedArticle]] = {
        pid: list(p.assignment.articles) if p.assignment else [] for pid, p in participants.items()}
    page_ids = {a.wiki_page_id for arts in assigned.values() for a in arts if a.wiki_page_id}
    page_ids |= {a.sandbox_page_id for arts in assigned.values() for a in arts if a.sandbox_page_id}
    titles = {a.title for arts in assigned.values() for a in arts}
    titles |= {a.sandbox_title for arts in assigned.values() for a in arts if a.sandbox_title}
    by_user = {p.wiki_user_id: p.id for p in participants.values() if p.wiki_user_id}
    created: dict[int, set[int]] = defaultdict(set)
    if by_user:
        for user_id, page_pk in session.execute(
            sa.select(Revision.user_id, Revision.page_pk).join(Page, Page.id == Revision.page_pk)
            .where(Revision.wiki_id == wiki_id, Revision.user_id.in_(list(by_user)),
                   Revision.page_creation.is_(True), Revision.timestamp >= seminar.start_at,
                   Revision.timestamp < seminar.end_at, Page.namespace == NS_MAIN,
                   Page.redirect.is_(False)).distinct()
        ):
            assert user_id is not None  # selected by user_id IN (...)
            created[by_user[user_id]].add(page_pk)
    conditions = []
    if page_ids:
        conditions.append(Page.page_id.in_(list(page_ids)))
    if titles:
        conditions.append(Page.title.in_(list(titles)))
    created_pks = {pk for pks in created.values() for pk in pks}
    if created_pks:
        conditions.append(Page.id.in_(list(created_pks)))
    pages = list(session.scalars(sa.select(Page).where(Page.wiki_id == wiki_id, sa.or_(*conditions)))
                 ) if conditions else []
    by_page_id = {p.page_id: p for p in pages}
    by_pk = {p.id: p for p in pages}
    by_title: dict[str, Page] = {}
    for known in sorted(pages, key=lambda p: p.deleted):  # a live page wins over a deleted one
        by_title.setdefault(known.title, known)
    notices = _notices(session, seminar, pages)
    sandbox_pks = [p.id for p in pages if p.namespace != NS_MAIN]
    sizes = _latest_sizes(session, sandbox_pks)

    def find(page_id: int | None, title: str | None) -> Page | None:
        if page_id and page_id in by_page_id:
            return by_page_id[page_id]
        if title:
            ns, text = site.split_title(title)
            return by_title.get(site.full_title(ns, text)) or by_title.get(title)
        return None

    integrity = _integrity_counts(session, seminar)
    facts = []
    for fig in figures:
        participant = participants.get(fig.participant_id)
        assignment = participant.assignment if participant else None
        f = StudentFacts(fig.participant_id, fig.name, fig.role, fig.account_status,
                         fig.wiki_username, str(assignment.status) if assignment else None,
                         fig.edits, fig.reverted_edits, fig.reverted_words)
        seen: set[int] = set()
        for art in assigned.get(fig.participant_id, []):
            page = find(art.wiki_page_id, art.title)
            if page is not None and page.namespace != NS_MAIN and not page.deleted:
                page = None  # the title resolved to a non-article page: not the article
            sandbox = find(art.sandbox_page_id, art.sandbox_title) if art.sandbox_title else None
            facts_article = ArticleFacts(
                title=art.title, kind=str(art.kind), page_pk=page.id if page else None,
                exists=bool(page and not page.deleted) or (page is None and bool(art.exists_on_wiki)),
                deleted=bool(page and page.deleted), notices=notices.get(page.id, []) if page else [],
                sandbox_title=art.sandbox_title,
                sandbox_has_content=bool(sandbox and not sandbox.deleted and (
                    (sandbox.length or 0) > 0 or sizes.get(sandbox.id, 0) > 0)),
                sandbox_published=bool(sandbox and sandbox.namespace == NS_MAIN and not sandbox.deleted),
            )
            if page is not None:
                seen.add(page.id)
            f.articles.append(facts_article)
        for pk in sorted(created.get(fig.participant_id, ())):
            page = by_pk.get(pk)
            if page is None or pk in seen:
                continue
            f.articles.append(ArticleFacts(title=page.title, kind="created", page_pk=pk,
                                           exists=not page.deleted, deleted=page.deleted,
                                           notices=notices.get(pk, [])))
        f.integrity_unjudged, f.integrity_confirmed = integrity.get(fig.participant_id, (0, 0))
        facts.append(f)
    _add_pending_reviews(session, seminar, facts)
    return facts


def _integrity_counts(session: DbSession, seminar: Seminar) -> dict[int, tuple[int, int]]:
    """participant id -> (findings not judged, findings confirmed)."""
    from ..models import IntegrityFinding, Verdict

    rows = session.execute(
        sa.select(IntegrityFinding.participant_id,
                  sa.func.sum(sa.case((IntegrityFinding.verdict.is_(None), 1), else_=0)),
                  sa.func.sum(sa.case((IntegrityFinding.verdict == Verdict.CONFIRMED, 1),
                                      else_=0)))
        .where(IntegrityFinding.seminar_id == seminar.id)
        .group_by(IntegrityFinding.participant_id)).all()
    return {pid: (int(unjudged or 0), int(confirmed or 0)) for pid, unjudged, confirmed in rows}


def _add_pending_reviews(session: DbSession, seminar: Seminar, facts: list[StudentFacts]) -> None:
    """Fill each participant's peer reviews not submitted yet (one query)."""
    by_id = {f.participant_id: f for f in facts}
    if not by_id:
        return
    reviewee = so.aliased(Participant)
    rows = session.execute(
        sa.select(PeerReview.reviewer_id, reviewee.name, PeerReview.due_date, SeminarSession.date)
        .join(reviewee, reviewee.id == PeerReview.reviewee_id)
        .outerjoin(SeminarSession, SeminarSession.id == PeerReview.due_session_id)
        .where(PeerReview.seminar_id == seminar.id, PeerReview.submitted_at.is_(None),
               PeerReview.reviewer_id.in_(list(by_id)))).all()
    for reviewer_id, name, due_date, session_date in rows:
        by_id[reviewer_id].pending_reviews.append((name, session_date or due_date))


def seminar_alerts(session: DbSession, seminar: Seminar, figures: Sequence[StudentFigures],
                   settings: AlertSettings) -> dict[int, list[Alert]]:
    """Alerts of every participant in `figures`: participant id -> alerts, most severe first."""
    return evaluate(collect_facts(session, seminar, figures), settings)
