"""An optional external AI-text detector, reached through a small documented HTTP interface.

Off unless `[integrity] detector_url` is set: no text leaves the server otherwise.
Request: POST detector_url, JSON {"text": "...", "lang": "fr"}, header
`Authorization: Bearer <detector_token>` when a token is set. Answer: JSON
{"score": 0.0-1.0} (other keys ignored). Anything else is an error, never a finding.
"""

from __future__ import annotations

import requests

__all__ = ["DetectorError", "detector_score"]


class DetectorError(Exception):
    """The detector did not give a usable score."""


def detector_score(url: str, text: str, *, lang: str = "", token: str = "",
                   timeout: float = 30.0, user_agent: str = "wikiseminar") -> float:
    """The detector's score for a text, from 0 (human) to 1 (generated)."""
    headers = {"User-Agent": user_agent}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.post(url, json={"text": text, "lang": lang}, headers=headers,
                                 timeout=timeout)
        response.raise_for_status()
        score = response.json()["score"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise DetectorError(f"detector at {url}: {exc}") from exc
    if not isinstance(score, int | float) or not 0 <= float(score) <= 1:
        raise DetectorError(f"detector at {url}: score {score!r} is not between 0 and 1")
    return float(score)
