"""Benchmark the edit analysis against mwedittypes 3.1 on the real histories in tests/data.

Measures, on one core, in one run:

* throughput — revisions analysed per second by `analyse_history` (each text parsed once,
  pieces reused), by the same metrics computed pair by pair with no reuse (two parses per
  revision, like mwedittypes), and by mwedittypes' `SimpleEditTypes` on the same pairs;
  median of N repeats;
* memory — tracemalloc peak while streaming a synthetic export of 2,000 and 10,000
  revisions (real texts repeated) through the reader and the analysis;
* agreement — on words inserted and references inserted, per revision, with a class for
  every disagreement (docs/benchmarks.md § 2 explains each class).

Run:  .venv/bin/python bench/analysis.py [--repeats 5] [--out bench/out/analysis.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from wikiseminar.analysis.history import iter_analysed
from wikiseminar.analysis.metrics import compare
from wikiseminar.analysis.wikitext import PAGE_ABSENT, ParsedText, WikitextParser
from wikiseminar.analysis.words import tokenize
from wikiseminar.wiki.types import Revision, SiteInfo
from wikiseminar.wiki.xmlexport import open_history

ROOT = Path(__file__).resolve().parent.parent
_REDIRECT_LINK_RE = re.compile(r"#\s*(REDIRECT)\w*\s*\[\[([^\]|]*)")
HISTORIES = ROOT / "tests" / "data" / "histories"


@dataclass
class History:
    """One file's pages: siteinfo and chronological revisions (with text)."""

    name: str
    site: SiteInfo
    revisions: list[Revision]


@dataclass
class Pair:
    """One revision and its parent's text, as both tools see it."""

    file: str
    revid: int
    lang: str
    parent: str
    child: str
    parent_parse: ParsedText | None = None
    child_parse: ParsedText | None = None


def load() -> list[History]:
    """Every XML history and the Nintendo Switch API answer."""
    paths = sorted(HISTORIES.glob("*.xml")) + [HISTORIES / "nintendo_switch_revisions.json"]
    out = []
    for path in paths:
        with open_history(path) as history:
            out.append(History(path.name, history.siteinfo, list(history)))
    return out


def pairs_of(histories: list[History]) -> list[Pair]:
    """Consecutive (parent, child) texts of each page; a creation's parent is empty."""
    pairs = []
    for h in histories:
        previous: Revision | None = None
        for rev in h.revisions:
            same_page = previous is not None and (previous.pageid, previous.title) == (
                rev.pageid, rev.title)
            parent = (previous.text or "") if same_page and previous else ""
            pairs.append(Pair(h.name, rev.revid, h.site.lang, parent, rev.text or ""))
            previous = rev
    return pairs


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    """Wall times of `repeats` runs (after one warm-up), garbage collector off while timing."""
    run()
    times = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
        gc.enable()
    return times


def ours_history(histories: list[History]) -> None:
    """The real mode: stream each history, one parse per text, pieces reused."""
    for h in histories:
        for _ in iter_analysed(h.revisions, h.site):
            pass


def ours_history_no_reuse(histories: list[History]) -> None:
    """Stream each history parsing each text once, whole (no piece reuse)."""
    for h in histories:
        parser = WikitextParser(h.site, reuse_sections=False)
        for _ in iter_analysed(h.revisions, h.site, parser=parser):
            pass


def ours_pairs(pairs: list[Pair]) -> None:
    """Pair by pair with no reuse at all: two parses per revision, like mwedittypes."""
    parser = WikitextParser(reuse_sections=False)
    for p in pairs:
        parent = parser.parse(p.parent) if p.parent else PAGE_ABSENT
        compare(parent, parser.parse(p.child))


def theirs(pairs: list[Pair]) -> list[dict]:
    """mwedittypes' SimpleEditTypes on every pair (3.1 takes content_type first)."""
    from mwedittypes import SimpleEditTypes

    return [SimpleEditTypes(content_type="wikitext", prev_content=p.parent,
                            curr_content=p.child, lang=p.lang).get_diff() for p in pairs]


