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
# The console script `wikiseminar` runs exactly this (see [project.scripts]); an older checkout
# (--src) has no `entry` module and started from `cli`.
CLI = ("import sys; sys.argv[0] = 'wikiseminar'\n"
       "try:\n    from wikiseminar.entry import main\n"
       "except ImportError:\n    from wikiseminar.cli import main\n"
       "main()")
FLASK = "import sys; sys.argv[0] = 'flask'; from flask.cli import main; main()"


def run_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall, user+system CPU) seconds of one whole process; fails loudly if it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    stderr = child.stderr.read() if child.stderr else b""
    if child.stderr:
        child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0 and "--help" not in command:
        raise SystemExit(f"{' '.join(command)} failed: {stderr.decode()[-500:]}")
    return seconds, usage.ru_utime + usage.ru_stime


def compare(ours: list[str], reference: list[str], runs: int, env: dict[str, str],
            cwd: Path) -> tuple[float, float, float, float]:
    """Median wall and CPU times of `runs` alternate runs: (ours, reference, ours, reference)."""
    run_once(ours, env, cwd)
    run_once(reference, env, cwd)
    a, b = [], []
    for _ in range(runs):
        a.append(run_once(ours, env, cwd))
        b.append(run_once(reference, env, cwd))
    return (statistics.median(x[0] for x in a), statistics.median(x[0] for x in b),
            statistics.median(x[1] for x in a), statistics.median(x[1] for x in b))


def stdlib_floor(python: str, history: Path, env: dict[str, str], cwd: Path) -> list[str]:
    """A command importing exactly the modules, not ours, that `analyze --authorship` loads.

    Its time is a floor no change to our own modules can go under: the interpreter and the
    standard library (dataclasses, json, ElementTree, hashlib, difflib...) the core needs.
    """
    probe = ("import sys; sys.argv = ['wikiseminar', 'analyze', '--authorship', '--json', "
             f"{str(history)!r}]\n"
             "try:\n    from wikiseminar.entry import main\n"
             "except ImportError:\n    from wikiseminar.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('\\nMODULES:' + ','.join(sorted(m for m in sys.modules "
             "if m != '__main__' and not m.startswith('wikiseminar'))))")
    done = subprocess.run([python, "-c", probe], env=env, cwd=cwd, capture_output=True,
                          text=True, check=True)
    modules = done.stdout.rsplit("MODULES:", 1)[1].strip().split(",")
    code = ("import importlib\n"
            f"for name in {modules!r}:\n"
            "    try:\n        importlib.import_module(name)\n"
            "    except ImportError:\n        pass\n")
    return [python, "-c", code]


def compile_tree(src: Path) -> None:
    """Compile the measured code as an install does (pip writes .pyc for installed packages).

    With PYTHONDONTWRITEBYTECODE set (as on CI machines) an editable install would otherwise
    recompile every module of ours in every process, while the reference's packages, installed
    from wheels, load compiled: not what users run, and not a fair comparison.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True,
                   stdout=subprocess.DEVNULL)


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
    compile_tree(args.src.resolve() if args.src is not None else ROOT / "src")
    print(f"Command: `.venv/bin/python {command}` (median of {args.runs} runs; wall time, "
          "then user+system CPU time)\n")
    print("| what | ours (s) | reference | reference (s) | ratio | CPU ours / ref. (s) | "
          "CPU ratio | goal |")
    print("|---|---:|---|---:|---:|---:|---:|---|")

    def row(what: str, reference: str, times: tuple[float, float, float, float],
            goal: str, faster: bool = False) -> None:
        ours, ref, ours_cpu, ref_cpu = times
        ratio = f"{ref / ours:.2f}x faster" if faster else f"{ours / ref:.2f}x"
        cpu = f"{ref_cpu / ours_cpu:.2f}x faster" if faster else f"{ours_cpu / ref_cpu:.2f}x"
        print(f"| {what} | {ours:.3f} | {reference} | {ref:.3f} | {ratio} | "
              f"{ours_cpu:.3f} / {ref_cpu:.3f} | {cpu} | {goal} |")

    row("`wikiseminar --help`", "`flask --help`",
        compare([python, "-c", CLI, "--help"], [python, "-c", FLASK, "--help"],
                args.runs, env, cwd), "<= 1.5x")
    row(f"`wikiseminar analyze` {SMALL_EXPORT.name}", '`python -c "import mwparserfromhell"`',
        compare([python, "-c", CLI, "analyze", str(SMALL_EXPORT)],
                [python, "-c", "import mwparserfromhell"], args.runs, env, cwd), "<= 4x")
    driver = str(ROOT / "bench" / "wikiwho_process.py")
    for history in HISTORIES:
        row(f"`analyze --authorship` {history.name} ({revisions_in(history)} revisions)",
            "WikiWho process",
            compare([python, "-c", CLI, "analyze", "--authorship", "--json", str(history)],
                    [python, driver, str(history)], args.runs, env, cwd),
            ">= 1.5x faster", faster=True)
    # Not a goal: what the interpreter and the standard library the core needs cost alone.
    floor = stdlib_floor(python, HISTORIES[-1], env, cwd)
    row("only the standard library `analyze --authorship` loads (floor)", "WikiWho process",
        compare(floor, [python, driver, str(HISTORIES[-1])], args.runs, env, cwd),
        f"(vs {HISTORIES[-1].name})", faster=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
