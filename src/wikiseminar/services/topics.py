"""Topics and assignments: the catalogue, a student's proposal checked against the wiki,
and the instructor's decision."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..dbsession import DbSession
from ..models import (
    ArticleKind,
    AssignedArticle,
    Assignment,
    AssignmentStatus,
    Participant,
    Topic,
    User,
)
from ..models._types import utcnow
from ..wiki.client import WikiClient
from ..wiki.types import NS_MAIN, NS_USER, PageInfo, SiteInfo
from .messages import N_, Message, ServiceError

__all__ = [
    "DECISIONS",
    "EDITABLE",
    "MAX_ARTICLES",
    "ArticleCheck",
    "ArticleRequest",
    "TopicError",
    "check_articles",
    "decide",
    "default_sandbox",
    "save_proposal",
]

MAX_ARTICLES = 5
# A student may (re)write the proposal in these states; an approved one is settled.
EDITABLE = (AssignmentStatus.PROPOSED, AssignmentStatus.CHANGES_REQUESTED,
            AssignmentStatus.REJECTED)
DECISIONS = (AssignmentStatus.APPROVED, AssignmentStatus.CHANGES_REQUESTED,
             AssignmentStatus.REJECTED)


class TopicError(ServiceError):
    """A proposal or decision that cannot be saved as typed."""


@dataclass(frozen=True, slots=True)
class ArticleRequest:
    """One article line as the student typed it."""

    title: str
    kind: ArticleKind
    sandbox: str = ""


@dataclass(slots=True)
class ArticleCheck:
    """What the wiki says about one requested article: normalised titles, existence, problems."""

    request: ArticleRequest
    title: str = ""
    exists: bool | None = None
    page_id: int | None = None
    sandbox_title: str | None = None
    sandbox_page_id: int | None = None
    errors: dict[str, Message] = field(default_factory=dict)
    warnings: list[Message] = field(default_factory=list)


def default_sandbox(siteinfo: SiteInfo, username: str, number: int = 1) -> str:
    """`Utilisateur:Name/Brouillon` (fr) or `User:Name/sandbox`, numbered after the first."""
    names = siteinfo.namespace_names(NS_USER)
    base = "Brouillon" if siteinfo.lang == "fr" else "sandbox"
    suffix = f" {number}" if number > 1 else ""
    return f"{names[0] if names else 'User'}:{username}/{base}{suffix}"


def check_articles(client: WikiClient, siteinfo: SiteInfo, requests: list[ArticleRequest],
                   username: str | None, sitename: str) -> list[ArticleCheck]:
    """Normalise titles with the wiki and check each against its kind (one API request).

    "create" of an existing article and "improve" of a missing one are errors; a redirect
    is a warning. An empty draft of a "create" article gets the user-namespace default.
    """
    checks = [ArticleCheck(request=r) for r in requests]
    creates = 0
    for check in checks:
        sandbox = check.request.sandbox.strip()
        if not sandbox and check.request.kind == ArticleKind.CREATE and username:
            creates += 1
            sandbox = default_sandbox(siteinfo, username, creates)
        check.sandbox_title = sandbox or None
    typed = [c.request.title.strip() for c in checks]
    typed += [c.sandbox_title for c in checks if c.sandbox_title]
    answers = client.normalise_titles(sorted(set(typed))) if typed else {}
    seen: dict[str, int] = {}
    for index, check in enumerate(checks):
        _check_title(check, answers.get(check.request.title.strip(), "invalid title"), sitename)
        if check.title and check.title in seen:
            check.errors["title"] = Message(N_("%(title)s is already in the list"),
                                            title=check.title)
        seen.setdefault(check.title, index)
        if check.sandbox_title:
            _check_sandbox(check, answers.get(check.sandbox_title, "invalid title"), siteinfo)
    return checks


def _invalid(typed: str, reason: str) -> Message:
    """"X is not a valid title": the wiki's reason only when it gave one (it is in English)."""
    if reason == "invalid title":
        return Message(N_("%(title)r is not a valid title"), title=typed)
    return Message(N_("%(title)r is not a valid title (%(reason)s)"), title=typed, reason=reason)


