"""Helpers for the public programme tests: a public seminar with sessions open to registration."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from wikiseminar.extensions import db
from wikiseminar.models import Registration, Seminar, SeminarSession, SessionKind


def make_public(app: Flask, slug: str, *, topics: bool = False) -> None:
    """Turn the seminar's public programme on."""
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        assert seminar is not None
        seminar.public, seminar.publish_topics = True, topics
        db.session.commit()


def add_open_session(app: Flask, slug: str, *, places: int = 2, title: str = "Les travailleurs du clic",
                     days: int = 10, kind: SessionKind = SessionKind.IN_DEPTH,
                     closes: dt.datetime | None = None) -> int:
    """A session with `places` places, open to registration; its id."""
    with app.app_context():
        seminar = db.session.scalar(sa.select(Seminar).where(Seminar.slug == slug))
        assert seminar is not None
        item = SeminarSession(seminar=seminar, date=dt.date.today() + dt.timedelta(days=days),
                              start_time=dt.time(18, 30), end_time=dt.time(20), kind=kind,
                              title=title, place="Librairie La Colline",
                              address="12 rue des Tilleuls, 75011 Paris",
                              speakers="Antonio Casilli (En attendant les robots)",
                              description="Rencontre autour du livre.", places=places,
                              registration_closes_at=closes)
        db.session.add(item)
        db.session.commit()
        return item.id


def register(client: FlaskClient, slug: str, session_id: int, name: str, email: str,
             affiliation: str = "") -> tuple[int, str | None]:
    """Post the public form; (status, token of the registration page the answer leads to)."""
    response = client.post(f"/programme/{slug}/sessions/{session_id}/register",
                           data={"name": name, "email": email, "affiliation": affiliation})
    location = response.headers.get("Location", "")
    match = re.search(r"/r/([^/?]+)$", location)
    return response.status_code, match.group(1) if match else None


def states(app: Flask, session_id: int) -> dict[str, str]:
    """Name -> state of every registration of a session."""
    with app.app_context():
        return {r.name: r.state.value for r in db.session.scalars(
            sa.select(Registration).where(Registration.session_id == session_id))}
