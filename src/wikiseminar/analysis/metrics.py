"""One function per metric, comparing a parent's and a child's `ParsedText`.

Every count is *positive-only* for its direction (added counts what the child has that the
parent lacks; removed the reverse), computed as a multiset difference: moving text or a link
within the page adds and removes nothing, and an edit followed by its exact undo nets zero.
The registry `METRICS` lists each metric once (id, label, exact definition) for the README,
`docs/metrics.md` and the database mapping.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .reverts import REVERT_TAGS, REVERTED_TAG
from .wikitext import ParsedText

__all__ = [
    "FLAG_PARENT_MISMATCH",
    "FLAG_PARENT_MISSING",
    "FLAG_TEXT_MISSING",
    "METRICS",
    "Metric",
    "RevisionMetrics",
    "categories_added",
    "chars_added",
    "chars_removed",
    "cited_references_added",
    "compare",
    "external_links_added",
    "files_added",
    "infoboxes_added",
    "is_move",
    "is_move_comment",
    "is_redirect",
    "metrics_table",
    "page_created",
    "redirect_created",
    "references_added",
    "references_removed",
    "sections_added",
    "sections_added_by_level",
    "templates_added",
    "wikilinks_added",
    "words_added",
    "words_removed",
]

FLAG_TEXT_MISSING = "text_missing"
FLAG_PARENT_MISSING = "parent_missing"
FLAG_PARENT_MISMATCH = "parent_mismatch"


@dataclass(slots=True)
class RevisionMetrics:
    """What one revision did to its page; maps 1:1 to the revision_metrics table."""

    revid: int
    words_added: int = 0
    words_removed: int = 0
    chars_added: int = 0
    chars_removed: int = 0
    references_added: int = 0
    references_removed: int = 0
    cited_references_added: int = 0
    sections_added: int = 0
    sections_added_by_level: dict[int, int] = field(default_factory=dict)
    wikilinks_added: int = 0
    external_links_added: int = 0
    files_added: int = 0
    templates_added: int = 0
    infoboxes_added: int = 0
    categories_added: int = 0
    created: bool = False
    redirect_created: bool = False
    is_redirect: bool = False
    is_move: bool = False
    is_revert: bool = False
    reverted: bool = False
    reverted_by: int | None = None
    reverts: tuple[int, ...] = ()
    flags: tuple[str, ...] = ()
    # Additions to the lead's list: the size of the page after the revision.
    prose_words_total: int = 0
    references_total: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists, level keys stay ints for json.dumps)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(sorted(value.items()))
            out[f.name] = value
        return out


def _added(child: Mapping[Any, int], parent: Mapping[Any, int]) -> int:
    """Size of the multiset difference child − parent."""
    if not parent:
        return sum(child.values())
    get = parent.get
    total = 0
    for key, count in child.items():
        extra = count - get(key, 0)
        if extra > 0:
            total += extra
    return total


def _chars(child: Mapping[str, int], parent: Mapping[str, int]) -> int:
    """Characters of the words in the multiset difference child − parent."""
    get = parent.get
    total = 0
    for key, count in child.items():
        extra = count - get(key, 0)
        if extra > 0:
            total += extra * len(key)
    return total


def words_added(parent: ParsedText, child: ParsedText) -> int:
    """Prose words the child has beyond the parent: the size of the multiset difference of
    the words of visible text (not markup, template parameters, reference contents,
    comments, file captions, categories). Moved words are not added."""
    return _added(child.words, parent.words)


def words_removed(parent: ParsedText, child: ParsedText) -> int:
    """Prose words the parent had beyond the child (the reverse of words_added)."""
    return _added(parent.words, child.words)


def chars_added(parent: ParsedText, child: ParsedText) -> int:
    """Characters inside the added prose words (no spaces, no punctuation)."""
    return _chars(child.words, parent.words)


def chars_removed(parent: ParsedText, child: ParsedText) -> int:
    """Characters inside the removed prose words (no spaces, no punctuation)."""
    return _chars(parent.words, child.words)


def references_added(parent: ParsedText, child: ParsedText) -> int:
    """Distinct references (by normalised content) in the child and not in the parent:
    a <ref> with content, a list-defined ref inside <references> or {{Reflist|refs=}}, a
    {{#tag:ref}}, or an {{sfn}}-family footnote. A re-use <ref name="x"/> is not one;
    the same content twice counts once; editing a reference's content adds one and
    removes one."""
    return len(child.references - parent.references)


def references_removed(parent: ParsedText, child: ParsedText) -> int:
    """Distinct references (by normalised content) in the parent and not in the child."""
    return len(parent.references - child.references)


def cited_references_added(parent: ParsedText, child: ParsedText) -> int:
    """Added references that contain a recognised citation template (Cite web/news/book…,
    Citation, sfn/harvnb…, Lien web, Site web, Article, Ouvrage, Chapitre, Harvsp…;
    case-insensitive, '_' = ' ')."""
    return len(child.cited_references - parent.references)


def sections_added(parent: ParsedText, child: ParsedText) -> int:
    """Headings (level, title) in the child beyond the parent; renaming one adds one."""
    return _added(child.sections, parent.sections)


def sections_added_by_level(parent: ParsedText, child: ParsedText) -> dict[int, int]:
    """Added headings per level (2 for == X ==, 3 for === X ===…)."""
    levels: Counter[int] = Counter()
    get = parent.sections.get
    for (level, title), count in child.sections.items():
        extra = count - get((level, title), 0)
        if extra > 0:
            levels[level] += extra
    return dict(sorted(levels.items()))


def wikilinks_added(parent: ParsedText, child: ParsedText) -> int:
    """Internal links [[X]] beyond the parent's, by normalised target (fragment dropped),
    counting each occurrence; files, categories and interlanguage links are not wikilinks."""
    return _added(child.wikilinks, parent.wikilinks)


def external_links_added(parent: ParsedText, child: ParsedText) -> int:
    """External URLs (bracketed or bare, anywhere, citation url= parameters included)
    beyond the parent's, counting each occurrence."""
    return _added(child.external_links, parent.external_links)


def files_added(parent: ParsedText, child: ParsedText) -> int:
    """Files used beyond the parent's: [[File:…]] in any local name (Fichier, Image,
    Média…), <gallery> lines, and bare file names given to template parameters."""
    return _added(child.files, parent.files)


def templates_added(parent: ParsedText, child: ParsedText) -> int:
    """Template transclusions beyond the parent's, by normalised name (citation templates
    inside references included; parser functions and magic words excluded)."""
    return _added(child.templates, parent.templates)


def infoboxes_added(parent: ParsedText, child: ParsedText) -> int:
    """Templates named Infobox…/Taxobox…/Boîte… (and Speciesbox) beyond the parent's."""
    return _added(child.infoboxes, parent.infoboxes)


def categories_added(parent: ParsedText, child: ParsedText) -> int:
    """Categories ([[Category:X]], [[Catégorie:X]]…) the child has and the parent had not;
    links to a category page ([[:Category:X]]) are wikilinks."""
    return len(child.categories - parent.categories)


def page_created(parent: ParsedText, child: ParsedText) -> bool:
    """The revision created the page (it has no parent revision)."""
    return not parent.exists


def is_redirect(parent: ParsedText, child: ParsedText) -> bool:
    """The page is a redirect after this revision."""
    return child.is_redirect


def redirect_created(parent: ParsedText, child: ParsedText) -> bool:
    """The revision made the page a redirect (created as one, or turned into one)."""
    return child.is_redirect and not (parent.exists and parent.is_redirect)


_MOVE_COMMENT_RE = re.compile(
    r"\bmoved (?:page )?\[\[[^\]]+\]\] to \[\["
    r"|\ba (?:déplacé|renommé) (?:la page )?\[\[[^\]]+\]\] (?:vers|en) \[\["
    r"|\bverschob (?:die Seite )?\[\[[^\]]+\]\] nach \[\[",
    re.IGNORECASE,
)


def is_move_comment(comment: str | None) -> bool:
    """The edit summary MediaWiki writes for a page move (en, fr, de)."""
    return bool(comment) and _MOVE_COMMENT_RE.search(comment) is not None  # type: ignore[arg-type]


def is_move(parent: ParsedText, child: ParsedText, comment: str | None = None) -> bool:
    """A move or other null revision: the text is identical to the parent's (same sha1; a
    move, a protection or an identical save adds nothing), or the redirect a move leaves
    at the old title (a redirect creation with a move summary)."""
    if parent.exists and child.exists and parent.sha1 == child.sha1 and child.sha1:
        return True
    return (not parent.exists and child.is_redirect and is_move_comment(comment))


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric's definition: stable id (= RevisionMetrics field), label, what it counts."""

    id: str
    label: str
    description: str
    compute: Callable[[ParsedText, ParsedText], Any] | None = None
    scope: str = "pair"  # "pair": parent vs child; "history": needs the page's history


def _doc(func: Callable[..., Any]) -> str:
    """A function's docstring on one line."""
    return " ".join((func.__doc__ or "").split())


def _pair(metric_id: str, label: str, func: Callable[[ParsedText, ParsedText], Any]) -> Metric:
    """A parent-vs-child metric whose definition is its function's docstring."""
    return Metric(metric_id, label, _doc(func), func)


METRICS: tuple[Metric, ...] = (
    _pair("words_added", "Words added", words_added),
    _pair("words_removed", "Words removed", words_removed),
    _pair("chars_added", "Characters added", chars_added),
    _pair("chars_removed", "Characters removed", chars_removed),
    _pair("references_added", "References added", references_added),
    _pair("references_removed", "References removed", references_removed),
    _pair("cited_references_added", "Cited references added", cited_references_added),
    _pair("sections_added", "Sections added", sections_added),
    _pair("sections_added_by_level", "Sections added by level", sections_added_by_level),
    _pair("wikilinks_added", "Wikilinks added", wikilinks_added),
    _pair("external_links_added", "External links added", external_links_added),
    _pair("files_added", "Files added", files_added),
    _pair("templates_added", "Templates added", templates_added),
    _pair("infoboxes_added", "Infoboxes added", infoboxes_added),
    _pair("categories_added", "Categories added", categories_added),
    _pair("created", "Page created", page_created),
    _pair("redirect_created", "Redirect created", redirect_created),
    _pair("is_redirect", "Is a redirect", is_redirect),
    Metric("is_move", "Move / null revision", _doc(is_move), None),
    Metric("is_revert", "Revert",
           "The revision restores exactly (same sha1) one of the 15 revisions before its "
           "parent, or carries the mw-undo, mw-rollback or mw-manual-revert tag.",
           None, "history"),
    Metric("reverts", "Revisions reverted by this one",
           "The revisions strictly between the restored state and this identity revert.",
           None, "history"),
    Metric("reverted", "Reverted",
           "A later identity revert (within 15 revisions) undid this revision, or it "
           "carries the mw-reverted tag. Its additions are not lasting work.", None, "history"),
    Metric("reverted_by", "Reverted by",
           "The first revision that reverted this one (None when only the tag says so).",
           None, "history"),
    Metric("prose_words_total", "Prose words (page)",
           "Prose words of the page after this revision (same tokenizer).", None),
    Metric("references_total", "References (page)",
           "Distinct references of the page after this revision.", None),
)

_PAIR_METRICS = tuple((m.id, m.compute) for m in METRICS if m.compute is not None)


def compare(parent: ParsedText | None, child: ParsedText | None, *, revid: int = 0,
            comment: str | None = None, tags: Iterable[str] = (),
            flags: Iterable[str] = ()) -> RevisionMetrics:
    """Metrics of one revision from its parent's and its own parse.

    `parent` is PAGE_ABSENT for a page creation and None when the parent's text is unknown
    (then the diff metrics stay 0 and the flag `parent_missing` is set); `child` None means
    the revision's own text is hidden or missing (flag `text_missing`, all diffs 0).
    """
    tags = tuple(tags)
    out = RevisionMetrics(revid=revid)
    all_flags = list(flags)
    if child is None or not child.exists:
        all_flags.append(FLAG_TEXT_MISSING)
        out.created = parent is not None and not parent.exists
    elif parent is None:
        all_flags.append(FLAG_PARENT_MISSING)
        all_flags.extend(child.flags)
        out.is_redirect = child.is_redirect
    else:
        for metric_id, compute in _PAIR_METRICS:
            setattr(out, metric_id, compute(parent, child))
        out.is_move = is_move(parent, child, comment)
        all_flags.extend(child.flags)
        all_flags.extend(f"parent_{flag}" for flag in parent.flags)
    if child is not None and child.exists:
        out.prose_words_total = child.word_count
        out.references_total = len(child.references)
    out.is_revert = any(tag in REVERT_TAGS for tag in tags)
    out.reverted = REVERTED_TAG in tags
    out.flags = tuple(dict.fromkeys(all_flags))
    return out


def metrics_table() -> str:
    """The registry as a Markdown table (docs/metrics.md and the README embed it)."""
    lines = ["| id | label | scope | definition |", "|---|---|---|---|"]
    for m in METRICS:
        lines.append(f"| `{m.id}` | {m.label} | {m.scope} | {m.description} |")
    return "\n".join(lines)

