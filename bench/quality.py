"""How often the structural quality estimate agrees with a rating, within one class.

Two sources of labelled articles:

* the bundled set (default): articles *constructed* by this script from profiles (prose
  words, references, sections, images, infobox, maintenance banners), each labelled by hand
  by the project on the French (ébauche … AdQ) or English (Stub … FA) scale following the
  wikis' published assessment criteria, including stale ratings as they occur on the wikis
  (an article grown to B size whose talk page still says ébauche). These labels are the
  project's, not the wikis': the figure says how the estimate behaves on typical shapes.
* `--export FILE.xml …`: real Special:Export files holding articles *and* their talk pages
  with full histories; each talk revision that sets a rating is paired with the article
  revision the assessor saw (the last one before it). This is how to measure the estimate
  against real ratings of a wiki (nothing here goes to the network: export the pages first).

Also timed: the estimate per revision (parse + features + class) against parsing alone,
median of N repeats over the same texts, in the same run.

Run:  .venv/bin/python bench/quality.py [--repeats 5] [--export FILE.xml …]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wikiseminar.analysis.quality import (
    class_distance,
    estimate_class,
    quality_features,
    read_rating,
    scale_for,
)
from wikiseminar.analysis.wikitext import WikitextParser
from wikiseminar.wiki.xmlexport import ExportReader

FR_SENTENCES = (
    "Le quartier se développe autour des halles au cours du XIXe siècle.",
    "Les historiens rattachent cette croissance à l'arrivée du chemin de fer en 1855.",
    "La municipalité aménage ensuite une place publique et plusieurs lavoirs.",
    "Des artisans s'installent dans les anciennes dépendances du couvent.",
    "Après la Seconde Guerre mondiale, la population diminue de près d'un tiers.",
    "Une association d'habitants obtient la protection des façades en 1978.",
    "Le marché du samedi attire aujourd'hui des visiteurs de toute la région.",
    "Plusieurs études universitaires décrivent l'évolution sociale du quartier.",
)
EN_SENTENCES = (
    "The district grew around the covered market during the nineteenth century.",
    "Historians link this growth to the arrival of the railway in 1855.",
    "The council later laid out a public square and several wash houses.",
    "Craftsmen settled in the former outbuildings of the convent.",
    "After the Second World War the population fell by almost a third.",
    "A residents' association obtained protection for the facades in 1978.",
    "The Saturday market now draws visitors from across the region.",
    "Several academic studies describe the social history of the district.",
)


@dataclass(frozen=True, slots=True)
class Case:
    """A constructed article: its shape and the class the project gives it."""

    lang: str
    label: str
    words: int
    refs: int
    sections: int
    images: int = 0
    infobox: bool = False
    banners: tuple[str, ...] = ()
    note: str = ""


CASES: tuple[Case, ...] = (
    # French Wikipedia (avancement)
    Case("fr", "ébauche", 60, 0, 0, banners=("Ébauche|géographie",)),
    Case("fr", "ébauche", 150, 1, 1),
    Case("fr", "ébauche", 400, 0, 2, banners=("À sourcer",), note="unsourced"),
    Case("fr", "ébauche", 220, 3, 2, infobox=True),
    Case("fr", "BD", 500, 3, 2),
    Case("fr", "BD", 900, 5, 3, images=1),
    Case("fr", "BD", 1600, 2, 4, note="long, poorly sourced"),
    Case("fr", "BD", 700, 6, 3, banners=("Ébauche|histoire",), note="stub banner left behind"),
    Case("fr", "B", 1300, 12, 4, images=1),
    Case("fr", "B", 2200, 20, 5, images=1, infobox=True),
    Case("fr", "B", 3000, 15, 6, note="long, sourcing thin for A"),
    Case("fr", "B", 2000, 18, 5, banners=("refnec", "refnec"), note="two citations needed"),
    Case("fr", "A", 3500, 40, 7, images=2, infobox=True),
    Case("fr", "A", 4500, 45, 8, images=2),
    Case("fr", "BA", 5500, 80, 9, images=3, infobox=True),
    Case("fr", "BA", 4200, 60, 8, images=2, infobox=True),
    Case("fr", "AdQ", 9000, 150, 12, images=5, infobox=True),
    Case("fr", "AdQ", 7500, 110, 10, images=4, infobox=True),
    Case("fr", "ébauche", 2500, 25, 5, images=1, note="stale rating: grew, never reassessed"),
    Case("fr", "B", 1200, 14, 4, banners=("Article non neutre",), note="B with a neutrality banner"),
    # English Wikipedia (class)
    Case("en", "Stub", 80, 0, 0, banners=("Geo-stub",)),
    Case("en", "Stub", 200, 1, 1),
    Case("en", "Start", 450, 3, 2),
    Case("en", "Start", 900, 2, 3, banners=("More citations needed",), note="poorly sourced"),
    Case("en", "Start", 600, 4, 2, images=1),
    Case("en", "C", 1000, 8, 3),
    Case("en", "C", 1400, 10, 4, images=1, infobox=True),
    Case("en", "B", 1800, 18, 5, images=1, infobox=True),
    Case("en", "B", 2300, 22, 5, images=1),
    Case("en", "GA", 3000, 40, 6, images=2, infobox=True),
    Case("en", "GA", 2700, 35, 6, images=1, infobox=True),
    Case("en", "A", 4000, 60, 8, images=2, infobox=True),
    Case("en", "FA", 6000, 110, 10, images=4, infobox=True),
    Case("en", "FA", 5200, 90, 9, images=3, infobox=True),
    Case("en", "Start", 2000, 20, 5, images=1, note="stale rating"),
    Case("en", "C", 2400, 25, 5, banners=("Cleanup",), note="cleanup banner"),
)


def build_article(case: Case) -> str:
    """Wikitext with the case's shape (sentences cycled, references spread over paragraphs)."""
    french = case.lang == "fr"
    sentences = FR_SENTENCES if french else EN_SENTENCES
    cite = "{{{{Ouvrage|titre=Étude {n}|année={y}}}}}" if french else "{{{{Cite book|title=Study {n}|year={y}}}}}"
    out: list[str] = [f"{{{{{b}}}}}" for b in case.banners if not b.casefold().startswith("refnec")]
    if case.infobox:
        out.append("{{Infobox Quartier|nom=X}}" if french else "{{Infobox settlement|name=X}}")
    paragraphs = max(1, case.sections * 2 + 1)
    per_paragraph = [case.words // paragraphs] * paragraphs
    refs = [case.refs // paragraphs + (1 if i < case.refs % paragraphs else 0) for i in range(paragraphs)]
    counter = 0
    index = 0
    for p in range(paragraphs):
        if p and (p - 1) % 2 == 0 and (p - 1) // 2 < case.sections:
            out.append(f"== {'Partie' if french else 'Part'} {(p - 1) // 2 + 1} ==")
        words: list[str] = []
        while len(words) < per_paragraph[p]:
            words.extend(sentences[index % len(sentences)].split())
            index += 1
        text = " ".join(words[: per_paragraph[p]]) + "."
        for _ in range(refs[p]):
            counter += 1
            text += "<ref>" + cite.format(n=counter, y=1950 + counter % 70) + "</ref>"
        out.append(text)
    for banner in case.banners:
        if banner.casefold().startswith("refnec"):
            out[-1] += " {{refnec}}"
    for i in range(case.images):
        out.append(f"[[{'Fichier' if french else 'File'}:Vue {i}.jpg|vignette|Vue {i}]]")
    out.append("== Notes et références ==\n<references />" if french else "== References ==\n{{Reflist}}")
    out.append("[[Catégorie:Quartier]]" if french else "[[Category:Districts]]")
    return "\n\n".join(out)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One article text with the class it was given."""

    lang: str
    label: str
    text: str
    source: str


def bundled() -> list[Labelled]:
    """The constructed, hand-labelled set."""
    return [Labelled(c.lang, c.label, build_article(c), c.note or "constructed") for c in CASES]


def from_exports(paths: Iterable[Path]) -> list[Labelled]:
    """Pairs (article revision the assessor saw, rating set) from real exports with talk pages."""
    found: list[Labelled] = []
    for path in paths:
        with ExportReader(path) as reader:
            revisions = list(reader)
            lang = reader.siteinfo.lang or "en"
        articles: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        talks: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for rev in revisions:
            if rev.text is None:
                continue
            if rev.namespace == 0:
                articles[rev.title].append((rev.timestamp, rev.text))
            elif rev.namespace == 1:
                talks[rev.title.split(":", 1)[-1]].append((rev.timestamp, rev.text))
        for title, talk in talks.items():
            history = sorted(articles.get(title, []))
            previous = None
            for when, text in sorted(talk):
                rating = read_rating(text, lang)
                if rating is None or rating == previous:
                    previous = rating
                    continue
                previous = rating
                seen = [t for stamp, t in history if stamp <= when]
                if seen:
                    found.append(Labelled(lang, rating, seen[-1], f"{path.name}: {title} @ {when:%Y-%m-%d}"))
    return found


def agreement(items: list[Labelled]) -> dict[str, object]:
    """Exact and within-one agreement, per language, and the confusion pairs."""
    by_lang: dict[str, Counter[str]] = defaultdict(Counter)
    confusion: Counter[tuple[str, str, str]] = Counter()
    misses: list[str] = []
    for item in items:
        estimate = estimate_class(quality_features(item.text), item.lang)
        distance = class_distance(estimate, item.label, item.lang)
        counts = by_lang[item.lang]
        counts["n"] += 1
        if distance is None:
            counts["off_scale"] += 1
            continue
        counts["exact"] += distance == 0
        counts["within_one"] += distance <= 1
        confusion[(item.lang, item.label, estimate)] += 1
        if distance > 1:
            misses.append(f"{item.lang} {item.label} estimated {estimate} ({item.source})")
    return {"by_lang": by_lang, "confusion": confusion, "misses": misses}


def timing(items: list[Labelled], repeats: int) -> tuple[float, float]:
    """Median milliseconds per text: parse alone, and the whole estimate."""
    parse_runs, estimate_runs = [], []
    for _ in range(repeats):
        parser = WikitextParser()
        start = time.perf_counter()
        for item in items:
            parser.parse(item.text)
        parse_runs.append((time.perf_counter() - start) * 1000 / len(items))
        start = time.perf_counter()
        for item in items:
            estimate_class(quality_features(item.text), item.lang)
        estimate_runs.append((time.perf_counter() - start) * 1000 / len(items))
    return statistics.median(parse_runs), statistics.median(estimate_runs)


def main(argv: list[str] | None = None) -> int:
    """Print the agreement table (Markdown) and the timing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--export", type=Path, nargs="*", default=[],
                        help="Special:Export XML files with articles and their talk pages")
    args = parser.parse_args(argv)
    items = from_exports(args.export) if args.export else bundled()
    if not items:
        print("no rated article found in the exports", file=sys.stderr)
        return 1
    result = agreement(items)
    print(f"source: {'exports' if args.export else 'bundled constructed set'}; {len(items)} articles\n")
    print("| wiki | articles | exact | within one class |")
    print("| --- | ---: | ---: | ---: |")
    total = Counter()
    for lang, counts in sorted(result["by_lang"].items()):  # type: ignore[union-attr]
        n = counts["n"] - counts["off_scale"]
        total.update(counts)
        print(f"| {lang} | {n} | {counts['exact']} ({counts['exact'] / n:.0%}) | "
              f"{counts['within_one']} ({counts['within_one'] / n:.0%}) |")
    n = total["n"] - total["off_scale"]
    print(f"| all | {n} | {total['exact']} ({total['exact'] / n:.0%}) | "
          f"{total['within_one']} ({total['within_one'] / n:.0%}) |\n")
    print("confusion (wiki, label → estimate: count):")
    for (lang, label, estimate), count in sorted(
            result["confusion"].items(),  # type: ignore[union-attr]
            key=lambda kv: (kv[0][0], scale_for(kv[0][0]).index(kv[0][1]))):
        print(f"  {lang} {label} → {estimate}: {count}")
    for miss in result["misses"]:  # type: ignore[union-attr]
        print(f"  more than one class apart: {miss}")
    parse_ms, estimate_ms = timing(items, args.repeats)
    print(f"\nper article, median of {args.repeats}: parse {parse_ms:.2f} ms, "
          f"estimate {estimate_ms:.2f} ms (ratio {estimate_ms / parse_ms:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
