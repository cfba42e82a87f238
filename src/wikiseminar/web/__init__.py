"""Flask blueprints: the web face of the services in sync/ and reports/."""

from __future__ import annotations

from flask import Flask

__all__ = ["register_blueprints"]


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint of the web app."""
    from . import main

    app.register_blueprint(main.bp)
