"""Benchmark token authorship against WikiWho: agreement, throughput, incremental cost.

Measures, in one run and on the same inputs:

1. agreement with WikiWho 1.0.3's reference outputs (tests/data/histories/wikiwho-reference
   and the Nintendo Switch golden file): share of the last revision's tokens with the same
   origin revision, and whether every token ever seen is identical (str, id, origin, in, out);
2. revisions per second, ours vs the `WikiWho` package (`Wikiwho(title).analyse_article`, the
   API-format entry point, fed the same pre-parsed revisions), median of --repeats runs;
3. the incremental cost on a ~30 KB article with a long history: a synthetic history grown
   from the real 26 KB "Pear" article (article-pear-0.10.xml) by seeded random edits (word
   changes, added and removed sentences and paragraphs, moves, vandalism and reverts, a few
   blank-outs and floods that WikiWho's heuristics flag); the state after all but the last
   revision is saved, then `from_bytes` + `add_revision(last)` + `to_bytes` is timed
   (median of --incremental-runs runs).

Prints markdown tables. Run from the repository root:

    .venv/bin/python bench/authorship.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wikiseminar.analysis.authorship import PageAuthorship
from wikiseminar.wiki.types import parse_timestamp
from wikiseminar.wiki.xmlexport import read_export

ROOT = Path(__file__).resolve().parents[1]
HISTORIES = ROOT / "tests" / "data" / "histories"
REFERENCE = HISTORIES / "wikiwho-reference"

Row = dict[str, Any]  # one revision: revid, text, user, userid, timestamp, comment, minor


def read_pages(path: Path) -> list[tuple[str, list[Row]]]:
    """(title, revisions) of each page of a Special:Export file; hidden texts left out."""
    pages: list[tuple[str, list[Row]]] = []
    page = None
    with read_export(path) as reader:
        for rev in reader:
            if rev.pageid != page:
                pages.append((rev.title, []))
                page = rev.pageid
            if rev.text is None or rev.texthidden:
                continue
            pages[-1][1].append(
                {
                    "revid": rev.revid,
                    "text": rev.text,
                    "user": rev.user or "",
                    "userid": rev.userid or 0,
                    "timestamp": rev.timestamp,
                    "comment": rev.comment,
                    "minor": rev.minor,
                }
            )
    return pages


def load_histories() -> list[tuple[str, str, list[Row], list[dict[str, Any]] | None]]:
    """(name, title, revisions, WikiWho reference tokens or None) of every history."""
    out: list[tuple[str, str, list[Row], list[dict[str, Any]] | None]] = []
    for path in sorted(HISTORIES.glob("*.xml")):
        ref_path = REFERENCE / f"{path.stem}__wikiwho_pypi_1.0.3.json"
        refs = json.loads(ref_path.read_text("utf-8")) if ref_path.exists() else None
        for k, (title, rows) in enumerate(read_pages(path)):
            out.append((path.stem, title, rows, refs[k]["tokens"] if refs else None))
    api = json.loads((HISTORIES / "nintendo_switch_revisions.json").read_text("utf-8"))
    rows = [
        {
            "revid": r["revid"],
            "text": r.get("*", ""),
            "user": r.get("user", ""),
            "userid": r.get("userid", 0),
            "timestamp": parse_timestamp(r["timestamp"]),
            "comment": r.get("comment"),
            "minor": "minor" in r,
        }
        for r in api
    ]
    golden = json.loads(
        (HISTORIES / "nintendo_switch_golden__wikiwho_pypi_1.0.3.json").read_text("utf-8")
    )
    out.append(("nintendo_switch", "Nintendo Switch", rows, golden))
    return out


def synthetic_history(base: str, n: int, seed: int = 7) -> list[Row]:
    """A long, realistic-looking history of a ~30 KB article (seeded, reproducible)."""
    rnd = random.Random(seed)
    pool = [s for p in base.split("\n\n") for s in p.split(". ") if len(s) > 40]
    history = [base]
    good = [0]  # versions that are not vandalism: what edits build on and reverts go back to
    rows: list[Row] = []
    when = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    revert_to: int | None = None
    for k in range(n):
        when += dt.timedelta(hours=rnd.uniform(0.1, 30))
        user = f"Editor{rnd.randrange(40)}"
        vandalism = False
        paragraphs = history[good[-1]].split("\n\n")
        i = rnd.randrange(len(paragraphs))
        op = rnd.random()
        if revert_to is not None:
            text, revert_to = history[revert_to], None
        elif op < 0.35:  # change a word
            words = paragraphs[i].split(" ")
            j = rnd.randrange(len(words))
            words[j] = rnd.choice(["new", "changed", "improved", f"Word{k}", words[j] + "s"])
            paragraphs[i] = " ".join(words)
            text = "\n\n".join(paragraphs)
        elif op < 0.55:  # add a sentence
            paragraphs[i] += " " + rnd.choice(pool) + "."
            text = "\n\n".join(paragraphs)
        elif op < 0.65:  # remove a sentence
            sentences = paragraphs[i].split(". ")
            if len(sentences) > 1:
                del sentences[rnd.randrange(len(sentences))]
            paragraphs[i] = ". ".join(sentences)
            text = "\n\n".join(paragraphs)
        elif op < 0.72:  # new paragraph
            paragraphs.insert(i, " ".join(rnd.sample(pool, 3)))
            text = "\n\n".join(paragraphs)
        elif op < 0.78 and len(paragraphs) > 10:  # remove a paragraph
            del paragraphs[i]
            text = "\n\n".join(paragraphs)
        elif op < 0.84:  # move a paragraph
            moved = paragraphs.pop(i)
            paragraphs.insert(rnd.randrange(len(paragraphs) + 1), moved)
            text = "\n\n".join(paragraphs)
        elif op < 0.90:  # vandalism, reverted by the next revision
            paragraphs[i] = "lol " + " ".join(
                rnd.choice(["poop", "xd", "haha", "123"]) for _ in range(20)
            )
            text = "\n\n".join(paragraphs)
            vandalism, revert_to = True, good[-1]
        elif op < 0.91:  # blank-out (WikiWho flags it), reverted
            text = "this article sucks"
            vandalism, revert_to = True, good[-1]
        elif op < 0.92:  # copy-paste flood (WikiWho flags it), reverted
            text = history[good[-1]] + "\n\n" + "buy pills " * 200
            vandalism, revert_to = True, good[-1]
        else:  # revert to one of the last good versions
            text = history[good[max(0, len(good) - 1 - rnd.randint(1, 3))]]
        while len(text) > 34_000:  # keep the article around 30 KB
            parts = text.split("\n\n")
            del parts[rnd.randrange(len(parts))]
            text = "\n\n".join(parts)
        history.append(text)
        if not vandalism:
            good.append(len(history) - 1)
        rows.append(
            {
                "revid": 1_000_000 + k,
                "text": text,
                "user": user,
                "userid": int(user[6:]) + 1,
                "timestamp": when,
                "comment": None,
                "minor": False,
            }
        )
    return rows


# --- runners --------------------------------------------------------------------------------


def run_ours(rows: list[Row]) -> PageAuthorship:
    """Our attribution over a whole history."""
    state = PageAuthorship()
    for r in rows:
        state.add_revision(
            r["revid"], r["text"], r["user"], r["timestamp"], comment=r["comment"], minor=r["minor"]
        )
    return state


def api_revisions(rows: list[Row]) -> list[dict[str, Any]]:
    """The same revisions in the API form `Wikiwho.analyse_article` reads."""
    out = []
    for r in rows:
        d = {
            "revid": r["revid"],
            "user": r["user"],
            "userid": r["userid"],
            "timestamp": r["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "*": r["text"],
        }
        if r["comment"]:
            d["comment"] = r["comment"]
        if r["minor"]:
            d["minor"] = ""
        out.append(d)
    return out


def run_wikiwho(title: str, revisions: list[dict[str, Any]]) -> Any:
    """The WikiWho package over the same history."""
    from WikiWho.wikiwho import Wikiwho

    ww = Wikiwho(title)
    ww.analyse_article(revisions)
    return ww


def timed(fn: Callable[[], Any]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def final_agreement(state: PageAuthorship, tokens: list[dict[str, Any]]) -> tuple[float, int]:
    """Share of the last revision's tokens whose origin matches the reference, and their count."""
    ref: Counter[tuple[str, int]] = Counter(
        (t["str"], t["o_rev_id"]) for t in tokens if len(t["out"]) == len(t["in"])
    )
    every = state.all_tokens()
    ours = Counter((every[t.token_id].text, t.origin_revid) for t in state.current_tokens())
    total = max(sum(ref.values()), sum(ours.values()))
    return (sum((ref & ours).values()) / total if total else 1.0), sum(ref.values())


