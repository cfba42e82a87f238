"""Typing a roster line's email at the join form never makes that line yours.

The join makes a pending participant; it binds to the roster line when its holder links the
wiki account named on the line, when the instructor merges it (before/after shown), or, once
mail is sent, when the address is verified (`confirm_claim(pending, "email")`).
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wikiseminar.extensions import db
from wikiseminar.models import Participant, Role, Seminar, User
from wikiseminar.services.enrolment import EnrolmentError, confirm_claim
from wikiseminar.sync.pipeline import client_for

from .localwiki import LocalWiki
from .webkit import login_as, seed, text_of


def newcomer(email: str = "chloe@example.org") -> dict[str, str]:
    return {"passcode": "abcd2345", "name": "Someone Typing", "email": email,
            "password": "typed-password-1", "confirm": "typed-password-1"}


def add_roster_line(app: Flask, **fields: object) -> int:
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        line = Participant(seminar=seminar, **{"name": "Chloé Durand", "email": "Chloe@Example.org",
                                               "role": Role.AUDITOR, **fields})
        db.session.add(line)
        db.session.commit()
        return line.id


def get(app: Flask, participant_id: int) -> Participant:
    with app.app_context():
        found = db.session.get(Participant, participant_id)
        assert found is not None
        db.session.expunge(found)
        return found


def pending_of(app: Flask, line_id: int) -> Participant:
    with app.app_context():
        found = db.session.scalar(sa.select(Participant).where(Participant.claim_of_id == line_id))
        assert found is not None
        db.session.expunge(found)
        return found


def test_typing_a_roster_email_makes_a_pending_participant(app: Flask) -> None:
    world = seed(app)
    line_id = add_roster_line(app, wiki_username="Chloé W", wiki_user_id=4242)
    joiner = app.test_client()
    assert joiner.post("/join/invite-a", data=newcomer()).status_code == 302
    line = get(app, line_id)
    assert line.user_id is None and line.name == "Chloé Durand"  # the roster line is untouched
    pending = pending_of(app, line_id)
    assert pending.user_id is not None and pending.name == "Someone Typing"
    assert pending.wiki_user_id is None  # nothing of the roster line leaks to the claimant
    # The claimant's page says it is waiting; it does not show the line's account.
    page = text_of(joiner.get("/seminars/sem-a/me").get_data(as_text=True))
    assert "Chloé W" not in page and "waiting" in page
    # The instructor sees the claim and can merge it after a before/after page.
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    listing = text_of(instructor.get("/seminars/sem-a/participants").get_data(as_text=True))
    assert "Pending claims" in listing and "Someone Typing" in listing
    review = text_of(instructor.get(f"/seminars/sem-a/participants/{pending.id}/merge")
                     .get_data(as_text=True))
    assert "Before" in review and "After" in review and "Chloé Durand" in review
    assert get(app, line_id).user_id is None  # looking writes nothing
    done = instructor.post(f"/seminars/sem-a/participants/{pending.id}/merge")
    assert done.status_code == 302
    line = get(app, line_id)
    assert line.user_id == pending.user_id and line.role == Role.AUDITOR
    with app.app_context():
        assert db.session.get(Participant, pending.id) is None


@pytest.mark.wiki
def test_linking_the_roster_account_binds_the_line(app: Flask, wiki: LocalWiki) -> None:
    world = seed(app, api_url=wiki.api_url, siteinfo=client_for(wiki.api_url, app.config).siteinfo())
    name = f"Chloé {uuid.uuid4().hex[:6]}"
    ids = wiki.create_users([name])
    line_id = add_roster_line(app, wiki_username=name, wiki_user_id=ids[name])
    joiner = app.test_client()
    joiner.post("/join/invite-a", data=newcomer())
    pending = pending_of(app, line_id)
    joiner.post("/seminars/sem-a/me/account", data={"username": name})
    code = get(app, pending.id).link_code
    assert code
    wiki.edit_as(name, f"Utilisateur:{name}/wikiseminar", code)
    joiner.post("/seminars/sem-a/me/account/check")
    line = get(app, line_id)
    assert line.user_id == pending.user_id
    assert line.wiki_verified and line.wiki_user_id == ids[name]
    with app.app_context():
        assert db.session.get(Participant, pending.id) is None
    assert joiner.get("/seminars/sem-a/me").status_code == 200
    assert world.participants


def test_confirm_claim_by_email_and_its_refusals(app: Flask) -> None:
    seed(app)
    line_id = add_roster_line(app)
    app.test_client().post("/join/invite-a", data=newcomer())
    pending = pending_of(app, line_id)
    with app.app_context():
        row = db.session.get(Participant, pending.id)
        assert row is not None
        with pytest.raises(ValueError):
            confirm_claim(row, "guess")
        bound = confirm_claim(row, "email")
        db.session.commit()
        assert bound.id == line_id and bound.user is not None
        assert bound.user.email == "chloe@example.org"
    # A second claim on a line already bound is refused.
    app.test_client().post("/join/invite-a", data=newcomer())  # same email: account exists
    with app.app_context():
        other = User(email="other@example.org", name="Other")
        db.session.add(other)
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        late = Participant(seminar=seminar, user=other, name="Other", email=other.email,
                           role=Role.STUDENT, claim_of_id=line_id)
        db.session.add(late)
        db.session.commit()
        with pytest.raises(EnrolmentError):
            confirm_claim(late, "instructor")


def test_signed_in_join_with_roster_email_is_pending_too(app: Flask) -> None:
    world = seed(app)
    with app.app_context():
        user = db.session.get(User, world.users["site_instructor"])
        assert user is not None
        email = user.email
    line_id = add_roster_line(app, email=email)
    client: FlaskClient = app.test_client()
    login_as(client, world.users["site_instructor"])
    client.post("/join/invite-a", data={"passcode": "abcd2345"})
    assert get(app, line_id).user_id is None
    assert pending_of(app, line_id).user_id == world.users["site_instructor"]
