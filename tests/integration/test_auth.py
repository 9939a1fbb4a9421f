"""Accounts: log-in and log-out, hashed passwords, throttled failures, cookies, admin and CLI."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from annotator import create_app, db, store
from annotator.models import User

PASSWORD = "password-123"
WRONG = "Unknown user name or wrong password."


def log_in(client, username: str, password: str = PASSWORD, **query):
    return client.post(
        "/login", query_string=query, data={"username": username, "password": password}
    )


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def user_row(app, username: str) -> dict:
    engine = app.extensions["annotator.engine"]
    with engine.connect() as connection:
        row = connection.execute(User.__table__.select().where(User.username == username)).one()
    return dict(row._mapping)


# --- log-in and log-out ------------------------------------------------------------------------


def test_log_in_opens_the_project_list_and_log_out_ends_the_session(world, client):
    world.user("ann")
    response = log_in(client, "ann")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"
    assert logged_in(client)

    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not logged_in(client)


@pytest.mark.parametrize("username", ["ann", "nobody"])
def test_wrong_password_or_unknown_user_is_refused_with_the_same_message(world, client, username):
    world.user("ann")
    response = log_in(client, username, "wrong-password")
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    assert not logged_in(client)


@pytest.mark.parametrize("attempt", ["", PASSWORD, "anything-at-all"])
def test_account_made_by_an_import_has_no_password_and_cannot_log_in(world, client, attempt):
    world.project("news")
    world.import_jsonl(
        "news",
        [
            {
                "id": "n1",
                "text": "Mayor says the bridge is safe.",
                "annotations": [{"annotator": "legacy", "label": "claim", "start": 0, "end": 5}],
            }
        ],
    )
    assert user_row(client.application, "legacy")["password_hash"] is None
    response = log_in(client, "legacy", attempt)
    assert response.status_code == 401
    assert not logged_in(client)


def test_password_is_stored_as_an_argon2_hash_and_nowhere_in_plain(app, world):
    world.user("ann", password="plain-secret-77")
    row = user_row(app, "ann")
    assert row["password_hash"].startswith("$argon2")
    assert not any("plain-secret-77" in str(value) for value in row.values())


def test_failed_log_in_does_not_write_the_password_to_the_log(world, client, caplog):
    world.user("ann")
    with caplog.at_level(logging.DEBUG):
        log_in(client, "ann", "typo-in-secret")
    assert "typo-in-secret" not in caplog.text


def test_resetting_a_password_ends_the_accounts_other_sessions(world):
    world.user("ada", admin=True)
    world.user("ann")
    ann = world.client("ann")
    admin = world.client("ada")
    with world.app.app_context():
        ann_id = store.user_by_name(db.session(), "ann").id

    admin.post(f"/admin/users/{ann_id}/password", data={"password": "brand-new-pass"})

    assert not logged_in(ann)
    assert log_in(world.app.test_client(), "ann", "brand-new-pass").status_code == 302


# --- redirects after log-in --------------------------------------------------------------------


def test_log_in_returns_to_the_page_asked_for(world, client):
    world.user("ann")
    response = log_in(client, "ann", next="/p/news?page=2")
    assert response.headers["Location"] == "/p/news?page=2"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "javascript:alert(1)",
        "http:evil.example",
    ],
)
def test_next_parameter_cannot_send_the_user_to_another_host(world, client, target):
    world.user("ann")
    response = log_in(client, "ann", next=target)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.scheme in ("", "http")
    assert location.path == "/"


# --- slowing down failed log-ins ---------------------------------------------------------------


@pytest.fixture
def throttled_app(app, database_url):
    """The app on the same clean database, with 3 failed log-ins allowed per minute."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "LOGIN_ATTEMPTS_PER_MINUTE": 3,
        }
    )
    yield application
    application.extensions["annotator.engine"].dispose()


