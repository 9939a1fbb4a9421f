"""Fixtures every test reuses: an app on SQLite and on PostgreSQL, clients, users, projects.

Integration tests take the ``app`` fixture and run once per database. The PostgreSQL pass uses a
fresh database made for this test session (dropped afterwards) on the server named by
``ANNOTATOR_TEST_POSTGRES`` (default: the local server's ``test`` database); when no server
answers, that pass is skipped and the reason is printed in the summary.

Speed: one app per database per session (building one takes ~0.1 s), its tables emptied before
each test and its config restored after it; a test that needs other settings (CSRF or log-in
throttling on) builds its own app. A module whose many tests only read one world (the route x actor
matrices) builds it once with ``kept`` and gets its rows put back after a test changed them. Under
pytest-xdist every worker has its own session: its own SQLite file and PostgreSQL database.
"""

from __future__ import annotations

import dataclasses
import os

import pytest
from sqlalchemy import event, text

from annotator import create_app, db, store, throwaway
from annotator.agreement import inputs as agreement_inputs
from annotator.models import metadata
from tests.support.database import TABLES, database_rows

BACKENDS = [
    b for b in os.environ.get("ANNOTATOR_TEST_DATABASES", "sqlite,postgresql").split(",") if b
]


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """Argon2id with tiny costs: the real settings take ~0.2 s a hash, too slow for hundreds of
    log-ins in tests. The algorithm and the stored format stay the same."""
    from argon2 import PasswordHasher

    real = store._hasher
    store._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    store._hasher = real


def _postgres_database():
    """A throw-away database: yields (its URL, None), or (None, why) when no server answers."""
    try:
        with throwaway.postgres_database("annotator_test") as url:
            yield url, None
    except throwaway.NoServer as error:
        yield None, str(error)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """One migrated database per backend for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        yield url
        return
    generator = _postgres_database()
    url, reason = next(generator)
    if url is None:
        pytest.skip(f"PostgreSQL pass skipped: {reason}")
    engine = db.make_engine(url)
    with engine.connect() as connection:
        # Commits return without waiting for the server to flush its log to disk (about 10 ms a
        # commit on the shared 2-core machine, 2 ms without, and a test commits a dozen times).
        # Only a crash of PostgreSQL itself could lose such a commit; the database is thrown away.
        name = engine.url.database
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        connection.commit()
    engine.dispose()  # the setting holds for connections opened from now on
    db.upgrade(engine)
    engine.dispose()
    yield url
    generator.close()


#: Every sequence of the schema back to 1, as TRUNCATE's RESTART IDENTITY would do.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
)


def _empty_all_tables(app) -> None:
    """DELETE, children first, on both databases, as one script (one round trip to PostgreSQL:
    3 ms where a statement each took 9): a test leaves a handful of rows, and deleting them takes
    milliseconds where PostgreSQL's TRUNCATE of the tables (new files for each) took tenths of a
    second, for each of the PostgreSQL pass's 2,000 tests."""
    engine = app.extensions["annotator.engine"]
    deletes = [f'DELETE FROM "{name}"' for name in reversed(TABLES)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # ids restart at 1, as in a new database
            connection.exec_driver_sql(";".join([*deletes, str(_RESTART_SEQUENCES)]))
        else:
            for delete in deletes:
                connection.exec_driver_sql(delete)
            if connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
            ).first():
                connection.execute(text("DELETE FROM sqlite_sequence"))
    agreement_inputs.clear_cache()  # keyed by project id, and ids start again


def _rows(app) -> dict[str, list[tuple]]:
    """Every row of every table: equal results mean the database holds the same world."""
    return database_rows(app.extensions["annotator.engine"])


#: Tables the database's own triggers write (``document_summary``): restored after the rest,
#: whose inserts the triggers answer with rows of their own.
_DERIVED = ("document_summary",)


@dataclasses.dataclass(frozen=True)
class _Snapshot:
    """A kept world as stored: its rows to put back, as compared, and where ids go on."""

    rows: dict[str, list[dict]]
    seen: dict[str, list[tuple]]
    sequences: list[tuple[str, int | None]]


def _capture(app) -> _Snapshot:
    engine = app.extensions["annotator.engine"]
    rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows[table.name] = [dict(row._mapping) for row in connection.execute(table.select())]
        if engine.dialect.name == "postgresql":
            sequences = connection.execute(
                text(
                    "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
                )
            ).all()
        elif connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).first():
            sequences = connection.execute(text("SELECT name, seq FROM sqlite_sequence")).all()
        else:
            sequences = []
    return _Snapshot(rows, _rows(app), [tuple(row) for row in sequences])


