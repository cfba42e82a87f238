"""gunicorn settings for wikiseminar: `gunicorn -c docs/deploy/gunicorn.conf.py wikiseminar.wsgi:app`.

Every value can be overridden on the command line; the environment variables below let a
systemd unit or a container set them without editing this file.
"""

import multiprocessing
import os

bind = os.environ.get("WIKISEMINAR_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one process. 2 × cores + 1 is gunicorn's usual advice.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# Import the app once in the master: a missing secret key or a broken config stops gunicorn
# at once with wikiseminar's one-line message (without it, each worker would exit and be
# respawned in a loop), and workers share the imported code's memory.
preload_app = True
timeout = 60
graceful_timeout = 30
# Behind a reverse proxy on the same host (X-Forwarded-* trusted from it only).
forwarded_allow_ips = os.environ.get("WIKISEMINAR_PROXY_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"


def post_fork(server, worker):  # noqa: ANN001 - gunicorn's hook signature
    """Give each worker its own database connection pool (nothing inherited from the master)."""
    from wikiseminar.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
