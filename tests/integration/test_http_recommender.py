"""The HTTP recommender: the example server of docs/ answers with the rules' suggestions; a
server that never answers, answers offsets outside the text or an unknown label, or fails, is
reported to the manager and leaves the annotator's workspace working."""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import select

from annotator import db, store
from annotator.assignments import handout
from annotator.models import Document, SuggestionSettings
from tests.support.pages import csrf_token
from tests.support.server import in_thread

# Not serial: the recommenders are threads of this process on ports the OS picks, so the tests
# run under xdist with the rest.

TEXT = "Prices rose, the minister said on Monday."
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example_recommender.py"


def _example_handler():
    spec = importlib.util.spec_from_file_location("example_recommender", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Handler


class _Answering(BaseHTTPRequestHandler):
    """Answers ``self.server.answer`` (status, body bytes), or never, when it is None."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.answer is None:
            self.server.release.wait()  # until the test ends: longer than any timeout
            return
        status, body = self.server.answer
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(handler, answer=None):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.answer, server.release = answer, threading.Event()
        servers.append((server, in_thread(server)))
        return f"http://127.0.0.1:{server.server_address[1]}/suggest"

    yield start
    for server, stop in servers:
        server.release.set()
        stop()


@pytest.fixture
def news(world):
    world.user("mia")
    world.user("ann")
    world.project("news", manager="mia", annotators=("ann",))
    world.import_jsonl("news", [{"id": "n1", "text": TEXT}])
    with world.app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        document = session.exec(select(Document)).one()
        handout.next_document(session, project, store.user_by_name(session, "ann"))
        return {"project_id": project.id, "document_id": document.id}


def _use(world, news, url: str, timeout: float = 3.0) -> None:
    with world.app.app_context():
        session = db.session()
        session.merge(
            SuggestionSettings(
                project_id=news["project_id"], http_enabled=True, http_url=url, http_timeout=timeout
            )
        )
        session.commit()


def _compute(world, news):
    ann = world.client("ann")
    url = f"/api/projects/news/documents/{news['document_id']}/suggestions"
    response = ann.post(url, headers={"X-CSRFToken": csrf_token(ann)})
    assert response.status_code == 200
    return ann, response.get_json()


def _manager_sees(world) -> str:
    return world.client("mia").get("/p/news/suggestions").get_data(as_text=True)


def test_the_example_server_answers_with_the_rules_suggestions(world, news, serve):
    _use(world, news, serve(_example_handler()))
    _ann, answer = _compute(world, news)
    assert answer["state"] == "ready" and answer["problem"] == ""
    assert [(s["label"], s["text"], s["recommender"]) for s in answer["suggestions"]] == [
        ("attribution", "the minister said", "http")
    ]
    assert "Answered well" in _manager_sees(world)


@pytest.mark.parametrize(
    ("answer", "reported"),
    [
        (None, "did not answer within 0.3 s"),
        (
            (200, json.dumps({"spans": [{"label": "claim", "start": 5, "end": 900}]}).encode()),
            "spans[0]: offsets [5, 900) outside the text",
        ),
        (
            (200, json.dumps({"spans": [{"label": "rumour", "start": 0, "end": 5}]}).encode()),
            "spans[0]: unknown label &#39;rumour&#39;",
        ),
        ((500, b"oops"), "answered HTTP 500"),
        ((200, b"<html>"), "answered something that is not JSON"),
    ],
    ids=["timeout", "offsets", "label", "error", "not-json"],
)
def test_a_broken_recommender_is_reported_to_the_manager_and_the_workspace_goes_on(
    world, news, serve, answer, reported
):
    _use(world, news, serve(_Answering, answer), timeout=0.3)
    ann, outcome = _compute(world, news)
    assert outcome["suggestions"] == []
    assert outcome["problem"] == "Some suggestions are unavailable right now."
    assert reported in _manager_sees(world)
    # the annotator still saves spans and opens the page
    span = {"label": "claim", "start": 0, "end": 11}
    url = f"/api/projects/news/documents/{news['document_id']}/spans/span-after-broken"
    saved = ann.put(url, json=span, headers={"X-CSRFToken": csrf_token(ann)})
    assert saved.status_code == 201
    assert ann.get(f"/p/news/d/{news['document_id']}").status_code == 200
