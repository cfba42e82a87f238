"""Linking the wiki account: the on-wiki code against the real MediaWiki, and Wikimedia OAuth
against a stand-in OAuth server (PKCE S256, state, and no token kept anywhere)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wikiseminar.extensions import db
from wikiseminar.models import Participant, User, Wiki
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki
from .oauthmock import OAuthMock, oauth_server
from .webkit import World, login_as, seed, text_of

pytestmark = pytest.mark.wiki

ACCOUNT = "/seminars/sem-a/me/account"


def seed_on_wiki(app: Flask, wiki: LocalWiki) -> World:
    """The seeded world, its seminars on the local French MediaWiki."""
    return seed(app, api_url=wiki.api_url,
                siteinfo=client_for(wiki.api_url, app.config).siteinfo())


def student(app: Flask, world: World) -> Participant:
    with app.app_context():
        participant = db.session.get(Participant, world.participants["student"])
        assert participant is not None
        db.session.expunge(participant)
        return participant


def check(client: FlaskClient, lang: str = "en") -> str:
    """Press "Check"; return the text of the page it lands on."""
    response = client.post(f"{ACCOUNT}/check", headers={"Accept-Language": lang},
                           follow_redirects=True)
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


def test_onwiki_code_links_the_account_end_to_end(app: Flask, wiki: LocalWiki) -> None:
    world = seed_on_wiki(app, wiki)
    name = f"Lina {uuid.uuid4().hex[:6]}"
    intruder = f"Intrus {uuid.uuid4().hex[:6]}"
    ids = wiki.create_users([name, intruder])
    client = app.test_client()
    login_as(client, world.users["student"])

    # Typed the way students do: namespace prefix, underscores, lower-case first letter.
    typed = "Utilisateur:" + (name[0].lower() + name[1:]).replace(" ", "_")
    response = client.post(ACCOUNT, data={"username": typed})
    assert response.status_code == 302
    page = client.get(ACCOUNT).get_data(as_text=True)
    me = student(app, world)
    code = me.link_code
    assert code and code in page
    title = f"Utilisateur:{name}/wikiseminar"  # the French local namespace name, from siteinfo
    assert title in text_of(page)
    assert "action=edit" in page and "Utilisateur:" in page

    # Not saved yet.
    assert "does not exist yet" in check(client)
    # Someone else saves the code on the student's subpage: not a proof.
    wiki.edit_as(intruder, title, f"Code : {code}")
    assert f"was not made by {name}" in check(client)
    assert not student(app, world).wiki_verified
    # The account itself saves it: verified.
    wiki.edit_as(name, title, f"Mon code wikiseminar : {code}")
    landing = check(client)
    assert f"Your account {name} is verified" in landing
    me = student(app, world)
    assert me.wiki_verified and me.wiki_verification_method == "onwiki"
    assert me.wiki_user_id == ids[name] and me.wiki_username == name
    assert me.link_code is None and me.account_status == "verified"
    # The code is single-use.
    assert "There is no code to check" in check(client)


def test_codes_expire_and_unknown_accounts_are_refused(app: Flask, wiki: LocalWiki) -> None:
    world = seed_on_wiki(app, wiki)
    name = f"Lent {uuid.uuid4().hex[:6]}"
    wiki.create_users([name])
    client = app.test_client()
    login_as(client, world.users["student"])

    unknown = client.post(ACCOUNT, data={"username": f"Personne {uuid.uuid4().hex}"},
                          headers={"Accept-Language": "fr"})
    assert unknown.status_code == 200
    assert "Il n’existe pas de compte" in text_of(unknown.get_data(as_text=True))
    assert student(app, world).link_code is None

    client.post(ACCOUNT, data={"username": name})
    code = student(app, world).link_code
    wiki.edit_as(name, f"Utilisateur:{name}/wikiseminar", code or "")
    with app.app_context():
        me = db.session.get(Participant, world.participants["student"])
        assert me is not None
        me.link_code_created_at = me.link_code_created_at - dt.timedelta(hours=25)
        db.session.commit()
    assert "The code has expired" in check(client)
    after = student(app, world)
    assert after.link_code is None and not after.wiki_verified


def test_roster_accounts_stay_unverified_until_linked(app: Flask, wiki: LocalWiki) -> None:
    world = seed_on_wiki(app, wiki)
    client = app.test_client()
    login_as(client, world.users["student"])
    page = text_of(client.get("/seminars/sem-a/me").get_data(as_text=True))
    assert "Élodie M" in page and "unverified" in page
    login_as(client, world.users["instructor"])
    listing = text_of(client.get("/seminars/sem-a/participants").get_data(as_text=True))
    assert "Élodie M unverified" in listing


# -- Wikimedia OAuth -------------------------------------------------------------------------


def oauth_app(app: Flask, mock: OAuthMock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the app at the fake OAuth server; treat the local wiki as a Wikimedia one."""
    app.config.update(mock.config())
    monkeypatch.setattr(Wiki, "is_wikimedia", property(lambda self: True))


