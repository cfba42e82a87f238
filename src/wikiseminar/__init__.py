"""wikiseminar: the Wikipedia-writing assignment of a university seminar, from enrolment to grade.

This package face stays light: the app factory lives in `wikiseminar.app` and is imported
only when `create_app` is first asked for, so the pure core imports without the web stack.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing`: `wikiseminar analyze` starts without it

__all__ = ["__version__", "create_app"]

__version__ = "0.1.0"

if TYPE_CHECKING:
    from typing import Any

    from .app import create_app


def __getattr__(name: str) -> Any:
    """Import the app factory on first use (`from wikiseminar import create_app` keeps working)."""
    if name in ("create_app", "default_instance_path"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