def synthetic_export(path: Path, histories: list[History], count: int) -> None:
    """An export of one page with `count` revisions cycling through real texts."""
    texts = [r.text for h in histories for r in h.revisions if r.text]
    with path.open("w", encoding="utf-8") as out:
        out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" '
                  'version="0.11" xml:lang="en">\n<page>\n<title>Synthetic</title>\n'
                  '<ns>0</ns>\n<id>1</id>\n')
        for i in range(count):
            parent = f"<parentid>{i}</parentid>" if i else ""
            out.write(f"<revision><id>{i + 1}</id>{parent}"
                      f"<timestamp>2024-01-01T00:00:00Z</timestamp>"
                      f"<contributor><username>U{i % 7}</username><id>{i % 7}</id>"
                      f"</contributor><text xml:space=\"preserve\">"
                      f"{escape(texts[i % len(texts)])}</text></revision>\n")
        out.write("</page>\n</mediawiki>\n")


def peak_memory(path: Path) -> tuple[int, int, float]:
    """(revisions, tracemalloc peak in bytes, seconds) streaming a file through the analysis."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    count = 0
    with open_history(path) as history:
        for _ in iter_analysed(history, history.siteinfo):
            count += 1
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return count, peak, seconds


_HTML_CONTENT_RE = re.compile(r"<(em|span|div|center|small|big|sup|sub|font|p|blockquote|u|s|"
                              r"code|poem|abbr)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_INTERLANG_RE = re.compile(r"\[\[([a-z]{2,3}(?:-[a-z]+)*):([^\]|]*)\]\]")


def their_words(p: Pair) -> tuple[Counter[str], Counter[str]]:
    """mwedittypes' word additions and removals before it nets them (its own internals)."""
    from mwedittypes.constants import ENGLISH_UNICODE, NON_ENGLISH_UNICODE
    from mwedittypes.simple_differ import ContentBag, Differ
    from mwedittypes.tokenizer import Tokenizer

    differ = Differ(ContentBag(p.parent, "wikitext", p.lang), ContentBag(p.child, "wikitext",
                                                                          p.lang))
    texts = []
    for bag in (differ.t1, differ.t2):
        sections = {n.section for nodes in bag.nodes.values() for n in nodes
                    if n.ntype == "Section"}
        texts.append("\n\n".join(bag.secname_to_text[s] for s in sections))
    tokenizer = Tokenizer(ENGLISH_UNICODE, NON_ENGLISH_UNICODE, lang=p.lang)
    before, after = (Counter(tokenizer.get_words(t)) for t in texts)
    return after - before, before - after


