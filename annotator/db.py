"""Engine, one session per request, SQLite pragmas and the migrations entry point."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event, inspect
from sqlmodel import Session

#: True while the current request or command changes data (set by the app for non-GET requests).
writing: ContextVar[bool] = ContextVar("annotator_writing", default=False)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy issue BEGIN itself so transactions really start when it says.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged save survives power loss
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # A request that will write takes the write lock up front (and waits for it), so a
            # read-then-write never fails on a lock upgrade; reads stay concurrent under WAL.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writing.get() else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app.extensions["annotator.engine"] = make_engine(url)
    app.teardown_appcontext(_close_session)

    @app.before_request
    def _mark_writes() -> None:
        writing.set(request.method not in ("GET", "HEAD", "OPTIONS"))


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
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", bind.url.render_as_string(hide_password=False))
    config.attributes["engine"] = bind
    return config


def upgrade(bind: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a database made by an older version keeps its data."""
    command.upgrade(alembic_config(bind), revision)


def current_revision(bind: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with bind.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def has_schema(bind: Engine) -> bool:
    return inspect(bind).has_table("alembic_version")
