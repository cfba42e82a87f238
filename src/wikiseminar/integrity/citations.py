"""What a revision's wikitext cites: URLs, ISBNs, DOIs and dates, and which cannot exist.

Pure: wikitext in, citations and problems out. Only what a revision *added* is checked
(the caller passes the parent's text), so a problem is reported once, on the edit that
introduced it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = [
    "Problem",
    "added_urls",
    "check_citations",
    "doi_is_wellformed",
    "extract_dates",
    "extract_dois",
    "extract_isbns",
    "extract_urls",
    "isbn_is_valid",
]

_URL_RE = re.compile(r"https?://[^\s\[\]<>{}|\"']+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)»"
# ISBN in a template parameter (isbn = ..., ISBN1=...) or the magic "ISBN 978-..." form.
_ISBN_RE = re.compile(
    r"(?:\bisbn\d?\s*=\s*|\bISBN(?:-1[03])?:?[ \u00a0]+)([0-9][0-9Xx\- \u00a0]{8,20}[0-9Xx])",
    re.IGNORECASE)
_DOI_PARAM_RE = re.compile(r"\bdoi\s*=\s*([^|}\n<]+)", re.IGNORECASE)
_DOI_URL_RE = re.compile(r"https?://(?:dx\.)?doi\.org/([^\s\]|<}]+)", re.IGNORECASE)
_DOI_OK_RE = re.compile(r"^10\.\d{4,9}/[^\s]+$")
_DATE_PARAM_RE = re.compile(
    r"\|\s*(date|année|year|publication-date|date de publication|publié le)\s*=\s*([^|}\n]+)",
    re.IGNORECASE)

MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A citation that cannot exist: its kind (isbn, doi, future-date), value and reason."""

    kind: str
    value: str
    reason: str


def extract_urls(wikitext: str) -> list[str]:
    """Every http(s) URL of a wikitext, in order, without duplicates."""
    seen: dict[str, None] = {}
    for match in _URL_RE.finditer(wikitext or ""):
        url = match.group(0).rstrip(_URL_TRAIL)
        seen.setdefault(url, None)
    return list(seen)


def added_urls(parent: str | None, text: str) -> list[str]:
    """URLs present in `text` and absent from `parent`."""
    before = set(extract_urls(parent or ""))
    return [u for u in extract_urls(text) if u not in before]


def extract_isbns(wikitext: str) -> list[str]:
    """ISBNs written in the text (as typed, separators kept)."""
    return [m.group(1).strip() for m in _ISBN_RE.finditer(wikitext or "")]


def isbn_is_valid(raw: str) -> bool:
    """Whether an ISBN-10 or ISBN-13 has the right length and check digit."""
    digits = re.sub(r"[\s\u00a0-]", "", raw).upper()
    if len(digits) == 10 and re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    if len(digits) == 13 and digits.isdigit():
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def extract_dois(wikitext: str) -> list[str]:
    """DOIs given in a doi= parameter or as a doi.org link."""
    found: dict[str, None] = {}
    for regex in (_DOI_PARAM_RE, _DOI_URL_RE):
        for match in regex.finditer(wikitext or ""):
            value = match.group(1).strip().rstrip(_URL_TRAIL)
            if value:
                found.setdefault(value, None)
    return list(found)


def doi_is_wellformed(doi: str) -> bool:
    """Whether a DOI has the 10.NNNN/suffix form."""
    return bool(_DOI_OK_RE.match(doi.strip()))


def parse_date(raw: str) -> dt.date | None:
    """A date as cited (ISO, "12 mars 2024", "March 12, 2024", "mars 2024", "2024")."""
    text = raw.strip().lower().replace("\u00a0", " ").replace("1er", "1")
    text = re.sub(r"\{\{[^{}]*\}\}|\[\[|\]\]", "", text).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})\s+([a-zéû]+)\.?\s+(\d{4})", text):
        month = MONTHS.get(m[2])
        return _safe_date(int(m[3]), month, int(m[1])) if month else None
    if m := re.fullmatch(r"([a-zéû]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text):
        month = MONTHS.get(m[1])
        return _safe_date(int(m[3]), month, int(m[2])) if month else None
    if m := re.fullmatch(r"([a-zéû]+)\.?\s+(\d{4})", text):
        month = MONTHS.get(m[1])
        return _safe_date(int(m[2]), month, 1) if month else None
    if m := re.fullmatch(r"(\d{4})", text):
        return _safe_date(int(m[1]), 1, 1)
    return None


def _safe_date(year: int, month: int | None, day: int) -> dt.date | None:
    """A date, or None when the parts do not make one."""
    try:
        return dt.date(year, month or 1, day)
    except ValueError:
        return None


def extract_dates(wikitext: str) -> list[str]:
    """Publication dates given in citation templates (date=, année=, year=...)."""
    return [m.group(2).strip() for m in _DATE_PARAM_RE.finditer(wikitext or "")]


def check_citations(parent: str | None, text: str, when: dt.datetime) -> list[Problem]:
    """Problems in the citations `text` added to `parent`, as of the revision time `when`."""
    problems: list[Problem] = []
    before_isbns = set(extract_isbns(parent or ""))
    for isbn in extract_isbns(text):
        if isbn not in before_isbns and not isbn_is_valid(isbn):
            problems.append(Problem("isbn", isbn, "wrong check digit or length"))
    before_dois = set(extract_dois(parent or ""))
    for doi in extract_dois(text):
        if doi not in before_dois and not doi_is_wellformed(doi):
            problems.append(Problem("doi", doi, "malformed DOI"))
    before_dates = set(extract_dates(parent or ""))
    for raw in extract_dates(text):
        if raw in before_dates:
            continue
        date = parse_date(raw)
        if date is None:
            continue
        year_only = bool(re.fullmatch(r"\s*\d{4}\s*", raw))
        if (year_only and date.year > when.year) or (not year_only and date > when.date()):
            problems.append(Problem("future-date", raw, f"after the edit ({when.date()})"))
    return problems
