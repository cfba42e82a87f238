"""The public programme: off by default, nothing about students, .ics and text, registrations."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Registration, Seminar

from .publickit import add_open_session, make_public, register, states
from .test_web_calendar import one, parse_ics, unescape
from .webkit import login_as, seed, text_of


def test_a_private_seminar_has_no_public_page(app: Flask) -> None:
    world = seed(app)
    session_id = add_open_session(app, "sem-a")
    client = app.test_client()
    for path in ("/programme/sem-a", "/programme/sem-a.ics", "/programme/sem-a/text",
                 "/programme/nope"):
        assert client.get(path).status_code == 404, path
    status, _ = register(client, "sem-a", session_id, "Ana", "ana@example.org")
    assert status == 404
    assert states(app, session_id) == {}
    assert world.seminars["a"] == "sem-a"


def test_the_public_page_shows_the_programme_to_anyone(app: Flask) -> None:
    seed(app)
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == "sem-a"))
        assert seminar is not None
        seminar.description = "Un séminaire sur le travail numérique."
        seminar.restitution_at = dt.datetime(2027, 6, 25, 12, 0, tzinfo=dt.UTC)
        seminar.restitution_place = "Amphi B, bâtiment 2"
        db.session.commit()
    make_public(app, "sem-a")
    add_open_session(app, "sem-a")
    page = text_of(app.test_client().get("/programme/sem-a").get_data(as_text=True))
    assert "Cultures numériques" in page and "Un séminaire sur le travail numérique." in page
    assert "Les travailleurs du clic" in page and "Travail du clic" in page
    assert "Librairie La Colline, 12 rue des Tilleuls, 75011 Paris" in page
    assert "Antonio Casilli (En attendant les robots)" in page
    assert "6:30 PM" in page and "8:00 PM" in page and "Europe/Paris" in page
    assert "In-depth session: open to all" in page and "2 places left." in page
    # The restitution: 12:00 UTC is 14:00 in Paris in June.
    assert "Restitution session" in page and "Amphi B, bâtiment 2" in page and "June 25, 2027, 2:00 PM" in page

    feed = app.test_client().get("/programme/sem-a.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = parse_ics(feed.data)
    summaries = {unescape(one(e, "SUMMARY")) for e in events}
    assert {"Les travailleurs du clic", "Travail du clic"} <= summaries
    assert len(events) == 3  # two sessions and the restitution

    markdown = app.test_client().get("/programme/sem-a/text?format=md").get_data(as_text=True)
    assert markdown.startswith("## Cultures numériques")
    assert "Les travailleurs du clic, with Antonio Casilli (En attendant les robots)" in markdown
    assert "<http://localhost/programme/sem-a>" in markdown
    snippet = app.test_client().get("/programme/sem-a/text?format=html").get_data(as_text=True)
    assert "<li><strong>" in snippet and "12 rue des Tilleuls" in snippet
    french = app.test_client().get("/programme/sem-a", headers={"Accept-Language": "fr"})
    french_page = text_of(french.get_data(as_text=True))
    assert "Séance d’approfondissement : ouverte à toutes et à tous" in french_page
    assert "18:30–20:00" in french_page and "14:00" in french_page


def test_places_then_waiting_list_then_cancellation(app: Flask) -> None:
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=2)
    client = app.test_client()
    tokens = {}
    for name in ("Zoé Durand", "Ana Lopes", "Marc Petit", "Léa Blanc"):
        status, token = register(client, "sem-a", session_id, name,
                                 f"{name.split()[0].lower()}@example.org", "Université")
        assert status == 303 and token
        tokens[name] = token
    assert states(app, session_id) == {"Zoé Durand": "confirmed", "Ana Lopes": "confirmed",
                                       "Marc Petit": "waiting", "Léa Blanc": "waiting"}
    page = text_of(client.get("/programme/sem-a").get_data(as_text=True))
    assert "0 places left." in page and "Join the waiting list" in page
    mine = text_of(client.get(f"/programme/sem-a/r/{tokens['Marc Petit']}").get_data(as_text=True))
    assert "you are on the waiting list" in mine

    # Zoé cancels: Marc, first in line, takes her place; Léa keeps waiting.
    response = client.post(f"/programme/sem-a/r/{tokens['Zoé Durand']}/cancel")
    assert response.status_code == 303
    assert states(app, session_id) == {"Zoé Durand": "cancelled", "Ana Lopes": "confirmed",
                                       "Marc Petit": "confirmed", "Léa Blanc": "waiting"}
    mine = text_of(client.get(f"/programme/sem-a/r/{tokens['Marc Petit']}").get_data(as_text=True))
    assert "your place is confirmed" in mine
    # Cancelling twice changes nothing.
    client.post(f"/programme/sem-a/r/{tokens['Zoé Durand']}/cancel")
    assert states(app, session_id)["Léa Blanc"] == "waiting"
    # A made-up link is not found.
    assert client.post("/programme/sem-a/r/not-a-token/cancel").status_code == 404


def test_registration_pages_tell_nothing_about_others(app: Flask) -> None:
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=5)
    client = app.test_client()
    first = client.post(f"/programme/sem-a/sessions/{session_id}/register",
                        data={"name": "Ana", "email": "ana@example.org"})
    again = client.post(f"/programme/sem-a/sessions/{session_id}/register",
                        data={"name": "Quelqu'un", "email": "ANA@example.org"})
    # Same answer for a new and a known address: a redirect to a page of one's own.
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] != again.headers["Location"]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Ana" not in text_of(page).replace("Quelqu", "")
    public = text_of(client.get("/programme/sem-a").get_data(as_text=True))
    assert "ana@example.org" not in public and "Ana" not in public.split()


def test_registration_closes_at_the_instructors_time(app: Flask) -> None:
    seed(app)
    make_public(app, "sem-a")
    closed = add_open_session(app, "sem-a", title="Fermée",
                              closes=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    client = app.test_client()
    status, _ = register(client, "sem-a", closed, "Ana", "ana@example.org")
    assert status == 409 and states(app, closed) == {}
    page = text_of(client.get("/programme/sem-a").get_data(as_text=True))
    assert "Registration is closed." in page


def test_bad_input_is_a_form_error_and_requests_are_throttled(app: Flask) -> None:
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=100)
    app.config["PUBLIC_REGISTRATION_ATTEMPTS"] = 3
    client = app.test_client()
    bad = client.post(f"/programme/sem-a/sessions/{session_id}/register",
                      data={"name": "", "email": "not-an-address"},
                      headers={"Accept-Language": "fr"})
    assert bad.status_code == 400
    assert "adresse" in text_of(bad.get_data(as_text=True)).lower()
    codes = [register(client, "sem-a", session_id, f"P{i}", f"p{i}@example.org")[0]
             for i in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    assert len(states(app, session_id)) == 3


def test_the_instructor_sets_places_and_more_places_move_the_list_up(app: Flask) -> None:
    world = seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=1)
    client = app.test_client()
    for name in ("Ana", "Marc"):
        register(client, "sem-a", session_id, name, f"{name.lower()}@example.org")
    assert states(app, session_id) == {"Ana": "confirmed", "Marc": "waiting"}
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    with app.app_context():
        closes = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = instructor.post(f"/seminars/sem-a/calendar/{session_id}/edit", data={
        "title": "Les travailleurs du clic", "date": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
        "start_time": "18:30", "end_time": "20:00", "place": "Librairie", "kind": "in_depth",
        "address": "12 rue des Tilleuls", "places": "2", "registration_closes_date": closes,
        "registration_closes_time": "12:00"})
    assert response.status_code == 302, text_of(response.get_data(as_text=True))
    assert states(app, session_id) == {"Ana": "confirmed", "Marc": "confirmed"}
    with app.app_context():
        reg = db.session.scalar(sa.select(Registration).where(Registration.name == "Ana"))
        assert reg is not None
        closing = reg.session.registration_closes_at
        assert closing is not None and closing.hour in (10, 11)  # 12:00 Paris time in UTC


def test_the_public_forms_need_their_csrf_token(sqlite_app: Flask) -> None:
    app = sqlite_app  # CSRF protection on, as in production
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=2)
    client = app.test_client()
    status, _ = register(client, "sem-a", session_id, "Ana", "ana@example.org")
    assert status == 400 and states(app, session_id) == {}
    page = client.get("/programme/sem-a").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post(f"/programme/sem-a/sessions/{session_id}/register", data={
        "name": "Ana", "email": "ana@example.org", "csrf_token": token.group(1)})
    assert response.status_code == 303 and states(app, session_id) == {"Ana": "confirmed"}
    mine = response.headers["Location"]
    assert client.post(f"{mine}/cancel").status_code == 400  # no token: nothing cancelled
    assert states(app, session_id) == {"Ana": "confirmed"}


def test_the_instructor_turns_the_public_page_on_in_the_settings(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    assert client.get("/programme/sem-a").status_code == 404  # off by default
    instructor = app.test_client()
    login_as(instructor, world.users["instructor"])
    form = instructor.get("/seminars/sem-a/edit").get_data(as_text=True)
    assert 'name="public"' in form and 'name="publish_topics"' in form
    today = dt.date.today()
    data = {"title": "Cultures numériques", "start_date": (today - dt.timedelta(days=30)).isoformat(),
            "end_date": (today + dt.timedelta(days=120)).isoformat(), "timezone": "Europe/Paris",
            "public": "y"}
    response = instructor.post("/seminars/sem-a/edit", data=data)
    assert response.status_code == 302, text_of(response.get_data(as_text=True))
    assert client.get("/programme/sem-a").status_code == 200
    calendar = text_of(instructor.get("/seminars/sem-a/calendar").get_data(as_text=True))
    assert "See the public page" in calendar
    data.pop("public")
    assert instructor.post("/seminars/sem-a/edit", data=data).status_code == 302
    assert client.get("/programme/sem-a").status_code == 404
