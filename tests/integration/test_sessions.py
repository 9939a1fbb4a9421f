"""Sessions end on the server: at log-out, after idleness and after a maximum age."""

from __future__ import annotations

import time

import pytest

from annotator import auth
from annotator.config import load_settings


@pytest.fixture
def ana(world):
    world.user("ana")
    return world.client("ana")


def is_logged_in(client) -> bool:
    answer = client.get("/")
    return answer.status_code == 200


def test_a_cookie_saved_before_log_out_does_not_work_after_it(app, world, ana):
    saved = ana.get_cookie("session").value
    assert ana.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", saved)
    answer = thief.get("/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_log_out_ends_the_other_sessions_of_the_account_and_a_new_log_in_works(world, ana):
    other = world.client("ana")
    ana.post("/logout")
    assert not is_logged_in(other)
    assert is_logged_in(world.client("ana"))


@pytest.mark.parametrize(
    ("idle_hours", "expected"), [(11.9, True), (12.1, False)], ids=["recent", "idle"]
)
def test_a_session_idle_longer_than_the_setting_ends(ana, idle_hours, expected):
    with ana.session_transaction() as session:
        session[auth.SEEN] = time.time() - idle_hours * 3600
    assert is_logged_in(ana) is expected


def test_a_busy_session_still_ends_at_its_maximum_age(ana):
    with ana.session_transaction() as session:
        session[auth.STARTED] = time.time() - 73 * 3600
        session[auth.SEEN] = time.time()
    assert not is_logged_in(ana)


def test_the_lifetimes_follow_the_settings(app, ana):
    app.config.update(SESSION_IDLE_HOURS=1, SESSION_MAX_HOURS=2)
    with ana.session_transaction() as session:
        session[auth.SEEN] = time.time() - 1.5 * 3600
    assert not is_logged_in(ana)


def test_a_session_without_its_stamps_is_ended(ana):
    with ana.session_transaction() as session:
        del session[auth.STARTED]
    assert not is_logged_in(ana)


def test_the_csrf_token_changes_at_log_in(app, world):
    world.user("ana")
    client = app.test_client()
    client.get("/login")  # renders the form: the anonymous session gets a token
    with client.session_transaction() as session:
        before = session["csrf_token"]
    client.post("/login", data={"username": "ana", "password": "password-123"})
    client.get("/")
    with client.session_transaction() as session:
        assert session.get("csrf_token") not in (None, before)


def test_session_lifetimes_default_to_12_and_72_hours_and_read_their_variables():
    defaults = load_settings({})
    assert (defaults["SESSION_IDLE_HOURS"], defaults["SESSION_MAX_HOURS"]) == (12, 72)
    settings = load_settings(
        {"ANNOTATOR_SESSION_IDLE_HOURS": "2", "ANNOTATOR_SESSION_MAX_HOURS": "8"}
    )
    assert (settings["SESSION_IDLE_HOURS"], settings["SESSION_MAX_HOURS"]) == (2, 8)


def test_accounts_of_the_previous_schema_keep_their_data_and_start_at_epoch_0(tmp_path):
    from datetime import UTC, datetime

    from sqlalchemy import text as sql

    from annotator import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        db.upgrade(engine, "0005")
        with engine.begin() as connection:
            connection.execute(
                sql(
                    'INSERT INTO "user" (id, username, password_hash, is_admin, created_at) '
                    "VALUES (1, 'ana', 'hash', 0, :now)"
                ),
                {"now": datetime(2025, 1, 1, tzinfo=UTC)},
            )
        db.upgrade(engine)
        with engine.connect() as connection:
            row = connection.execute(
                sql('SELECT username, password_hash, session_epoch FROM "user"')
            ).one()
        assert tuple(row) == ("ana", "hash", 0)
    finally:
        engine.dispose()
