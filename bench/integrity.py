"""Benchmark the copy detector on the hand-written labelled set (tests/data/integrity).

Measures, in one run:

* precision and recall of `copy` at thresholds 0.3 to 0.9: a paragraph is a positive
  when labelled verbatim or reworded, and is found when its confidence against the
  source it cites reaches the threshold; false positives are counted by label
  (summary, unrelated) because an accused honest summary is the error that matters most;
* cost per checked revision: the pure integrity work for one revision that adds one
  labelled paragraph citing three sources (added prose, traces and citation checks,
  comparison with the three sources, the sources' indexes built as the sync builds them
  once per pass), median of N repeats, with the ratio to the edit analysis of the same
  revision (`analysis.metrics.compare`, the work every synced revision already costs)
  measured in the same run. Fetching is not included: each source is fetched once, ever.

Run:  .venv/bin/python bench/integrity.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integrity_data import load  # noqa: E402

from wikiseminar.analysis.excerpts import added_prose  # noqa: E402
from wikiseminar.analysis.metrics import compare as measure  # noqa: E402
from wikiseminar.analysis.wikitext import PAGE_ABSENT, WikitextParser  # noqa: E402
from wikiseminar.integrity.checks import copy_findings, offline_findings  # noqa: E402
from wikiseminar.integrity.compare import SourceIndex, compare  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9)
WHEN = dt.datetime(2024, 1, 10, tzinfo=dt.UTC)


def quality() -> list[str]:
    """The precision/recall table, as Markdown lines."""
    items = load()
    scored = []
    for item in items:
        match = compare(item.text, SourceIndex(item.source))
        scored.append((item, match.confidence if match else 0.0))
    positives = sum(1 for item, _ in scored if item.is_copy)
    lines = [f"{len(items)} paragraphs: " + ", ".join(
        f"{sum(1 for i in items if i.label == label)} {label}"
        for label in ("verbatim", "reworded", "summary", "unrelated")), "",
        "| threshold | found | precision | recall | false positives (summary / unrelated) |",
        "| --- | --- | --- | --- | --- |"]
    for threshold in THRESHOLDS:
        found = [(i, c) for i, c in scored if c >= threshold]
        true = sum(1 for i, _ in found if i.is_copy)
        precision = true / len(found) if found else 1.0
        recall = true / positives
        fp_summary = sum(1 for i, _ in found if i.label == "summary")
        fp_unrelated = sum(1 for i, _ in found if i.label == "unrelated")
        lines.append(f"| {threshold:.2f} | {len(found)} | {precision:.2f} | {recall:.2f} | "
                     f"{fp_summary} / {fp_unrelated} |")
    by_label: dict[str, list[float]] = {}
    for item, confidence in scored:
        by_label.setdefault(item.label, []).append(confidence)
    lines += ["", "| label | min | median | max |", "| --- | --- | --- | --- |"]
    for label, values in by_label.items():
        lines.append(f"| {label} | {min(values):.2f} | {statistics.median(values):.2f} | "
                     f"{max(values):.2f} |")
    return lines


def cost(repeats: int) -> list[str]:
    """Median time per checked revision, and its ratio to the edit analysis."""
    items = load()
    sources = list(dict.fromkeys(i.source for i in items))
    parser = WikitextParser()
    revisions = []
    for n, item in enumerate(items):
        parent = "Introduction de l'article.\n\n== Notes ==\n<references />"
        text = ("Introduction de l'article.\n\n" + item.text
                + "<ref>{{Lien web |url=https://example.org/a |titre=A |date=2023-01-02}}</ref>"
                + "\n\n== Notes ==\n<references />")
        cited = [sources[n % len(sources)], sources[(n + 1) % len(sources)],
                 sources[(n + 2) % len(sources)]]
        revisions.append((parent, text, cited))

    def integrity_pass() -> None:
        indexes: dict[str, SourceIndex] = {}
        for parent, text, cited in revisions:
            offline_findings(parent, text, WHEN)
            passages = added_prose(parent, text, max_chars=1_000_000)
            for src in cited:
                if src not in indexes:
                    indexes[src] = SourceIndex(src)
            copy_findings(passages, {str(k): indexes[s] for k, s in enumerate(cited)},
                          threshold=0.5)

    def analysis_pass() -> None:
        for parent, text, _ in revisions:
            measure(parser.parse(parent) if parent else PAGE_ABSENT, parser.parse(text),
                    revid=1)

    def timed(fn: object) -> float:
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            runs.append(time.perf_counter() - start)
        return statistics.median(runs) / len(revisions)

    integrity = timed(integrity_pass)
    analysis = timed(analysis_pass)
    return [
        "| work per revision | median | ratio to the edit analysis |",
        "| --- | --- | --- |",
        f"| edit analysis (reference) | {analysis * 1000:.2f} ms | 1.00 |",
        f"| integrity checks, 3 sources | {integrity * 1000:.2f} ms | "
        f"{integrity / analysis:.2f} |",
        "", f"({len(revisions)} revisions, median of {repeats} runs, Python "
        f"{sys.version.split()[0]})",
    ]


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print("\n".join(quality()))
    print()
    print("\n".join(cost(args.repeats)))


if __name__ == "__main__":
    main()
