"""Request logs are one JSON object per request, without secrets."""

import json
import logging

import pytest

from annotator import create_app


@pytest.fixture
def logged_app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "x",
            "LOG_REQUESTS": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    yield app
    app.extensions["annotator.engine"].dispose()


def test_each_request_is_logged_as_one_json_line_without_the_password(logged_app, caplog):
    # caplog attaches itself to the named logger (which does not propagate to the root).
    with caplog.at_level(logging.INFO, logger="annotator.requests"):
        client = logged_app.test_client()
        client.post("/login?next=/x", data={"username": "nobody", "password": "hunter2-secret"})
        client.get("/health", headers={"X-Request-ID": "abc-123"})
    lines = [json.loads(record.getMessage()) for record in caplog.records]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/login", 401),
        ("GET", "/health", 200),
    ]
    assert lines[1]["request_id"] == "abc-123" and lines[1]["ms"] >= 0
    assert "hunter2" not in caplog.text and "next" not in caplog.text


def test_requests_are_logged_unless_turned_off(database_url, monkeypatch):
    """ANNOTATOR_LOG_REQUESTS defaults to on: a production server logs without being told to."""
    from annotator import logs

    def logging_is_on(environment: dict[str, str]) -> bool:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        calls = []
        monkeypatch.setattr(logs, "logger", _Recorder(calls))
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
        try:
            app.test_client().get("/health")
        finally:
            app.extensions["annotator.engine"].dispose()
        return bool(calls)

    assert logging_is_on({})
    assert not logging_is_on({"ANNOTATOR_LOG_REQUESTS": "false"})


class _Recorder:
    def __init__(self, calls: list):
        self.calls, self.handlers = calls, [object()]

    def info(self, message, *args):
        self.calls.append(message)


def test_behind_a_trusted_proxy_the_log_names_the_client_not_the_proxy(database_url, caplog):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x", "LOG_REQUESTS": True,
         "TRUSTED_PROXIES": 1}
    )  # fmt: skip
    try:
        with caplog.at_level(logging.INFO, logger="annotator.requests"):
            app.test_client().get("/health", headers={"X-Forwarded-For": "203.0.113.9"})
    finally:
        app.extensions["annotator.engine"].dispose()
    assert [json.loads(record.getMessage())["remote"] for record in caplog.records] == [
        "203.0.113.9"
    ]


def test_a_logged_in_request_names_the_account_id_and_nothing_of_the_session(
    world, logged_app, caplog
):
    user_id = world.user("ann").id
    client = logged_app.test_client()
    client.post("/login", data={"username": "ann", "password": "password-123"})
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="annotator.requests"):
        client.get("/")
    (line,) = [json.loads(record.getMessage()) for record in caplog.records]
    assert line["status"] == 200 and line["user"] == user_id
