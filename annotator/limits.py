"""Limits every input shares, whether it comes through a page, the JSON API or an import file.

Pure: no Flask, no database.

- U+0000 (NUL) cannot be stored in PostgreSQL text or JSON; it is refused on every database so
  both behave alike and a browser's save queue never meets a save that fails on every retry.
- Free-form JSON (a document's ``meta``) is capped in depth and in size, so that what import
  accepts can always be written back out by export and read by other tools.
"""

from __future__ import annotations

from typing import Any

import orjson

#: Deepest nesting of objects and lists accepted in a document's ``meta``.
MAX_META_DEPTH = 20
#: Largest ``meta`` accepted, in bytes of compact JSON.
MAX_META_BYTES = 64 * 1024
#: Longest note on a span, in characters (the API's limit, also applied to imports).
MAX_NOTE_CHARS = 10_000


def nul_at(value: Any, where: str) -> str | None:
    """Where in ``value`` (a string or parsed JSON) a NUL character is, or None.

    ``where`` names ``value``; the answer names the key or item inside it, e.g. ``meta.a[2]``.
    Keys are searched as well as values. Walks iteratively: deep nesting cannot exhaust the stack.
    """
    pending: list[tuple[Any, str]] = [(value, where)]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and "\x00" in key:
                    return child_path.replace("\x00", "\\u0000")
                pending.append((child, child_path))
        elif isinstance(item, list | tuple):
            pending.extend((child, f"{path}[{index}]") for index, child in enumerate(item))
    return None


def depth_of(value: Any) -> int:
    """How deeply objects and lists nest in ``value`` (a scalar is 0, ``[]`` is 1). Iterative."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            pending.extend((child, depth + 1) for child in item.values())
            deepest = max(deepest, depth + 1)
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
            deepest = max(deepest, depth + 1)
    return deepest


def meta_problem(meta: Any) -> str | None:
    """Why ``meta`` cannot be stored and exported, or None when it can."""
    depth = depth_of(meta)
    if depth > MAX_META_DEPTH:
        return f"nested {depth} levels deep (at most {MAX_META_DEPTH})"
    try:
        size = len(orjson.dumps(meta))
    except (TypeError, orjson.JSONEncodeError) as error:
        return f"cannot be written as JSON ({error})"
    if size > MAX_META_BYTES:
        return f"{size} bytes as JSON (at most {MAX_META_BYTES})"
    return None