def test_repeated_failed_log_ins_are_refused_for_a_while_with_a_clear_message(world, throttled_app):
    world.user("ann")
    client = throttled_app.test_client()
    for _ in range(3):
        assert log_in(client, "ann", "guess-guess").status_code == 401

    for password in ("guess-again", PASSWORD):  # even the right password waits now
        response = log_in(client, "ann", password)
        assert response.status_code == 429
        assert "Too many failed log-ins; wait a minute" in response.get_data(as_text=True)
    assert not logged_in(client)


def test_successful_log_ins_do_not_use_the_allowance(world, throttled_app):
    world.user("ann")
    client = throttled_app.test_client()
    for _ in range(2):
        assert log_in(client, "ann", "guess-guess").status_code == 401
    for _ in range(5):
        assert log_in(client, "ann").status_code == 302
    assert log_in(client, "ann", "guess-guess").status_code == 401
    assert log_in(client, "ann", "guess-guess").status_code == 429


def test_spaces_around_the_name_do_not_buy_more_attempts(world, throttled_app):
    world.user("ann")
    client = throttled_app.test_client()
    for name in ("ann", " ann", "ann "):
        assert log_in(client, name, "guess-guess").status_code == 401
    assert log_in(client, "  ann  ", "guess-guess").status_code == 429


def test_failures_for_one_account_do_not_lock_out_another(world, throttled_app):
    world.user("ann")
    world.user("bob")
    client = throttled_app.test_client()
    for _ in range(4):
        log_in(client, "ann", "guess-guess")
    assert log_in(client, "bob").status_code == 302


def test_log_in_throttling_is_on_unless_the_app_turns_it_off(app, world, database_url):
    """The conftest app turned it off; an app that says nothing must still have it on."""
    world.user("ann")
    application = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
         "WTF_CSRF_ENABLED": False, "LOGIN_ATTEMPTS_PER_MINUTE": 1}
    )  # fmt: skip
    try:
        client = application.test_client()
        assert log_in(client, "ann", "guess-guess").status_code == 401
        assert log_in(client, "ann", "guess-guess").status_code == 429
    finally:
        application.extensions["annotator.engine"].dispose()


# --- cookies -----------------------------------------------------------------------------------


def session_cookie(response) -> str:
    cookies = [
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    ]
    assert cookies, "log-in set no session cookie"
    return cookies[-1]


def test_session_cookie_is_http_only_and_same_site_lax(world, client):
    world.user("ann")
    cookie = session_cookie(log_in(client, "ann"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP (local use): a Secure cookie would never come back


def test_session_cookie_is_secure_when_secure_cookies_are_set(world, database_url, monkeypatch):
    world.user("ann")
    monkeypatch.setenv("ANNOTATOR_SECURE_COOKIES", "true")
    application = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
         "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
    )  # fmt: skip
    try:
        cookie = session_cookie(log_in(application.test_client(), "ann"))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        application.extensions["annotator.engine"].dispose()


# --- accounts page -----------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_then_log_in(world):
    world.user("ada", admin=True)
    admin = world.client("ada")
    response = admin.post(
        "/admin/users", data={"username": "zoe", "password": "zoe-password", "role": "annotator"},
        follow_redirects=True,
    )  # fmt: skip
    assert "User created." in response.get_data(as_text=True)
    assert "zoe" in admin.get("/admin/users").get_data(as_text=True)
    assert user_row(world.app, "zoe")["is_admin"] is False
    assert log_in(world.app.test_client(), "zoe", "zoe-password").status_code == 302


def test_admin_can_create_another_admin(world):
    world.user("ada", admin=True)
    world.client("ada").post(
        "/admin/users", data={"username": "root2", "password": "root2-password", "role": "admin"}
    )
    assert user_row(world.app, "root2")["is_admin"] is True


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "zoe", "password": "short"}, "at least 8 characters"),
        ({"username": "zoe", "password": ""}, "at least 8 characters"),
        ({"username": "ann", "password": "zoe-password"}, "already exists"),
        ({"username": "bad name!", "password": "zoe-password"}, "user name"),
    ],
)
def test_admin_is_told_why_a_user_was_not_created(world, form, message):
    world.user("ada", admin=True)
    world.user("ann")
    admin = world.client("ada")
    page = admin.post("/admin/users", data=form, follow_redirects=True).get_data(as_text=True)
    assert message in page
    with world.app.app_context():
        names = set(db.session().exec(select(User.username)).all())
    assert names == {"ada", "ann"}


