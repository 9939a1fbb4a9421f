"""Gold spans take attribute values of every kind: the gold workspace (linked from the curation
view) offers the same popover fields as an annotator's, and the gold API checks and stores each
kind as the span API does."""

from __future__ import annotations

from annotator import db
from annotator.models import GoldSpan
from tests.integration.test_relations_api import body, setup  # noqa: F401 - fixture
from tests.integration.test_typed_attributes import PHRASE, define, typed  # noqa: F401

GOLD = "/api/projects/news/documents/1/gold/g0000000-0000-4000-8000-000000000001"
VALUES = {
    "source_type": "anonymous",
    "source_reliability": 2,
    "verifiable": True,
    "paraphrase": "a wire agency, quoting",
    "topics": ["politics", "health"],  # in the choices' order
}


def test_the_gold_workspace_offers_a_field_of_each_kind(world, typed):  # noqa: F811
    page = world.client("lead").get("/p/news/d/1/gold").get_data(as_text=True)
    for field, kind in (
        ("source_reliability", "scale"),
        ("verifiable", "boolean"),
        ("topics", "multiple"),
        ("paraphrase", "text"),
    ):
        assert f'data-field="{field}" data-kind="{kind}"' in page


def test_a_gold_span_stores_a_value_of_each_kind_and_refuses_one_that_does_not_fit(
    app,
    world,
    typed,  # noqa: F811
):
    lead = world.client("lead")
    response = lead.put(GOLD, json=body(PHRASE, "attribution", attributes=VALUES))
    assert response.status_code == 201, response.get_json()
    wrong = lead.put(
        GOLD, json=body(PHRASE, "attribution", attributes={**VALUES, "source_reliability": 9})
    )
    assert wrong.status_code == 422 and "source_reliability" in wrong.get_json()["error"]
    with app.app_context():
        assert db.session().get(GoldSpan, GOLD.rsplit("/", 1)[1]).attributes == VALUES
