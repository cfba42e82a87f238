"""Messages that services return to both faces: English text for the CLI, a msgid for the web.

Services run without a request (cron, CLI), where Flask-Babel cannot pick a language, so
they never translate. They build a `Message`: a plain `str` holding the English text (the
CLI prints it as is) that also remembers its msgid and parameters, so a web view can render
it in the reader's language with `translate()` (see web/i18n_text.py).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Message", "N_", "ServiceError"]


def N_(msgid: str) -> str:
    """Mark a msgid for extraction (pybabel knows `N_`) without translating it here."""
    return msgid


class Message(str):
    """English text of a message, plus its msgid and parameters for translation later."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = msgid % params if params else msgid
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = params
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict[str, Any]) -> Message:
    """Unpickle a Message (jobs may carry them across processes)."""
    return Message(msgid, **params)


class ServiceError(ValueError):
    """Bad input to a service; `message` says why, `field` names the form field if any."""

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any) -> None:
        self.message = Message(msgid, **params)
        self.field = field
        super().__init__(self.message)
