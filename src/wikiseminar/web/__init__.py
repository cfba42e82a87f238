"""Flask blueprints: the web face of the services in sync/ and reports/."""

from __future__ import annotations

from flask import Flask

__all__ = ["register_blueprints"]


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint of the web app, the error pages and template helpers."""
    from . import auth, main
    from .errors import register_error_handlers
    from .templating import register_template_helpers

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    register_error_handlers(app)
    register_template_helpers(app)
