"""Issue 14's defects on the path from comparison to gold: the comparison view counts what the
agreement page counts, one annotator is never an agreement, accepting a link never adds spans
to gold unasked, and the agreement page's colours and intervals say what they mean."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import select

from annotator import db
from annotator.agreement import inputs
from annotator.models import GoldRelation, GoldSpan, Relation

TEXT = "Officials said the bridge was closed because the inspection found cracks in two piers."


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def span(annotator, label, phrase, id_=None):
    start, end = at(phrase)
    item = {"annotator": annotator, "label": label, "start": start, "end": end}
    return item | ({"id": id_} if id_ else {})


@pytest.fixture(autouse=True)
def _fresh_cache():
    inputs.clear_cache()
    yield
    inputs.clear_cache()


@pytest.fixture
def people(world):
    world.user("lead")
    for name in ("ana", "ben", "cleo"):
        world.user(name)
    world.project("news", manager="lead", annotators=["ana", "ben", "cleo"], overlap=2)
    return world


def gold(app) -> list[tuple]:
    with app.app_context():
        rows = db.session().exec(select(GoldSpan).order_by(GoldSpan.start)).all()
        return [(g.start, g.end) for g in rows]


# --- 1: the comparison view and the agreement page count alike --------------------------------

CLAIM = "the bridge was closed because the inspection found cracks"
EVIDENCE = "the inspection found cracks"


@pytest.fixture
def exact_and_extra(people):
    """As in the demo: ana claim + a nested evidence, ben the same claim only; both finished."""
    people.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": [
                    span("ana", "claim", CLAIM),
                    span("ana", "evidence", EVIDENCE),
                    span("ben", "claim", CLAIM),
                ],
            }
        ],
    )
    return people.client("lead")


def test_a_region_holds_an_exact_agreement_and_an_extra_span_at_once(exact_and_extra):
    page = exact_and_extra.get("/p/news/compare/1").get_data(as_text=True)
    assert 'class="region agree extra"' in page
    counts = page[page.index('class="pair-counts"') :].split("</p>")[0]
    assert "1 agreed" in counts and "1 only ana" in counts and "0 only ben" in counts


def test_comparison_counts_equal_the_agreement_pages_and_the_clis(exact_and_extra, runner):
    page = exact_and_extra.get("/p/news/compare/1").get_data(as_text=True)
    counts = page[page.index('class="pair-counts" data-a="ana" data-b="ben"') :].split("</p>")[0]
    shown = {kind: int(n) for kind, n in re.findall(r'data-kind="(\w+)">(\d+) ', counts)}
    result = runner.invoke(args=["agreement", "news", "--json", "--bootstrap", "0"])
    (pair,) = json.loads(result.output)["pairwise"]
    cli = {kind: sum(c[kind] for c in pair["breakdown"].values()) for kind in shown}
    agreement = exact_and_extra.get("/p/news/agreement").get_data(as_text=True)
    table = agreement[agreement.index('id="breakdown"') :].split("</table>")[0]
    on_page = dict.fromkeys(shown, 0)
    names = {"missing_b": "only_a", "missing_a": "only_b"}
    for kind, n in re.findall(r'data-kind="(\w+)"[^>]*>(?:<a[^>]*>)?(\d+)', table):
        on_page[names.get(kind, kind)] += int(n)
    assert (
        shown
        == cli
        == on_page
        == {
            "exact": 1,
            "boundary": 0,
            "label": 0,
            "only_a": 1,
            "only_b": 0,
        }
    )


# --- 2: one annotator is not an agreement ------------------------------------------------------


@pytest.fixture
def only_cleo(people):
    """Document 1 holds only cleo's spans, and cleo has not finished it."""
    people.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotators": [{"annotator": "cleo", "status": "in_progress"}],
                "annotations": [
                    span("cleo", "claim", CLAIM),
                    span("cleo", "attribution", "Officials said"),
                ],
            }
        ],
    )
    return people.client("lead")


def test_a_lone_unfinished_annotator_is_shown_as_such_and_not_as_agreement(only_cleo):
    page = only_cleo.get("/p/news/compare/1").get_data(as_text=True)
    assert "agree" not in re.findall(r'class="region ([^"]*)"', page)[0]
    assert page.count('class="kind not-compared"') == 2
    assert "unfinished, not counted" in page
    assert "at least two annotators who finished" in page
    assert 'id="accept-agreed"' not in page


@pytest.mark.parametrize("at_least", ["1", "0", "-3", "two", ""])
def test_the_server_refuses_a_threshold_below_two_and_changes_nothing(app, only_cleo, at_least):
    answer = only_cleo.post("/p/news/compare/1/accept-agreed", data={"at_least": at_least})
    assert answer.status_code == 422
    assert "at_least" in answer.get_data(as_text=True)
    assert gold(app) == []


