"""Without a session the JSON API answers 401 JSON (the browser's save queue keeps the change and
asks the annotator to log in again); pages still redirect to the log-in page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

SPANS = "/api/projects/news/documents/1/spans"
SPAN = SPANS + "/0d7f6c1e-1111-4a4a-9e9e-000000000001"
BODY = {"label": "claim", "start": 0, "end": 4, "text": "Kyiv"}


@pytest.fixture
def project(world):
    world.user("ana")
    world.project("news", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": "Kyiv said no."}])


@pytest.mark.parametrize(
    ("method", "url", "json"),
    [
        ("put", SPAN, BODY),
        ("delete", SPAN, None),
        ("get", SPANS, None),
        ("put", "/api/projects/news/documents/1/relations/r1", {"type": "x"}),
        ("put", "/api/projects/news/documents/1/gold/g1", BODY),
    ],
)
def test_api_without_a_session_answers_401_json_not_a_redirect(client, project, method, url, json):
    response = getattr(client, method)(url, json=json)
    assert response.status_code == 401
    assert response.is_json
    assert "log in" in response.get_json()["error"]


def test_api_after_log_out_answers_401_and_stores_nothing(world, project):
    client = world.client("ana")
    assert client.post("/p/news/next").status_code == 302
    assert client.post("/logout").status_code == 302
    assert client.put(SPAN, json=BODY).status_code == 401
    again = world.client("ana")
    assert again.get(SPANS).get_json()["spans"] == []


def test_a_page_fetched_by_the_script_answers_401_instead_of_a_redirect(client, project):
    response = client.get("/p/news", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 401 and response.is_json


def test_pages_without_a_session_still_redirect_to_the_log_in_page(client, project):
    response = client.get("/p/news")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login" and "next=%2Fp%2Fnews" in location.query
