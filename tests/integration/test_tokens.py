"""Personal access tokens: the authorization walk of every JSON API route with a token instead of
a browser session, on the app with CSRF protection on and without any cookie. A token answers as
its owner's session would, within its scope and project; a read token never writes; a revoked,
expired or unknown token, or one sent anywhere but the ``Authorization`` header, opens nothing;
refusals change nothing and reveal nothing. Also: the account page, the stored hash, the OpenAPI
description and the migration."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta

import orjson
import pytest
from argon2 import PasswordHasher
from flask import url_for
from sqlalchemy import select as sa_select
from sqlalchemy import text as sql

from annotator import api_tokens, create_app, db, store
from annotator.models import ApiToken, utcnow
from annotator.views.openapi import description
from tests.integration.test_authorization import (
    ROUTES,
    USERNAMES,
    Realm,
    build_realm,
    check_answer,
    served_routes,
    snapshot,
)
from tests.integration.test_migrations import (  # noqa: F401
    FIRST_SCHEMA,
    _insert_first_schema_rows,
    empty_database_url,
)

API = [
    route for route in ROUTES if route.endpoint.split(".")[0] in ("api", "gold_api", "api_projects")
]
WRITES = [route for route in API if route.method != "GET"]
READS = [route for route in API if route.method == "GET"]
ACTORS = ("outsider", "annotator", "manager", "admin")


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr(store, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture(scope="module")
def csrf_app(database_url):
    """An app on the session's database with CSRF protection on, one per module."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    yield application
    application.extensions["annotator.engine"].dispose()


@pytest.fixture
def realm(kept, csrf_app) -> Realm:
    """Built once per module and database, its rows put back after a test that wrote."""
    return dataclasses.replace(kept("realm", build_realm), app=csrf_app)


def token_for(app, actor: str, scope: str = "read-write", project: str | None = None, **change):
    """A new token's secret; ``change`` sets columns afterwards (revoked_at, expires_at)."""
    with app.app_context():
        session = db.session()
        user = store.user_by_name(session, USERNAMES[actor])
        chosen = store.project_by_slug(session, project) if project else None
        made = api_tokens.create(session, user, name="t", scope=scope, days=30, project=chosen)
        for key, value in change.items():
            setattr(made.token, key, value)
        session.commit()
        return made.secret


def call(realm: Realm, route, secret: str | None, **extra):
    """The route's request from a fresh client (no cookie), with the token in the header."""
    rule = served_routes(realm.app)[route.endpoint, route.method]
    with realm.app.test_request_context():
        url = url_for(route.endpoint, **realm.url_values(rule))
    request = route.body(realm)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    client = realm.app.test_client()
    return client.open(url, method=route.method, headers=headers, **request, **extra)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", API, ids=str)
def test_read_write_token_answers_as_its_owners_session_without_cookie_or_csrf(realm, route, actor):
    secret = token_for(realm.app, actor)
    before = snapshot(realm.app)
    response = call(realm, route, secret)
    expected = route.answer(actor)
    check_answer(response, expected, f"{route} as {actor} with a token")
    if expected in (403, 404):
        assert snapshot(realm.app) == before
        assert response.is_json and "news" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", WRITES, ids=str)
def test_read_token_write_is_refused_with_403_and_changes_nothing(realm, route):
    actor = next(name for name in ACTORS if route.answer(name) in (200, 201, 202))
    secret = token_for(realm.app, actor, scope="read")
    before = snapshot(realm.app)
    response = call(realm, route, secret)
    assert response.status_code == 403
    assert "may only read" in response.get_json()["error"]
    assert snapshot(realm.app) == before


@pytest.mark.parametrize("route", READS, ids=str)
def test_read_token_reads_what_its_owner_may(realm, route):
    secret = token_for(realm.app, "manager", scope="read")
    check_answer(call(realm, route, secret), route.answer("manager"), str(route))


