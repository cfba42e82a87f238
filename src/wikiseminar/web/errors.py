"""Error pages in the user's language."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..services.dbhealth import classify_write_error

__all__ = ["register_error_handlers"]


def register_error_handlers(app: Flask) -> None:
    """Render 400/403/404/405/429/500 and CSRF failures with the site layout."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("error.html", code=code), code

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(error: sa.exc.DBAPIError) -> tuple[str, int]:
        """A database that refuses writes (read-only, full): a page that says so, a 503."""
        problem = classify_write_error(error)
        if problem is None:
            raise error
        db.session.rollback()
        current_app.logger.error("database refuses writes (%s): %s", problem,
                                 str(getattr(error, "orig", error)).splitlines()[0])
        message = (_("The database is read-only: nothing can be saved right now. "
                     "The operator has to fix it; try again later.") if problem == "read-only"
                   else _("The database is full: nothing can be saved right now. "
                          "The operator has to free space; try again later."))
        return render_template("error.html", code=503, message=message), 503

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return render_template("error.html", code=500), 500
