"""Assignment by hand: the documents × annotators matrix; manual assignments, priorities and the
automatic hand-out together still bring every document to k annotators and none beyond."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from annotator import db, store
from annotator.models import Activity, Assignment, Document, Span, User

SLUG = "news"
TEAM = ("ann", "bob", "cat")
URL = f"/p/{SLUG}/assignments"


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr(store, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def team(world):
    for name in ("mia", *TEAM):
        world.user(name)
    world.project(SLUG, manager="mia", annotators=list(TEAM), overlap=2)
    world.import_jsonl(
        SLUG,
        [{"id": f"d{n:02}", "text": f"Mayor says bridge {n} is safe."} for n in range(12)],
    )
    return world


def ids(app) -> tuple[dict[str, int], dict[str, int]]:
    """Document external id → id, user name → id."""
    with app.app_context():
        session = db.session()
        documents = dict(session.exec(select(Document.external_id, Document.id)).all())
        users = dict(session.exec(select(User.username, User.id)).all())
        return documents, users


def holders(app) -> dict[str, dict[str, str]]:
    """Document external id → {annotator: status}, every document listed."""
    with app.app_context():
        session = db.session()
        result = {external_id: {} for external_id in session.exec(select(Document.external_id))}
        rows = session.exec(
            select(Document.external_id, User.username, Assignment.status)
            .join(Assignment, Assignment.document_id == Document.id)
            .join(User, User.id == Assignment.user_id)
        )
        for external_id, username, status in rows:
            result[external_id][username] = status
        return result


def cell(documents, users, external_id: str, name: str) -> str:
    return f"{documents[external_id]}:{users[name]}"


def post(client, **form):
    return client.post(URL, data=form)


def next_for(client) -> int | None:
    response = client.post(f"/p/{SLUG}/next")
    found = re.search(r"/d/(\d+)$", response.headers["Location"])
    return int(found.group(1)) if found else None


def finish(client, document_id: int) -> None:
    response = client.post(f"/p/{SLUG}/d/{document_id}/status", data={"status": "done"})
    assert response.status_code == 302


def test_a_manual_assignment_shows_in_the_matrix_and_comes_first_with_next(app, team):
    documents, users = ids(app)
    mia, bob = team.client("mia"), team.client("bob")

    done = post(mia, action="assign", cell=cell(documents, users, "d07", "bob"))

    assert done.status_code == 302
    assert holders(app)["d07"] == {"bob": "assigned"}
    page = mia.get(URL).get_data(as_text=True)
    row = re.search(r'<tr data-document="d07">.*?</tr>', page, re.S).group(0)
    assert re.findall(r'data-annotator="(\w+)">.*?class="status (\w+)"', row, re.S) == [
        ("ann", "not_assigned"),
        ("bob", "assigned"),
        ("cat", "not_assigned"),
    ]
    assert next_for(bob) == documents["d07"]
    assert holders(app)["d07"] == {"bob": "in_progress"}


def test_assigning_beyond_k_is_refused_and_changes_nothing(app, team):
    documents, users = ids(app)
    mia = team.client("mia")

    refused = post(mia, action="assign", row=str(documents["d03"]))  # all three, k = 2

    assert refused.status_code == 409
    assert "1 document would have more than k = 2 annotators (d03)" in html.unescape(
        refused.get_data(as_text=True)
    )
    assert holders(app)["d03"] == {}


def test_unassigning_work_with_spans_needs_discard_and_finished_work_is_kept(app, team):
    documents, users = ids(app)
    mia, ann = team.client("mia"), team.client("ann")
    first = next_for(ann)
    saved = ann.put(
        f"/api/projects/{SLUG}/documents/{first}/spans/0d7f6c1e-1111-4a4a-9e9e-000000000001",
        json={"label": "claim", "start": 0, "end": 5},
    )
    assert saved.status_code == 201
    external = {v: k for k, v in documents.items()}[first]
    target = cell(documents, users, external, "ann")

    refused = post(mia, action="unassign", cell=target)
    assert refused.status_code == 409
    assert "tick “also delete their spans”" in html.unescape(refused.get_data(as_text=True))
    assert holders(app)[external] == {"ann": "in_progress"}

    assert post(mia, action="unassign", cell=target, discard="on").status_code == 302
    assert holders(app)[external] == {}
    with app.app_context():
        assert db.session().exec(select(Span)).all() == []

    second = next_for(ann)
    finish(ann, second)
    external = {v: k for k, v in documents.items()}[second]
    kept = post(mia, action="unassign", cell=cell(documents, users, external, "ann"))
    assert kept.status_code == 409 and "reopen it first" in kept.get_data(as_text=True)


def test_reassigning_moves_the_document_and_the_new_annotator_gets_it_next(app, team):
    documents, users = ids(app)
    mia, ann, cat = team.client("mia"), team.client("ann"), team.client("cat")
    first = next_for(ann)
    external = {v: k for k, v in documents.items()}[first]

    moved = post(
        mia, action="reassign", cell=cell(documents, users, external, "ann"), to=users["cat"]
    )

    assert moved.status_code == 302
    assert holders(app)[external] == {"cat": "assigned"}
    assert next_for(cat) == first
    assert next_for(ann) != first
    with app.app_context():
        logged = db.session().exec(select(Activity.action, Activity.detail)).all()
    assert logged == [("assignment_reassign", f"reassigned to cat 1 cell: {external} (ann)")]


def test_a_document_with_a_higher_priority_is_handed_out_first(app, team):
    documents, _users = ids(app)
    mia, ann = team.client("mia"), team.client("ann")

    post(mia, action="priority", row=[str(documents["d09"]), str(documents["d10"])], priority="5")
    post(mia, action="priority", row=str(documents["d10"]), priority="7")

    assert next_for(ann) == documents["d10"]
    finish(ann, documents["d10"])
    assert next_for(ann) == documents["d09"]
    order = re.findall(r'<tr data-document="(d\d+)">', mia.get(URL).get_data(as_text=True))
    assert order[:3] == ["d10", "d09", "d00"]


@pytest.mark.parametrize("manual", ["skewed cells", "a whole column", "rows and priorities"])
def test_with_manual_assignments_every_document_still_reaches_k_and_none_exceeds_it(
    app, team, manual
):
    documents, users = ids(app)
    mia = team.client("mia")
    if manual == "skewed cells":
        chosen = [cell(documents, users, f"d{n:02}", "ann") for n in range(10)]
        chosen += [cell(documents, users, "d00", "bob"), cell(documents, users, "d11", "cat")]
        assert post(mia, action="assign", cell=chosen).status_code == 302
    elif manual == "a whole column":
        assert post(mia, action="assign", column=str(users["cat"]),
                    shown=[str(d) for d in documents.values()]).status_code == 302  # fmt: skip
    else:
        rows = [str(documents["d04"]), str(documents["d08"])]
        assert post(mia, action="priority", row=rows, priority="3").status_code == 302
        two = [cell(documents, users, "d05", name) for name in ("bob", "cat")]
        assert post(mia, action="assign", cell=two).status_code == 302
    clients = {name: team.client(name) for name in TEAM}

    for _round in range(len(documents) * 2):  # bounded: each round finishes at least one
        progressed = False
        for client in clients.values():
            document_id = next_for(client)
            if document_id is not None:
                finish(client, document_id)
                progressed = True
        if not progressed:
            break

    counts = {external: len(who) for external, who in holders(app).items()}
    assert counts == dict.fromkeys(documents, 2)
    statuses = Counter(s for who in holders(app).values() for s in who.values())
    assert statuses == {"done": 24}


def test_the_matrix_refuses_cells_of_another_project_or_a_non_annotator(app, team):
    documents, users = ids(app)
    mia = team.client("mia")

    stranger = post(mia, action="assign", cell=f"{documents['d01']}:{users['mia']}")
    garbage = post(mia, action="assign", cell="one:two")
    unknown = post(mia, action="explode", cell=cell(documents, users, "d01", "ann"))

    assert stranger.status_code == 404 and garbage.status_code == 400
    assert unknown.status_code == 422
    assert all(not who for who in holders(app).values())
