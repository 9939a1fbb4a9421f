"""SQLite writers queue on a per-process gate, then on SQLite's own lock; nothing may keep it.

A write transaction holds the gate from BEGIN IMMEDIATE until COMMIT or ROLLBACK has run, or the
connection closes; any path that forgets to let go would stall every later save of the process.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from annotator import db


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE item (name TEXT PRIMARY KEY)"))
    yield engine
    engine.dispose()


@pytest.fixture
def writing():
    token = db.writing.set(True)
    yield
    db.writing.reset(token)


def names(engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(text("SELECT name FROM item")).scalars())


def add(session: Session, name: str) -> None:
    session.execute(text("INSERT INTO item VALUES (:name)"), {"name": name})


def test_commit_rollback_close_and_an_error_each_let_go_of_the_gate(engine, writing):
    with Session(engine) as session:
        add(session, "committed")
        assert engine.write_gate.locked()
        session.commit()
        assert not engine.write_gate.locked()

        add(session, "rolled back")
        session.rollback()
        assert not engine.write_gate.locked()

        add(session, "closed")
    assert not engine.write_gate.locked()  # closing the session returned the connection

    with pytest.raises(IntegrityError), Session(engine) as session:
        add(session, "twice")
        add(session, "twice")  # primary key: the statement fails inside the transaction
    assert not engine.write_gate.locked()
    assert names(engine) == ["committed"]


def test_reads_take_neither_the_gate_nor_the_write_lock(engine, writing):
    with Session(engine) as writer:
        add(writer, "pending")
        token = db.writing.set(False)
        try:
            with Session(engine) as reader:  # would wait for the gate if it took it
                assert reader.execute(text("SELECT count(*) FROM item")).scalar() == 0
        finally:
            db.writing.reset(token)
        writer.commit()


def test_threads_of_one_process_all_write(engine):
    def work(number: int) -> None:
        db.writing.set(True)  # each thread has its own context, as each request has
        for step in range(20):
            with Session(engine) as session:
                add(session, f"{number}-{step}")
                session.commit()

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)  # a bound on a hang, not on speed
    assert len(names(engine)) == 160
    assert not engine.write_gate.locked()


def _write_from_another_process(url: str, prefix: str) -> None:
    engine = db.make_engine(url)
    db.writing.set(True)
    for step in range(30):
        with Session(engine) as session:
            add(session, f"{prefix}-{step}")
            session.commit()
    engine.dispose()


def test_processes_wait_for_each_other_and_all_write(engine):
    url = engine.url.render_as_string()
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_from_another_process, args=(url, f"p{n}")) for n in range(3)
    ]
    for worker in workers:
        worker.start()
    _write_from_another_process(url, "here")
    for worker in workers:
        worker.join(timeout=600)  # a bound on a hang, not on speed
        assert worker.exitcode == 0
    assert len(names(engine)) == 120


def test_a_writer_outside_the_app_is_waited_for_then_the_write_lands(engine, writing):
    outside = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
    outside.execute("BEGIN IMMEDIATE")  # e.g. the sqlite3 shell, or another program
    outside.execute("INSERT INTO item VALUES ('outside')")
    threading.Timer(0.3, outside.commit).start()
    with Session(engine) as session:
        add(session, "inside")
        session.commit()
    outside.close()
    assert names(engine) == ["inside", "outside"]
    assert not engine.write_gate.locked()


def test_a_write_lock_held_too_long_fails_the_write_cleanly(engine, writing, monkeypatch):
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 0.3)
    outside = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
    outside.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="database is locked"), Session(engine) as s:
            add(s, "too late")
        assert not engine.write_gate.locked()
    finally:
        outside.rollback()
        outside.close()
    with Session(engine) as session:  # and the next writer goes through
        add(session, "next")
        session.commit()
    assert names(engine) == ["next"]


ON_SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@ON_SQLITE_ONLY
def test_a_save_that_cannot_get_the_lock_answers_503_and_saves_nothing(
    app, world, monkeypatch, database_url
):
    """The browser's save queue retries a 503; a 500 would look like a refused span."""
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 0.3)
    world.user("ann")
    world.project("news", annotators=["ann"])
    world.import_jsonl("news", [{"id": "d1", "text": "Zakharova said the talks failed."}])
    client = world.client("ann")
    assert client.post("/p/news/next").status_code == 302
    spans = "/api/projects/news/documents/1/spans/"
    outside = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    try:
        response = client.put(
            spans + "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            json={"label": "claim", "start": 0, "end": 9, "text": "Zakharova"},
        )
    finally:
        outside.rollback()
        outside.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "nothing was saved" in response.get_json()["error"]
    assert client.get(spans.rstrip("/")).get_json()["spans"] == []


@ON_SQLITE_ONLY
def test_log_in_does_not_wait_for_the_write_lock(app, world, monkeypatch, database_url):
    """Checking a password takes a fifth of a second: it must not hold up everyone's saves."""
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", 0.3)
    world.user("ann")
    outside = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    outside.execute("BEGIN IMMEDIATE")
    try:
        response = app.test_client().post(
            "/login", data={"username": "ann", "password": "password-123"}
        )
    finally:
        outside.rollback()
        outside.close()
    assert response.status_code == 302
