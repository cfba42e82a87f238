"""WSGI entry point for gunicorn: `gunicorn 'wikiseminar.wsgi:app'`; refuses to run without a secret."""

from __future__ import annotations

import gc
import sys

from .app import create_app
from .config import ConfigError, require_secret_key

try:
    app = create_app()
    require_secret_key(app.config)
except ConfigError as exc:
    sys.stderr.write(f"wikiseminar: {exc}\n")
    raise SystemExit(2) from None

# What start-up built (modules, the app, its config and extensions) lives as long as the
# process: freeze it out of the garbage collector's full passes. Otherwise every few dozen
# requests one of them walks those ~200,000 objects, ~100 ms on a busy 2-core machine, which
# lands on some unlucky request (the dashboard's p95, docs/benchmarks.md § 6.3). With
# preload_app the workers fork after this, so it also keeps the pages they share untouched.
gc.collect()
gc.freeze()
