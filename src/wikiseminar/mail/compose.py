"""Mail bodies from templates (text and HTML) in the recipient's language, links on base_url."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale

from .outbox import InlineImage, enqueue

__all__ = ["external_url", "recipient_locale", "render_mail", "send_templated"]

LOCALES = ("fr", "en")


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL of the app on base_url's host (requests and CLI alike)."""
    base = current_app.config.get("BASE_URL") or ""
    if not base:
        raise RuntimeError("base_url is not configured: mails cannot carry links")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def recipient_locale(preferred: str | None) -> str:
    """The person's language if it is one of the app's, else the install's default."""
    if preferred in LOCALES:
        return str(preferred)
    default = current_app.config.get("DEFAULT_LOCALE") or "fr"
    return default if default in LOCALES else "fr"


def render_mail(template: str, locale: str, subject: Callable[[], str], /,
                **context: Any) -> tuple[str, str, str]:
    """(subject, text, html) of templates mail/<name>.txt and mail/<name>.html in `locale`."""
    with force_locale(locale):
        title = subject()
        text = render_template(f"mail/{template}.txt", subject=title, locale=locale, **context)
        html = render_template(f"mail/{template}.html", subject=title, locale=locale, **context)
    return title, text, html


def send_templated(to: str, template: str, /, *, subject: Callable[[], str], kind: str, locale: str,
                   headers: dict[str, str] | None = None, images: Sequence[InlineImage] = (),
                   **context: Any) -> int:
    """Render a mail and put it in the outbox; return its id."""
    title, text, html = render_mail(template, locale, subject, **context)
    return enqueue(to, title, text, html, kind=kind, locale=locale, headers=headers,
                   images=images)