def test_admin_resets_a_password_the_old_one_stops_working(world):
    world.user("ada", admin=True)
    world.user("ann")
    with world.app.app_context():
        ann_id = store.user_by_name(db.session(), "ann").id
    response = world.client("ada").post(
        f"/admin/users/{ann_id}/password", data={"password": "reset-pass-99"}, follow_redirects=True
    )
    assert "Password of ann set." in response.get_data(as_text=True)
    assert log_in(world.app.test_client(), "ann", PASSWORD).status_code == 401
    assert log_in(world.app.test_client(), "ann", "reset-pass-99").status_code == 302


def test_admin_gives_an_imported_account_a_password_so_it_can_log_in(world):
    world.user("ada", admin=True)
    world.user("imported", password=None)
    with world.app.app_context():
        user_id = store.user_by_name(db.session(), "imported").id
    world.client("ada").post(f"/admin/users/{user_id}/password", data={"password": "first-pass-1"})
    assert log_in(world.app.test_client(), "imported", "first-pass-1").status_code == 302


def test_resetting_an_unknown_user_is_not_found(world):
    world.user("ada", admin=True)
    response = world.client("ada").post("/admin/users/9999/password", data={"password": "x" * 10})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "form"),
    [
        ("GET", "/admin/users", None),
        ("POST", "/admin/users", {"username": "zoe", "password": "zoe-password", "role": "admin"}),
        ("POST", "/admin/users/{ann}/password", {"password": "taken-over-1"}),
    ],
)
def test_non_admin_cannot_use_the_accounts_page(world, method, path, form):
    world.user("ann")
    world.user("mia")
    world.project("news", manager="mia")
    with world.app.app_context():
        ann_id = store.user_by_name(db.session(), "ann").id
    response = world.client("mia").open(path.format(ann=ann_id), method=method, data=form)
    assert response.status_code == 403
    assert log_in(world.app.test_client(), "ann").status_code == 302
    with world.app.app_context():
        assert store.user_by_name(db.session(), "zoe") is None


def test_users_page_shows_who_can_log_in(world):
    world.user("ada", admin=True)
    world.user("imported", password=None)
    page = world.client("ada").get("/admin/users").get_data(as_text=True)
    assert "imported</td><td>user</td><td>no</td>" in page
    assert "ada</td><td>admin</td><td>yes</td>" in page


# --- command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "annotator"])
def test_cli_create_user_reads_the_password_from_stdin(app, runner, role):
    result = runner.invoke(args=["create-user", "zoe", "--role", role], input="secret-pass\n")
    assert result.exit_code == 0, result.output
    assert f"Created {role} zoe." in result.output
    assert "secret-pass" not in result.output
    row = user_row(app, "zoe")
    assert row["password_hash"].startswith("$argon2")
    assert row["is_admin"] is (role == "admin")
    assert log_in(app.test_client(), "zoe", "secret-pass").status_code == 302


def test_cli_create_user_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["create-user", "zoe"], input="short\n")
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    with app.app_context():
        assert store.user_by_name(db.session(), "zoe") is None


def test_cli_create_user_without_password_makes_an_account_that_cannot_log_in(app, runner):
    result = runner.invoke(args=["create-user", "zoe", "--no-password"])
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client(), "zoe", "").status_code == 401


