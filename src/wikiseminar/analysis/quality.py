"""Article quality: the wiki's own rating read from a talk page, and a structural estimate.

Pure: wikitext in, classes out. French Wikipedia rates articles with the *avancement* of its
`{{Wikiprojet}}` banners (ébauche, BD, B, A, BA, AdQ), English Wikipedia with the `class` of
its WikiProject banners (Stub, Start, C, B, GA, A, FA). The estimate puts the same classes on
any MediaWiki from the article's structure (see docs/quality.md for the rules and their
calibration).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import mwparserfromhell

from ..wiki.types import SiteInfo
from .wikitext import ParsedText, parse_wikitext

__all__ = [
    "EN_SCALE",
    "FR_SCALE",
    "QualityFeatures",
    "RatingChange",
    "class_distance",
    "estimate_class",
    "estimate_level",
    "normalise_rating",
    "quality_features",
    "rating_changes",
    "read_rating",
    "scale_for",
]

FR_SCALE: tuple[str, ...] = ("ébauche", "BD", "B", "A", "BA", "AdQ")
EN_SCALE: tuple[str, ...] = ("Stub", "Start", "C", "B", "GA", "A", "FA")
# Classes outside the ordinal scale (lists): kept as read, never compared.
_EN_EXTRA = {"list": "List", "fl": "FL", "fli": "FL"}

_FR_SPELLINGS = {
    "ebauche": "ébauche", "e": "ébauche", "bd": "BD", "bon debut": "BD", "b": "B", "a": "A",
    "ba": "BA", "bon article": "BA", "adq": "AdQ", "article de qualite": "AdQ",
}
_EN_SPELLINGS = {c.casefold(): c for c in EN_SCALE} | {"start-class": "Start"}


def _fold(text: str) -> str:
    """Lower-case, accents dropped, spaces collapsed: 'Ébauche ' → 'ebauche'."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def scale_for(lang: str) -> tuple[str, ...]:
    """The class scale of a wiki language: the French one for fr, the English one otherwise."""
    return FR_SCALE if (lang or "").split("-")[0] == "fr" else EN_SCALE


def normalise_rating(value: str, scale: Sequence[str]) -> str | None:
    """A rating as written on a talk page ('ADQ', 'Ébauche', 'start') as its scale's spelling.

    None for "not rated" ('?', empty, 'unassessed') and for unknown words.
    """
    folded = _fold(value)
    if folded.endswith("-class"):
        folded = folded[: -len("-class")]
    if scale is FR_SCALE or tuple(scale) == FR_SCALE:
        return _FR_SPELLINGS.get(folded)
    return _EN_SPELLINGS.get(folded) or _EN_EXTRA.get(folded)


def _template_name(name: str) -> str:
    """A template's name folded for comparison ('Modèle:', '_' and first-letter case ignored)."""
    name = name.replace("_", " ").strip()
    head, colon, tail = name.partition(":")
    if colon and _fold(head) in ("modele", "template", "vorlage", "plantilla"):
        name = tail
    return _fold(name)


_FR_GENERAL = {"wikiprojet", "evaluation multiprojet", "wikiprojet multi"}
_EN_SHELLS = {"wikiproject banner shell", "wikiprojectbannershell", "wpbs",
              "wikiproject banner shell/core", "banner holder"}


def read_rating(talk_text: str | None, lang: str = "fr") -> str | None:
    """The article's class read from its talk page's banners, on the wiki's scale; None if unrated.

    French: `avancement=` of `{{Wikiprojet}}` / `{{Évaluation multiprojet}}`, else of the
    per-project `{{Wikiprojet X}}` banners. English: `class=` of `{{WikiProject banner shell}}`,
    else of the per-project `{{WikiProject X}}` banners. Per-project ratings that disagree give
    the highest one (the most recent assessor usually raised one banner only).
    """
    if not talk_text:
        return None
    scale = scale_for(lang)
    french = scale is FR_SCALE
    general: list[str] = []
    per_project: list[str] = []
    for template in mwparserfromhell.parse(talk_text).filter_templates(recursive=True):
        name = _template_name(str(template.name))
        if french:
            key = "avancement"
            if name in _FR_GENERAL:
                target = general
            elif name.startswith("wikiprojet "):
                target = per_project
            else:
                continue
        else:
            key = "class"
            if name in _EN_SHELLS:
                target = general
            elif name.startswith("wikiproject ") or name.startswith("wp "):
                target = per_project
            else:
                continue
        for param in template.params:
            if _fold(str(param.name)) == key:
                rating = normalise_rating(str(param.value.strip_code()), scale)
                if rating:
                    target.append(rating)
    for found in (general, per_project):
        ranked = [r for r in found if r in scale]
        if ranked:
            return max(ranked, key=scale.index)
        if found:
            return found[0]
    return None


@dataclass(frozen=True, slots=True)
class RatingChange:
    """A talk-page revision that changed the rating: when, by whom, from what to what."""

    rev_id: int
    timestamp: dt.datetime
    user: str | None
    before: str | None
    after: str | None


def rating_changes(revisions: Iterable[tuple[int, dt.datetime, str | None, str | None]],
                   lang: str = "fr", *, before: str | None = None) -> list[RatingChange]:
    """The rating changes in a talk page's revisions (rev id, time, user, text; oldest first).

    `before` is the rating in force before the first of them.
    """
    changes: list[RatingChange] = []
    current = before
    for rev_id, timestamp, user, text in revisions:
        rating = read_rating(text, lang)
        if rating != current:
            changes.append(RatingChange(rev_id, timestamp, user, current, rating))
            current = rating
    return changes


