"""A plain `pip install .` into a fresh venv brings templates, migrations, translations and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_plain_install_into_a_fresh_venv_works(tmp_path: Path) -> None:
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIKISEMINAR_", "VIRTUAL_ENV", "PYTHONPATH"))}
    env["WIKISEMINAR_INSTANCE_PATH"] = str(tmp_path / "instance")
    cli = str(target / "bin" / "wikiseminar")
    for args in (["db", "upgrade"], ["config", "init"], ["seminar", "list"]):
        result = subprocess.run([cli, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == 0, (args, result.stderr)
    assert (tmp_path / "instance" / "wikiseminar.sqlite").is_file()
    assert 'secret_key = "' in (tmp_path / "instance" / "config.toml").read_text()
    probe = (
        "import wikiseminar, pathlib;"
        "from wikiseminar import create_app;"
        "app = create_app();"
        "c = app.test_client();"
        "r = c.get('/auth/login', headers={'Accept-Language': 'fr'});"
        "print(pathlib.Path(wikiseminar.__file__).parent);"
        "print(r.status_code, 'Connexion' in r.get_data(as_text=True) or 'Se connecter' in r.get_data(as_text=True))"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    package_dir, status = result.stdout.strip().splitlines()
    assert package_dir.startswith(str(target))  # the installed copy, not the checkout
    assert status == "200 True"  # templates found and the French catalog compiled into the wheel
    assert sys.prefix != str(target)
