"""Comparison view and adjudication: gold built from annotators' spans, idempotently."""

from __future__ import annotations

import pytest
from sqlmodel import select

from annotator import db
from annotator.models import GoldSpan, Project

TEXT = "Zakharova said Kyiv was «саботирует переговоры» 👩\u200d👩\u200d👧 on Telegram."


def at(phrase):
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def span(annotator, label, phrase, note=""):
    start, end = at(phrase)
    return {"annotator": annotator, "label": label, "start": start, "end": end, "note": note}


@pytest.fixture
def setup(world):
    world.user("lead")
    for name in ("ana", "ben", "cleo"):
        world.user(name)
    world.project("news", manager="lead", annotators=["ana", "ben", "cleo"], overlap=2)
    world.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": [
                    span("ana", "attribution", "Zakharova said"),
                    span("ben", "attribution", "Zakharova said"),
                    span("ana", "claim", "Kyiv was «саботирует переговоры»"),
                    span("ben", "evidence", "Kyiv was «саботирует переговоры»"),
                    span("ana", "evidence", "on Telegram"),
                ],
            }
        ],
    )
    return world.client("lead")


def gold(app) -> list[tuple]:
    with app.app_context():
        rows = db.session().exec(select(GoldSpan).order_by(GoldSpan.start)).all()
        return [(g.label_id, g.start, g.end, g.source_span_id is not None) for g in rows]


PAGE = "/p/news/compare/1"


def test_manager_sees_each_annotators_spans_aligned_with_disagreements_marked(setup):
    page = setup.get(PAGE).get_data(as_text=True)
    assert "1 agreed" in page and "1 missing" in page and "1 different label" in page
    assert 'class="region agree"' in page and 'class="region label"' in page
    assert page.count('class="accept"') == 5


def test_accepting_a_span_twice_or_its_twin_keeps_one_gold_span(app, setup):
    html = setup.get(PAGE).get_data(as_text=True)
    ids = [chunk.split('"')[0] for chunk in html.split('data-span="')[1:]]
    first = setup.post(f"{PAGE}/accept", data={"span_id": ids[0]}, headers={"HX-Request": "true"})
    assert first.status_code == 200 and "✓ in gold" in first.get_data(as_text=True)
    setup.post(f"{PAGE}/accept", data={"span_id": ids[0]})
    setup.post(f"{PAGE}/accept", data={"span_id": ids[1]})  # ben's identical span
    assert gold(app) == [(3, *at("Zakharova said"), True)]


def test_accept_agreed_takes_only_spans_k_annotators_share(app, setup):
    setup.post(f"{PAGE}/accept-agreed", data={"at_least": "2"})
    setup.post(f"{PAGE}/accept-agreed", data={"at_least": "2"})
    assert gold(app) == [(3, *at("Zakharova said"), True)]
    refused = setup.post(f"{PAGE}/accept-agreed", data={"at_least": "1"})
    assert refused.status_code == 422 and "at least 2 annotators" in refused.get_data(as_text=True)
    assert gold(app) == [(3, *at("Zakharova said"), True)]


