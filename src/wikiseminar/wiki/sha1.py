"""MediaWiki's content hash: the SHA-1 of a revision's text in base 36 (`rev_sha1`).

Exports carry it in `<sha1>`, the API as 40 hex digits; revert detection compares it. Here in
`wiki/` because it is a fact of MediaWiki's storage, and so that reading an export needs
nothing from `analysis/`.
"""

from __future__ import annotations

__all__ = ["normalize_sha1", "sha1_base36"]

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _to_base36(number: int) -> str:
    """Lower-case base 36 padded to 31 digits, as MediaWiki stores sha1 (rev_sha1)."""
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 36)
        digits.append(_BASE36[rest])
    return "".join(reversed(digits)).rjust(31, "0")


def sha1_base36(text: str) -> str:
    """The SHA-1 of a text in MediaWiki's base-36 form (what exports put in <sha1>)."""
    import hashlib  # here: exports carry <sha1>, so reading one rarely needs it

    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
    return _to_base36(int.from_bytes(digest, "big"))


def normalize_sha1(value: str | None) -> str | None:
    """One form for a sha1: the API's 40-hex form becomes MediaWiki's 31-char base 36."""
    if not value:
        return None
    value = value.strip().lower()
    if len(value) == 40:
        try:
            return _to_base36(int(value, 16))
        except ValueError:
            return value
    return value