def word_class(p: Pair, theirs_insert: int) -> tuple[str, str]:
    """Why the two word counts differ, from the tokens each side added (see the doc)."""
    child, parent = p.child_parse, p.parent_parse
    assert child is not None and parent is not None
    ours_plus = Counter(child.words) - Counter(parent.words)
    ours_minus = Counter(parent.words) - Counter(child.words)
    their_plus, their_minus = their_words(p)
    causes: list[str] = []
    their_total = sum(their_plus.values())
    if theirs_insert != their_total or (bool(ours_minus) and their_plus == ours_plus):
        causes.append("replacement")
    only_ours = ours_plus - their_plus
    only_theirs = their_plus - ours_plus
    explained_ours: Counter[str] = Counter()
    explained_theirs: Counter[str] = Counter()
    headings = Counter(tokenize(" ".join(
        t for (_, t) in (Counter(child.sections) - Counter(parent.sections)))))
    if only_ours & headings:
        causes.append("headings")
        explained_ours |= only_ours & headings
    if "REDIRECT" in only_theirs or (child.is_redirect or (parent.exists and parent.is_redirect)):
        if only_theirs or only_ours:
            causes.append("redirect")
            links = " ".join(f"{a} {b}" for a, b in _REDIRECT_LINK_RE.findall(p.parent + p.child))
            words = Counter(["REDIRECT", *re.findall(r"\w+", links)])
            explained_theirs |= only_theirs & words
            explained_ours |= only_ours & words  # their parent counted the target's words
    interlang = Counter(w for prefix, title in _INTERLANG_RE.findall(p.child + p.parent)
                        for w in [prefix, *re.findall(r"\w+", title)])
    if (only_theirs | only_ours) & interlang:
        causes.append("interlanguage links")
        explained_theirs |= only_theirs & interlang
        explained_ours |= only_ours & interlang  # offsets in their counts of the same words
    numbers_ours = Counter({t: n for t, n in only_ours.items() if re.search(r"\d[.,]\d", t)})
    if numbers_ours:
        causes.append("numbers")
        explained_ours |= numbers_ours
        explained_theirs |= Counter({t: n for t, n in only_theirs.items() if t.isdigit()})
    elided = Counter({t: n for t, n in only_ours.items() if t.endswith("'")})
    if elided:
        causes.append("elisions")
        explained_ours |= elided
        whole = Counter({t: n for t, n in only_theirs.items() if "'" in t})
        explained_theirs |= whole
        explained_ours |= only_ours & Counter(t.split("'", 1)[1] for t in whole.elements())
    html = Counter(tokenize(" ".join(m[1] for m in _HTML_CONTENT_RE.findall(p.child))))
    if (only_ours - explained_ours) & html:
        causes.append("HTML tag contents")
        explained_ours |= (only_ours - explained_ours) & html
    rest_ours = only_ours - explained_ours
    rest_theirs = only_theirs - explained_theirs
    if rest_ours or rest_theirs or not causes:
        causes.append("other")
    detail = ""
    if rest_ours or rest_theirs:
        detail = (f"ours only: {' '.join(sorted(rest_ours.elements())[:8])}; "
                  f"theirs only: {' '.join(sorted(rest_theirs.elements())[:8])}")
    return " + ".join(causes), detail