def session_cookie(app: Flask, client: FlaskClient) -> dict[str, object]:
    """The decoded cookie session of a test client."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        return {}
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return dict(serializer.loads(cookie.value))


def database_text(app: Flask) -> str:
    """Every value of every table, as one string (to look for a leaked token)."""
    with app.app_context():
        chunks = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                chunks.append(" ".join(str(v) for v in row))
        return "\n".join(chunks)


def test_oauth_links_with_pkce_checks_state_and_keeps_no_token(
        app: Flask, wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch) -> None:
    world = seed_on_wiki(app, wiki)
    name = f"Oauth {uuid.uuid4().hex[:6]}"
    ids = wiki.create_users([name])
    with oauth_server() as mock:
        mock.username, mock.sub = name, "98765"
        oauth_app(app, mock, monkeypatch)
        client = app.test_client()
        login_as(client, world.users["student"])
        assert "Sign in with Wikimedia" in client.get(ACCOUNT).get_data(as_text=True)

        start = client.post(f"{ACCOUNT}/wikimedia")
        assert start.status_code == 302
        authorize = start.headers["Location"]
        assert authorize.startswith(f"{mock.base}/oauth2/authorize?")
        code, query = mock.approve(authorize)
        assert query["response_type"] == "code" and query["client_id"] == "wikiseminar-test-client"
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
        assert query["redirect_uri"] == "http://localhost/auth/wikimedia/callback"
        assert "scope" not in query  # identity only: the consumer's grant, nothing more asked
        kept = session_cookie(app, client)["wikimedia_oauth"]
        assert isinstance(kept, dict) and kept["state"] == query["state"]

        # A forged state is refused before any call to the token endpoint, and spends the state.
        forged = client.get(f"/auth/wikimedia/callback?code={code}&state=forged",
                            follow_redirects=True)
        assert "expired or forged" in text_of(forged.get_data(as_text=True))
        assert mock.token_requests == []
        replay = client.get(f"/auth/wikimedia/callback?code={code}&state={query['state']}",
                            follow_redirects=True)
        assert "expired or forged" in text_of(replay.get_data(as_text=True))
        assert mock.token_requests == []

        # The real round trip.
        start = client.post(f"{ACCOUNT}/wikimedia")
        code, query = mock.approve(start.headers["Location"])
        done = client.get(f"/auth/wikimedia/callback?code={code}&state={query['state']}")
        assert done.status_code == 302 and done.headers["Location"].endswith("/seminars/sem-a/me")
        assert len(mock.token_requests) == 1 and mock.profile_requests == 1
        sent = mock.token_requests[0]
        assert sent["grant_type"] == "authorization_code" and sent["code_verifier"]

        me = student(app, world)
        assert me.wiki_verified and me.wiki_verification_method == "oauth"
        assert me.wiki_username == name and me.wiki_user_id == ids[name]
        with app.app_context():
            user = db.session.get(User, world.users["student"])
            assert user is not None and user.wikimedia_sub == "98765"
        # No token anywhere: not in the cookie session, not in the database.
        token = mock.tokens[0]
        cookie = session_cookie(app, client)
        assert "wikimedia_oauth" not in cookie
        assert token not in repr(cookie)
        assert token not in database_text(app) and "refresh-" not in database_text(app)

        # Sign in with Wikimedia later, from a fresh browser.
        other = app.test_client()
        assert "Sign in with Wikimedia" in other.get("/auth/login").get_data(as_text=True)
        start = other.get("/auth/wikimedia/login")
        code, query = mock.approve(start.headers["Location"])
        signed = other.get(f"/auth/wikimedia/callback?code={code}&state={query['state']}",
                           follow_redirects=True)
        assert "Élodie Martin" in signed.get_data(as_text=True)
        assert session_cookie(app, other).get("_user_id", "").split(":")[0] == str(world.users["student"])


def test_join_with_wikimedia_creates_a_verified_participant(
        app: Flask, wiki: LocalWiki, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_on_wiki(app, wiki)
    name = f"Joiner {uuid.uuid4().hex[:6]}"
    ids = wiki.create_users([name])
    with oauth_server() as mock:
        mock.username, mock.sub = name, "55555"
        oauth_app(app, mock, monkeypatch)
        client = app.test_client()
        page = client.get("/join/invite-a").get_data(as_text=True)
        assert "Join with my Wikimedia account" in page
        start = client.post("/join/invite-a", data={
            "passcode": "ABCD 2345", "name": "Jo Wiki", "email": "jo@example.org",
            "with_wikimedia": "1"})
        assert start.status_code == 302 and start.headers["Location"].startswith(mock.base)
        code, query = mock.approve(start.headers["Location"])
        done = client.get(f"/auth/wikimedia/callback?code={code}&state={query['state']}")
        assert done.status_code == 302
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.email == "jo@example.org"))
            assert user is not None and user.wikimedia_sub == "55555" and user.password_hash is None
            participant = db.session.scalar(sa.select(Participant).where(
                Participant.user_id == user.id))
            assert participant is not None and participant.wiki_verified
            assert participant.wiki_user_id == ids[name]
        assert session_cookie(app, client).get("_user_id", "").split(":")[0] == str(user.id)


def test_wikimedia_sign_in_for_an_unknown_identity_signs_nobody_in(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(app)
    with oauth_server() as mock:
        oauth_app(app, mock, monkeypatch)
        client = app.test_client()
        start = client.get("/auth/wikimedia/login")
        code, query = mock.approve(start.headers["Location"])
        page = client.get(f"/auth/wikimedia/callback?code={code}&state={query['state']}",
                          follow_redirects=True)
        assert "No account here is linked" in text_of(page.get_data(as_text=True))
        assert "_user_id" not in session_cookie(app, client)
        # A user who cancels on Wikimedia's page comes back with an error, not a code.
        start = client.get("/auth/wikimedia/login")
        state = parse_qs(urlparse(start.headers["Location"]).query)["state"][0]
        page = client.get(f"/auth/wikimedia/callback?error=access_denied&state={state}",
                          follow_redirects=True)
        assert "cancelled" in text_of(page.get_data(as_text=True))
