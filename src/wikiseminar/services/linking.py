"""Prove that a wiki account is the participant's: a one-time code saved on their user page,
or Wikimedia OAuth. Until then an account entered by the instructor stays "unverified"."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote

import sqlalchemy as sa

from ..dbsession import DbSession
from ..models import Participant
from ..models._types import utcnow
from ..wiki.client import WikiClient
from ..wiki.oauth import WikimediaIdentity
from ..wiki.types import NS_USER, SiteInfo, WikiUser, http_url
from .messages import N_, ServiceError

__all__ = [
    "CODE_TTL",
    "LINK_SUBPAGE",
    "LinkError",
    "check_onwiki_link",
    "clean_username",
    "code_expired",
    "edit_url",
    "link_oauth",
    "link_page_title",
    "bind_claim_by_wiki",
    "start_onwiki_link",
]

CODE_TTL = dt.timedelta(hours=24)
LINK_SUBPAGE = "wikiseminar"


class LinkError(ServiceError):
    """The account cannot be linked (yet); the message says what to do."""


def clean_username(siteinfo: SiteInfo, typed: str) -> str:
    """A typed username without `User:`-style prefix, underscores or surrounding spaces."""
    name = typed.replace("_", " ").strip()
    if ":" in name:
        prefix, rest = name.split(":", 1)
        if siteinfo.namespace_id(prefix) in (NS_USER, 3):
            name = rest.strip()
    return " ".join(name.split())


def link_page_title(siteinfo: SiteInfo, username: str) -> str:
    """`Utilisateur:Name/wikiseminar` on a French wiki: the user namespace's local name."""
    names = siteinfo.namespace_names(NS_USER)
    return f"{names[0] if names else 'User'}:{username}/{LINK_SUBPAGE}"


def edit_url(siteinfo: SiteInfo, title: str, preload_text: str = "") -> str:
    """The wiki's edit form for a page (index.php?action=edit), with text to preload."""
    url = f"{siteinfo.server}{siteinfo.script}?title={quote(title.replace(' ', '_'))}&action=edit"
    if preload_text:
        url += f"&preloadtext={quote(preload_text)}"
    return http_url(url)  # never a javascript: link, whatever the wiki says its server is


def code_expired(participant: Participant, now: dt.datetime | None = None) -> bool:
    """Whether the pending code is older than CODE_TTL (or there is none)."""
    created = participant.link_code_created_at
    if not participant.link_code or created is None:
        return True
    return (now or utcnow()) - created > CODE_TTL


def _clear_code(participant: Participant) -> None:
    participant.link_code = None
    participant.link_code_created_at = None
    participant.link_username = None
    participant.link_user_id = None


def _account(client: WikiClient, siteinfo: SiteInfo, name: str, sitename: str) -> WikiUser:
    """The wiki's record of an account, or LinkError when there is none."""
    found = client.users([name])
    user = found[0] if found else None
    if user is None or user.missing or user.invalid or not user.userid:
        raise LinkError(N_("there is no account %(name)r on %(wiki)s"), field="username",
                        name=name, wiki=sitename)
    return user


def _check_not_taken(session: DbSession, participant: Participant, userid: int | None,
                     name: str) -> None:
    """One wiki account belongs to one participant of a seminar."""
    if not userid:
        return
    other = session.scalar(sa.select(Participant).where(
        Participant.seminar_id == participant.seminar_id, Participant.id != participant.id,
        Participant.wiki_user_id == userid, Participant.wiki_verified.is_(True),
        Participant.removed_at.is_(None)))
    if other is not None:
        raise LinkError(N_("the account %(name)s is already linked to another participant"),
                        field="username", name=name)


def _mark_verified(participant: Participant, name: str, userid: int | None, method: str,
                   now: dt.datetime) -> None:
    """Record the proven account; a different account restarts the contribution watermark."""
    if participant.wiki_user_id != userid:
        participant.contribs_synced_until = None
    participant.wiki_username = name
    participant.wiki_user_id = userid
    participant.wiki_verified = True
    participant.wiki_verified_at = now
    participant.wiki_verification_method = method
    _clear_code(participant)