def same_tokens(state: PageAuthorship, tokens: list[dict[str, Any]]) -> bool:
    """Whether every token ever seen is identical to the reference's."""
    return [
        {
            "str": t.text,
            "token_id": t.token_id,
            "o_rev_id": t.origin_revid,
            "in": list(t.in_revids),
            "out": list(t.out_revids),
        }
        for t in state.all_tokens()
    ] == tokens


def wikiwho_tokens(ww: Any) -> list[dict[str, Any]]:
    """WikiWho's tokens in its reference format."""
    return [
        {
            "str": w.value,
            "token_id": w.token_id,
            "o_rev_id": w.origin_rev_id,
            "in": list(w.inbound),
            "out": list(w.outbound),
        }
        for w in ww.tokens
    ]


def machine() -> str:
    """CPU model, cores and Python: where the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats (median)")
    parser.add_argument("--revisions", type=int, default=2000, help="synthetic history length")
    parser.add_argument("--incremental-runs", type=int, default=25)
    args = parser.parse_args(argv)

    histories = load_histories()
    base = read_pages(HISTORIES / "article-pear-0.10.xml")[0][1][0]["text"]
    synthetic = synthetic_history(base, args.revisions)
    print(f"# Authorship benchmark\n\nMachine: {machine()}\n")
    command = " ".join(["bench/authorship.py", *(sys.argv[1:] if argv is None else argv)])
    print(f"Command: `.venv/bin/python {command}`\n")

    # 1. Agreement with the reference outputs.
    print("## Agreement with WikiWho 1.0.3 reference outputs\n")
    print("| history | page | revisions | final tokens | same origin | all tokens identical |")
    print("|---|---|---:|---:|---:|---|")
    worst = 1.0
    for name, title, rows, ref in histories:
        if ref is None:
            continue
        state = run_ours(rows)
        share, n = final_agreement(state, ref)
        worst = min(worst, share)
        same = "yes" if same_tokens(state, ref) else "no"
        print(f"| {name} | {title} | {len(rows)} | {n} | {100 * share:.2f} % | {same} |")
    print(f"\nLowest agreement: {100 * worst:.2f} % (target ≥ 99 %).\n")

    # 2. Throughput, same inputs, same run.
    print(f"## Throughput (median of {args.repeats} runs)\n")
    print(
        "| history | revisions | avg size | ours (s) | WikiWho (s) | ours rev/s | WikiWho rev/s | speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    cases = [(f"{n}: {t}", t, rows) for n, t, rows, _ in histories]
    cases.append((f"synthetic ({args.revisions} revisions)", "Pear", synthetic))
    total_ours = total_ww = 0.0
    total_revs = 0
    synthetic_ww = None
    for label, title, rows in cases:
        api = api_revisions(rows)
        ours_t, ww_t = [], []
        for _ in range(args.repeats):
            ours_t.append(timed(lambda rows=rows: run_ours(rows)))
            ww_t.append(timed(lambda api=api, title=title: run_wikiwho(title, api)))
        o, w = statistics.median(ours_t), statistics.median(ww_t)
        avg = sum(len(r["text"]) for r in rows) / max(1, len(rows))
        print(
            f"| {label} | {len(rows)} | {avg / 1000:.1f} KB | {o:.3f} | {w:.3f} | "
            f"{len(rows) / o:.0f} | {len(rows) / w:.0f} | {w / o:.2f}× |"
        )
        if label.startswith("synthetic"):
            synthetic_ww = run_wikiwho(title, api)
        else:
            total_ours += o
            total_ww += w
            total_revs += len(rows)
    print(
        f"| **all real histories** | {total_revs} | | {total_ours:.3f} | {total_ww:.3f} | "
        f"{total_revs / total_ours:.0f} | {total_revs / total_ww:.0f} | {total_ww / total_ours:.2f}× |"
    )
    state = run_ours(synthetic)
    identical = synthetic_ww is not None and same_tokens(state, wikiwho_tokens(synthetic_ww))
    print(
        f"\nSynthetic history: our tokens identical to WikiWho's: {'yes' if identical else 'no'}; "
        f"revisions WikiWho flags as vandalism: {len(state.vandalism_revids())} "
        f"(same: {state.vandalism_revids() == (synthetic_ww.spam_ids if synthetic_ww else None)}).\n"
    )

    # 3. Incremental: one more revision on a ~30 KB article with a long history.
    before = run_ours(synthetic[:-1])
    saved = before.to_bytes()
    last = synthetic[-1]
    loads, adds, saves, totals = [], [], [], []
    for _ in range(args.incremental_runs):
        t0 = time.perf_counter()
        state = PageAuthorship.from_bytes(saved)
        t1 = time.perf_counter()
        state.add_revision(last["revid"], last["text"], last["user"], last["timestamp"])
        t2 = time.perf_counter()
        state.to_bytes()
        t3 = time.perf_counter()
        loads.append(t1 - t0)
        adds.append(t2 - t1)
        saves.append(t3 - t2)
        totals.append(t3 - t0)
    ms = 1000.0
    totals.sort()
    print(f"## Incremental: one new revision (median of {args.incremental_runs} runs)\n")
    print(
        f"Article: {len(last['text']) / 1000:.1f} KB, {len(synthetic) - 1} revisions before, "
        f"{len(before.all_tokens())} tokens ever seen; stored state {len(saved) / 1000:.0f} KB.\n"
    )
    print("| from_bytes | add_revision | to_bytes | total (median) | total (90th pct) | target |")
    print("|---:|---:|---:|---:|---:|---:|")
    p90 = totals[min(len(totals) - 1, int(0.9 * len(totals)))]
    print(
        f"| {statistics.median(loads) * ms:.1f} ms | {statistics.median(adds) * ms:.1f} ms | "
        f"{statistics.median(saves) * ms:.1f} ms | {statistics.median(totals) * ms:.1f} ms | "
        f"{p90 * ms:.1f} ms | < 50 ms |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
