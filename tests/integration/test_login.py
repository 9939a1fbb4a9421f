"""Log-in: unknown names cost as much as known ones, names are capped, next= stays on the site."""

from __future__ import annotations

import pytest
from flask import Flask

from annotator import auth, store


@pytest.fixture
def verifications(monkeypatch):
    """Count the password hasher's verify calls (the costly step a timing attack measures)."""
    calls: list[str] = []
    real = store._hasher

    class Counting:
        def hash(self, password):
            return real.hash(password)

        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(store, "_hasher", Counting())
    return calls


@pytest.mark.parametrize(
    "username", ["ana", "nobody", "imported", "not a valid name!"], ids=lambda name: name
)
def test_every_failed_log_in_verifies_exactly_one_hash(world, verifications, username):
    world.user("ana")
    world.user("imported", password=None)
    answer = world.client().post("/login", data={"username": username, "password": "wrong-pass"})
    assert answer.status_code == 401
    assert len(verifications) == 1


def test_a_successful_log_in_verifies_one_hash(world, verifications):
    world.user("ana")
    assert (
        world.client()
        .post("/login", data={"username": "ana", "password": "password-123"})
        .status_code
        == 302
    )
    assert len(verifications) == 1


def test_an_overlong_user_name_is_refused_before_any_look_up(world, verifications):
    answer = world.client().post("/login", data={"username": "a" * 100_000, "password": "x"})
    assert answer.status_code == 422
    assert b"at most 80 characters" in answer.data
    assert "a" * 200 not in answer.get_data(as_text=True)
    assert verifications == []


def test_the_rate_limit_key_of_an_overlong_name_is_bounded():
    app = Flask(__name__)
    with app.test_request_context("/login", method="POST", data={"username": "a" * 100_000}):
        key = auth._login_key()
    assert len(key) < 200
    with app.test_request_context("/login", method="POST", data={"username": " ana "}):
        assert auth._login_key().endswith("|ana")


def test_overlong_names_share_one_allowance(app, world):
    world.user("ana")
    from annotator import create_app

    limited = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "LOG_REQUESTS": False,
            "LOGIN_ATTEMPTS_PER_MINUTE": 2,
        }
    )
    client = limited.test_client()
    answers = [
        client.post("/login", data={"username": "b" * (81 + n), "password": "x"}).status_code
        for n in range(3)
    ]
    assert answers == [422, 422, 422]  # refused, not counted against anyone's allowance
    assert (
        client.post("/login", data={"username": "ana", "password": "password-123"}).status_code
        == 302
    )
    limited.extensions["annotator.engine"].dispose()


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "///evil.example/x",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_next_accepts_only_local_paths(world, target):
    world.user("ana")
    answer = world.client().post(
        "/login",
        query_string={"next": target},
        data={"username": "ana", "password": "password-123"},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/"


def test_next_keeps_a_local_path_with_its_query(world):
    world.user("ana")
    answer = world.client().post(
        "/login",
        query_string={"next": "/p/news?page=2"},
        data={"username": "ana", "password": "password-123"},
    )
    assert answer.headers["Location"] == "/p/news?page=2"
