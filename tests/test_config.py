"""Settings: TOML file, environment precedence, validation, and the refusal to serve without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from wikiseminar import create_app
from wikiseminar.config import DEFAULTS, TOP_LEVEL, ConfigError, load_settings, require_secret_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("WIKISEMINAR_CONFIG", "WIKISEMINAR_DATABASE_URL", "WIKISEMINAR_SECRET_KEY",
                "WIKISEMINAR_REDIS_URL"):
        monkeypatch.delenv(key, raising=False)


def test_example_config_documents_every_key_with_a_comment() -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    flat = set()
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(f"{key}_{sub}".upper() for sub in value)
        else:
            flat.add(TOP_LEVEL[key])
    assert flat == set(DEFAULTS)
    lines = text.splitlines()

    def is_key(line: str) -> bool:
        return "=" in line and not line.lstrip().startswith("#")

    for i, line in enumerate(lines):
        if is_key(line):  # a key, or a group of keys, sits under a comment that explains it
            j = i - 1
            while is_key(lines[j]):
                j -= 1
            assert lines[j].lstrip().startswith("#"), f"no comment above: {line}"


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/wikiseminar.sqlite"
    assert settings["SECRET_KEY"] is None


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.toml").write_text(
        'secret_key = "from-file-0123456789"\ndatabase_url = "postgresql://u@h/db"\n'
        '[wiki]\ncontact = "ops@example.org"\nmaxlag = 3\n', encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings["SECRET_KEY"] == "from-file-0123456789"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["WIKI_CONTACT"] == "ops@example.org" and settings["WIKI_MAXLAG"] == 3
    monkeypatch.setenv("WIKISEMINAR_SECRET_KEY", "from-env-0123456789")
    monkeypatch.setenv("WIKISEMINAR_DATABASE_URL", "sqlite:////tmp/x.sqlite")
    monkeypatch.setenv("WIKISEMINAR_REDIS_URL", "redis://127.0.0.1:6379/3")
    settings = load_settings(tmp_path)
    assert settings["SECRET_KEY"] == "from-env-0123456789"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/x.sqlite"
    assert settings["REDIS_URL"] == "redis://127.0.0.1:6379/3"


def test_named_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    named = tmp_path / "elsewhere.toml"
    named.write_text('timezone = "America/Montreal"\n', encoding="utf-8")
    monkeypatch.setenv("WIKISEMINAR_CONFIG", str(named))
    assert load_settings(tmp_path / "instance")["TIMEZONE"] == "America/Montreal"
    monkeypatch.setenv("WIKISEMINAR_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path)


@pytest.mark.parametrize("content, message", [
    ("secret_key = ", "not valid TOML"),
    ("colour = 'blue'\n", "unknown setting colour"),
    ("[wiki]\nmaxlagg = 5\n", r"unknown setting \[wiki\] maxlagg"),
    ("[wiki]\nmaxlag = 'five'\n", "must be int"),
    ('database_url = "mysql://x/y"\n', "only sqlite"),
])
def test_bad_config_is_a_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "config.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(tmp_path)
    assert "\n" not in str(info.value)


def test_no_usable_default_secret_outside_tests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIKISEMINAR_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert not app.config["SECRET_KEY"]
    with pytest.raises(ConfigError, match="WIKISEMINAR_SECRET_KEY"):
        require_secret_key(app.config)
    require_secret_key({"SECRET_KEY": "x" * 32})
    require_secret_key({"TESTING": True, "SECRET_KEY": None})


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WIKISEMINAR_")}
    environment.update({"WIKISEMINAR_INSTANCE_PATH": str(tmp_path), **env})
    return subprocess.run(args, env=environment, capture_output=True, text=True, timeout=60)


def test_wsgi_entry_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = _run([sys.executable, "-c", "import wikiseminar.wsgi"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "WIKISEMINAR_SECRET_KEY" in result.stderr
    ok = _run([sys.executable, "-c", "import wikiseminar.wsgi"], tmp_path,
              WIKISEMINAR_SECRET_KEY="s" * 40)
    assert ok.returncode == 0, ok.stderr


def test_run_command_refuses_production_mode_without_a_secret(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("wikiseminar")
    result = _run([str(exe), "run", "--port", "1"], tmp_path)
    assert result.returncode == 1
    assert "no secret key configured" in result.stderr