# -- structural estimate -----------------------------------------------------------------

_STUB_BANNERS = {"ebauche", "stub"}
_UNSOURCED_BANNERS = {
    "a sourcer", "sources", "sans sources", "unreferenced", "refimprove", "more citations needed",
    "more sources", "citations missing", "no footnotes", "verifiabilite",
}
_CITATION_NEEDED = {
    "refnec", "reference necessaire", "refsou", "reference souhaitee", "citation needed", "cn",
    "fact", "cite needed",
}
_OTHER_BANNERS = {
    "a verifier", "a recycler", "a wikifier", "orthographe", "promotionnel",
    "article non neutre", "non neutre", "travail inedit", "orphelin", "a delister",
    "cleanup", "wikify", "advert", "pov", "npov", "original research", "orphan",
    "copy edit", "tone", "essay-like", "multiple issues", "problemes multiples",
    "admissibilite a verifier",
}


@dataclass(frozen=True, slots=True)
class QualityFeatures:
    """What the estimate looks at in one revision of an article."""

    prose_words: int = 0
    references: int = 0
    sections: int = 0
    wikilinks: int = 0
    images: int = 0
    infobox: bool = False
    categories: int = 0
    stub_banner: bool = False
    unsourced_banner: bool = False
    citation_needed: int = 0
    other_banners: int = 0

    @property
    def refs_per_kword(self) -> float:
        """References per 1,000 prose words (0 for an empty page)."""
        return 1000.0 * self.references / self.prose_words if self.prose_words else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The features as JSON-ready values."""
        return asdict(self)


def quality_features(text: str | None, site: SiteInfo | None = None, *,
                     parsed: ParsedText | None = None) -> QualityFeatures:
    """Measure an article's wikitext for the estimate (reuses the metrics' parser)."""
    parsed = parsed or parse_wikitext(text, site)
    if not parsed.exists or parsed.is_redirect:
        return QualityFeatures()
    stub = unsourced = False
    citation_needed = other = 0
    for name, count in parsed.templates.items():
        folded = _template_name(name)
        if folded in _STUB_BANNERS or folded.startswith("ebauche") or folded.endswith("-stub"):
            stub = True
        elif folded in _UNSOURCED_BANNERS:
            unsourced = True
        elif folded in _CITATION_NEEDED:
            citation_needed += count
        elif folded in _OTHER_BANNERS:
            other += 1
    return QualityFeatures(
        prose_words=parsed.word_count,
        references=len(parsed.references),
        sections=sum(parsed.sections.values()),
        wikilinks=sum(parsed.wikilinks.values()),
        images=sum(parsed.files.values()),
        infobox=bool(parsed.infoboxes),
        categories=len(parsed.categories),
        stub_banner=stub,
        unsourced_banner=unsourced,
        citation_needed=citation_needed,
        other_banners=other,
    )


@dataclass(frozen=True, slots=True)
class _Step:
    """What an article needs to reach one class: minimum words, references, sections, images,
    references per 1,000 words."""

    words: int
    refs: int
    sections: int
    images: int = 0
    density: float = 0.0


# One step per class above the lowest, calibrated on bench/quality.py's labelled set.
_FR_STEPS: tuple[_Step, ...] = (
    _Step(words=250, refs=2, sections=1),                                 # BD
    _Step(words=1000, refs=8, sections=3, density=3.0),                   # B
    _Step(words=2500, refs=25, sections=5, images=1, density=5.0),        # A
    _Step(words=4000, refs=50, sections=7, images=2, density=7.0),        # BA
    _Step(words=7000, refs=90, sections=9, images=3, density=9.0),        # AdQ
)
_EN_STEPS: tuple[_Step, ...] = (
    _Step(words=250, refs=2, sections=1),                                 # Start
    _Step(words=700, refs=6, sections=3, density=3.0),                    # C
    _Step(words=1500, refs=15, sections=4, density=5.0),                  # B
    _Step(words=2500, refs=30, sections=5, images=1, density=7.0),        # GA
    _Step(words=3500, refs=50, sections=7, images=1, density=8.0),        # A
    _Step(words=5000, refs=80, sections=9, images=2, density=9.0),        # FA
)


def _steps(scale: Sequence[str]) -> tuple[_Step, ...]:
    return _FR_STEPS if tuple(scale) == FR_SCALE else _EN_STEPS


def estimate_level(features: QualityFeatures, scale: Sequence[str] = FR_SCALE) -> int:
    """The index, on `scale`, of the highest class whose every requirement the article meets.

    Maintenance banners cap it: a stub banner or an unsourced banner (or three or more
    "citation needed") at the second class, any other cleanup banner at the third.
    """
    level = 0
    for index, step in enumerate(_steps(scale), 1):
        if (features.prose_words >= step.words and features.references >= step.refs
                and features.sections >= step.sections and features.images >= step.images
                and features.refs_per_kword >= step.density):
            level = index
        else:
            break
    if features.stub_banner or features.unsourced_banner or features.citation_needed >= 3:
        level = min(level, 1)
    if features.other_banners:
        level = min(level, 2)
    return level


def estimate_class(features: QualityFeatures, lang: str = "fr") -> str:
    """The estimated class on the wiki's scale ("BD", "C"…)."""
    scale = scale_for(lang)
    return scale[estimate_level(features, scale)]


def class_distance(a: str | None, b: str | None, lang: str = "fr") -> int | None:
    """How many classes apart two ratings are on the wiki's scale; None if either is off it."""
    scale = scale_for(lang)
    if a not in scale or b not in scale:
        return None
    return abs(scale.index(a) - scale.index(b))
