"""`wikiseminar run` and `wikiseminar config init`: serve the app, make a local config."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import ConfigError, require_secret_key


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reloader and debugger (never in production).")
@with_appcontext
def run_command(host: str, port: int, debug: bool) -> None:
    """Serve the web app with the development server (use gunicorn in production)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not debug:
        try:
            require_secret_key(app.config)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        click.echo("debug mode: using a throw-away secret key (sessions end on restart)", err=True)
    app.config["SESSION_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"] and host not in (
        "127.0.0.1", "localhost")
    click.echo(f"wikiseminar on http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    # Flask ignores app.run() under its own CLI, so serve with Werkzeug directly.
    from werkzeug.serving import run_simple

    app.debug = debug
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


@click.group("config")
def config_group() -> None:
    """Inspect and create the configuration."""


@config_group.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@with_appcontext
def init_command(force: bool) -> None:
    """Write instance/config.toml from config.example.toml with a fresh secret key."""
    target = Path(current_app.instance_path) / "config.toml"
    if target.exists() and not force:
        click.echo(f"{target} exists; keeping it")
        return
    from ..resources import resource_file

    text = resource_file("config.example.toml").read_text(encoding="utf-8")
    secret = secrets.token_hex(32)
    if 'secret_key = ""' in text:
        text = text.replace('secret_key = ""', f'secret_key = "{secret}"', 1)
    else:
        text = f'secret_key = "{secret}"\n' + text
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    target.chmod(0o600)
    click.echo(f"wrote {target}")
