"""Structured logs: one JSON object per line on stderr, for the sync and the queue worker.

Configured by the `sync` and `worker` commands, never at import. Each sync run ends with one
line `{"event": "sync", "seminar": …, "status": …, "requests": …, "revisions": …,
"texts": …, "seconds": …, "error": …}` (logged by `pipeline.sync_seminar`); warnings and
errors of the sync and the queue come out as JSON lines too, so a log shipper reads one format.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

__all__ = ["JSON_LOGGERS", "JsonFormatter", "configure_json_logging"]

# Loggers whose records become JSON lines.
JSON_LOGGERS = ("wikiseminar.sync", "wikiseminar.queue")

# Attributes every LogRecord has; anything else came in through `extra=` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """A record as a single JSON object: time, level, logger, message and the `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise one record on one line (non-JSON values become strings)."""
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if extra.get("event"):
            data.update(extra)
        else:
            data["message"] = record.getMessage()
            data.update(extra)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(data, ensure_ascii=False, default=str)


class _StderrHandler(logging.Handler):
    """Write to whatever sys.stderr is at emit time (test runners swap it per command)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # noqa: BLE001 - logging must never break the sync
            self.handleError(record)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send the sync's and the queue's records to stderr as JSON lines (idempotent)."""
    for name in JSON_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.propagate = False
        if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
            handler = _StderrHandler()
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)
