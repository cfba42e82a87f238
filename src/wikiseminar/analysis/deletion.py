"""Deletion and admissibility notices in an article's wikitext and categories (fr and en wikis).

Pure: wikitext and category names in, notices out. Categories are looked at first (they also
catch notices added through a template we do not know), templates second (a sync that has not
fetched the page's categories still sees `{{Suppression}}`). Names compare as MediaWiki
compares titles: '_' = ' ', runs of spaces collapsed, first letter case-insensitive, the rest
case-sensitive. The names are those of fr/en.wikipedia's deletion processes (2026).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import mwparserfromhell

__all__ = [
    "DELETION_CATEGORIES",
    "DELETION_TEMPLATES",
    "DeletionNotice",
    "deletion_notices",
    "normalise_name",
]

# Kinds of notice: a community debate (fr débat d'admissibilité, en AfD), a proposed deletion
# without debate (en PROD), a speedy deletion request, an admissibility doubt (fr only).
DEBATE, PROPOSED, SPEEDY, DOUBT = "debate", "proposed", "speedy", "doubt"

DELETION_TEMPLATES: dict[str, dict[str, str]] = {
    "fr": {
        "Suppression": DEBATE,
        "Admissibilité": DEBATE,
        "Admissibilité à vérifier": DOUBT,
        "Suppression immédiate": SPEEDY,
        "SI": SPEEDY,
    },
    "en": {
        "Article for deletion/dated": DEBATE,
        "AfD": DEBATE,
        "Afd": DEBATE,
        "Proposed deletion/dated": PROPOSED,
        "Prod": PROPOSED,
        "Db": SPEEDY,
        "Db-multiple": SPEEDY,
    },
}
# Template name prefixes: en speedy-deletion criteria are templates of their own (Db-a7, Db-g11…).
DELETION_TEMPLATE_PREFIXES: dict[str, dict[str, str]] = {"fr": {}, "en": {"Db-": SPEEDY}}

DELETION_CATEGORIES: dict[str, dict[str, str]] = {
    "fr": {
        "Page proposée au débat d'admissibilité": DEBATE,
        "Page proposée à la suppression": DEBATE,
        "Admissibilité à vérifier": DOUBT,
    },
    "en": {
        "Articles for deletion": DEBATE,
        "All articles proposed for deletion": PROPOSED,
        "Candidates for speedy deletion": SPEEDY,
    },
}
# Prefixes that name the Template and Category namespaces in a link or a transclusion.
_TEMPLATE_PREFIXES = ("Template:", "Modèle:")
_CATEGORY_PREFIXES = ("Category:", "Catégorie:")
_SPACES = re.compile(r"[\s_]+")


@dataclass(frozen=True, slots=True)
class DeletionNotice:
    """One notice found: its kind, where it was seen (template/category) and the name as written."""

    kind: str
    source: str
    name: str


def normalise_name(name: str) -> str:
    """A page name as MediaWiki compares it: '_' = ' ', spaces collapsed, first letter upper."""
    name = _SPACES.sub(" ", name).strip()
    return name[:1].upper() + name[1:]


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str | None:
    """The name without one of the namespace prefixes, None when it has another prefix."""
    for prefix in prefixes:
        if name.casefold().startswith(prefix.casefold()):
            return normalise_name(name[len(prefix):])
    return None


def _tables(lang: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The templates, template prefixes and categories to look for on a wiki of this language."""
    if lang in DELETION_TEMPLATES:
        return DELETION_TEMPLATES[lang], DELETION_TEMPLATE_PREFIXES[lang], DELETION_CATEGORIES[lang]
    # A wiki of another language: look for every name we know (they rarely collide).
    merge: tuple[dict[str, str], dict[str, str], dict[str, str]] = ({}, {}, {})
    for table, target in ((DELETION_TEMPLATES, merge[0]), (DELETION_TEMPLATE_PREFIXES, merge[1]),
                          (DELETION_CATEGORIES, merge[2])):
        for names in table.values():
            target.update(names)
    return merge


def deletion_notices(wikitext: str | None, categories: Iterable[str] = (), *,
                     lang: str = "fr") -> list[DeletionNotice]:
    """Every deletion or admissibility notice of a page, categories first, without duplicates."""
    templates, prefixes, category_names = _tables(lang.split("-")[0].lower())
    found: list[DeletionNotice] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, source: str, name: str) -> None:
        if (source, name) not in seen:
            seen.add((source, name))
            found.append(DeletionNotice(kind, source, name))

    for category in categories:
        name = _strip_prefix(category, _CATEGORY_PREFIXES) or normalise_name(category)
        if name in category_names:
            add(category_names[name], "category", name)
    if not wikitext:
        return found
    code = mwparserfromhell.parse(wikitext)
    for link in code.ifilter_wikilinks():
        title = str(link.title).strip()
        if title.startswith(":"):
            continue  # [[:Catégorie:X]] links to the category, it does not file the page
        linked = _strip_prefix(title, _CATEGORY_PREFIXES)
        if linked is not None and linked in category_names:
            add(category_names[linked], "category", linked)
    for template in code.ifilter_templates():
        raw = _strip_comments(str(template.name))
        if raw.casefold().startswith(("subst:", "safesubst:")):
            raw = raw.split(":", 1)[1]
        name = _strip_prefix(raw, _TEMPLATE_PREFIXES) or normalise_name(raw)
        if name in templates:
            add(templates[name], "template", name)
            continue
        for prefix, kind in prefixes.items():
            if name.startswith(prefix):
                add(kind, "template", name)
                break
    return found


def _strip_comments(name: str) -> str:
    """A template name without the HTML comments editors sometimes leave in it."""
    return re.sub(r"<!--.*?(?:-->|$)", "", name, flags=re.DOTALL).strip()
