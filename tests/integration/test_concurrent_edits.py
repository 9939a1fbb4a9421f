"""Concurrent edits of one layer answer 2xx, 404 or 409, never 500, on both databases.

Each test starts its requests together from threads (a barrier), a bounded number of rounds:
what is checked is every answer and the state left behind, never how long anything took.
"""

from __future__ import annotations

import threading
from collections import Counter
from functools import partial

import pytest
from sqlalchemy import func, select

from annotator import db
from annotator.models import Document, Relation, Span

TEXT = "The mayor said the water is safe, and the council agreed with her."
ROUNDS = 8


@pytest.fixture
def layer(world):
    """ana's document and a factory of logged-in clients sharing her session."""
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    ana = world.client("ana")
    assert ana.post("/p/news/next").status_code == 302
    with world.app.app_context():
        document_id = db.session().execute(select(Document.id)).scalar_one()
    cookie = ana.get_cookie("session").value

    def client():
        fresh = world.app.test_client()
        fresh.set_cookie("session", cookie)
        return fresh

    return ana, client, f"/api/projects/news/documents/{document_id}"


def together(*requests) -> list[int]:
    """Run the requests (callables returning a response) at the same moment; their statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int | None] = [None] * len(requests)

    def run(index: int, request) -> None:
        barrier.wait()
        statuses[index] = request().status_code

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def span(label: str, words: str) -> dict:
    start = TEXT.index(words)
    return {"label": label, "start": start, "end": start + len(words)}


def sid(round_: int, kind: str) -> str:
    return f"{kind}-span-{round_:04d}-0000"


def count(app, model) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(model)).scalar_one()


def test_twenty_concurrent_puts_of_one_new_id_create_it_once(app, layer):
    _ana, client, base = layer
    clients = [client() for _ in range(20)]
    url = f"{base}/spans/{sid(0, 'same')}"
    statuses = together(*(partial(c.put, url, json=span("claim", "mayor")) for c in clients))
    assert Counter(statuses) == {201: 1, 200: 19}
    assert count(app, Span) == 1


def test_delete_racing_a_relabel_answers_404_or_200_never_500(app, layer):
    ana, client, base = layer
    first, second = client(), client()
    for round_ in range(ROUNDS):
        url = f"{base}/spans/{sid(round_, 'race')}"
        assert ana.put(url, json=span("claim", "the water is safe")).status_code == 201
        relabel, delete = together(
            partial(first.put, url, json=span("evidence", "the water is safe")),
            partial(second.delete, url),
        )
        assert relabel in (200, 201, 404) and delete == 200, (relabel, delete)
        ana.delete(url)
    assert count(app, Span) == 0


def test_two_spans_moved_onto_one_label_and_range_leave_one_and_refuse_the_other(app, layer):
    ana, client, base = layer
    first, second = client(), client()
    for round_ in range(ROUNDS):
        a, b = f"{base}/spans/{sid(round_, 'aaaa')}", f"{base}/spans/{sid(round_, 'bbbb')}"
        assert ana.put(a, json=span("claim", "mayor")).status_code == 201
        assert ana.put(b, json=span("claim", "council")).status_code == 201
        target = span("evidence", "the council agreed")
        statuses = together(partial(first.put, a, json=target), partial(second.put, b, json=target))
        assert sorted(statuses) == [200, 409], statuses
        ana.delete(a)
        ana.delete(b)


def test_a_link_saved_while_its_span_is_deleted_answers_409_or_422_or_201(app, layer):
    ana, client, base = layer
    first, second = client(), client()
    for round_ in range(ROUNDS):
        source, target = sid(round_, "from"), sid(round_, "into")
        assert (
            ana.put(f"{base}/spans/{source}", json=span("claim", "the water is safe")).status_code
            == 201
        )
        assert (
            ana.put(f"{base}/spans/{target}", json=span("attribution", "The mayor")).status_code
            == 201
        )
        link = {"type": "attributed_to", "source": source, "target": target}
        linked, deleted = together(
            partial(first.put, f"{base}/relations/{sid(round_, 'link')}", json=link),
            partial(second.delete, f"{base}/spans/{source}"),
        )
        assert linked in (201, 409, 422) and deleted == 200, (linked, deleted)
        ana.delete(f"{base}/spans/{target}")
    assert count(app, Relation) == 0 and count(app, Span) == 0
