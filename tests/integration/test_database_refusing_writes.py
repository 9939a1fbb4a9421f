"""A database that refuses writes (read-only, disk full): /health and saves answer 503, not 500."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, select

from annotator import db
from annotator.models import Document

SPAN = "0d7f6c1e-1111-4a4a-9e9e-000000000001"


@pytest.fixture
def ana(world):
    world.user("ana")
    world.project("news", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": "The mayor said the water is safe."}])
    client = world.client("ana")
    assert client.post("/p/news/next").status_code == 302
    with world.app.app_context():
        document_id = db.session().execute(select(Document.id)).scalar_one()
    return client, f"/api/projects/news/documents/{document_id}/spans/{SPAN}"


@pytest.fixture(autouse=True)
def _engine_given_back(app):
    """The app is shared by the tests of a session: it gets its own engine back afterwards."""
    original = app.extensions["annotator.engine"]
    yield
    if app.extensions["annotator.engine"] is not original:
        app.extensions["annotator.engine"].dispose()
        app.extensions["annotator.engine"] = original


def swap_engine(app, engine) -> None:
    app.extensions["annotator.engine"].dispose()
    app.extensions["annotator.engine"] = engine


def read_only_engine(url: str):
    """The same database, opened so that it refuses every write."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return db.make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    return create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})


def test_health_answers_200_when_the_database_takes_writes(client):
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.get_json()["status"] == "ok"


def test_a_read_only_database_makes_health_and_saves_answer_503(app, ana):
    client, url = ana
    swap_engine(app, read_only_engine(app.config["DATABASE_URL"]))
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json()["database"] == "refuses writes"
    saved = client.put(url, json={"label": "claim", "start": 0, "end": 3})
    assert saved.status_code == 503
    assert "nothing was saved" in saved.get_json()["error"]


def test_a_full_disk_makes_saves_answer_503(app, ana):
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("a full disk is simulated with SQLite's page limit")
    client, url = ana
    engine = db.make_engine(app.config["DATABASE_URL"])

    @event.listens_for(engine, "connect")
    def _no_room(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    swap_engine(app, engine)
    answers = [
        client.put(
            url[: -len(SPAN)] + f"0d7f6c1e-1111-4a4a-9e9e-{n:012d}",
            json={"label": "claim", "start": 0, "end": 3 + n % 20, "note": "x" * 10_000},
        ).status_code
        for n in range(1, 30)
    ]
    assert 503 in answers and 500 not in answers, answers
