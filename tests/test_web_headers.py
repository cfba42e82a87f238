"""Security headers on every route of the app (issue 11 item 12), body size limit, file modes.

The walk covers `app.url_map` itself, so a route added later is checked without editing
this file: each rule is filled with the seeded world's names and ids and requested with each
of its methods, anonymously and as the instructor; whatever the answer (page, redirect, 403,
404, 405), it must carry the headers.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from wikiseminar.resources import resource_dir

from .conftest import make_app, upgrade
from .webkit import World, login_as, seed, text_of

# What a Content-Security-Policy must say: no inline script, no framing.
REQUIRED_DIRECTIVES = {"default-src", "script-src", "object-src", "base-uri", "frame-ancestors"}


def _fill(rule: Rule, world: World) -> list[str]:
    """Concrete paths for a rule, with the seeded world's names and ids (every `any` value)."""
    values: dict[str, object] = {}
    choices: dict[str, list[str]] = {}
    for name in rule.arguments:
        converter = rule._converters[name]  # noqa: SLF001  (the rule's own converter types)
        if isinstance(converter, IntegerConverter):
            values[name] = {"session_id": world.session_id, "topic_id": world.topic_id,
                            "assignment_id": world.assignment_id,
                            "participant_id": world.participants["student"]}.get(name, 1)
        elif hasattr(converter, "items"):  # any(html, pdf, csv): each is a route of its own
            choices[name] = sorted(converter.items)
        elif name == "slug":
            values[name] = world.seminars["a"]
        elif name == "token":
            values[name] = "invite-a"
        elif name == "filename":
            values[name] = "style.css"
        elif name == "code":
            values[name] = "en"
        else:
            values[name] = "x"
    paths = []
    for name, options in (choices or {"": [""]}).items():
        for option in options:
            built = rule.build({**values, **({name: option} if name else {})},
                               append_unknown=False)
            assert built is not None, rule.rule
            paths.append(built[1])
    return paths


def check_headers(response_headers: dict[str, str], path: str, *, static: bool) -> None:
    """The headers item 12 asks of every response."""
    csp = response_headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert REQUIRED_DIRECTIVES <= set(directives), (path, csp)
    assert directives["frame-ancestors"] == ["'none'"], (path, csp)
    assert "'unsafe-inline'" not in directives["script-src"], (path, csp)
    assert "'unsafe-eval'" not in directives["script-src"], (path, csp)
    assert directives["object-src"] == ["'none'"], (path, csp)
    assert response_headers.get("X-Content-Type-Options") == "nosniff", path
    assert response_headers.get("Referrer-Policy"), path
    assert response_headers.get("X-Frame-Options") == "DENY", path
    if not static:
        assert "no-store" in response_headers.get("Cache-Control", ""), path


def test_every_route_carries_the_security_headers(app: Flask) -> None:
    world = seed(app)
    rules = [rule for rule in app.url_map.iter_rules()]
    assert len(rules) > 40  # the walk really covers the app
    seen = 0
    for role in ("anonymous", "instructor", "student"):
        client = app.test_client()
        login_as(client, world.users.get(role))
        for rule in rules:
            for path, method in itertools.product(
                    _fill(rule, world), sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})):
                response = client.open(path, method=method, data={} if method == "POST" else None)
                assert response.status_code < 500, (role, method, path)
                check_headers(dict(response.headers), f"{role} {method} {path}",
                              static=rule.endpoint == "static")
                seen += 1
    assert seen > 120


def test_error_pages_and_unknown_paths_carry_the_headers(app: Flask) -> None:
    client = app.test_client()
    for response in (client.get("/no/such/page"), client.put("/"),
                     client.post("/auth/login", data={"email": "x"})):
        check_headers(dict(response.headers), response.request.path, static=False)


def test_hsts_only_over_https(app: Flask) -> None:
    client = app.test_client()
    plain = client.get("/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get("/", base_url="https://localhost")
    hsts = secure.headers.get("Strict-Transport-Security", "")
    assert re.fullmatch(r"max-age=\d{7,}(; includeSubDomains)?", hsts), hsts


def test_templates_hold_no_inline_script_or_event_handler() -> None:
    """The CSP forbids inline script: so must the templates, or pages would break silently."""
    offenders = []
    for template in Path(resource_dir("templates")).rglob("*.html"):
        html = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", html, re.IGNORECASE):
            if "src=" not in match.group(0):
                offenders.append(f"{template.name}: inline <script>")
        if re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.IGNORECASE):
            offenders.append(f"{template.name}: on* handler")
        if re.search(r"href\s*=\s*[\"']\s*javascript:", html, re.IGNORECASE):
            offenders.append(f"{template.name}: javascript: link")
    assert not offenders, offenders


def test_request_body_over_the_limit_is_refused_with_the_error_page(app: Flask) -> None:
    world = seed(app)
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    client = app.test_client()
    login_as(client, world.users["instructor"])
    response = client.post("/seminars/sem-a/calendar/new", data={"title": "x" * 20_000},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "too large" in text_of(response.get_data(as_text=True))
    check_headers(dict(response.headers), "413", static=False)
    # Under the limit, the same form is handled.
    small = client.post("/seminars/sem-a/calendar/new", data={"title": "x" * 100})
    assert small.status_code == 200


def test_request_size_limit_comes_from_the_configuration(tmp_path: Path,
                                                        sqlite_template: Path) -> None:
    from wikiseminar.config import DEFAULTS

    assert DEFAULTS["SECURITY_MAX_CONTENT_LENGTH"] >= 2_000_000  # roster files of 1 MB fit
    app = make_app(f"sqlite:///{sqlite_template}", tmp_path / "i",
                   SECURITY_MAX_CONTENT_LENGTH=12_345)
    assert app.config["MAX_CONTENT_LENGTH"] == 12_345


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_files_are_readable_by_their_owner_only(tmp_path: Path, backend: str) -> None:
    old = os.umask(0o022)  # a usual umask: files would otherwise be world-readable
    try:
        path = tmp_path / "fresh" / "db.sqlite"
        app = make_app(f"sqlite:///{path}", tmp_path / "instance")
        upgrade(app)
        seed(app)
        with app.app_context():
            from wikiseminar.extensions import db

            connection = db.engine.raw_connection()  # keeps the WAL and SHM files open
            try:
                connection.execute("SELECT count(*) FROM user_account")
                files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
                assert all(f.exists() for f in files), files
                for file in files:
                    mode = stat.S_IMODE(file.stat().st_mode)
                    assert mode & 0o077 == 0, (file.name, oct(mode))
            finally:
                connection.close()
    finally:
        os.umask(old)


def test_an_oversized_body_is_refused_without_being_read(app: Flask) -> None:
    """A real server answers 413 from the headers alone: the 50 MB announced are never sent.

    If the app waited for the body, the read below would hang until the socket's timeout
    and the test would fail on it (no duration is asserted).
    """
    import socket
    from urllib.parse import urlsplit

    from .browserkit import live_server

    app.config["MAX_CONTENT_LENGTH"] = 10_000
    with live_server(app) as base:
        address = urlsplit(base)
        with socket.create_connection((address.hostname, address.port), timeout=60) as conn:
            conn.sendall(b"POST /auth/login HTTP/1.1\r\nHost: localhost\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 50000000\r\n\r\nemail=a%40b.c&password=")
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                answer += chunk
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"Content-Security-Policy" in answer
