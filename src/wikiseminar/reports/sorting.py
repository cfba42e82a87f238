"""Alphabetical order of people's names that ignores accents and case, the same on every database.

SQLite sorts by code point ("Élodie" after "Zoé") and PostgreSQL by its server's collation;
lists that are printed use this key instead.
"""

from __future__ import annotations

import unicodedata

__all__ = ["name_key"]


def name_key(name: str) -> tuple[str, str]:
    """Sort key: the name without accents, case-folded; the exact name breaks ties."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return bare.casefold(), name
