"""Show service messages in the reader's language, on the right form field when there is one."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm

from ..services.messages import Message, ServiceError

__all__ = ["form_error", "translate"]


def translate(text: str) -> str:
    """A service Message in the current language, as a sentence (the CLI's are lower-case)."""
    if isinstance(text, Message):
        text = gettext(text.msgid, **text.params)
    text = str(text)
    return text[:1].upper() + text[1:]


def form_error(form: FlaskForm, error: ServiceError, default_field: str | None = None) -> None:
    """Attach a service error to its field (or the given one), else to the form as a whole."""
    name = error.field or default_field
    field = form._fields.get(name) if name else None  # noqa: SLF001 (WTForms API)
    text = translate(error.message)
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        form.form_errors.append(text)
