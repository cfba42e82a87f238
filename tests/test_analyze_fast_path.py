"""The console script's click-free `analyze` prints exactly what the click command prints.

`wikiseminar.entry` runs plain `analyze` arguments without click (issue 16: a whole process
that starts at once); these tests run the real console script in a subprocess and compare its
bytes, error line and exit status with the click command's, and check which path was taken.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wikiseminar.analysis.authorship import PageAuthorship, authorship_summary
from wikiseminar.entry import plain_analyze_arguments
from wikiseminar.wiki.xmlexport import open_history

HISTORIES = Path(__file__).resolve().parent / "data" / "histories"
SMALL = Path(__file__).resolve().parent / "data" / "example-dump.xml"
CONSOLE = "import sys; sys.argv[0] = 'wikiseminar'; from wikiseminar.entry import main; main()"
CLICK = "import sys; sys.argv[0] = 'wikiseminar'; from wikiseminar.cli import main; main()"
# Printed on stderr by a process when it exits: whether click was imported at all.
PROBE = "import atexit, sys; atexit.register(lambda: print('CLICK', 'click' in sys.modules, " \
        "file=sys.stderr)); "


def _run(code: str, args: list[str]) -> tuple[int, bytes, str, bool]:
    """(exit status, stdout bytes, stderr without the probe line, click imported?)."""
    done = subprocess.run([sys.executable, "-c", PROBE + code, *args], capture_output=True,
                          timeout=120, check=False)
    err = done.stderr.decode()
    lines = err.splitlines()
    assert lines and lines[-1].startswith("CLICK "), err
    return done.returncode, done.stdout, "\n".join(lines[:-1]), lines[-1] == "CLICK True"


@pytest.mark.parametrize("args", [
    [str(SMALL)],
    [str(SMALL), "--json"],
    ["--authorship", str(HISTORIES / "familia.xml")],
    ["--json", "--authorship", str(HISTORIES / "nintendo_switch_revisions.json")],
    ["--integrity", "--json", str(HISTORIES / "article-pyrus.xml")],
    [str(HISTORIES / "article-pear.xml"), "--integrity"],
], ids=["table", "json", "authorship", "authorship-json", "integrity-json", "integrity"])
def test_same_output_without_click(args: list[str]) -> None:
    fast = _run(CONSOLE, ["analyze", *args])
    slow = _run(CLICK, ["analyze", *args])
    assert fast[:3] == slow[:3]
    assert fast[0] == 0 and fast[1]
    assert fast[3] is False and slow[3] is True


@pytest.mark.parametrize("content", ["", "garbage\n", "<html><body>x</body></html>\n"])
def test_same_error_line_and_status_without_click(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(content, encoding="utf-8")
    for args in (["analyze", str(bad)], ["analyze", "--json", str(bad)],
                 ["analyze", str(tmp_path / "missing.xml")]):
        fast = _run(CONSOLE, args)
        slow = _run(CLICK, args)
        assert fast[:3] == slow[:3]
        assert fast[0] == 1 and fast[2].startswith("Error: ") and len(fast[2].splitlines()) == 1
        assert fast[1] == b""  # nothing half-written on stdout
        assert fast[3] is False


@pytest.mark.parametrize("args", [
    ["--help"], ["--jsn", "x.xml"], ["a.xml", "b.xml"], [], ["-"], ["--", "x.xml"], ["."],
])
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert plain_analyze_arguments(args) is None
    status, _, err, clicked = _run(CONSOLE, ["analyze", *args])
    assert clicked is True
    assert status in (0, 1, 2)
    if args != ["--help"]:
        assert status != 0 and "Error" in err


def test_other_commands_still_run_through_click() -> None:
    status, out, _, clicked = _run(CONSOLE, ["--help"])
    assert status == 0 and b"analyze" in out and clicked is True


@pytest.mark.parametrize("name", ["Hallo.xml", "familia.xml", "nintendo_switch_revisions.json"])
def test_summary_without_word_flags_matches_the_full_state(name: str) -> None:
    """Skipping the word flags (what the summary does) changes no token's origin."""
    with open_history(HISTORIES / name) as history:
        revisions = [r for r in history if r.text is not None and not r.texthidden]
    full = PageAuthorship()
    for rev in revisions:
        if not full.has_revision(rev.revid):
            full.add_revision(rev.revid, rev.text or "", rev.user or "", rev.timestamp,
                              comment=rev.comment, minor=rev.minor)
    summary = authorship_summary(iter(revisions))
    assert summary["origins"] == [[t.text, t.origin_revid] for t in full.current_tokens()]
    assert summary["revision"] == full.current_revid
    assert sum(e["tokens"] for e in summary["editors"].values()) == len(summary["origins"])


def test_a_state_without_word_flags_is_never_stored() -> None:
    state = PageAuthorship(words=False)
    state.add_revision(1, "Un texte court.", "A", None)
    with pytest.raises(ValueError, match="words=False"):
        state.to_bytes()
