"""Alembic environment: runs migrations with the app's engine and models' metadata."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _metadata():  # type: ignore[no-untyped-def]
    """The metadata of the models registered with Flask-SQLAlchemy."""
    return current_app.extensions["migrate"].db.metadata


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (`wikiseminar db upgrade --sql`)."""
    url = current_app.extensions["migrate"].db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=_metadata(), literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection, in one transaction per migration."""
    engine = current_app.extensions["migrate"].db.engine
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("render_as_batch", True)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
