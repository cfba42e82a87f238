"""Messages that services return to both faces: English text for the CLI, a msgid for the web.

Services run without a request (cron, CLI), where Flask-Babel cannot pick a language, so
they never translate. They build a `Message`: a plain `str` holding the English text (the
CLI prints it as is) that also remembers its msgid and parameters, so a web view can render
it in the reader's language with `translate()` (see web/i18n_text.py).
"""

from __future__ import annotations

from typing import Any

__all__ = ["NP_", "Message", "N_", "ServiceError"]


def N_(msgid: str) -> str:
    """Mark a msgid for extraction (pybabel knows `N_`) without translating it here."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 (gettext convention)
    """Mark a singular/plural msgid pair for extraction (keyword NP_:1,2), for `Message.plural`."""
    return singular, plural


class Message(str):
    """English text of a message, plus its msgid and parameters for translation later.

    `Message.plural(NP_(singular, plural), n, **params)` is a message with plural forms: the
    web renders it with `ngettext`, so French says "1 modification a été annulée".
    """

    msgid: str
    params: dict[str, Any]
    plural_id: str | None = None
    num: int | None = None

    def __new__(cls, msgid: str, **params: Any) -> Message:
        text = msgid % params if params else msgid
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = params
        return obj

    @classmethod
    def plural(cls, forms: tuple[str, str], num: int, **params: Any) -> Message:
        """A message whose wording depends on `num` (English: singular only for 1)."""
        singular, plural = forms
        params = {"num": num, **params}
        obj = super().__new__(cls, (singular if num == 1 else plural) % params)
        obj.msgid, obj.params, obj.plural_id, obj.num = singular, params, plural, num
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.msgid, self.params, self.plural_id, self.num))


def _rebuild(msgid: str, params: dict[str, Any], plural_id: str | None = None,
             num: int | None = None) -> Message:
    """Unpickle a Message (jobs may carry them across processes)."""
    if plural_id is not None and num is not None:
        rest = {k: v for k, v in params.items() if k != "num"}
        return Message.plural((msgid, plural_id), num, **rest)
    return Message(msgid, **params)


class ServiceError(ValueError):
    """Bad input to a service; `message` says why, `field` names the form field if any."""

    def __init__(self, msgid: str, *, field: str | None = None, **params: Any) -> None:
        self.message = Message(msgid, **params)
        self.field = field
        super().__init__(self.message)
