"""WSGI entry point for gunicorn: `gunicorn 'wikiseminar.wsgi:app'`; refuses to run without a secret."""

from __future__ import annotations

import sys

from .app import create_app
from .config import ConfigError, require_secret_key

try:
    app = create_app()
    require_secret_key(app.config)
except ConfigError as exc:
    sys.stderr.write(f"wikiseminar: {exc}\n")
    raise SystemExit(2) from None
