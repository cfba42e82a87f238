"""The demonstration seminar: bundled data, loaded through the sync's own storage and analysis.

`wikiseminar demo` (and `make run`) calls `install_demo`. The wiki of the demo is a fixed
api.php URL on a `.invalid` host, which can never reach a real wiki, with a bundled French
siteinfo; pages show that their data are a demonstration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Seminar

__all__ = ["DEMO_API_URL", "DEMO_SLUG", "is_demo"]

DEMO_API_URL = "https://demo.wikiseminar.invalid/w/api.php"
DEMO_SLUG = "demo-cultures-numeriques"


def is_demo(seminar: Seminar) -> bool:
    """Whether the seminar runs on the demonstration wiki (nothing to sync, data are invented)."""
    return seminar.wiki.api_url == DEMO_API_URL
