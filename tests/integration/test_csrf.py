"""CSRF protection: every state-changing request needs the page's token, htmx requests included.

The state-changing routes are those of ``ROUTES`` in ``test_authorization.py`` with a POST, PUT,
PATCH or DELETE method; that table is checked against the app's URL map there, so a new route is
covered here as soon as it has an authorization rule. Each request is made by an actor allowed to
make it, so the only reason to refuse it is the token.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from annotator import create_app
from tests.integration.test_authorization import (
    PASSWORD,
    REFUSED,
    ROUTES,
    USERNAMES,
    Realm,
    Route,
    build_realm,
    check_answer,
    send,
    served_routes,
    snapshot,
)

STATE_CHANGING = [route for route in ROUTES if route.method in ("POST", "PUT", "PATCH", "DELETE")]
_EXAMPLE = Realm(app=None, slug="news", document_id=1, span_id="span-0001", user_id=1)
# Routes taking JSON (the workspace script's): the header is the only place for the token.
FORMS = [route for route in STATE_CHANGING if "json" not in route.body(_EXAMPLE)]
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
HX_HEADERS = re.compile(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'")


def writer(route: Route) -> str:
    """The actor for whom ``route`` is designed to succeed."""
    if route.endpoint == "auth.logout":
        return "annotator"  # log-out answers every actor with the log-in page: that is success
    if route.endpoint == "curation.accept_majority":
        return "manager"  # the realm has no majority to accept (409): past the token check
    for actor in ("annotator", "manager", "admin", "anonymous"):
        if route.answer(actor) not in REFUSED:
            return actor
    raise AssertionError(
        f"no actor may use {route}: give it a writer in tests/integration/test_csrf.py"
    )


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
    """Built once per module and database (rebuilt only after a test that changed it), served by
    the CSRF-protected app."""
    return dataclasses.replace(kept("realm", build_realm), app=csrf_app)


def page_token(client, path: str = "/login") -> str:
    """The token a page hands to its forms and, once for all htmx requests, to ``hx-headers``."""
    page = client.get(path).get_data(as_text=True)
    meta, hx = TOKEN.search(page), HX_HEADERS.search(page)
    assert meta and hx, f"{path} carries no CSRF token for forms and htmx"
    assert meta.group(1) == hx.group(1)
    return meta.group(1)


def client_of(realm: Realm, actor: str):
    """A client of the CSRF-protected app, logged in the way a browser does: with the token."""
    client = realm.app.test_client()
    if actor != "anonymous":
        response = client.post(
            "/login",
            data={
                "username": USERNAMES[actor],
                "password": PASSWORD,
                "csrf_token": page_token(client),
            },
        )
        assert response.status_code == 302, f"log-in of {actor} with the page's token failed"
    return client


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def with_token(route: Route, where: str, token: str):
    """``route`` with ``token`` added to its form (``where == "form"``) or its headers."""
    if where == "header":
        return dataclasses.replace(
            route, body=lambda realm: {**route.body(realm), "headers": {"X-CSRFToken": token}}
        )

    def body(realm):
        request = route.body(realm)
        return {**request, "data": {**request.get("data", {}), "csrf_token": token}}

    return dataclasses.replace(route, body=body)


def another_sessions_token(realm: Realm) -> str:
    return page_token(realm.app.test_client())


BAD_TOKENS = {
    "missing": None,
    "garbage": lambda _realm: "not-a-token",
    "another session's": another_sessions_token,
}


@pytest.mark.parametrize("token", BAD_TOKENS)
@pytest.mark.parametrize("route", STATE_CHANGING, ids=str)
def test_state_changing_request_without_a_valid_token_is_refused_and_changes_nothing(
    realm, route, token
):
    actor = writer(route)
    client = client_of(realm, actor)
    page_token(client, "/login")  # the session has a token; the request just does not carry it
    if BAD_TOKENS[token]:
        route = with_token(route, "header", BAD_TOKENS[token](realm))
    was_logged_in = logged_in(client)
    before = snapshot(realm.app)

    rule = served_routes(realm.app)[route.endpoint, route.method]
    url, response = send(realm, client, route, rule)

    assert response.status_code == 400, f"{actor} {route.method} {url} with {token} token"
    assert "CSRF token" in response.get_data(as_text=True)
    assert snapshot(realm.app) == before, f"{route} without a valid token wrote"
    assert logged_in(client) == was_logged_in, f"{route} without a valid token logged in or out"


@pytest.mark.parametrize(
    ("route", "where"),
    [(route, "header") for route in STATE_CHANGING] + [(route, "form") for route in FORMS],
    ids=str,
)
def test_state_changing_request_with_the_pages_token_is_accepted(realm, route, where):
    actor = writer(route)
    client = client_of(realm, actor)
    token = page_token(client, "/login")
    url, response = send(
        realm,
        client,
        with_token(route, where, token),
        served_routes(realm.app)[route.endpoint, route.method],
    )
    check_answer(response, route.answer(actor), f"{actor} {route.method} {url} (token in {where})")


def test_every_page_gives_htmx_the_same_token_as_its_forms(realm):
    client = client_of(realm, "annotator")
    for path in ("/", f"/p/{realm.slug}", f"/p/{realm.slug}/d/{realm.document_id}"):
        assert page_token(client, path)
