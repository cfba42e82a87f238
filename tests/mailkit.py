"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from wikiseminar.mail import outbox

LINK = re.compile(r"https?://[^\s\"'<>]+")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One message as the server got it: envelope and parsed MIME message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        """The decoded Subject header."""
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        """The decoded text/<subtype> body ("plain" or "html")."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, \
            f"no text/{subtype} part"
        return str(body.get_content())

    @property
    def text(self) -> str:
        """The plain-text part."""
        return self.part("plain")

    @property
    def html(self) -> str:
        """The HTML part."""
        return self.part("html")

    def links(self) -> list[str]:
        """Every link of the text part, in order."""
        return LINK.findall(self.text)


@dataclass
class _Handler:
    """aiosmtpd handler: append every DATA to the box."""

    box: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Parse and keep the message; accept it."""
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.box.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


class SMTPServer:
    """A local SMTP server that can be stopped and restarted on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Handler()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        """Everything received so far, oldest first (after the app's background senders)."""
        outbox.join_senders()
        with self.handler.lock:
            return list(self.handler.box)

    def to(self, address: str) -> list[Received]:
        """Messages whose envelope recipients include `address`."""
        return [m for m in self.messages if address in m.rcpt_tos]

    def start(self) -> None:
        """Listen on the port (again)."""
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict[str, Any]:
        """Settings that point an app at this server."""
        return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": self.port,
                "MAIL_FROM_ADDRESS": "Séminaire <noreply@seminaire.test>",
                "MAIL_SECURITY": "none", "MAIL_TIMEOUT": 5.0,
                "BASE_URL": "http://localhost"}


@contextmanager
def smtp_server() -> Iterator[SMTPServer]:
    """A started server, stopped at the end."""
    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    """A real SMTP server of the test's own."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(app: Flask, smtp: SMTPServer) -> Flask:
    """The app (both backends) sending its mail to the test's SMTP server."""
    app.config.update(smtp.config())
    return app
