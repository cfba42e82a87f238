"""The package face is light: the pure core and `--help` import neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys

import click

from wikiseminar.commands import COMMANDS, load_command

_HEAVY = ("flask", "sqlalchemy", "flask_sqlalchemy", "wikiseminar.app", "wikiseminar.models")


def _loaded_after(code: str) -> list[str]:
    """Run `code` in a fresh interpreter; the heavy modules it left in sys.modules."""
    probe = (f"{code}\nimport sys\n"
             f"print('\\nLOADED:' + ','.join(m for m in {_HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    last = done.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("LOADED:"), done.stdout
    return [m for m in last.removeprefix("LOADED:").split(",") if m]


def test_pure_core_imports_without_the_web_stack() -> None:
    code = ("import wikiseminar, wikiseminar.analysis, wikiseminar.analysis.history, "
            "wikiseminar.analysis.authorship, wikiseminar.analysis.metrics, "
            "wikiseminar.wiki.types, wikiseminar.wiki.xmlexport")
    assert _loaded_after(code) == []


def test_help_and_analyze_build_no_app() -> None:
    code = ("from wikiseminar.cli import main\n"
            "for args in (['--help'], ['analyze', '--help'], ['sync', '--help']):\n"
            "    try:\n"
            "        main(args)\n"
            "    except SystemExit as exc:\n"
            "        assert exc.code == 0, (args, exc.code)\n")
    # `sync --help` imports the sync command (SQLAlchemy) but never builds the app.
    loaded = _loaded_after(code.replace(", ['sync', '--help']", ""))
    assert loaded == []
    assert "wikiseminar.app" not in _loaded_after(code)


def test_create_app_still_importable_from_the_package() -> None:
    from wikiseminar import create_app
    from wikiseminar.app import create_app as factory

    assert create_app is factory


def test_every_listed_command_loads_under_its_name() -> None:
    for name in COMMANDS:
        command = load_command(name)
        assert isinstance(command, click.Command)
        assert command.name == name
    assert load_command("no-such-command") is None


def test_reading_an_export_needs_nothing_from_analysis() -> None:
    """wiki/ sits upstream of analysis/ (wiki -> sync -> analysis): never the other way."""
    code = ("import sys, wikiseminar.wiki.xmlexport, wikiseminar.wiki.revisionjson\n"
            "print('\\nLOADED:' + ','.join(m for m in sys.modules "
            "if m.startswith('wikiseminar.analysis')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.rstrip("\n").splitlines()[-1] == "LOADED:"


# What the fast `analyze --authorship` path must not load: each costs milliseconds of a
# process that WikiWho's whole run is compared with (docs/benchmarks.md, section 10).
_SLOW_STDLIB = ("typing", "dataclasses", "inspect", "urllib.parse", "ipaddress", "_hashlib",
                "gzip", "bz2", "lzma", "click", "mwparserfromhell")


def test_analyze_authorship_starts_without_slow_imports() -> None:
    from pathlib import Path

    histories = Path(__file__).parent / "data" / "histories"
    for name in ("familia.xml", "nintendo_switch_revisions.json"):
        code = ("import sys, io, contextlib\n"
                f"sys.argv = ['wikiseminar', 'analyze', '--authorship', '--json', "
                f"{str(histories / name)!r}]\n"
                "from wikiseminar.entry import main\n"
                "out = io.StringIO()\n"
                "with contextlib.redirect_stdout(out):\n"
                "    try:\n"
                "        main()\n"
                "    except SystemExit as exc:\n"
                "        assert exc.code == 0, exc.code\n"
                "assert '\"editors\"' in out.getvalue()\n"
                "print('\\nLOADED:' + ','.join(m for m in "
                f"{_SLOW_STDLIB!r} if m in sys.modules))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120, check=True)
        assert done.stdout.rstrip("\n").splitlines()[-1] == "LOADED:", (name, done.stdout[-300:])
