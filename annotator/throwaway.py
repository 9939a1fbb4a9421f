"""Throw-away PostgreSQL databases for the tests and benchmarks: made empty, dropped after use.

The server is the one named by ``ANNOTATOR_TEST_POSTGRES`` (default: the local server's ``test``
database, trust authentication). Callers decide what a missing server means (a skipped pass).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class NoServer(RuntimeError):
    """No PostgreSQL server answered; the message says where and why."""


def admin_url() -> str:
    return os.environ.get("ANNOTATOR_TEST_POSTGRES", DEFAULT_ADMIN_URL)


@contextmanager
def postgres_database(prefix: str = "annotator_tmp", admin: str | None = None) -> Iterator[str]:
    """The URL of a new, empty database; it is dropped (connections and all) on leaving."""
    admin = admin or admin_url()
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server is "no server"
        engine.dispose()
        where = make_url(admin).render_as_string(hide_password=True)
        raise NoServer(
            f"no PostgreSQL server answered at {where} ({type(error).__name__})"
        ) from error
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def open_postgres_database(
    prefix: str = "annotator_tmp", admin: str | None = None
) -> tuple[str, Callable[[], None]]:
    """For scripts whose work does not fit one ``with`` block: the URL and the function that
    drops the database. Raises :class:`NoServer` like :func:`postgres_database`."""
    stack = ExitStack()
    url = stack.enter_context(postgres_database(prefix, admin))
    return url, stack.close
