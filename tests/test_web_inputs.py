"""Odd inputs get the app's error page or a form error, never a 500 (issue 11 items 9, 11).

Every test runs on SQLite and PostgreSQL: PostgreSQL refuses integers out of range and NUL
characters in text, where SQLite stores them.
"""

from __future__ import annotations

import pytest
from flask import Flask

from wikiseminar.wiki.types import SiteInfo

from .oauthmock import oauth_server
from .webkit import french_siteinfo, login_as, seed, text_of

HUGE_IDS = (2**31, 2**63, 2**64 + 5)


def assert_error_page(response: object, *codes: int) -> None:
    """An error page of the app (its layout, its wording), with one of the expected codes."""
    status = response.status_code  # type: ignore[attr-defined]
    assert status in codes, status
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Back to the home page" in text_of(html), html[:300]


def test_ids_beyond_the_database_integers_are_not_found(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    for big in HUGE_IDS:
        for method, path in (
                ("GET", f"/seminars/sem-a/calendar/{big}/edit"),
                ("GET", f"/seminars/sem-a/assignments/{big}"),
                ("GET", f"/seminars/sem-a/participants/{big}/delete"),
                ("POST", f"/seminars/sem-a/participants/{big}/remove"),
                ("POST", f"/seminars/sem-a/topics/{big}/delete"),
                ("GET", f"/seminars/sem-a/grading/students/{big}"),
                ("GET", f"/seminars/sem-a/grading/rubric/{big}")):
            assert_error_page(client.open(path, method=method), 404)
    # Page numbers and ids in the query string are bounded too.
    assert client.get(f"/seminars/sem-a/dashboard?page={2**70}").status_code == 200
    student = app.test_client()
    login_as(student, world.users["student"])
    assert student.get(f"/seminars/sem-a/me/topic?topic={2**70}").status_code == 200


def test_a_session_cookie_with_a_huge_id_is_anonymous(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    for forged in (f"{2**64}:whatever", "²:token", ":", "1", "-1:x"):
        with client.session_transaction() as sess:
            sess["_user_id"] = forged
        assert client.get("/").status_code == 200, forged


def test_nul_bytes_in_forms_queries_and_paths_are_refused(app: Flask) -> None:
    world = seed(app)
    client = app.test_client()
    assert_error_page(client.post("/auth/login", data={"email": "ines@example.org\x00",
                                                       "password": "x\x00"}), 400)
    login_as(client, world.users["instructor"])
    assert_error_page(client.post("/seminars/sem-a/calendar/new", data={
        "title": "Séance\x00", "date": "2026-05-04", "kind": "thematic"}), 400)
    assert_error_page(client.post("/seminars/sem-a/topics/new", data={"title": "\x00"}), 400)
    assert_error_page(client.get("/seminars/sem-a/participants?q=%00"), 400)
    assert_error_page(client.get("/seminars/sem%00a/"), 400, 404)
    assert_error_page(client.get("/join/invite%00a"), 400, 404)


@pytest.mark.parametrize("target", ["/\nSet-Cookie: x=1", "/seminars\r\nX: y", "/ok\x00"])
def test_a_newline_or_nul_in_next_never_reaches_a_header(app: Flask, target: str) -> None:
    seed(app)
    client = app.test_client()
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": "ines@example.org", "password": "correct-horse-battery"})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.headers["Location"] == "/"
    language = client.get("/auth/lang/fr", query_string={"next": target})
    assert language.status_code in (302, 400)
    if language.status_code == 302:
        assert language.headers["Location"] == "/"


def test_an_invalid_or_used_oauth_code_gets_the_error_page(app: Flask) -> None:
    seed(app)
    with oauth_server() as mock:
        app.config.update(mock.config())
        client = app.test_client()
        start = client.get("/auth/wikimedia/login")
        assert start.status_code == 302
        code, query = mock.approve(start.headers["Location"])
        mock.grants.pop(code)  # expired on the server's side
        answer = client.get("/auth/wikimedia/callback",
                            query_string={"code": code, "state": query["state"]})
        assert_error_page(answer, 400)
        assert "Wikimedia did not confirm the sign-in" in text_of(answer.get_data(as_text=True))
        # A made-up code, with a fresh state.
        start = client.get("/auth/wikimedia/login")
        _code, query = mock.approve(start.headers["Location"])
        answer = client.get("/auth/wikimedia/callback",
                            query_string={"code": "made-up", "state": query["state"]})
        assert_error_page(answer, 400)


SEMINAR_FORM = {"title": "Cultures numériques", "start_date": "2026-09-01",
                "end_date": "2026-12-20", "timezone": "Europe/Paris"}


@pytest.mark.parametrize(("path", "data"), [
    ("/seminars/sem-a/edit", {**SEMINAR_FORM, "end_date": "9999-12-31"}),
    ("/seminars/sem-a/edit", {**SEMINAR_FORM, "start_date": "0001-01-01"}),
    ("/seminars/sem-a/edit", {**SEMINAR_FORM, "restitution_date": "9999-12-31",
                              "restitution_time": "23:59"}),
    ("/seminars/new", {**SEMINAR_FORM, "slug": "late", "end_date": "9999-12-31",
                       "api_url": "https://fr.wikipedia.org/w/api.php"}),
    ("/seminars/sem-a/calendar/new", {"title": "Séance", "date": "9999-12-31",
                                      "kind": "thematic"}),
    ("/seminars/sem-a/calendar/new", {"title": "Séance", "date": "0001-01-01",
                                      "kind": "thematic"}),
    ("/seminars/sem-a/programme/settings", {"restitution_date": "0001-01-01",
                                            "restitution_time": "00:00",
                                            "presentation_minutes": "10", "break_every": "0",
                                            "break_minutes": "0"}),
    ("/seminars/sem-a/programme/settings", {"restitution_date": "9999-12-31",
                                            "restitution_time": "23:59",
                                            "presentation_minutes": "10", "break_every": "0",
                                            "break_minutes": "0"}),
    ("/seminars/sem-a/grading/settings", {"settings-grade_scale": "20",
                                          "settings-freeze_date": "9999-12-31",
                                          "settings-freeze_time": "23:59"}),
])
def test_dates_out_of_bounds_are_form_errors(app: Flask, path: str, data: dict[str, str]) -> None:
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    response = client.post(path, data=data)
    assert response.status_code in (200, 400), response.status_code
    assert "between 2000 and 2100" in text_of(response.get_data(as_text=True))
    # Nothing was saved: the pages still render.
    assert client.get("/seminars/sem-a/").status_code == 200
    assert client.get("/seminars/sem-a/calendar").status_code == 200


@pytest.mark.parametrize("server", ["javascript:alert(1)", "data:text/html,x", " JavaScript:x",
                                    "vbscript:x", ""])
def test_links_from_what_a_wiki_returns_are_only_http(server: str) -> None:
    site = SiteInfo(api_url="https://wiki.example/w/api.php", server=server,
                    articlepath="/wiki/$1", script="/w/index.php")
    for url in (site.page_url("Travail du clic"), site.diff_url(12)):
        assert url == "" or url.startswith(("http://", "https://")), url
    hostile_path = SiteInfo(server="", articlepath="javascript:alert(1)//$1")
    assert not hostile_path.page_url("x").lower().startswith("javascript")
    cached = SiteInfo.from_dict({**french_siteinfo().to_dict(), "server": "javascript:alert(1)"})
    assert not cached.page_url("x").startswith("javascript")
    good = french_siteinfo(server="https://fr.wikipedia.org")
    assert good.page_url("Travail du clic") == "https://fr.wikipedia.org/wiki/Travail_du_clic"


def test_a_hostile_wiki_server_never_becomes_a_link_on_the_pages(app: Flask) -> None:
    from wikiseminar.services.linking import edit_url

    site = french_siteinfo(server="javascript:alert(document.cookie)")
    world = seed(app, siteinfo=site)
    assert not edit_url(site, "Utilisateur:X/wikiseminar").startswith("javascript")
    pages = {"instructor": ["/seminars/sem-a/", f"/seminars/sem-a/assignments/{world.assignment_id}",
                            "/seminars/sem-a/programme.html"],
             "student": ["/seminars/sem-a/me", "/seminars/sem-a/me/account"]}
    for role, paths in pages.items():
        client = app.test_client()
        login_as(client, world.users[role])
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            assert "javascript:" not in html.lower(), path


def test_unicode_digits_in_a_typed_position_are_a_form_error(app: Flask) -> None:
    """'²'.isdigit() is true but int('²') raises: the programme order form must not 500."""
    world = seed(app)
    client = app.test_client()
    login_as(client, world.users["instructor"])
    answer = client.post("/seminars/sem-a/programme/order",
                         data={f"order-{world.participants['student']}": "²"})
    assert answer.status_code == 400
    assert "position of 1 or more" in text_of(answer.get_data(as_text=True))
