"""Locate the non-Python folders (templates, static, migrations) in a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["resource_dir", "resource_file"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `name`: inside the installed package (wheel), else at the checkout's top."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"wikiseminar: cannot find the {name}/ folder (broken install?)")


def resource_file(name: str) -> Path:
    """A top-level file shipped with the package (config.example.toml)."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"wikiseminar: cannot find {name} (broken install?)")
