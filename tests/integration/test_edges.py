"""Edges of the server: hostile or odd input gets a clear 4xx and changes nothing, never a 500."""

from __future__ import annotations

import io

import orjson
import pytest
from sqlalchemy import func, select

from annotator import db
from annotator.models import Document, Label, Project, Span, User

TEXT = "The mayor said the water is safe."


@pytest.fixture
def news(world):
    world.user("lead", admin=True)
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    with world.app.app_context():
        document_id = db.session().execute(select(Document.id)).scalar_one()
    return world, document_id


def count(app, model) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(model)).scalar_one()


# --- NUL (U+0000) is refused everywhere, on both databases -------------------------------------


def test_span_note_holding_nul_is_refused_with_422_naming_the_note(app, news):
    world, document_id = news
    ana = world.client("ana")
    answer = ana.put(
        f"/api/projects/news/documents/{document_id}/spans/0d7f6c1e-1111-4a4a-9e9e-000000000001",
        json={"label": "claim", "start": 0, "end": 3, "note": "a\x00b"},
    )
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "note"
    assert "NUL" in answer.get_json()["error"]
    assert count(app, Span) == 0


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("project", {"overlap": "1", "guidelines": "Read\x00me"}),
        ("label", {"name": "ru\x00mour"}),
        ("label", {"name": "\x00"}),
        ("member", {"username": "a\x00na", "role": "annotator"}),
    ],
)
def test_settings_holding_nul_are_refused_with_422_and_change_nothing(app, news, action, form):
    world, _ = news
    lead = world.client("lead")
    answer = lead.post("/p/news/settings", data={"action": action, **form})
    assert answer.status_code == 422
    assert b"NUL" in answer.data
    assert count(app, Label) == 3
    with app.app_context():
        assert db.session().execute(select(Project.guidelines)).scalar_one() in ("", None)


def test_user_name_holding_nul_is_refused_by_the_admin_page(app, news):
    world, _ = news
    answer = world.client("lead").post(
        "/admin/users", data={"username": "x\x00y", "password": "password-123"}
    )
    assert answer.status_code == 422
    assert count(app, User) == 2


@pytest.mark.parametrize(
    "path", ["/p/ne%00ws", "/p/news?page=%00", "/p/news?x%00=1", "/p/news/agreement?min_done=%00"]
)
def test_addresses_and_query_parameters_holding_nul_are_refused(news, path):
    world, _ = news
    answer = world.client("lead").get(path)
    assert answer.status_code == 422
    assert b"NUL" in answer.data


def test_api_path_holding_nul_answers_json_422(news):
    world, document_id = news
    answer = world.client("ana").put(
        f"/api/projects/news/documents/{document_id}/spans/abc%00defghij",
        json={"label": "claim", "start": 0, "end": 3},
    )
    assert answer.status_code == 422
    assert answer.get_json()["field"] == "url"


def test_log_in_form_holding_nul_is_refused(news):
    world, _ = news
    answer = world.client().post("/login", data={"username": "ana\x00", "password": "x"})
    assert answer.status_code == 422


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"id": "d2", "text": "Fine.", "meta": {"source": "a\x00"}}, "meta.source"),
        ({"id": "d2", "text": "Fine.", "meta": {"k\x00": 1}}, "meta.k\\u0000"),
        ({"id": "d2", "text": "Fi\x00ne."}, "text"),
    ],
)
def test_import_line_holding_nul_is_refused_naming_line_and_field(app, news, document, field):
    world, _ = news
    data = b'{"id": "d3", "text": "Good."}\n' + orjson.dumps(document)
    answer = world.client("lead").post(
        "/p/news/import",
        data={"files": (io.BytesIO(data), "docs.jsonl")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "line 2" in page and f"field &#39;{field}&#39;" in page and "NUL" in page
    assert count(app, Document) == 1
