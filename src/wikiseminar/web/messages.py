"""Show service messages in the reader's language, on the right form field when there is one."""

from __future__ import annotations

import re

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ..services.messages import Message, ServiceError

__all__ = ["form_error", "translate", "translate_wiki_error"]


def translate(text: str) -> str:
    """A service Message in the current language, as a sentence (the CLI's are lower-case)."""
    if isinstance(text, Message):
        if text.plural_id is not None and text.num is not None:
            params = {k: v for k, v in text.params.items() if k != "num"}
            text = ngettext(text.msgid, text.plural_id, text.num, **params)
        else:
            text = gettext(text.msgid, **text.params)
    text = str(text)
    return text[:1].upper() + text[1:]


# The wiki client's errors (wiki/client.py) are English text stored on sync runs and jobs: the
# web recognises their shapes and words them in the reader's language.
_PROBLEMS = {
    "ConnectionError": _l("the connection failed"),
    "Timeout": _l("no answer in time"),
    "ReadTimeout": _l("no answer in time"),
    "ConnectTimeout": _l("no answer in time"),
}
_WIKI_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?P<host>\S+): gave up after (?P<num>\d+) attempts \((?P<problem>.+)\)$"),
     "gave_up"),
    (re.compile(r"^(?P<host>\S+): request failed: (?P<detail>.+)$"), "failed"),
    (re.compile(r"^(?P<host>\S+): HTTP (?P<status>\d+) for (?P<url>\S+)$"), "http"),
    (re.compile(r"^(?P<host>\S+): login as (?P<user>.+) failed \((?P<detail>.*)\)$"), "login"),
    (re.compile(r"^(?P<url>\S+): HTTP 404, not a MediaWiki api\.php$"), "not_api"),
    (re.compile(r"^(?P<url>\S+) does not answer like a MediaWiki API \(no JSON\)$"), "not_api"),
    (re.compile(r"^(?P<url>\S+) did not return siteinfo: not a MediaWiki API$"), "not_api"),
)


def _problem(text: str) -> str:
    """A connection problem in words ("HTTP 503" and API error codes stay as they are)."""
    label = _PROBLEMS.get(text)
    if label is not None:
        return str(label)
    if text.startswith("API error "):
        return gettext("API error %(code)s", code=text.removeprefix("API error "))
    return text


def translate_wiki_error(text: str | None) -> str:
    """A wiki or network error in the reader's language (unknown shapes are shown as they are)."""
    if not text:
        return ""
    for pattern, kind in _WIKI_ERRORS:
        m = pattern.match(text)
        if m is None:
            continue
        g = m.groupdict()
        if kind == "gave_up":
            return ngettext("%(host)s: gave up after %(num)s attempt (%(problem)s)",
                            "%(host)s: gave up after %(num)s attempts (%(problem)s)",
                            int(g["num"]), host=g["host"], problem=_problem(g["problem"]))
        if kind == "failed":
            return gettext("%(host)s: the request failed (%(detail)s)", **g)
        if kind == "http":
            return gettext("%(host)s answered HTTP %(status)s for %(url)s", **g)
        if kind == "login":
            return gettext("%(host)s: signing in as %(user)s failed (%(detail)s)", **g)
        return gettext("%(url)s does not answer like a MediaWiki API", **g)
    return translate(text)


def form_error(form: FlaskForm, error: ServiceError, default_field: str | None = None) -> None:
    """Attach a service error to its field (or the given one), else to the form as a whole."""
    name = error.field or default_field
    field = form._fields.get(name) if name else None  # noqa: SLF001 (WTForms API)
    text = translate(error.message)
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        form.form_errors.append(text)
