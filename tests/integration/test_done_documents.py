"""Done documents are read-only; after seeing the comparison only a manager can reopen them."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql

from annotator import db, throwaway
from annotator.models import Assignment, Document, Relation, Span, User

TEXT = "The mayor said the water is safe."
SPAN = "0d7f6c1e-1111-4a4a-9e9e-000000000001"
OTHER = "0d7f6c1e-1111-4a4a-9e9e-000000000002"
LINK = "0d7f6c1e-2222-4a4a-9e9e-000000000001"


@pytest.fixture
def done(world):
    """ana has a claim and an attribution on d1, linked, and marked the document done."""
    world.user("lead")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    with world.app.app_context():
        document_id = db.session().execute(select(Document.id)).scalar_one()
    ana = world.client("ana")
    assert ana.post("/p/news/next").status_code == 302
    base = f"/api/projects/news/documents/{document_id}"
    assert (
        ana.put(f"{base}/spans/{SPAN}", json=span("claim", "the water is safe")).status_code == 201
    )
    assert (
        ana.put(f"{base}/spans/{OTHER}", json=span("attribution", "The mayor")).status_code == 201
    )
    link = {"type": "attributed_to", "source": SPAN, "target": OTHER}
    assert ana.put(f"{base}/relations/{LINK}", json=link).status_code == 201
    assert ana.post(f"/p/news/d/{document_id}/status", data={"status": "done"}).status_code == 302
    return world, ana, document_id, base


def span(label: str, words: str, **extra) -> dict:
    start = TEXT.index(words)
    return {"label": label, "start": start, "end": start + len(words), "text": words, **extra}


def layer(app) -> tuple:
    with app.app_context():
        session = db.session()
        spans = session.execute(select(Span.id, Span.label_id, Span.start, Span.attributes)).all()
        links = session.execute(select(Relation.id, Relation.source_id)).all()
        return sorted(map(tuple, spans)), sorted(map(tuple, links))


def test_writes_to_a_done_document_are_refused_with_409_and_change_nothing(app, done):
    _world, ana, _document_id, base = done
    before = layer(app)
    attempts = [
        ana.put(f"{base}/spans/{SPAN}", json=span("evidence", "the water is safe")),
        ana.put(f"{base}/spans/0d7f6c1e-1111-4a4a-9e9e-000000000003", json=span("claim", "said")),
        ana.put(
            f"{base}/spans/{OTHER}",
            json=span("attribution", "The mayor", attributes={"source_type": "anonymous"}),
        ),
        ana.delete(f"{base}/spans/{SPAN}"),
        ana.put(
            f"{base}/relations/0d7f6c1e-2222-4a4a-9e9e-000000000002",
            json={"type": "attributed_to", "source": SPAN, "target": OTHER},
        ),
        ana.delete(f"{base}/relations/{LINK}"),
    ]
    for answer in attempts:
        assert answer.status_code == 409, answer.get_data(as_text=True)
        assert "reopen" in answer.get_json()["error"]
    assert layer(app) == before


def test_workspace_of_a_done_document_is_read_only_and_offers_reopen(done):
    _world, ana, document_id, _base = done
    page = ana.get(f"/p/news/d/{document_id}").get_data(as_text=True)
    assert 'data-read-only="true"' in page
    assert 'id="reopen"' in page and "read-only" in page


def test_reopening_makes_the_document_editable_again(app, done):
    _world, ana, document_id, base = done
    answer = ana.post(
        f"/p/news/d/{document_id}/status",
        data={"status": "in_progress"},
        headers={"HX-Request": "1"},
    )
    assert answer.status_code == 200 and answer.headers["HX-Refresh"] == "true"
    assert 'data-read-only="false"' in ana.get(f"/p/news/d/{document_id}").get_data(as_text=True)
    assert (
        ana.put(f"{base}/spans/{SPAN}", json=span("evidence", "the water is safe")).status_code
        == 200
    )


def test_after_seeing_the_comparison_only_a_manager_can_reopen_and_it_is_recorded(app, done):
    world, ana, document_id, base = done
    lead = world.client("lead")
    lead.post(
        "/p/news/settings", data={"action": "project", "overlap": "2", "comparison_open": "on"}
    )
    assert ana.get(f"/p/news/compare/{document_id}").status_code == 200

    refused = ana.post(f"/p/news/d/{document_id}/status", data={"status": "in_progress"})
    assert refused.status_code == 409 and b"only a manager" in refused.data
    page = ana.get(f"/p/news/d/{document_id}").get_data(as_text=True)
    assert 'id="reopen"' not in page and 'id="frozen-note"' in page
    assert (
        ana.put(f"{base}/spans/{SPAN}", json=span("evidence", "the water is safe")).status_code
        == 409
    )

    assert (
        lead.post(f"/p/news/d/{document_id}/reopen", data={"annotator": "ana"}).status_code == 302
    )
    with app.app_context():
        session = db.session()
        lead_id = session.execute(select(User.id).where(User.username == "lead")).scalar_one()
        ana_id = session.execute(select(User.id).where(User.username == "ana")).scalar_one()
        item = session.get(Assignment, (document_id, ana_id))
        assert (item.status, item.reopened_by_id) == ("in_progress", lead_id)
        assert item.reopened_at is not None and item.compared_at is not None
    assert (
        ana.put(f"{base}/spans/{SPAN}", json=span("evidence", "the water is safe")).status_code
        == 200
    )


BACKENDS = [
    b for b in os.environ.get("ANNOTATOR_TEST_DATABASES", "sqlite,postgresql").split(",") if b
]


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    try:
        with throwaway.postgres_database("annotator_frozen") as url:
            yield url
    except throwaway.NoServer as error:
        pytest.skip(f"PostgreSQL pass skipped: {error}")


def test_database_of_the_previous_schema_keeps_its_assignments_when_upgraded(empty_database_url):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0004")
        now = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
        with engine.begin() as connection:
            for statement in (
                'INSERT INTO "user" (id, username, password_hash, is_admin, created_at) '
                "VALUES (1, 'ana', NULL, :no, :now)",
                "INSERT INTO project (id, slug, name, guidelines, overlap, snap_to_words, "
                "comparison_open, created_at) VALUES (1, 'old', 'Old', '', 1, :no, :no, :now)",
                "INSERT INTO document (id, project_id, external_id, title, text, length, url, "
                "meta, position, created_at) VALUES (1, 1, 'd1', NULL, 'Some text', 9, NULL, "
                "'{}', 0, :now)",
                "INSERT INTO assignment (document_id, user_id, project_id, status, assigned_at, "
                "updated_at, done_at) VALUES (1, 1, 1, 'done', :now, :now, :now)",
            ):
                connection.execute(sql(statement), {"no": False, "now": now})
        db.upgrade(engine)
        with engine.connect() as connection:
            row = connection.execute(
                sql(
                    "SELECT status, done_at IS NOT NULL, compared_at, reopened_by_id, reopened_at "
                    "FROM assignment"
                )
            ).one()
        assert tuple(row) == ("done", True, None, None, None)
    finally:
        engine.dispose()