def _check_title(check: ArticleCheck, answer: PageInfo | str, sitename: str) -> None:
    """Fill in the normalised title and existence, or the error the student must fix."""
    typed = check.request.title.strip()
    if isinstance(answer, str):
        check.errors["title"] = _invalid(typed, answer)
        return
    check.title = answer.title
    if answer.namespace != NS_MAIN:
        check.errors["title"] = Message(
            N_("%(title)s is not an article: give a title without namespace prefix"),
            title=answer.title)
        return
    check.exists = not answer.missing
    check.page_id = answer.pageid or None
    if check.request.kind == ArticleKind.CREATE and check.exists and not answer.redirect:
        check.errors["title"] = Message(
            N_("%(title)s already exists on %(wiki)s: choose “improve”, or another title"),
            title=answer.title, wiki=sitename)
    elif check.request.kind == ArticleKind.IMPROVE and not check.exists:
        check.errors["title"] = Message(
            N_("%(title)s does not exist on %(wiki)s: choose “create”, or check the spelling"),
            title=answer.title, wiki=sitename)
    elif answer.redirect:
        check.warnings.append(Message(
            N_("%(title)s is a redirect on %(wiki)s: make sure it is the article you mean"),
            title=answer.title, wiki=sitename))


def _check_sandbox(check: ArticleCheck, answer: PageInfo | str, siteinfo: SiteInfo) -> None:
    """A draft lives in the user namespace (or Draft, where the wiki has one)."""
    if isinstance(answer, str):
        check.errors["sandbox"] = _invalid(check.sandbox_title or "", answer)
        return
    allowed = {NS_USER} | ({siteinfo.draft_namespace} if siteinfo.draft_namespace else set())
    if answer.namespace not in allowed:
        names = siteinfo.namespace_names(NS_USER)
        check.errors["sandbox"] = Message(
            N_("a draft is a subpage of your user page, such as %(example)s"),
            example=f"{names[0] if names else 'User'}:…/Brouillon")
        return
    check.sandbox_title = answer.title
    check.sandbox_page_id = None if answer.missing else answer.pageid or None


def save_proposal(session: DbSession, participant: Participant, *, topic: Topic | None,
                  new_title: str, new_description: str, note: str,
                  checks: list[ArticleCheck]) -> Assignment:
    """Store a checked proposal (new topic or catalogue one); it awaits a decision again."""
    assignment = participant.assignment
    if assignment is not None and assignment.status not in EDITABLE:
        raise TopicError(N_("your topic is approved: ask the instructor to change it"))
    if not checks:
        raise TopicError(N_("give at least one article"), field="articles")
    if any(c.errors for c in checks):
        raise TopicError(N_("some articles need fixing"), field="articles")
    if topic is None:
        if not new_title.strip():
            raise TopicError(N_("give your topic a title, or take one from the catalogue"),
                             field="new_title")
        previous = assignment.topic if assignment is not None else None
        if previous is not None and not previous.in_catalogue \
                and previous.proposed_by_id == participant.id:
            topic = previous  # revise the student's own topic rather than pile up new ones
        else:
            topic = Topic(seminar_id=participant.seminar_id, in_catalogue=False,
                          proposed_by_id=participant.id)
            session.add(topic)
        topic.title = new_title.strip()
        topic.description = new_description.strip()
    if assignment is None:
        assignment = Assignment(participant=participant)
        session.add(assignment)
    assignment.topic = topic
    assignment.status = AssignmentStatus.PROPOSED
    assignment.student_note = note.strip()
    assignment.decided_at = None
    assignment.articles.clear()
    now = utcnow()
    for check in checks:
        assignment.articles.append(AssignedArticle(
            title=check.title, kind=check.request.kind, sandbox_title=check.sandbox_title,
            exists_on_wiki=check.exists, wiki_page_id=check.page_id,
            sandbox_page_id=check.sandbox_page_id, checked_at=now))
    return assignment


def decide(assignment: Assignment, decision: AssignmentStatus, comment: str, by: User) -> None:
    """Approve, ask for changes, or reject; the last two need a comment for the student."""
    if decision not in DECISIONS:
        raise TopicError(N_("choose a decision"), field="decision")
    if decision != AssignmentStatus.APPROVED and not comment.strip():
        raise TopicError(N_("say what should change, in a comment for the student"),
                         field="comment")
    assignment.status = decision
    assignment.instructor_comment = comment.strip()
    assignment.decided_at = utcnow()
    assignment.decided_by_id = by.id
