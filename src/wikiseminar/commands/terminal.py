"""Text from wikis and users made safe for a terminal before the CLI prints it.

Titles, usernames and seminar titles come from outside: an escape sequence (ESC, CSI), a
carriage return or a bidirectional override in them could rewrite what an operator sees, or
the terminal's title and clipboard. Control characters are shown as visible escapes instead.
Imports nothing heavy, so `analyze` can use it.
"""

from __future__ import annotations

import re

__all__ = ["printable", "safe_json_text"]

# C0 controls, DEL and C1 controls; Unicode bidirectional embeddings, overrides and isolates;
# line and paragraph separators.
_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# In JSON text every C0 control is already escaped by json.dumps; the rest may appear raw.
_UNSAFE_IN_JSON_RE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    """'\\x1b' for a byte-sized code point, '\\u202e' above."""
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """The text with every control character shown as a visible escape (one line, inert)."""
    value = str(text)
    return _UNSAFE_RE.sub(_escape, value) if _UNSAFE_RE.search(value) else value


def safe_json_text(dumped: str) -> str:
    """JSON text with the characters json.dumps leaves raw escaped as \\uXXXX (still valid JSON)."""
    return _UNSAFE_IN_JSON_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", dumped)