@pytest.mark.parametrize("route", API, ids=str)
def test_token_for_another_project_finds_nothing_here_and_changes_nothing(realm, route):
    with realm.app.app_context():
        session = db.session()
        store.set_member(
            session,
            store.project_by_slug(session, "other"),
            store.user_by_name(session, "mia"),
            "manager",
        )
        session.commit()
    secret = token_for(realm.app, "manager", project="other")
    before = snapshot(realm.app)
    response = call(realm, route, secret)
    if route.endpoint == "api_projects.list_projects":
        assert [item["slug"] for item in response.get_json()["projects"]] == ["other"]
        return
    assert response.status_code == 404, f"{route}: {response.status_code}"
    assert snapshot(realm.app) == before


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": utcnow()},
        {"expires_at": utcnow() - timedelta(seconds=1)},
    ],
    ids=["revoked", "expired"],
)
@pytest.mark.parametrize("route", API, ids=str)
def test_revoked_or_expired_token_is_refused_with_401_and_changes_nothing(realm, route, change):
    secret = token_for(realm.app, "manager", **change)
    before = snapshot(realm.app)
    response = call(realm, route, secret)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert snapshot(realm.app) == before


def test_unknown_token_is_refused_even_with_a_logged_in_session(realm):
    client = realm.app.test_client()
    route = next(route for route in READS if route.endpoint == "api_projects.list_projects")
    assert call(realm, route, None).status_code == 401  # no token, no session: 401, no redirect
    response = client.get("/api/projects", headers={"Authorization": "Bearer ann_made-up"})
    assert response.status_code == 401


def test_token_is_never_taken_from_a_cookie_or_the_query_string(realm):
    secret = token_for(realm.app, "manager")
    client = realm.app.test_client()
    client.set_cookie("access_token", secret)
    client.set_cookie("Authorization", f"Bearer {secret}")
    assert client.get("/api/projects").status_code == 401
    assert client.get(f"/api/projects?access_token={secret}").status_code == 401
    assert client.get("/api/projects", headers={"Authorization": f"Bearer {secret}"}).is_json


def test_token_opens_no_page_outside_the_api(realm):
    secret = token_for(realm.app, "admin")
    response = realm.app.test_client().get("/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    response = realm.app.test_client().post(
        "/account/tokens",
        data={"name": "x", "scope": "read-write", "days": "9"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 401


# --- the account page ---------------------------------------------------------------------------


def test_account_page_shows_a_new_token_once_stores_its_hash_and_revokes_it(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    client = world.client("mia")

    made = client.post(
        "/account/tokens", data={"name": "nightly", "scope": "read", "days": "7", "project": "news"}
    )
    page = made.get_data(as_text=True)
    assert made.status_code == 201
    secret = page.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("ann_") and len(secret) > 40
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and secret[:12] in listing and "news" in listing
    with app.app_context():
        stored = db.session().execute(sql("SELECT secret_hash, prefix FROM api_token")).one()
    assert stored == (api_tokens.digest(secret), secret[:12])
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/projects", headers=headers).status_code == 200

    with app.app_context():
        token_id = db.session().execute(sql("SELECT id FROM api_token")).scalar()
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert app.test_client().get("/api/projects", headers=headers).status_code == 401
    assert "revoked" in client.get("/account/tokens").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"name": "", "scope": "read", "days": "7"}, "name"),
        ({"name": "x", "scope": "admin", "days": "7"}, "scope must be one of read, read-write"),
        ({"name": "x", "scope": "read", "days": "0"}, "1 to 366 days"),
        ({"name": "x", "scope": "read", "days": "soon"}, "days"),
        ({"name": "x", "scope": "read", "days": "7", "project": "other"}, "not one of your"),
    ],
)
def test_account_page_refuses_a_bad_token_request_and_makes_nothing(app, world, form, reason):
    world.user("mia")
    world.user("otto")
    world.project("other", annotators=["otto"])
    response = world.client("mia").post("/account/tokens", data=form)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(sql("SELECT count(*) FROM api_token")).scalar() == 0


def _line(**fields) -> bytes:
    return orjson.dumps(
        {
            "id": "a1",
            "text": "The mayor said so.",
            "annotations": [{"annotator": "ann", "label": "claim", "start": 4, "end": 9}],
        }
        | fields
    )


