"""Where the templates, static files and migrations are, for an installed wheel and a checkout.

They live at the top of the repository (``templates/``, ``static/``, ``migrations/``) and are
mapped into the package as ``annotator.templates``, ``annotator.static`` and
``annotator.migrations`` (see ``pyproject.toml``). Asking the import system for those packages
finds them wherever they were installed, instead of guessing a folder above the package.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def folder(name: str) -> Path:
    """The folder of ``annotator.<name>`` (``templates``, ``static`` or ``migrations``)."""
    spec = importlib.util.find_spec(f"annotator.{name}")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    # Run from a checkout that was never installed (e.g. ``python -m`` with the repo on sys.path).
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise RuntimeError(f"annotator's {name}/ folder is missing from this installation")
