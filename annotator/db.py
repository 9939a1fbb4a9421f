"""Engine, one session per request, SQLite pragmas and the migrations entry point."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event, exc, inspect
from sqlmodel import Session

from annotator import resources

if TYPE_CHECKING:
    from alembic.config import Config

#: True while the current request or command changes data (set by the app for non-GET requests).
writing: ContextVar[bool] = ContextVar("annotator_writing", default=False)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    # A list of rows goes in multi-row INSERTs of 1,000 ("insertmanyvalues", as SQLAlchemy does
    # for psycopg2), not psycopg's one statement per row: the document summary's statement
    # triggers then run once per batch, not per span (an import of one document with 1,200
    # spans took 23 s, each span's statement checking the document's disagreement).
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


#: Longest wait for SQLite's write lock before a write request fails, as the busy timeout.
WRITE_WAIT_SECONDS = 30.0


class _GatedConnection(sqlite3.Connection):
    """A SQLite connection that lets go of its process's write gate when its transaction ends.

    The gate is released after COMMIT or ROLLBACK has really run (SQLAlchemy's events fire
    before), and on close, so a connection returned to the pool or dropped never keeps it.
    """

    gate: threading.Lock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_gate()

    def leave_gate(self) -> None:
        gate, self.gate = self.gate, None
        if gate is not None:
            gate.release()


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": WRITE_WAIT_SECONDS,
            "factory": _GatedConnection,
        },
    )
    # Writers of this process queue on a lock that wakes the next one the moment the write
    # transaction ends. Left to SQLite's busy handler, a waiting writer sleeps in growing steps
    # (up to 100 ms), and under load that sleep, not the work, made the slowest saves.
    gate = engine.write_gate = threading.Lock()

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
        # Let SQLAlchemy issue BEGIN itself so transactions really start when it says.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged save survives power loss
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):  # pragma: no cover - trivial
        # A request that will write takes the write lock up front (and waits for it), so a
        # read-then-write never fails on a lock upgrade; reads stay concurrent under WAL.
        if not writing.get():
            conn.exec_driver_sql("BEGIN")
            return
        connection = conn.connection.dbapi_connection
        if not gate.acquire(timeout=WRITE_WAIT_SECONDS):
            locked = sqlite3.OperationalError("database is locked (by this process's writers)")
            raise exc.OperationalError("BEGIN IMMEDIATE", None, locked)
        connection.gate = gate
        try:
            _begin_immediate(connection)
        except sqlite3.Error as error:
            connection.leave_gate()
            raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
        except BaseException:
            connection.leave_gate()
            raise

    return engine


def _begin_immediate(connection: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for writers of other processes in steps of about 2 ms.

    Only one thread per process waits here (the gate holder), so the polling is cheap.
    """
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    connection.execute("PRAGMA busy_timeout=2")  # SQLite sleeps 1 ms, then 1 ms, then says so
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
    finally:
        connection.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_SECONDS * 1000)}")


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["annotator.engine"] = make_engine(url)
    app.teardown_appcontext(_close_session)

    @app.before_request
    def _mark_writes() -> None:
        view = app.view_functions.get(request.endpoint or "")
        g.writing_token = writing.set(
            request.method not in ("GET", "HEAD", "OPTIONS")
            and not getattr(view, "reads_only", False)
        )

    @app.teardown_request
    def _unmark_writes(_error: BaseException | None) -> None:
        # The mark is the request's: what runs after it in the same thread (a test, the next
        # request of a threaded server) starts unmarked, and never takes the write lock by chance.
        token = g.pop("writing_token", None)
        if token is not None:
            writing.reset(token)


def reads_only(view):
    """Mark a POST view that changes no rows (log-in): it must not hold SQLite's write lock,
    least of all while it checks a password hash for a fifth of a second."""
    view.reads_only = True
    return view


def engine() -> Engine:
    return current_app.extensions["annotator.engine"]


def session() -> Session:
    """The session of the current request (or CLI command), opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def lock_project(db_session: Session, project_id: int) -> None:
    """Serialise read-then-write work on one project (e.g. handing out documents).

    PostgreSQL locks the project row until the transaction ends. ``FOR NO KEY UPDATE``, not
    ``FOR UPDATE``: the foreign-key checks of rows written meanwhile in the project (spans,
    assignments) take a key-share lock on it, which this one leaves free, so saving a span never
    waits for an import or for a document being handed out. SQLite's write transactions are
    already serialised by BEGIN IMMEDIATE, so the statement there only makes sure the transaction
    has started.
    """
    from sqlalchemy import text

    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(
            text("SELECT id FROM project WHERE id = :id FOR NO KEY UPDATE"), {"id": project_id}
        )
    else:
        db_session.execute(text("UPDATE project SET id = id WHERE id = :id"), {"id": project_id})


def alembic_config(bind: Engine) -> Config:
    # Alembic is imported by the few commands that migrate (init-db, demo), not by every one.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.folder("migrations")))
    config.set_main_option("sqlalchemy.url", bind.url.render_as_string(hide_password=False))
    config.attributes["engine"] = bind
    return config


def upgrade(bind: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a database made by an older version keeps its data."""
    from alembic import command

    command.upgrade(alembic_config(bind), revision)


def current_revision(bind: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with bind.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def has_schema(bind: Engine) -> bool:
    return inspect(bind).has_table("alembic_version")


#: What SQLite and PostgreSQL say when the database cannot take writes (not a busy one).
REFUSING_WRITES = ("readonly", "read-only", "disk is full", "disk full", "no space left")


def refuses_writes(error: BaseException) -> bool:
    """True for a database error meaning no write can succeed now: a read-only file or server, a
    full disk. Retrying soon will not help, but it is the server's state, not the request's."""
    orig = getattr(error, "orig", error)
    if getattr(orig, "sqlstate", None) in ("25006", "53100"):  # read-only transaction, disk full
        return True
    return any(words in str(orig).lower() for words in REFUSING_WRITES)


def write_problem(bind: Engine) -> str | None:
    """Why the database cannot take a write now, or None when it can (for ``/health``).

    PostgreSQL says whether it is read-only (a standby, ``default_transaction_read_only``).
    SQLite is asked for its write lock by a statement that changes no row: a read-only file
    refuses it; a writer holding the lock means the database is writable, so that is no problem.
    """
    with bind.connect() as connection:
        if bind.dialect.name == "postgresql":
            read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
            return "the database is read-only" if read_only == "on" else None
        try:
            connection.exec_driver_sql("PRAGMA busy_timeout=50")
            connection.exec_driver_sql(
                "UPDATE alembic_version SET version_num = version_num WHERE 0"
            )
        except exc.OperationalError as error:
            if "locked" in str(error.orig) or "busy" in str(error.orig):
                return None
            return str(error.orig)
        finally:
            connection.invalidate()  # its busy timeout was shortened: never reuse it
    return None