def test_read_write_token_imports_as_a_job_and_exports_through_the_api(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    secret = token_for(app, "manager", project="news")
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()

    made = client.post(
        "/api/projects/news/documents",
        data={"files": (io.BytesIO(_line()), "a.jsonl")},
        headers=headers,
    )
    assert made.status_code == 202
    assert made.headers["Location"] == made.get_json()["url"]
    job = client.get(made.headers["Location"], headers=headers).get_json()
    assert (job["kind"], job["status"], job["finished"], job["errors"]) == (
        "import",
        "done",
        True,
        [],
    )
    assert job["result"]["documents"] == 1 and job["result"]["spans"] == 1
    assert (job["done"], job["total"]) == (1, 1)

    exported = client.get("/api/projects/news/export?format=conll", headers=headers)
    assert exported.status_code == 200 and "mayor B-claim" in exported.get_data(as_text=True)
    listed = client.get("/api/projects/news/documents", headers=headers).get_json()
    assert [item["external_id"] for item in listed["documents"]] == ["a1"]
    found = client.get("/api/projects/news/documents?q=mayor", headers=headers).get_json()
    missed = client.get("/api/projects/news/documents?q=100%25", headers=headers).get_json()
    assert (len(found["documents"]), missed["documents"]) == (1, [])
    figures = client.get("/api/projects/news/agreement", headers=headers).get_json()
    assert figures["annotators"] == ["ann"] and figures["documents"] == 0


def test_api_import_refused_by_its_content_fails_the_job_naming_line_and_field_and_stores_nothing(
    app, world
):
    world.user("mia")
    world.project("news", manager="mia")
    headers = {"Authorization": f"Bearer {token_for(app, 'manager', project='news')}"}
    client = app.test_client()
    upload = io.BytesIO(_line() + b"\n" + orjson.dumps({"id": "a2"}))
    before = snapshot(app)

    queued = client.post(
        "/api/projects/news/documents", data={"files": (upload, "b.jsonl")}, headers=headers
    )
    assert queued.status_code == 202
    job = client.get(queued.headers["Location"], headers=headers).get_json()
    assert job["status"] == "failed" and job["finished"]
    assert job["errors"] == [
        {"file": "b.jsonl", "line": 2, "field": "text", "reason": job["errors"][0]["reason"]}
    ]
    assert "Nothing was imported" in job["message"]
    bookkeeping = {"job", "api_token"}  # the failed job's row, the token's last use
    after = snapshot(app)
    assert {name: rows for name, rows in after.items() if name not in bookkeeping} == {
        name: rows for name, rows in before.items() if name not in bookkeeping
    }
    assert client.get("/api/projects/news/documents", headers=headers).get_json()["documents"] == []


@pytest.mark.parametrize(
    ("request_", "status", "field"),
    [
        # Each run makes its request anew: an upload's stream is read once (and the test runs
        # once per database).
        (lambda: {"json": {"files": []}}, 415, "files"),
        (
            lambda: {"data": {"format": "native"}, "content_type": "multipart/form-data"},
            400,
            "files",
        ),
        (
            lambda: {"data": {"files": (io.BytesIO(b"{}"), "a.jsonl"), "format": "excel"}},
            400,
            "format",
        ),
    ],
    ids=["not multipart", "no files", "unknown format"],
)
def test_api_import_refuses_a_malformed_request_at_once_and_queues_nothing(
    app, world, request_, status, field
):
    world.user("mia")
    world.project("news", manager="mia")
    headers = {"Authorization": f"Bearer {token_for(app, 'manager', project='news')}"}
    before = snapshot(app)
    answer = app.test_client().post("/api/projects/news/documents", headers=headers, **request_())
    assert (answer.status_code, answer.get_json()["field"]) == (status, field)
    assert snapshot(app) == before


def test_api_import_larger_than_the_upload_limit_is_refused_with_413(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    headers = {"Authorization": f"Bearer {token_for(app, 'manager', project='news')}"}
    app.config["MAX_CONTENT_LENGTH"] = 1000
    big = io.BytesIO(_line(text="x" * 5000))
    answer = app.test_client().post(
        "/api/projects/news/documents", data={"files": (big, "a.jsonl")}, headers=headers
    )
    assert answer.status_code == 413 and answer.is_json
    refusal = answer.get_json()
    assert refusal["field"] == "files"
    assert (
        "larger than this server accepts (1,000 bytes, set by ANNOTATOR_MAX_UPLOAD_MB)"
        in (refusal["error"])
    )


def test_job_status_of_another_project_is_not_found(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    world.project("other", manager="mia")
    headers = {"Authorization": f"Bearer {token_for(app, 'manager')}"}
    client = app.test_client()
    queued = client.post(
        "/api/projects/news/documents",
        data={"files": (io.BytesIO(_line()), "a.jsonl")},
        headers=headers,
    ).get_json()
    assert (
        client.get(f"/api/projects/other/jobs/{queued['job']}", headers=headers).status_code == 404
    )
    assert client.get("/api/projects/news/jobs/no-such-job", headers=headers).status_code == 404


# --- one document -------------------------------------------------------------------------------


@pytest.fixture
def two_annotators(app, world):
    """Project news: manager mia, annotators ann and bob, each with a span on document a1."""
    for name in ("mia", "ann", "bob"):
        world.user(name)
    world.project("news", manager="mia", annotators=["ann", "bob"])
    world.import_jsonl(
        "news",
        [
            {
                "id": "a1",
                "title": "Mayor",
                "text": "The mayor said so.",
                "meta": {"source": "wire"},
                "annotations": [
                    {"annotator": "ann", "label": "claim", "start": 4, "end": 9},
                    {"annotator": "bob", "label": "evidence", "start": 0, "end": 3},
                ],
            },
            {"id": "a2", "text": "Nobody was handed this one."},
        ],
    )
    world.project("other", manager="mia")
    world.import_jsonl("other", [{"id": "o1", "text": "Elsewhere."}])
    with app.app_context():
        session = db.session()
        ids = {
            row[0]: row[1]
            for row in session.execute(sql("SELECT external_id, id FROM document")).all()
        }
    return ids


def test_document_by_id_gives_text_meta_and_the_callers_own_status_and_spans(app, two_annotators):
    headers = {"Authorization": f"Bearer {token_for(app, 'annotator', scope='read')}"}
    answer = app.test_client().get(
        f"/api/projects/news/documents/{two_annotators['a1']}", headers=headers
    )
    body = answer.get_json()
    assert answer.status_code == 200
    assert (body["external_id"], body["title"], body["text"], body["meta"]) == (
        "a1",
        "Mayor",
        "The mayor said so.",
        {"source": "wire"},
    )
    assert body["annotator"] == "ann" and body["status"] is not None
    assert [(span["label"], span["start"], span["end"]) for span in body["spans"]] == [
        ("claim", 4, 9)
    ]


def test_document_by_id_never_shows_an_annotator_another_annotators_spans(app, two_annotators):
    headers = {"Authorization": f"Bearer {token_for(app, 'annotator')}"}
    client = app.test_client()
    url = f"/api/projects/news/documents/{two_annotators['a1']}"
    refused = client.get(url + "?annotator=bob", headers=headers)
    assert refused.status_code == 404 and "evidence" not in refused.get_data(as_text=True)
    unassigned = client.get(f"/api/projects/news/documents/{two_annotators['a2']}", headers=headers)
    assert unassigned.status_code == 404


def test_document_by_id_shows_a_manager_the_named_annotators_spans(app, two_annotators):
    headers = {"Authorization": f"Bearer {token_for(app, 'manager', scope='read')}"}
    url = f"/api/projects/news/documents/{two_annotators['a1']}?annotator=bob"
    body = app.test_client().get(url, headers=headers).get_json()
    assert body["annotator"] == "bob"
    assert [span["label"] for span in body["spans"]] == ["evidence"]


def test_document_of_another_project_is_not_found(app, two_annotators):
    headers = {"Authorization": f"Bearer {token_for(app, 'manager')}"}
    client = app.test_client()
    assert (
        client.get(
            f"/api/projects/news/documents/{two_annotators['o1']}", headers=headers
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/projects/other/documents/{two_annotators['o1']}", headers=headers
        ).status_code
        == 200
    )


# --- when a token was last used -----------------------------------------------------------------


def _last_used(app):
    with app.app_context():
        return db.session().execute(sa_select(ApiToken.last_used_at)).scalar()


def test_token_use_is_recorded_at_most_once_a_minute_and_shown_on_the_account_page(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    secret = token_for(app, "manager", scope="read")
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert _last_used(app) is None
    assert "never used" in world.client("mia").get("/account/tokens").get_data(as_text=True)

    assert client.get("/api/projects", headers=headers).status_code == 200
    first = _last_used(app)
    assert first is not None
    assert client.get("/api/projects", headers=headers).status_code == 200
    assert _last_used(app) == first  # within the minute: not written again

    with app.app_context():
        session = db.session()
        token = session.execute(sa_select(ApiToken)).scalar_one()
        token.last_used_at = utcnow() - timedelta(minutes=5)
        session.commit()
    assert client.get("/api/projects", headers=headers).status_code == 200
    later = _last_used(app)
    assert api_tokens._as_utc(later) > utcnow() - timedelta(minutes=1)
    page = world.client("mia").get("/account/tokens").get_data(as_text=True)
    assert f"last used {api_tokens._as_utc(later).strftime('%Y-%m-%d %H:%M')} UTC" in page


def test_a_refused_token_request_does_not_count_as_a_use(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    secret = token_for(app, "manager", scope="read")
    response = app.test_client().post(
        "/api/projects/news/documents",
        data={"files": (io.BytesIO(_line()), "a.jsonl")},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403
    assert _last_used(app) is None


# --- the description ----------------------------------------------------------------------------


def test_openapi_describes_every_api_route_and_only_those(app):
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/docs"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {
        (path, method)
        for path, operations in description()["paths"].items()
        for method in operations
    }
    assert served == described
    spec = app.test_client().get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1") and spec["components"]["securitySchemes"]["bearer"]
    page = app.test_client().get("/api/docs").get_data(as_text=True)
    assert "/api/projects/{slug}/export" in page


# --- the migration -------------------------------------------------------------------------------


def test_database_of_the_previous_schema_upgrades_to_tokens_with_its_data(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)
    db.upgrade(engine, "0006")
    with engine.connect() as connection:
        before = connection.execute(sql("SELECT count(*) FROM span")).scalar()
    db.upgrade(engine)
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "test"})
    try:
        with app.app_context():
            session = db.session()
            mia = store.user_by_name(session, "mia")
            made = api_tokens.create(session, mia, name="t", scope="read", days=1, project=None)
            session.commit()
            assert api_tokens.find_valid(session, made.secret)[1].username == "mia"
            assert session.execute(sql("SELECT count(*) FROM span")).scalar() == before
            assert session.get(ApiToken, made.token.id).scope == "read"
    finally:
        app.extensions["annotator.engine"].dispose()
        engine.dispose()


def test_account_page_shows_the_command_that_imports_into_this_server(world):
    world.user("mia")
    page = world.client("mia").get("/account/tokens")
    shown = page.get_data(as_text=True)
    command = shown.split('<code class="command">')[1].split("</code>")[0]
    assert command == (
        "ANNOTATOR_TOKEN=&lt;token&gt; annotator import &lt;project&gt; &lt;files&gt; "
        "--server http://localhost"  # the address the page was asked at
    )


def test_any_request_over_the_limit_is_refused_with_413_naming_no_file_field(app, world):
    world.user("mia")
    world.project("news", manager="mia")
    headers = {"Authorization": f"Bearer {token_for(app, 'manager', project='news')}"}
    app.config["MAX_CONTENT_LENGTH"] = 1000
    answer = app.test_client().put(
        "/api/projects/news/documents/1/spans/x", json={"note": "x" * 5000}, headers=headers
    )
    assert answer.status_code == 413
    refusal = answer.get_json()
    assert refusal["field"] is None and "nothing was stored" in refusal["error"]
