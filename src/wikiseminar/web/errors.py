"""Error pages in the user's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return render_template("error.html", code=500), 500
