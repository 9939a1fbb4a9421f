"""Suggestions through the API: computed when the workspace asks, nobody's annotation until
accepted, accepted spans marked ``origin: suggestion``, rejections kept per annotator, the A/B
share recorded, and the manager's settings page."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from annotator import db, store
from annotator.assignments import handout
from annotator.models import Document, SuggestionExposure, SuggestionSettings
from annotator.suggestions import exposure
from tests.support.pages import csrf_token

TEXT = (
    "The fire was caused by faulty wiring, the port authority said on Wednesday. "
    '"Our inspectors found a melted junction box," said Maria Okafor.'
)


@pytest.fixture
def news(world):
    world.user("mia")
    world.user("ann")
    world.user("bob")
    world.project("news", manager="mia", annotators=("ann", "bob"), overlap=2)
    world.import_jsonl("news", [{"id": "fire", "text": TEXT}])
    with world.app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        document = session.exec(select(Document).where(Document.project_id == project.id)).one()
        session.add(SuggestionSettings(project_id=project.id, rules_enabled=True))
        session.commit()
        for name in ("ann", "bob"):
            handout.next_document(session, project, store.user_by_name(session, name))
        return {"slug": "news", "document_id": document.id, "project_id": project.id}


def _url(news, tail=""):
    return f"/api/projects/{news['slug']}/documents/{news['document_id']}/suggestions{tail}"


def _compute(client, news):
    response = client.post(_url(news), headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _texts(answer) -> set[tuple[str, str]]:
    return {(item["label"], item["text"]) for item in answer["suggestions"]}


def test_the_workspace_gets_rule_suggestions_once_it_asks(world, news):
    ann = world.client("ann")
    assert ann.get(_url(news)).get_json()["state"] == "pending"
    answer = _compute(ann, news)
    assert answer["state"] == "ready"
    assert _texts(answer) == {
        ("attribution", "the port authority said"),
        ("attribution", "said Maria Okafor"),
        ("claim", "Our inspectors found a melted junction box"),
    }
    assert ann.get(_url(news)).get_json()["suggestions"] == answer["suggestions"]


def test_suggestions_are_nobodys_spans_until_accepted(world, news):
    ann = world.client("ann")
    answer = _compute(ann, news)
    spans_url = f"/api/projects/news/documents/{news['document_id']}/spans"
    assert ann.get(spans_url).get_json()["spans"] == []
    chosen = next(item for item in answer["suggestions"] if item["text"] == "said Maria Okafor")
    headers = {"X-CSRFToken": csrf_token(ann)}
    url = _url(news, f"/{chosen['id']}/accept/span-accepted-1")
    first = ann.put(url, headers=headers)
    again = ann.put(url, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    spans = ann.get(spans_url).get_json()["spans"]
    assert [(s["text"], s["origin"], s["recommender"]) for s in spans] == [
        ("said Maria Okafor", "suggestion", "rules")
    ]
    # accepted: no longer suggested to ann; still suggested to bob, who has no span
    assert ("attribution", "said Maria Okafor") not in _texts(ann.get(_url(news)).get_json())
    bob = world.client("bob")
    assert ("attribution", "said Maria Okafor") in _texts(_compute(bob, news))
    assert world.client("bob").get(spans_url).get_json()["spans"] == []


def test_a_rejected_suggestion_stays_away_for_that_annotator_only_until_taken_back(world, news):
    ann, bob = world.client("ann"), world.client("bob")
    answer = _compute(ann, news)
    chosen = answer["suggestions"][0]
    url = _url(news, f"/{chosen['id']}/rejection")
    assert ann.put(url, headers={"X-CSRFToken": csrf_token(ann)}).status_code == 200
    assert ann.put(url, headers={"X-CSRFToken": csrf_token(ann)}).status_code == 200  # idempotent
    assert chosen["id"] not in [item["id"] for item in _compute(ann, news)["suggestions"]]
    assert chosen["id"] in [item["id"] for item in _compute(bob, news)["suggestions"]]
    assert ann.delete(url, headers={"X-CSRFToken": csrf_token(ann)}).status_code == 200  # undo
    assert chosen["id"] in [item["id"] for item in ann.get(_url(news)).get_json()["suggestions"]]


def test_a_suggestion_of_another_document_is_not_found(world, news):
    world.import_jsonl("news", [{"id": "other", "text": "Prices rose, the minister said."}])
    ann = world.client("ann")
    chosen = _compute(ann, news)["suggestions"][0]
    with world.app.app_context():
        session = db.session()
        other = session.exec(select(Document).where(Document.external_id == "other")).one()
    url = f"/api/projects/news/documents/{other.id}/suggestions/{chosen['id']}/accept/span-x-000001"
    assert ann.put(url, headers={"X-CSRFToken": csrf_token(ann)}).status_code == 404


def test_ab_share_hides_suggestions_from_the_other_group_and_records_who_saw_them(world, news):
    with world.app.app_context():
        session = db.session()
        settings = session.get(SuggestionSettings, news["project_id"])
        settings.share, settings.unit = 50, "annotator"
        session.commit()
        ann_id = store.user_by_name(session, "ann").id
        bob_id = store.user_by_name(session, "bob").id
    states = {}
    for name, user_id in (("ann", ann_id), ("bob", bob_id)):
        states[name] = _compute(world.client(name), news)["state"]
        expected = exposure.sees_suggestions(
            share=50,
            unit="annotator",
            project_id=news["project_id"],
            annotator_id=user_id,
            document_id=news["document_id"],
        )
        assert states[name] == ("ready" if expected else "hidden")
    with world.app.app_context():
        rows = db.session().exec(select(SuggestionExposure)).all()
        recorded = {row.annotator_id: row.shown for row in rows}
    assert recorded == {ann_id: states["ann"] == "ready", bob_id: states["bob"] == "ready"}


def test_no_recommender_enabled_means_no_suggestions(world, news):
    with world.app.app_context():
        session = db.session()
        session.get(SuggestionSettings, news["project_id"]).rules_enabled = False
        session.commit()
    assert _compute(world.client("ann"), news) == {"state": "off", "problem": "", "suggestions": []}


def test_the_workspace_has_a_suggestions_panel_only_where_a_recommender_is_on(world, news):
    page = f"/p/news/d/{news['document_id']}"
    ann = world.client("ann")
    assert 'id="suggestions"' in ann.get(page).get_data(as_text=True)
    with world.app.app_context():
        session = db.session()
        session.get(SuggestionSettings, news["project_id"]).rules_enabled = False
        session.commit()
    # no panel, so no request for suggestions and nothing that appears above the text
    assert 'id="suggestions"' not in ann.get(page).get_data(as_text=True)


def test_export_marks_accepted_spans_as_suggestions_and_the_rest_manual(world, news, runner):
    ann = world.client("ann")
    chosen = _compute(ann, news)["suggestions"][0]
    headers = {"X-CSRFToken": csrf_token(ann), "Content-Type": "application/json"}
    ann.put(_url(news, f"/{chosen['id']}/accept/span-accepted-3"), headers=headers)
    spans_url = f"/api/projects/news/documents/{news['document_id']}/spans/span-manual-01"
    body = {"label": "claim", "start": 0, "end": 8}
    assert ann.put(spans_url, data=json.dumps(body), headers=headers).status_code == 201
    result = runner.invoke(args=["export", "news"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(row) for row in result.stdout_bytes.decode().splitlines() if row]
    origins = {
        item["id"]: (item["origin"], item.get("recommender")) for item in line["annotations"]
    }
    assert origins == {
        "span-accepted-3": ("suggestion", "rules"),
        "span-manual-01": ("manual", None),
    }


def test_manager_enables_rules_and_edits_the_lexicon(world, news):
    mia = world.client("mia")
    assert "Lexicon of the rules" in mia.get("/p/news/suggestions").get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(mia),
        "rules_enabled": "on",
        "lexicon": "[verbs]\nwrote\n",
        "share": "100",
        "unit": "document",
        "http_timeout": "2",
        "http_url": "",
    }
    assert mia.post("/p/news/suggestions", data=form).status_code == 302
    answer = _compute(world.client("ann"), news)
    assert _texts(answer) == set()  # 'said' is no longer a reporting verb here
    form["lexicon"] = "said\n"
    page = mia.post("/p/news/suggestions", data=form, follow_redirects=True)
    assert "line 1: &#39;said&#39; comes before" in page.get_data(as_text=True)
    with world.app.app_context():
        assert (
            db.session().get(SuggestionSettings, news["project_id"]).lexicon == "[verbs]\nwrote\n"
        )


def test_measures_page_counts_what_annotators_accepted_and_rejected(world, news):
    ann = world.client("ann")
    suggestions = _compute(ann, news)["suggestions"]
    attribution = [item for item in suggestions if item["label"] == "attribution"]
    headers = {"X-CSRFToken": csrf_token(ann)}
    ann.put(_url(news, f"/{attribution[0]['id']}/accept/span-measured-1"), headers=headers)
    ann.put(_url(news, f"/{attribution[1]['id']}/rejection"), headers=headers)
    page = world.client("mia").get("/p/news/agreement/suggestions").get_data(as_text=True)
    row = page.split('<tr data-label="attribution">', 1)[1].split("</tr>", 1)[0]
    cells = [cell.rsplit(">", 1)[1] for cell in row.split("</td>")[:4]]
    assert cells == ["2", "1", "1", "0.500"]  # shown, accepted, rejected, acceptance
