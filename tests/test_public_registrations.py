"""Registrations under load and with mail: the last place goes to one person only."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import Flask

from wikiseminar.extensions import db
from wikiseminar.models import Registration, RegistrationState
from wikiseminar.services import registrations as regs

from .publickit import add_open_session, make_public, states
from .webkit import seed


def test_two_requests_for_the_last_place_do_not_both_get_it(app: Flask) -> None:
    seed(app)
    make_public(app, "sem-a")
    rounds, contenders = 4, 4
    sessions = [add_open_session(app, "sem-a", places=1, title=f"Séance {n}") for n in range(rounds)]
    errors: list[BaseException] = []

    def ask(session_id: int, index: int, barrier: threading.Barrier) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                regs.register(db.session, session_id, name=f"P{index}",
                              email=f"p{index}@example.org")
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    for session_id in sessions:
        barrier = threading.Barrier(contenders)
        threads = [threading.Thread(target=ask, args=(session_id, i, barrier))
                   for i in range(contenders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        found = sorted(states(app, session_id).values())
        assert found == ["confirmed"] + ["waiting"] * (contenders - 1), found


def test_with_mail_a_registration_counts_once_its_address_is_confirmed(app: Flask) -> None:
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=1)
    with app.app_context():
        first = regs.register(db.session, session_id, name="Ana", email="Ana@Example.org",
                              with_mail=True)
        assert first.new and first.registration.state == RegistrationState.UNCONFIRMED
        again = regs.register(db.session, session_id, name="Autre", email="ana@example.org ",
                              with_mail=True)
        # A known address gets its own registration back (the caller mails it), nothing new.
        assert not again.new and again.registration.id == first.registration.id
        other = regs.register(db.session, session_id, name="Marc", email="marc@example.org",
                              with_mail=True)
        # Marc confirms first and takes the place; Ana, confirming later, waits.
        assert regs.confirm(db.session, other.registration.token) is not None
        assert regs.confirm(db.session, first.registration.token) is not None
        assert regs.confirm(db.session, "unknown") is None
        token = first.registration.token
        marc_token = other.registration.token
    assert states(app, session_id) == {"Marc": "confirmed", "Ana": "waiting"}
    with app.app_context():
        regs.confirm(db.session, token)  # a second click changes nothing
        _, promoted = regs.cancel(db.session, marc_token)
        assert [r.name for r in promoted] == ["Ana"]
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
        assert count == 2
    assert states(app, session_id) == {"Marc": "cancelled", "Ana": "confirmed"}
