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