def reference_class(p: Pair, ours_added: int, ours_removed: int, theirs_insert: int) -> str:
    """Why the two reference counts differ (see the doc)."""
    child, parent = p.child_parse, p.parent_parse
    assert child is not None and parent is not None
    causes = []
    added = child.references - parent.references
    if any(key.startswith(("{{Sfn", "{{sfn")) for key in added):
        causes.append("sfn footnote (no <ref> tag)")
    if child.reference_uses != parent.reference_uses:
        causes.append("re-use <ref name=…/>")
    if ours_added and ours_removed:
        causes.append("edited reference")
    if not causes:
        causes.append("same content twice" if theirs_insert > ours_added else "other")
    return " + ".join(causes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    parser.add_argument("--sizes", default="2000,10000", help="synthetic history lengths")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    warnings.simplefilter("ignore")

    histories = load()
    pairs = pairs_of(histories)
    n = len(pairs)
    lines: list[str] = []
    emit = lines.append

    t_hist = timed(lambda: ours_history(histories), args.repeats)
    t_whole = timed(lambda: ours_history_no_reuse(histories), args.repeats)
    t_pairs = timed(lambda: ours_pairs(pairs), args.repeats)
    t_theirs = timed(lambda: theirs(pairs), args.repeats)
    rate = {name: n / statistics.median(t) for name, t in
            (("history", t_hist), ("whole", t_whole), ("pairs", t_pairs),
             ("theirs", t_theirs))}

    import mwedittypes
    import mwparserfromhell

    emit("# Edit analysis benchmark")
    emit("")
    emit(f"- date: {dt.date.today().isoformat()}; machine: {platform.machine()}, "
         f"{_cpu()}, {os.cpu_count()} cores (pinned to one); Python {platform.python_version()}")
    emit(f"- mwparserfromhell {mwparserfromhell.__version__}, mwedittypes "
         f"{getattr(mwedittypes, '__version__', '3.1.0')}")
    emit(f"- data: {len(histories)} files of tests/data/histories, {n} revisions "
         f"({sum(len(p.child) for p in pairs) / 1e6:.1f} MB of wikitext)")
    emit(f"- command: `.venv/bin/python bench/analysis.py --repeats {args.repeats}`")
    emit("")
    emit("## Throughput (revisions per second, one core, median of "
         f"{args.repeats} runs)")
    emit("")
    emit("| analysis | rev/s | median s | min s | max s | × mwedittypes |")
    emit("|---|---:|---:|---:|---:|---:|")
    for label, key, t in (
            ("wikiseminar `analyse_history` (parse once, pieces reused)", "history", t_hist),
            ("wikiseminar `analyse_history`, `reuse_sections=False` (parse once, whole)",
             "whole", t_whole),
            ("wikiseminar pair by pair, no reuse (2 parses/revision)", "pairs", t_pairs),
            ("mwedittypes 3.1 `SimpleEditTypes` (same pairs)", "theirs", t_theirs)):
        emit(f"| {label} | {rate[key]:.0f} | {statistics.median(t):.3f} | {min(t):.3f} | "
             f"{max(t):.3f} | {rate[key] / rate['theirs']:.1f} |")
    emit("")

    emit("## Peak memory streaming a long history (reader + analysis, tracemalloc)")
    emit("")
    emit("| revisions | file MB | peak MB | seconds |")
    emit("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"synthetic-{size}.xml"
            synthetic_export(path, histories, size)
            count, peak, seconds = peak_memory(path)
            emit(f"| {count} | {path.stat().st_size / 1e6:.1f} | {peak / 1e6:.2f} | "
                 f"{seconds:.1f} |")
    emit("")

    # Agreement: same pairs, our metrics vs theirs.
    site_parsers: dict[str, WikitextParser] = {}
    for h in histories:
        site_parsers[h.name] = WikitextParser(h.site, reuse_sections=False)
    results = theirs(pairs)
    word_rows: list[tuple] = []
    ref_rows: list[tuple] = []
    net_equal = 0
    for p, diff in zip(pairs, results, strict=True):
        wp = site_parsers[p.file]
        p.parent_parse = wp.parse(p.parent) if p.parent else PAGE_ABSENT
        p.child_parse = wp.parse(p.child)
        m = compare(p.parent_parse, p.child_parse)
        their_words = diff.get("Word", {}).get("insert", 0)
        their_refs = diff.get("Reference", {}).get("insert", 0)
        net_equal += m.words_added - min(m.words_added, m.words_removed) == their_words
        if m.words_added != their_words:
            word_rows.append((p.file, p.revid, m.words_added, m.words_removed, their_words,
                              *word_class(p, their_words)))
        if m.references_added != their_refs:
            ref_rows.append((p.file, p.revid, m.references_added, m.references_removed,
                             their_refs,
                             reference_class(p, m.references_added, m.references_removed,
                                             their_refs)))
    emit("## Agreement with mwedittypes")
    emit("")
    emit(f"- words inserted: equal on {n - len(word_rows)} of {n} revisions; causes of the "
         "disagreements (a revision can have several): "
         f"{dict(sorted(Counter(c for r in word_rows for c in r[5].split(' + ')).items()))}")
    emit(f"- words inserted, ours netted like mwedittypes (added − min(added, removed)): "
         f"equal on {net_equal} of {n} revisions")
    emit(f"- references inserted: equal on {n - len(ref_rows)} of {n} revisions; causes: "
         f"{dict(sorted(Counter(c for r in ref_rows for c in r[5].split(' + ')).items()))}")
    emit("")
    emit("### Words inserted: every disagreement")
    emit("")
    emit("| file | revid | ours added | ours removed | mwedittypes insert | causes | tokens "
         "left unexplained |")
    emit("|---|---:|---:|---:|---:|---|---|")
    for row in word_rows:
        emit("| " + " | ".join(str(x) for x in row) + " |")
    emit("")
    emit("### References inserted: every disagreement")
    emit("")
    emit("| file | revid | ours added | ours removed | mwedittypes insert | causes |")
    emit("|---|---:|---:|---:|---:|---|")
    for row in ref_rows:
        emit("| " + " | ".join(str(x) for x in row) + " |")
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
    return 0


def _cpu() -> str:
    """The CPU model name, when the OS says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    raise SystemExit(main())
