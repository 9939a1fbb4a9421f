"""A throw-away PostgreSQL database for a test, or the reason there is none (then the test skips
with that reason, so a skipped PostgreSQL pass always says why)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest

from annotator import throwaway


@contextmanager
def postgres_or_skip(prefix: str = "annotator_test") -> Iterator[str]:
    """The URL of a fresh, empty database dropped afterwards; skips the test when no server
    answers."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway.postgres_database(prefix))
        except throwaway.NoServer as error:
            pytest.skip(f"PostgreSQL pass skipped: {error}")
        yield url
