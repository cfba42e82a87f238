"""Imported by the class PDF's fork server only: WeasyPrint loaded and warmed before workers fork.

A process's first document costs about 0.08 s more than the next ones (fonts loaded, modules
imported on first use). Rendering a small document here, once, spares that to every worker
forked from the server. A render starts no thread and leaves no font file open (checked with
WeasyPrint 70), so forking after it is safe.
"""

from __future__ import annotations

from .pdf import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001 - e.g. Pango missing: each worker then says so for its part
    pass
