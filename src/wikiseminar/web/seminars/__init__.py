"""The `seminars` blueprint (/seminars): settings, calendar, people, topics, and the student's space.

One blueprint, several modules by workflow; each module adds its routes to `bp`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("seminars", __name__)

from . import calendar, integrity, me, participants, settings, topics  # noqa: E402,F401  (routes)

__all__ = ["bp"]
