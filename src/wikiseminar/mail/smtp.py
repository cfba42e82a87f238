"""Turn an outbox row into a MIME message and hand it to the configured SMTP server."""

from __future__ import annotations

import base64
import json
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, cast
from urllib.parse import urlparse

from ..models import OutboxMessage

__all__ = ["build_message", "message_id_for", "send_message"]


def message_id_for(config: Mapping[str, Any]) -> str:
    """A fresh Message-ID on the app's host (kept across retries so receivers can dedupe)."""
    host = urlparse(config.get("BASE_URL") or "").hostname or "wikiseminar.invalid"
    return make_msgid(domain=host)


def build_message(row: OutboxMessage, from_address: str) -> EmailMessage:
    """Multipart text + HTML (with inline images as related parts) and every stored header."""
    msg = EmailMessage()
    msg["From"] = from_address
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = row.message_id or make_msgid()
    msg["Auto-Submitted"] = "auto-generated"
    for name, value in json.loads(row.headers or "{}").items():
        msg[name] = value
    msg.set_content(row.text_body)
    if row.html_body:
        msg.add_alternative(row.html_body, subtype="html")
        images = json.loads(row.inline_images or "[]")
        if images:
            html_part = cast(list[EmailMessage], msg.get_payload())[1]  # [text, html]
            for image in images:
                maintype, subtype = image["mime"].split("/", 1)
                html_part.add_related(base64.b64decode(image["data"]), maintype=maintype,
                                      subtype=subtype, cid=f"<{image['cid']}>",
                                      filename=image.get("filename"))
    msg["Content-Language"] = row.locale  # after the content: set_content clears Content-*
    return msg


def send_message(config: Mapping[str, Any], msg: EmailMessage) -> None:
    """Deliver one message to [mail] host with its security mode; raise on any failure."""
    host, port = config["MAIL_HOST"], int(config["MAIL_PORT"])
    timeout = float(config.get("MAIL_TIMEOUT") or 10.0)
    security = config.get("MAIL_SECURITY") or "none"
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)
