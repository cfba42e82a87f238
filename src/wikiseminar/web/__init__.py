"""Flask blueprints: the web face of the services in sync/ and reports/."""

from __future__ import annotations

from flask import Flask

__all__ = ["register_blueprints"]


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint of the web app, the error pages and template helpers."""
    from . import admin, auth, main
    from .inputs import register_input_guards

    register_input_guards(app)  # before the routes: it bounds their <int:…> parts
    from .errors import register_error_handlers
    from .templating import register_template_helpers

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(admin.bp)
    from . import account, dashboard, join, seminars, wikimedia

    app.register_blueprint(seminars.bp, url_prefix="/seminars")
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(join.bp)
    app.register_blueprint(account.bp, url_prefix="/account")
    app.register_blueprint(wikimedia.bp, url_prefix="/auth/wikimedia")
    from . import grading, reports  # restitution: reports, programme, grades, exports

    app.register_blueprint(reports.bp, url_prefix="/seminars")
    app.register_blueprint(grading.bp, url_prefix="/seminars")
    from . import mailflows  # mail: password reset, address proof, notification settings
    from .headers import register_security_headers

    app.register_blueprint(mailflows.bp)
    from . import public  # the public programme and registrations (no sign-in)

    app.register_blueprint(public.bp)
    from . import reviews  # peer review and discussants (issue-quality)

    app.register_blueprint(reviews.bp, url_prefix="/seminars")
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
