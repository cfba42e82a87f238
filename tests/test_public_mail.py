"""Registrations with mail configured: they count once the address is confirmed (real SMTP)."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask

from .mailkit import SMTPServer
from .publickit import add_open_session, make_public, states
from .webkit import seed, text_of


def _path(link: str) -> str:
    return urlparse(link).path


def test_with_mail_the_address_is_confirmed_first(mail_app: Flask, smtp: SMTPServer) -> None:
    app = mail_app
    seed(app)
    make_public(app, "sem-a")
    session_id = add_open_session(app, "sem-a", places=1)
    client = app.test_client()
    url = f"/programme/sem-a/sessions/{session_id}/register"

    def ask(name: str, email: str) -> str:
        response = client.post(url, data={"name": name, "email": email})
        assert response.status_code == 200
        return text_of(response.get_data(as_text=True))

    first = ask("Ana Lopes", "ana@example.org")
    assert "Check your mailbox" in first
    assert states(app, session_id) == {"Ana Lopes": "unconfirmed"}  # no place yet
    assert "1 place left." in text_of(client.get("/programme/sem-a").get_data(as_text=True))
    [mail] = smtp.to("ana@example.org")
    assert "Confirm your registration: Les travailleurs du clic" == mail.subject
    ana_link = _path(mail.links()[0])

    # The same address again: the very same answer, and a reminder by mail, nothing new.
    again = ask("Quelqu'un d'autre", "ANA@example.org")
    assert again == first
    assert len(smtp.to("ana@example.org")) == 2
    assert "already registered" in smtp.to("ana@example.org")[1].text
    assert _path(smtp.to("ana@example.org")[1].links()[0]) == ana_link
    assert states(app, session_id) == {"Ana Lopes": "unconfirmed"}

    ask("Marc Petit", "marc@example.org")
    marc_link = _path(smtp.to("marc@example.org")[0].links()[0])
    # Marc confirms first and takes the place; Ana, confirming later, waits.
    assert "Confirm my registration" in text_of(client.get(marc_link).get_data(as_text=True))
    assert client.post(f"{marc_link}/confirm").status_code == 303
    assert client.post(f"{ana_link}/confirm").status_code == 303
    assert states(app, session_id) == {"Marc Petit": "confirmed", "Ana Lopes": "waiting"}
    assert "you are on the waiting list" in text_of(client.get(ana_link).get_data(as_text=True))

    # Marc cancels: Ana moves up and is told by mail.
    assert client.post(f"{marc_link}/cancel").status_code == 303
    assert states(app, session_id) == {"Marc Petit": "cancelled", "Ana Lopes": "confirmed"}
    told = smtp.to("ana@example.org")[-1]
    assert told.subject == "A place is free: Les travailleurs du clic"
    assert _path(told.links()[0]) == ana_link