def test_cli_set_password_replaces_the_password(app, world, runner):
    world.user("ann")
    result = runner.invoke(args=["set-password", "ann"], input="changed-pass\n")
    assert result.exit_code == 0, result.output
    assert "Password of ann set." in result.output
    assert log_in(app.test_client(), "ann", PASSWORD).status_code == 401
    assert log_in(app.test_client(), "ann", "changed-pass").status_code == 302


def test_cli_set_password_of_unknown_user_says_so(runner):
    result = runner.invoke(args=["set-password", "nobody"], input="changed-pass\n")
    assert result.exit_code != 0
    assert "no user named 'nobody'" in result.output


# --- throttling behind proxies and across workers ----------------------------------------------


def make_throttled_app(database_url, **settings):
    return create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
         "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "LOGIN_ATTEMPTS_PER_MINUTE": 1,
         "LOG_REQUESTS": False, **settings}
    )  # fmt: skip


def failed_log_in_from(client, address: str) -> int:
    return client.post(
        "/login",
        data={"username": "ann", "password": "guess-guess"},
        headers={"X-Forwarded-For": address},
    ).status_code


def test_behind_a_trusted_proxy_each_client_address_has_its_own_allowance(world, database_url):
    world.user("ann")
    application = make_throttled_app(database_url, TRUSTED_PROXIES=1)
    try:
        client = application.test_client()
        assert failed_log_in_from(client, "203.0.113.5") == 401
        assert failed_log_in_from(client, "203.0.113.5") == 429
        assert failed_log_in_from(client, "198.51.100.7") == 401  # another reader, not locked out
    finally:
        application.extensions["annotator.engine"].dispose()


def test_without_trusted_proxies_a_forged_forwarded_for_buys_no_fresh_attempts(world, database_url):
    world.user("ann")
    application = make_throttled_app(database_url)  # TRUSTED_PROXIES defaults to 0
    try:
        client = application.test_client()
        assert failed_log_in_from(client, "203.0.113.5") == 401
        assert failed_log_in_from(client, "198.51.100.7") == 429
    finally:
        application.extensions["annotator.engine"].dispose()


REDIS_URL = os.environ.get("ANNOTATOR_TEST_REDIS", "redis://127.0.0.1:6379/15")

FAIL_ONCE_IN_ANOTHER_PROCESS = """
import sys
from annotator import create_app
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "test-secret",
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                  "LOGIN_ATTEMPTS_PER_MINUTE": 2, "LOG_REQUESTS": False,
                  "RATELIMIT_STORAGE": sys.argv[2], "RATELIMIT_KEY_PREFIX": sys.argv[3]})
answer = app.test_client().post("/login", data={"username": "ann", "password": "guess-guess"})
print(answer.status_code)
"""


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis pass skipped: no Redis server answered at {REDIS_URL} ({error})")
    return REDIS_URL


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "memory"])
def test_failed_log_ins_counted_in_redis_are_seen_by_every_process(
    world, database_url, redis_url, shared
):
    """Several gunicorn workers are several processes: with Redis they share one count, with
    memory:// each has its own (the control that shows the test can tell the difference)."""
    import subprocess
    import sys
    import uuid

    import redis

    world.user("ann")
    storage = redis_url if shared else "memory://"
    prefix = f"annotator-test-{uuid.uuid4().hex[:8]}"
    application = make_throttled_app(
        database_url,
        RATELIMIT_STORAGE=storage,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_ATTEMPTS_PER_MINUTE=2,
    )
    try:
        client = application.test_client()
        assert log_in(client, "ann", "guess-guess").status_code == 401
        assert log_in(client, "ann", "guess-guess").status_code == 401
        other = subprocess.run(
            [sys.executable, "-c", FAIL_ONCE_IN_ANOTHER_PROCESS, database_url, storage, prefix],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert other.returncode == 0, other.stderr
        assert other.stdout.split() == (["429"] if shared else ["401"])
    finally:
        application.extensions["annotator.engine"].dispose()
        connection = redis.Redis.from_url(redis_url)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