def start_onwiki_link(session: DbSession, participant: Participant, typed: str,
                      client: WikiClient, now: dt.datetime | None = None) -> str:
    """Check the account exists, then give a fresh one-time code for its user subpage."""
    wiki = participant.seminar.wiki
    siteinfo = wiki.siteinfo
    name = clean_username(siteinfo, typed)
    if not name:
        raise LinkError(N_("type your username on the wiki"), field="username")
    user = _account(client, siteinfo, name, wiki.sitename or wiki.api_url)
    _check_not_taken(session, participant, user.userid, user.name)
    participant.link_code = f"wikiseminar-{secrets.token_hex(6)}"
    participant.link_code_created_at = now or utcnow()
    participant.link_username = user.name
    participant.link_user_id = user.userid
    return participant.link_code


def check_onwiki_link(session: DbSession, participant: Participant, client: WikiClient,
                      now: dt.datetime | None = None) -> None:
    """Verify the account when its subpage holds the code and was last saved by that account.

    User subpages can be edited by anyone, so the code alone proves nothing: the revision
    that holds it must be by the claimed account (compared by user id, which survives renames).
    """
    now = now or utcnow()
    if not participant.link_code or not participant.link_username or not participant.link_user_id:
        raise LinkError(N_("there is no code to check: start again"))
    if code_expired(participant, now):
        _clear_code(participant)
        raise LinkError(N_("the code has expired: ask for a new one"))
    siteinfo = participant.seminar.wiki.siteinfo
    title = link_page_title(siteinfo, participant.link_username)
    infos = client.title_infos([title])
    if not infos or infos[0].missing or not infos[0].lastrevid:
        raise LinkError(N_("the page %(title)s does not exist yet: save it with the code, "
                           "then check again"), title=title)
    revision, text = next(iter(client.revision_texts([infos[0].lastrevid])), (None, None))
    if revision is None or text is None or not text.text \
            or participant.link_code not in text.text:
        raise LinkError(N_("the code is not on the page %(title)s: copy it exactly, save, "
                           "then check again"), title=title)
    if revision.userid != participant.link_user_id:
        raise LinkError(N_("the last edit of %(title)s was not made by %(name)s: save the page "
                           "yourself while signed in as %(name)s"),
                        title=title, name=participant.link_username)
    _check_not_taken(session, participant, participant.link_user_id, participant.link_username)
    _mark_verified(participant, revision.user or participant.link_username,
                   participant.link_user_id, "onwiki", now)
    bind_claim_by_wiki(session, participant)


def link_oauth(session: DbSession, participant: Participant, identity: WikimediaIdentity,
               client: WikiClient, now: dt.datetime | None = None) -> None:
    """Verify the account Wikimedia vouched for, with its local user id on the seminar's wiki.

    A global account that never visited this wiki has no local id yet: it is still verified,
    and the sync resolves the id by name once the local account exists.
    """
    found = client.users([identity.username])
    user = found[0] if found else None
    userid = user.userid if user is not None and not user.missing and not user.invalid else None
    name = user.name if user is not None and user.name else identity.username
    _check_not_taken(session, participant, userid, name)
    _mark_verified(participant, name, userid, "oauth", now or utcnow())
    bind_claim_by_wiki(session, participant)


def bind_claim_by_wiki(session: DbSession, participant: Participant) -> Participant:
    """A pending claimant who proved the wiki account named on the roster line gets the line."""
    from .enrolment import confirm_claim

    if participant.claim_of_id is None or not participant.wiki_verified \
            or not participant.wiki_user_id:
        return participant
    line = session.get(Participant, participant.claim_of_id)
    if line is None or line.user_id is not None or line.wiki_user_id != participant.wiki_user_id:
        return participant
    return confirm_claim(participant, "wiki")