def test_unfinished_spans_never_make_up_an_agreement(app, people):
    """ana (finished) and cleo (unfinished) mark the same claim, ben (finished) nothing."""
    people.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotators": [
                    {"annotator": "ana", "status": "done"},
                    {"annotator": "ben", "status": "done"},
                    {"annotator": "cleo", "status": "in_progress"},
                ],
                "annotations": [span("ana", "claim", CLAIM), span("cleo", "claim", CLAIM)],
            }
        ],
    )
    lead = people.client("lead")
    page = lead.get("/p/news/compare/1").get_data(as_text=True)
    assert re.findall(r'class="region ([^"]*)"', page) == ["missing"]
    assert lead.post("/p/news/compare/1/accept-agreed", data={"at_least": "2"}).status_code == 302
    assert gold(app) == []


# --- 3: accepting a link says which spans it adds ----------------------------------------------


@pytest.fixture
def linked(people):
    """ben finished d1 with a claim linked to its attribution; ana marked only the attribution."""
    people.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": [
                    span("ana", "attribution", "Officials said", "a1"),
                    span("ben", "attribution", "Officials said", "b1"),
                    span("ben", "claim", CLAIM, "b2"),
                ],
                "relations": [
                    {"annotator": "ben", "type": "attributed_to", "source": "b2", "target": "b1"},
                ],
            }
        ],
    )
    return people.client("lead")


ACCEPT_LINK = "/p/news/compare/1/accept-relation"


def _relation_id(app) -> str:
    with app.app_context():
        return db.session().exec(select(Relation.id)).one()


def test_accepting_a_link_whose_ends_gold_lacks_is_refused_naming_them(app, linked):
    answer = linked.post(ACCEPT_LINK, data={"relation_id": _relation_id(app)})
    assert answer.status_code == 409
    message = answer.get_data(as_text=True)
    start, end = at(CLAIM)
    assert f"claim [{start}, {end})" in message and "attribution [0, 14)" in message
    with app.app_context():
        assert db.session().exec(select(GoldRelation)).all() == []
    assert gold(app) == []


def test_the_page_asks_before_a_link_adds_spans_and_adding_them_needs_the_answer(app, linked):
    page = linked.get("/p/news/compare/1").get_data(as_text=True)
    start, end = at(CLAIM)
    asks = re.search(r'hx-confirm="([^"]*)"', page).group(1)
    assert f"claim [{start}, {end})" in asks and "attribution [0, 14)" in asks
    confirmed = linked.post(
        "/p/news/compare/1/accept-relation",
        data={"relation_id": _relation_id(app), "add_spans": "yes"},
    )
    assert confirmed.status_code == 302
    assert gold(app) == [(0, 14), (start, end)]


def test_a_link_whose_ends_are_in_gold_is_accepted_without_asking(app, linked):
    with app.app_context():
        ids = db.session().exec(select(Relation.source_id, Relation.target_id)).one()
    for span_id in ids:
        linked.post("/p/news/compare/1/accept", data={"span_id": span_id})
    page = linked.get("/p/news/compare/1").get_data(as_text=True)
    assert "hx-confirm" not in page
    answer = linked.post(ACCEPT_LINK, data={"relation_id": _relation_id(app)})
    assert answer.status_code == 302
    with app.app_context():
        assert len(db.session().exec(select(GoldRelation)).all()) == 1
    assert len(gold(app)) == 2


# --- 5: colours and intervals of the agreement page say what they mean ------------------------


@pytest.fixture
def one_document(people):
    """One document both finished: ana claim + attribution, ben the claim only.
    Overlap F1 2 * 1 / 3, so disagreement 1/3."""
    people.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": [
                    span("ana", "claim", CLAIM),
                    span("ana", "attribution", "Officials said"),
                    span("ben", "claim", CLAIM),
                ],
            }
        ],
    )
    return people.client("lead")


def test_a_documents_disagreement_takes_the_colour_of_its_own_legend(one_document):
    html = one_document.get("/p/news/agreement").get_data(as_text=True)
    documents = html[html.index('id="disagreement-legend"') :]
    assert re.search(r'<td class="disagree-1">0\.333</td>', documents)
    legend = documents.split("</ul>")[0]
    assert '<span class="agree-key disagree-1"></span>0.2–0.4' in legend


def test_an_interval_from_one_document_says_it_needs_more_documents(one_document, runner):
    html = one_document.get("/p/news/agreement").get_data(as_text=True)
    pairs = html[html.index('id="pairs"') :].split("</table>")[0]
    assert "[0.667, 0.667]" not in pairs and "[0." not in pairs
    assert pairs.count("interval needs 2+ documents") == 3
    text = runner.invoke(args=["agreement", "news", "--bootstrap", "50"]).output
    assert "0.667 (interval needs 2+ documents)" in text and "[0.667, 0.667]" not in text
