"""Where the templates, static files and migrations are, for an installed wheel and a checkout.

They live at the top of the repository (``templates/``, ``static/``, ``migrations/``) and are
mapped into the package as ``annotator.templates``, ``annotator.static`` and
``annotator.migrations`` (see ``pyproject.toml``). Asking the import system for those packages
finds them wherever they were installed, instead of guessing a folder above the package.
"""

from __future__ import annotations

import hashlib
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


@cache
def static_version() -> str:
    """The digest of the static folder (:func:`folder_digest`), read once per process.

    The static files are served under ``/static/<digest>/``, so each URL names one content and
    browsers may keep it for good: a page load revalidates none of its ~25 scripts and styles
    (relative ``import``s between modules stay under the same prefix), and a changed file, after
    a restart, is a new URL. Every worker of a server computes the same digest from the same
    files.
    """
    return folder_digest(folder("static"))


def folder_digest(root: Path) -> str:
    """12 hex digits that change when any file under ``root`` is added, removed, renamed or
    edited (its relative paths and bytes, in sorted order; ``__pycache__`` left out)."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        content = path.read_bytes()
        name = path.relative_to(root).as_posix().encode()
        # lengths first, so no two different folders feed the same bytes
        digest.update(len(name).to_bytes(8, "big") + name + len(content).to_bytes(8, "big"))
        digest.update(content)
    return digest.hexdigest()