def _restore(app, snapshot: _Snapshot) -> None:
    """Put a kept world back as it was built, row for row and with the same next ids: a few
    dozen statements where building it again through the app took a few hundred."""
    _empty_all_tables(app)
    engine = app.extensions["annotator.engine"]
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if snapshot.rows[table.name] and table.name not in _DERIVED:
                connection.execute(table.insert(), snapshot.rows[table.name])
        for name in _DERIVED:
            table = metadata.tables[name]
            connection.execute(table.delete())
            if snapshot.rows[name]:
                connection.execute(table.insert(), snapshot.rows[name])
        if engine.dialect.name == "postgresql" and snapshot.sequences:
            # every sequence in one statement (one round trip, not one per sequence)
            calls, values = [], {}
            for number, (name, last) in enumerate(snapshot.sequences):
                calls.append(f"setval(:name{number}, :value{number}, :called{number})")
                values |= {
                    f"name{number}": f'public."{name}"',
                    f"value{number}": last or 1,
                    f"called{number}": last is not None,
                }
            connection.execute(text("SELECT " + ", ".join(calls)), values)
        elif snapshot.sequences:
            connection.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                [{"name": name, "seq": last} for name, last in snapshot.sequences],
            )


def _commit_without_flush(dbapi_connection, _record) -> None:
    """After the app's own settings (``synchronous=FULL``: an acknowledged save survives a power
    loss): a commit does not wait for the disk, which took about 14 ms a commit on the shared
    machine. Only this process's test database is opened so; servers started by tests keep FULL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture(scope="session")
def session_app(database_url):
    """The one app per database of this session; tests take it through ``app``."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "LOG_REQUESTS": False,
        }
    )
    engine = application.extensions["annotator.engine"]
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _commit_without_flush)
        engine.dispose()  # every connection from now on is opened with it
    yield application
    application.extensions["annotator.engine"].dispose()


@pytest.fixture
def app(session_app):
    """An app on a clean database (per backend); CSRF and log-in throttling off unless a test
    turns them on with ``make_app``. Changes a test makes to ``app.config`` end with it."""
    config = dict(session_app.config)
    # A command run by the CLI runner marks its thread as writing (as the command's process
    # would be); each test starts unmarked, like a fresh request.
    writing = db.writing.set(False)
    _empty_all_tables(session_app)
    yield session_app
    db.writing.reset(writing)
    session_app.config.clear()
    session_app.config.update(config)


@pytest.fixture(scope="module")
def _kept_worlds() -> dict:
    return {}


@pytest.fixture
def kept(session_app, _kept_worlds):
    """``kept(name, build)``: the value of ``build(app, world)`` on a database holding only what
    it built, built once per module and database; after a test that wrote, the next one gets the
    built rows put back (ids and next ids included), not a new build. Use ``value.app`` or
    ``session_app`` in such tests, not ``app``: that one empties the tables."""

    def keep(name: str, build):
        key = (name, session_app.config["DATABASE_URL"])
        held = _kept_worlds.get(key)
        if held is not None:
            value, snapshot = held
            if _rows(session_app) != snapshot.seen:
                _restore(session_app, snapshot)
            return value
        _empty_all_tables(session_app)
        value = build(session_app, World(session_app))
        _kept_worlds[key] = (value, _capture(session_app))
        return value

    config = dict(session_app.config)
    yield keep
    session_app.config.clear()
    session_app.config.update(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class World:
    """Builds users and projects for a test and logs clients in."""

    def __init__(self, app):
        self.app = app

    def user(self, name: str, admin: bool = False, password: str | None = "password-123"):
        with self.app.app_context():
            session = db.session()
            user = store.create_user(session, name, password, is_admin=admin)
            session.commit()
            return user

    def project(
        self,
        slug: str = "news",
        manager: str | None = None,
        annotators=(),
        overlap=1,
        labels: str | None = None,
    ):
        with self.app.app_context():
            session = db.session()
            project = store.create_project(session, slug, labels=labels)
            project.overlap = overlap
            if manager:
                store.set_member(session, project, store.user_by_name(session, manager), "manager")
            for name in annotators:
                store.set_member(session, project, store.user_by_name(session, name), "annotator")
            session.commit()
            return project

    def import_jsonl(self, slug: str, lines: list[dict], name: str = "docs.jsonl"):
        import orjson

        from annotator.data_import.loader import import_files

        with self.app.app_context():
            session = db.session()
            project = store.project_by_slug(session, slug)
            data = b"\n".join(orjson.dumps(line) for line in lines)
            return import_files(session, project, [(name, data)])

    def client(self, name: str | None = None, password: str = "password-123"):
        client = self.app.test_client()
        if name:
            response = client.post("/login", data={"username": name, "password": password})
            assert response.status_code == 302, f"log-in of {name} failed"
        return client


@pytest.fixture
def world(app):
    return World(app)
