"""The span API: idempotent saves; every bad request refused with a clear 4xx, nothing changed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from annotator import db
from annotator.models import Span

TEXT = "Захарова said 👩\u200d👩\u200d👧 «саботирует» and مفاوضات بلا نتيجة."
SPAN_ID = "0d7f6c1e-1111-4a4a-9e9e-000000000001"


@pytest.fixture
def setup(world):
    world.user("lead")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    world.project("other", manager="lead", labels="rumour")
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    ana, ben = world.client("ana"), world.client("ben")
    for client in (ana, ben):
        assert client.post("/p/news/next").status_code == 302
    return ana, ben


URL = "/api/projects/news/documents/1/spans"


def stored(app) -> list[tuple]:
    with app.app_context():
        rows = db.session().exec(select(Span).order_by(Span.id)).all()
        return [(s.id, s.annotator_id, s.label_id, s.start, s.end, s.note) for s in rows]


def body(start, end, label="claim", **extra):
    return {"label": label, "start": start, "end": end, "text": TEXT[start:end], **extra}


def test_put_creates_a_span_and_a_retry_does_not_duplicate_it(app, setup):
    ana, _ben = setup
    first = ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    again = ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["text"] == "Захарова"
    assert len(stored(app)) == 1
    listed = ana.get(URL).json["spans"]
    assert [(s["start"], s["end"], s["label"], s["text"]) for s in listed] == [
        (0, 8, "claim", "Захарова")
    ]


def test_put_with_new_values_updates_label_range_and_note(app, setup):
    ana, _ben = setup
    ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    emoji_start = TEXT.index("👩")
    response = ana.put(
        f"{URL}/{SPAN_ID}", json=body(emoji_start, emoji_start + 5, "evidence", note="a family")
    )
    assert response.status_code == 200
    assert response.json["text"] == "👩\u200d👩\u200d👧"
    assert response.json["note"] == "a family"
    assert len(stored(app)) == 1


def test_delete_is_idempotent(app, setup):
    ana, _ben = setup
    ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    assert ana.delete(f"{URL}/{SPAN_ID}").json == {"deleted": True}
    assert ana.delete(f"{URL}/{SPAN_ID}").json == {"deleted": False}
    assert stored(app) == []


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"label": "claim", "start": 0, "end": len(TEXT) + 1}, 422, "outside the text"),
        ({"label": "claim", "start": -1, "end": 3}, 422, "outside the text"),
        ({"label": "claim", "start": 5, "end": 5}, 422, "outside the text"),
        ({"label": "claim", "start": 6, "end": 2}, 422, "outside the text"),
        ({"label": "claim", "start": "0", "end": 3}, 422, "start must be a whole number"),
        ({"label": "rumour", "start": 0, "end": 8}, 422, "unknown label 'rumour'"),
        ({"label": "claim", "start": 0, "end": 8, "text": "Zakharova"}, 422, "does not match"),
        ({"label": "claim", "start": 0, "end": 8, "note": 5}, 422, "note must be text"),
        ([1, 2], 400, "expected a JSON object"),
    ],
)
def test_bad_span_is_refused_with_a_clear_message_and_nothing_changes(
    app, setup, payload, status, words
):
    ana, _ben = setup
    ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    before = stored(app)
    response = ana.put(f"{URL}/0d7f6c1e-2222-4a4a-9e9e-000000000002", json=payload)
    assert response.status_code == status
    assert words in response.json["error"]
    # an update of an existing span with bad values changes nothing either
    assert ana.put(f"{URL}/{SPAN_ID}", json=payload).status_code == status
    assert stored(app) == before


def test_label_of_another_project_is_refused_by_id_too(app, setup):
    ana, _ben = setup
    with app.app_context():
        from annotator import store

        session = db.session()
        other = store.labels_of(session, store.project_by_slug(session, "other").id)[0]
    response = ana.put(f"{URL}/{SPAN_ID}", json={"label": other.id, "start": 0, "end": 8})
    assert response.status_code == 422
    assert stored(app) == []


def test_another_users_span_id_is_not_found_and_stays_unchanged(app, setup):
    ana, ben = setup
    ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    before = stored(app)
    assert ben.put(f"{URL}/{SPAN_ID}", json=body(0, 8, "evidence")).status_code == 404
    assert ben.delete(f"{URL}/{SPAN_ID}").status_code == 404
    assert ben.get(URL).json["spans"] == []
    assert ben.get(f"{URL}?annotator=ana").status_code == 404
    assert stored(app) == before


def test_malformed_span_id_is_refused(app, setup):
    ana, _ben = setup
    assert ana.put(f"{URL}/x", json=body(0, 8)).status_code == 400
    assert stored(app) == []


def test_document_of_another_project_is_not_found(app, setup, world):
    ana, _ben = setup
    world.import_jsonl("other", [{"id": "o1", "text": "elsewhere"}])
    response = ana.put("/api/projects/news/documents/2/spans/" + SPAN_ID, json=body(0, 3))
    assert response.status_code == 404
    assert stored(app) == []


def test_anonymous_requests_are_sent_to_log_in(app, setup):
    response = app.test_client().put(f"{URL}/{SPAN_ID}", json=body(0, 8))
    assert response.status_code in (302, 401)
    assert stored(app) == []


def test_marking_the_same_label_and_range_again_is_refused_and_stores_nothing(app, setup):
    """A second identical span would only repeat the first (and count twice in agreement)."""
    ana, ben = setup
    assert ana.put(f"{URL}/{SPAN_ID}", json=body(0, 8)).status_code == 201
    again = ana.put(f"{URL}/aaaaaaaa-0000-4000-8000-0000000000a2", json=body(0, 8))
    assert again.status_code == 409 and "marked this already" in again.json["error"]
    other_label = ana.put(
        f"{URL}/aaaaaaaa-0000-4000-8000-0000000000a3", json=body(0, 8, "evidence")
    )
    assert other_label.status_code == 201
    relabel_onto_it = ana.put(f"{URL}/aaaaaaaa-0000-4000-8000-0000000000a3", json=body(0, 8))
    assert relabel_onto_it.status_code == 409
    assert (
        ben.put(f"{URL}/aaaaaaaa-0000-4000-8000-0000000000b1", json=body(0, 8)).status_code == 201
    )
    assert len(stored(app)) == 3
