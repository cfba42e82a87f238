"""Sign-in throttles behind a proxy, no lock-out by others, no account probing (issue 11 item 7).

The proxy of docs/deploy.md adds X-Forwarded-For; the app trusts it only when configured
to (SECURITY_TRUSTED_PROXIES), so a client talking to gunicorn directly cannot pick the
address the throttle sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wikiseminar.extensions import db
from wikiseminar.models import LoginAttempt, User

from .webkit import PASSWORD, seed, text_of

ATTACKER, OWNER = "203.0.113.5", "198.51.100.7"


def attempt(client: FlaskClient, email: str, password: str, forwarded_for: str | None = None,
            remote: str = "127.0.0.1") -> Any:
    """One sign-in through the form, as seen through the proxy (or not)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/auth/login", data={"email": email, "password": password},
                       headers=headers, environ_base={"REMOTE_ADDR": remote})


def test_behind_the_proxy_the_throttle_sees_the_client_address(app: Flask) -> None:
    seed(app)
    app.config.update(SECURITY_LOGIN_ATTEMPTS=3)
    proxied = _with_proxies(app, 1)
    client = proxied.test_client()
    for _ in range(3):
        assert attempt(client, "ines@example.org", "wrong", ATTACKER).status_code == 200
    assert attempt(client, "ines@example.org", PASSWORD, ATTACKER).status_code == 429
    with proxied.app_context():
        keys = set(db.session.scalars(sa.select(LoginAttempt.key)))
    assert any(ATTACKER in key for key in keys), keys
    assert not any("127.0.0.1" in key for key in keys), keys  # not the proxy's address
    # The owner, elsewhere, is not locked out by the attacker's failures.
    owner = proxied.test_client()
    assert attempt(owner, "ines@example.org", PASSWORD, OWNER).status_code == 302


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app: Flask) -> None:
    seed(app)
    app.config.update(SECURITY_LOGIN_ATTEMPTS=3)
    assert app.config["SECURITY_TRUSTED_PROXIES"] == 0  # the default
    client = app.test_client()
    for n in range(3):
        attempt(client, "ines@example.org", "wrong", f"10.0.0.{n}")
    # Each try claimed another address; the throttle saw the real one and blocks.
    assert attempt(client, "ines@example.org", PASSWORD, "10.0.0.99").status_code == 429


def test_nobody_locks_another_person_out(app: Flask) -> None:
    seed(app)
    app.config.update(SECURITY_LOGIN_ATTEMPTS=3)
    attacker = app.test_client()
    for _ in range(10):
        attempt(attacker, "ines@example.org", "guess", remote=ATTACKER)
    assert attempt(attacker, "ines@example.org", PASSWORD, remote=ATTACKER).status_code == 429
    owner = app.test_client()
    assert attempt(owner, "ines@example.org", PASSWORD, remote=OWNER).status_code == 302


def test_one_address_trying_many_accounts_is_throttled(app: Flask) -> None:
    seed(app)
    app.config.update(SECURITY_LOGIN_ATTEMPTS=3, SECURITY_LOGIN_ATTEMPTS_PER_ADDRESS=6)
    client = app.test_client()
    for n in range(6):
        assert attempt(client, f"nobody{n}@example.org", "x", remote=ATTACKER).status_code == 200
    blocked = attempt(client, "ines@example.org", PASSWORD, remote=ATTACKER)
    assert blocked.status_code == 429
    assert "Too many failed attempts" in text_of(blocked.get_data(as_text=True))
    assert attempt(app.test_client(), "ines@example.org", PASSWORD, remote=OWNER).status_code == 302


def test_the_passcode_throttle_sees_the_client_address_behind_the_proxy(app: Flask) -> None:
    seed(app)
    app.config.update(SECURITY_LOGIN_ATTEMPTS=1)  # 4 wrong passcodes per address
    proxied = _with_proxies(app, 1)
    client = proxied.test_client()
    guess = {"passcode": "nope", "name": "Chloé Durand", "email": "chloe@example.org",
             "password": "chloe-password-1", "confirm": "chloe-password-1"}
    for _ in range(4):
        assert client.post("/join/invite-a", data=guess,
                           headers={"X-Forwarded-For": ATTACKER}).status_code == 200
    assert client.post("/join/invite-a", data=guess,
                       headers={"X-Forwarded-For": ATTACKER}).status_code == 429
    # A classmate behind another address still gets the form.
    assert client.post("/join/invite-a", data=guess,
                       headers={"X-Forwarded-For": OWNER}).status_code == 200


def _page_without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_wording_does_not_tell_whether_an_account_exists(app: Flask) -> None:
    seed(app)
    client = app.test_client()
    unknown = attempt(client, "nobody@example.org", "wrong-password", remote=ATTACKER)
    known = attempt(client, "ines@example.org", "wrong-password", remote=ATTACKER)
    assert unknown.status_code == known.status_code == 200
    first = _page_without_tokens(unknown.get_data(as_text=True)).replace("nobody@", "X@")
    second = _page_without_tokens(known.get_data(as_text=True)).replace("ines@", "X@")
    assert first == second


@pytest.fixture
def hash_counter(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Count password hash computations on sign-in (a spy: the real hash still runs)."""
    from wikiseminar.web import security

    calls = []
    real = security.check_password_hash

    def counting(stored: str, password: str) -> bool:
        calls.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(security, "check_password_hash", counting)
    return lambda: len(calls)


def test_a_password_is_hashed_even_when_the_account_does_not_exist(
        app: Flask, hash_counter: Callable[[], int]) -> None:
    """The same slow hash runs either way, so timing does not tell accounts apart.

    (The timing itself is measured in bench/signin_timing.py, not asserted here.)
    """
    seed(app)
    with app.app_context():
        no_password = User(email="wiki-only@example.org", name="Wiki Only")
        db.session.add(no_password)
        db.session.commit()
    client = app.test_client()
    for email in ("nobody@example.org", "ines@example.org", "wiki-only@example.org"):
        before = hash_counter()
        response = attempt(client, email, "wrong-password", remote=f"192.0.2.{len(email)}")
        assert response.status_code == 200
        assert hash_counter() - before == 1, email


def _with_proxies(app: Flask, count: int) -> Flask:
    """The same app as deployed behind `count` proxies (the middleware create_app adds)."""
    from wikiseminar import create_app

    settings = {k: v for k, v in app.config.items() if k.isupper()}
    settings["SECURITY_TRUSTED_PROXIES"] = count
    proxied = create_app(settings)
    proxied.test_client_class = app.test_client_class
    return proxied