def test_manager_edits_gold_boundaries_and_label_then_deletes_it(app, setup):
    setup.post(f"{PAGE}/accept-agreed", data={"at_least": "2"})
    with app.app_context():
        gold_id = db.session().exec(select(GoldSpan.id)).one()
    start, end = at("Zakharova")
    response = setup.post(
        f"{PAGE}/gold/{gold_id}",
        data={"label": "claim", "start": start, "end": end, "action": "save"},
    )
    assert response.status_code == 302
    assert gold(app) == [(1, start, end, True)]
    bad = setup.post(
        f"{PAGE}/gold/{gold_id}",
        data={"label": "claim", "start": 5, "end": 500, "action": "save"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "outside the text" in bad.get_data(as_text=True)
    assert gold(app) == [(1, start, end, True)]
    setup.post(f"{PAGE}/gold/{gold_id}", data={"action": "delete"})
    assert gold(app) == []


def test_gold_api_is_idempotent_and_checks_the_text(app, setup):
    url = "/api/projects/news/documents/1/gold/9b2f7c1e-1111-4a4a-9e9e-000000000001"
    start, end = at("Telegram")
    payload = {"label": "evidence", "start": start, "end": end, "text": "Telegram"}
    assert setup.put(url, json=payload).status_code == 201
    assert setup.put(url, json=payload).status_code == 200
    assert setup.put(url, json=payload | {"text": "Signal"}).status_code == 422
    assert setup.get("/api/projects/news/documents/1/gold").json["gold"][0]["text"] == "Telegram"
    assert setup.delete(url).json == {"deleted": True}
    assert setup.delete(url).json == {"deleted": False}
    assert gold(app) == []


def test_annotators_cannot_see_the_comparison_while_blind(setup, world):
    ana = world.client("ana")
    assert ana.get(PAGE).status_code == 404
    assert ana.post(f"{PAGE}/accept-agreed", data={"at_least": "1"}).status_code == 403
    assert ana.get("/api/projects/news/documents/1/gold").status_code == 403
    assert world.client("cleo").get(PAGE).status_code == 404  # not assigned at all


def test_finished_annotator_sees_the_comparison_once_the_manager_opens_it(app, setup, world):
    with app.app_context():
        session = db.session()
        project = session.exec(select(Project)).one()
        project.comparison_open = True
        session.add(project)
        session.commit()
    page = world.client("ana").get(PAGE)
    assert page.status_code == 200
    assert 'class="accept"' not in page.get_data(as_text=True)  # read-only for annotators
    assert world.client("cleo").get(PAGE).status_code == 404  # cleo has not finished it


def test_gold_workspace_reuses_the_selection_tools_for_managers(setup, world):
    page = setup.get("/p/news/d/1/gold")
    assert page.status_code == 200
    assert b"/api/projects/news/documents/1/gold" in page.data
    assert world.client("ana").get("/p/news/d/1/gold").status_code == 403


def test_manager_reopens_a_finished_annotation_from_the_comparison(setup, world):
    page = setup.get(PAGE).get_data(as_text=True)
    assert page.count('class="link reopen"') == 2  # ana and ben finished (imported)
    answer = setup.post("/p/news/d/1/reopen", data={"annotator": "ben"}, headers={"Referer": PAGE})
    assert answer.status_code == 302
    page = setup.get(PAGE).get_data(as_text=True)
    assert page.count('class="link reopen"') == 1 and "in progress" in page


# --- the gold layer holds each label and range once ---------------------------------------------

GOLD_API = "/api/projects/news/documents/1/gold/"
DRAWN = "9b2f7c1e-1111-4a4a-9e9e-0000000000d1"


def draw_gold(client, label: str, phrase: str, span_id: str = DRAWN, **extra):
    start, end = at(phrase)
    payload = {"label": label, "start": start, "end": end, "text": phrase, **extra}
    return client.put(GOLD_API + span_id, json=payload)


def gold_ids(app) -> list[str]:
    with app.app_context():
        return list(db.session().exec(select(GoldSpan.id).order_by(GoldSpan.start)))


def test_a_span_drawn_in_gold_is_the_one_accepting_its_twin_fills(app, setup):
    """Drawn in the gold workspace (a client id), then accepted from an annotator: one span."""
    assert draw_gold(setup, "attribution", "Zakharova said").status_code == 201
    html = setup.get(PAGE).get_data(as_text=True)
    ana_span = html.split('data-span="')[1].split('"')[0]
    setup.post(f"{PAGE}/accept", data={"span_id": ana_span})
    setup.post(f"{PAGE}/accept-agreed", data={"at_least": "2"})  # ana and ben's, the drawn one
    assert gold(app).count((3, *at("Zakharova said"), True)) == 1  # accepted from ana's span
    assert gold_ids(app) == [DRAWN]


def test_drawing_a_span_gold_has_already_is_refused_and_stores_nothing(app, setup):
    assert draw_gold(setup, "evidence", "on Telegram").status_code == 201
    twin = draw_gold(setup, "evidence", "on Telegram", "9b2f7c1e-1111-4a4a-9e9e-0000000000d2")
    assert twin.status_code == 409
    assert "already" in twin.json["error"]
    other_label = draw_gold(setup, "claim", "on Telegram", "9b2f7c1e-1111-4a4a-9e9e-0000000000d3")
    assert other_label.status_code == 201  # another label on the same range is another span
    assert sorted(gold_ids(app)) == sorted([DRAWN, "9b2f7c1e-1111-4a4a-9e9e-0000000000d3"])


def test_moving_a_gold_span_onto_another_is_refused_with_a_message(app, setup):
    assert draw_gold(setup, "evidence", "on Telegram").status_code == 201
    second = "9b2f7c1e-1111-4a4a-9e9e-0000000000d4"
    assert draw_gold(setup, "evidence", "Telegram", second).status_code == 201
    start, end = at("on Telegram")
    refused = setup.post(
        f"{PAGE}/gold/{second}",
        data={"label": "evidence", "start": start, "end": end, "action": "save"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 409 and "already" in refused.get_data(as_text=True)
    assert sorted(gold(app)) == sorted(
        [(2, *at("on Telegram"), False), (2, *at("Telegram"), False)]
    )


def test_accepting_after_a_gold_span_was_moved_away_makes_a_new_one(app, setup):
    """The derived id of a range stays with the span when its boundaries are edited."""
    html = setup.get(PAGE).get_data(as_text=True)
    ana_span = html.split('data-span="')[1].split('"')[0]  # ana's "Zakharova said"
    setup.post(f"{PAGE}/accept", data={"span_id": ana_span})
    (moved,) = gold_ids(app)
    start, end = at("Zakharova")
    setup.post(
        f"{PAGE}/gold/{moved}",
        data={"label": "attribution", "start": start, "end": end, "action": "save"},
    )
    setup.post(f"{PAGE}/accept", data={"span_id": ana_span})
    assert sorted(gold(app)) == sorted(
        [(3, *at("Zakharova"), True), (3, *at("Zakharova said"), True)]
    )
