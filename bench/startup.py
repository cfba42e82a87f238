"""Benchmark whole-process start-up: the CLI's --help, a small analyze, analyze --authorship.

Every figure is the median wall time of N whole-process runs (a fresh interpreter each time,
as a user or cron starts it), with its reference measured alternately in the same run:

1. `wikiseminar --help` against Flask's own `flask --help` in the same environment
   (goal: at most 1.5x);
2. `wikiseminar analyze` on a small export (tests/data/example-dump.xml) against
   `python -c "import mwparserfromhell"` (goal: at most 4x);
3. `wikiseminar analyze --authorship --json` against the WikiWho package as a whole process
   (bench/wikiwho_process.py: parse the same export with ElementTree, run
   `Wikiwho.analyse_article`, print each editor's tokens) on the real histories of 30-200
   revisions in tests/data (goal: ours at least 1.5x faster).

`--src PATH` runs another checkout's code (e.g. /work/main/src) with the same interpreter, to
put the previous figures beside the new ones. Run from the repository root:

    .venv/bin/python bench/startup.py --runs 11
    .venv/bin/python bench/startup.py --runs 11 --src /path/to/older/checkout/src
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SMALL_EXPORT = DATA / "example-dump.xml"
HISTORIES = [DATA / "histories" / "Hallo.xml", DATA / "histories" / "familia.xml",
             DATA / "histories" / "nintendo_switch_revisions.json"]
# The console script `wikiseminar` runs exactly this (see [project.scripts]).
CLI = "import sys; sys.argv[0] = 'wikiseminar'; from wikiseminar.cli import main; main()"
FLASK = "import sys; sys.argv[0] = 'flask'; from flask.cli import main; main()"


def wall(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall time of one whole process (its output discarded); fails loudly if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0 and "--help" not in command:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-500:]}")
    return seconds


def compare(ours: list[str], reference: list[str], runs: int, env: dict[str, str],
            cwd: Path) -> tuple[float, float]:
    """Medians of `runs` alternate runs of both commands (one warm-up run each first)."""
    wall(ours, env, cwd)
    wall(reference, env, cwd)
    a, b = [], []
    for _ in range(runs):
        a.append(wall(ours, env, cwd))
        b.append(wall(reference, env, cwd))
    return statistics.median(a), statistics.median(b)


def revisions_in(path: Path) -> int:
    """How many revisions a test history holds (for the table)."""
    text = path.read_text(encoding="utf-8")
    return text.count("<revision>") if path.suffix == ".xml" else text.count('"revid"')


def main(argv: list[str] | None = None) -> int:
    """Print the three comparisons as markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="whole-process runs per command")
    parser.add_argument("--src", type=Path, default=None,
                        help="put this folder first on PYTHONPATH (another checkout's src/)")
    args = parser.parse_args(argv)
    python = sys.executable
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKISEMINAR_", "FLASK_"))}
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.resolve())
    # An empty folder: no app for `flask` to find, no instance/ to create.
    cwd = Path(os.environ.get("TMPDIR", "/tmp"))
    env["WIKISEMINAR_INSTANCE_PATH"] = str(cwd / "wikiseminar-bench-startup")
    command = " ".join(["bench/startup.py", *(sys.argv[1:] if argv is None else argv)])
    print(f"Command: `.venv/bin/python {command}` (median of {args.runs} runs)\n")
    print("| what | ours (s) | reference | reference (s) | ratio | goal |")
    print("|---|---:|---|---:|---:|---|")

    ours, ref = compare([python, "-c", CLI, "--help"], [python, "-c", FLASK, "--help"],
                        args.runs, env, cwd)
    print(f"| `wikiseminar --help` | {ours:.3f} | `flask --help` | {ref:.3f} | "
          f"{ours / ref:.2f}x | <= 1.5x |")
    ours, ref = compare([python, "-c", CLI, "analyze", str(SMALL_EXPORT)],
                        [python, "-c", "import mwparserfromhell"], args.runs, env, cwd)
    print(f"| `wikiseminar analyze` {SMALL_EXPORT.name} | {ours:.3f} | "
          f"`python -c \"import mwparserfromhell\"` | {ref:.3f} | {ours / ref:.2f}x | <= 4x |")
    driver = str(ROOT / "bench" / "wikiwho_process.py")
    for history in HISTORIES:
        ours, ref = compare([python, "-c", CLI, "analyze", "--authorship", "--json", str(history)],
                            [python, driver, str(history)], args.runs, env, cwd)
        print(f"| `analyze --authorship` {history.name} ({revisions_in(history)} revisions) | "
              f"{ours:.3f} | WikiWho process | {ref:.3f} | {ref / ours:.2f}x faster | "
              f">= 1.5x faster |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
