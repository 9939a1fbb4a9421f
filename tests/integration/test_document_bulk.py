"""The document list's filters on the work itself (annotators disagree; imported meta fields)
and its bulk actions on a selection (assign, reopen, export): confirmed first, manager-only,
all or nothing."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from annotator import db
from annotator.document_list import parse_query
from annotator.errors import Invalid
from annotator.models import Activity, Assignment, Document, Job, User

SLUG = "news"
ARTICLES = [
    {"id": "agreed", "text": "Mayor says the bridge is safe.", "meta": {"source": "reuters"}},
    {"id": "split", "text": "Port blames faulty wiring today.", "meta": {"source": "afp"}},
    {
        "id": "lonely",
        "text": "Nothing much happened here.",
        "meta": {"source": "reuters", "year": 2020},
    },
    {"id": "fresh", "text": "A fresh article arrives.", "meta": {}},
]


@pytest.fixture
def team(world):
    for name in ("mia", "ann", "bob"):
        world.user(name)
    world.project(SLUG, manager="mia", annotators=["ann", "bob"], overlap=2)
    world.import_jsonl(SLUG, ARTICLES)
    return world


def ids(app) -> tuple[dict[str, int], dict[str, int]]:
    with app.app_context():
        session = db.session()
        return (
            dict(session.exec(select(Document.external_id, Document.id)).all()),
            dict(session.exec(select(User.username, User.id)).all()),
        )


def statuses(app) -> dict[str, dict[str, str]]:
    with app.app_context():
        session = db.session()
        result: dict[str, dict[str, str]] = {
            name: {} for name in session.exec(select(Document.external_id))
        }
        rows = session.exec(
            select(Document.external_id, User.username, Assignment.status)
            .join(Assignment, Assignment.document_id == Document.id)
            .join(User, User.id == Assignment.user_id)
        )
        for external_id, name, status in rows:
            result[external_id][name] = status
        return result


def annotate(app, team, spans: dict[str, dict[str, list[tuple[str, int, int]]]]) -> None:
    """Give documents to annotators through the matrix, save their spans, mark them done."""
    documents, users = ids(app)
    mia = team.client("mia")
    for external_id, by_annotator in spans.items():
        for name, marks in by_annotator.items():
            cell = f"{documents[external_id]}:{users[name]}"
            assert mia.post(f"/p/{SLUG}/assignments", data={"action": "assign", "cell": cell})
            client = team.client(name)
            client.post(f"/p/{SLUG}/next")
            for number, (label, start, end) in enumerate(marks):
                span_id = f"{name}-{external_id}-{number:04d}-0000-000000000000"[:36]
                saved = client.put(
                    f"/api/projects/{SLUG}/documents/{documents[external_id]}/spans/{span_id}",
                    json={"label": label, "start": start, "end": end},
                )
                assert saved.status_code == 201, saved.get_json()
            done = client.post(
                f"/p/{SLUG}/d/{documents[external_id]}/status", data={"status": "done"}
            )
            assert done.status_code == 302


def listed(client, **args) -> list[str]:
    page = client.get(f"/p/{SLUG}", query_string=args)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return re.findall(r'<tr data-document="([^"]+)">', page.get_data(as_text=True))


def test_has_disagreement_keeps_documents_whose_finished_annotators_differ(app, team):
    annotate(
        app,
        team,
        {
            "agreed": {"ann": [("claim", 0, 5)], "bob": [("claim", 0, 5)]},
            "split": {"ann": [("claim", 0, 4)], "bob": [("claim", 0, 4), ("evidence", 5, 11)]},
            "lonely": {"ann": [("claim", 0, 7)]},  # one annotator: nobody to disagree with
        },
    )
    mia = team.client("mia")

    assert listed(mia, disagreement="yes") == ["split"]
    assert listed(mia) == ["agreed", "split", "lonely", "fresh"]


def test_a_document_nobody_marked_is_no_disagreement_but_an_empty_annotator_is(app, team):
    annotate(
        app,
        team,
        {
            "agreed": {"ann": [], "bob": []},
            "split": {"ann": [], "bob": [("claim", 0, 4)]},
        },
    )
    assert listed(team.client("mia"), disagreement="yes") == ["split"]


def test_the_meta_filter_matches_an_imported_field_as_text(app, team):
    mia = team.client("mia")
    assert listed(mia, meta="source=reuters") == ["agreed", "lonely"]
    assert listed(mia, meta="year=2020") == ["lonely"]
    assert listed(mia, meta="source=nobody") == []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"meta": "no-equals"}, "meta"),
        ({"meta": "=x"}, "meta"),
        ({"disagreement": "maybe"}, "disagreement"),
    ],
)
def test_bad_new_filters_are_refused_naming_the_field(args, field):
    with pytest.raises(Invalid) as refused:
        parse_query(args, ["claim"], ["ann"])
    assert refused.value.field == field


def bulk(client, action: str, documents: list[int], annotator: str = "", confirm: bool = True):
    form = {"action": action, "document": [str(d) for d in documents], "annotator": annotator}
    if confirm:
        form["confirm"] = "yes"
    return client.post(f"/p/{SLUG}/documents/bulk", data=form)


def test_a_bulk_action_asks_first_with_the_count_and_changes_nothing(app, team):
    documents, _users = ids(app)
    mia = team.client("mia")

    page = bulk(mia, "assign", [documents["agreed"], documents["split"]], "ann", confirm=False)

    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "Confirm: assign 2 documents to ann?" in text
    assert statuses(app)["agreed"] == {}


def test_bulk_assign_gives_the_selection_to_the_annotator_and_next_hands_it_out(app, team):
    documents, _users = ids(app)
    mia, bob = team.client("mia"), team.client("bob")

    answer = bulk(mia, "assign", [documents["lonely"], documents["fresh"]], "bob")

    assert answer.status_code == 302
    assert statuses(app)["lonely"] == {"bob": "assigned"}
    assert statuses(app)["fresh"] == {"bob": "assigned"}
    taken = bob.post(f"/p/{SLUG}/next")
    assert taken.headers["Location"].endswith(f"/d/{documents['lonely']}")
    with app.app_context():
        entry = db.session().exec(select(Activity).where(Activity.action == "bulk_assign")).one()
        assert "lonely (bob)" in entry.detail


def test_bulk_assign_over_k_assigns_none_of_the_selection(app, team):
    annotate(app, team, {"agreed": {"ann": [], "bob": []}})
    world_user = team.user("cat")
    assert world_user
    with app.app_context():
        from annotator import store

        session = db.session()
        store.set_member(
            session,
            store.project_by_slug(session, SLUG),
            store.user_by_name(session, "cat"),
            "annotator",
        )
        session.commit()
    documents, _users = ids(app)
    mia = team.client("mia")

    refused = bulk(mia, "assign", [documents["fresh"], documents["agreed"]], "cat")

    assert refused.status_code == 409
    assert "more than k = 2" in html.unescape(refused.get_data(as_text=True))
    assert statuses(app)["fresh"] == {}  # the one that fitted was not assigned either


def test_bulk_reopen_sends_finished_work_back_on_record(app, team):
    annotate(app, team, {"agreed": {"ann": [], "bob": []}, "split": {"ann": []}})
    documents, _users = ids(app)
    mia = team.client("mia")

    answer = bulk(mia, "reopen", [documents["agreed"], documents["split"]], "ann")

    assert answer.status_code == 302
    assert statuses(app)["agreed"] == {"ann": "in_progress", "bob": "done"}
    assert statuses(app)["split"] == {"ann": "in_progress"}
    assert bulk(mia, "reopen", [documents["fresh"]]).status_code == 409  # nothing finished


def test_bulk_export_queues_an_export_of_the_selection_only(app, team):
    documents, _users = ids(app)
    mia = team.client("mia")

    answer = bulk(mia, "export", [documents["split"], documents["fresh"]])

    assert answer.status_code == 303  # to the job's page
    with app.app_context():
        job = db.session().exec(select(Job)).one()
        assert job.kind == "export"
        assert sorted(job.params["documents"]) == sorted([documents["split"], documents["fresh"]])
    download = mia.get(f"/p/{SLUG}/jobs/{job.id}/download")
    assert download.status_code == 200
    exported = re.findall(rb'"id":"([^"]+)"', download.data)
    assert sorted(exported) == [b"fresh", b"split"]


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"action": "assign", "document": ["1"], "annotator": ""}, 422),
        ({"action": "burn", "document": ["1"]}, 422),
        ({"action": "reopen", "document": []}, 422),
        ({"action": "reopen", "document": ["99999"]}, 404),
        ({"action": "reopen", "document": ["x"]}, 422),
        ({"action": "assign", "document": ["1"], "annotator": "mia"}, 404),
    ],
)
def test_a_bad_selection_is_refused_and_changes_nothing(app, team, form, status):
    mia = team.client("mia")
    answer = mia.post(f"/p/{SLUG}/documents/bulk", data={**form, "confirm": "yes"})
    assert answer.status_code == status
    assert all(holders == {} for holders in statuses(app).values())


def test_annotators_cannot_use_bulk_actions(app, team):
    documents, _users = ids(app)
    answer = bulk(team.client("ann"), "assign", [documents["fresh"]], "ann")
    assert answer.status_code == 403
    assert statuses(app)["fresh"] == {}
