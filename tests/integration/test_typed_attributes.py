"""Typed span attributes: defined on the settings page, given through the span API (checked by
kind, idempotent), shown in the workspace popover, and guarded when definitions change."""

from __future__ import annotations

import pytest

from annotator import db, store
from tests.integration.test_relations_api import ATTRIBUTION, SPANS, body, setup  # noqa: F401

TYPED = """source_type: named person, official body, media outlet, anonymous, document
source_reliability (scale 1..5, required): unreliable | reliable
verifiable (boolean)
paraphrase (text)
topics (multiple): politics, health"""
PHRASE = "Reuters quoted Zakharova as writing"


def define(client, label="attribution", text=TYPED, slug="news"):
    return client.post(
        f"/p/{slug}/settings",
        data={"action": "attributes", "label": label, "attributes": text},
        follow_redirects=True,
    )


def stored_values(app, span_id=ATTRIBUTION):
    from annotator.models import Span

    with app.app_context():
        return db.session().get(Span, span_id).attributes


@pytest.fixture
def typed(world, setup):  # noqa: F811
    assert "Saved." in define(world.client("lead")).get_data(as_text=True)
    return setup


def test_settings_store_typed_definitions_and_show_them_as_lines_again(app, world, typed):
    with app.app_context():
        attribution = store.labels_of(db.session(), 1)[2]
    assert [(item["name"], item["kind"], item["required"]) for item in attribution.attributes] == [
        ("source_type", "single", False),
        ("source_reliability", "scale", True),
        ("verifiable", "boolean", False),
        ("paraphrase", "text", False),
        ("topics", "multiple", False),
    ]
    page = world.client("lead").get("/p/news/settings").get_data(as_text=True)
    assert "source_reliability (scale 1..5, required): unreliable | reliable" in page


def test_a_span_takes_a_value_of_each_kind_and_a_retry_changes_nothing(app, typed):
    ana, _ben = typed
    values = {
        "source_reliability": 4,
        "verifiable": False,
        "paraphrase": "the ministry said so",
        "topics": ["health", "politics"],
    }
    url = f"{SPANS}/{ATTRIBUTION}"
    first = ana.put(url, json=body(PHRASE, "attribution", attributes=values))
    again = ana.put(url, json=body(PHRASE, "attribution", attributes=values))
    assert (first.status_code, again.status_code) == (200, 200)
    expected = {
        "source_reliability": 4,
        "verifiable": False,
        "paraphrase": "the ministry said so",
        "topics": ["politics", "health"],
    }
    assert first.json["attributes"] == expected and again.json == first.json
    assert stored_values(app) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"source_reliability": 9}, "source_reliability: 9 is outside 1 to 5"),
        ({"source_reliability": "4"}, "expected a number"),
        ({"verifiable": "no"}, "expected true or false"),
        ({"topics": "health"}, "expected a non-empty list"),
    ],
)
def test_a_value_not_of_its_kind_is_refused_naming_the_attribute_and_nothing_changes(
    app, typed, values, message
):
    ana, _ben = typed
    response = ana.put(
        f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "attribution", attributes=values)
    )
    assert response.status_code == 422
    assert message in response.json["error"] and response.json["field"] == "attributes"
    assert stored_values(app) == {}


def test_another_annotator_cannot_set_the_values_of_a_span_that_is_not_theirs(app, typed):
    _ana, ben = typed
    response = ben.put(
        f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "attribution", attributes={"verifiable": True})
    )
    assert response.status_code in (403, 404, 409)
    assert stored_values(app) == {}


def test_a_change_of_definitions_that_would_drop_a_stored_value_is_refused(app, world, typed):
    ana, _ben = typed
    values = {"source_reliability": 5}
    assert (
        ana.put(
            f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "attribution", attributes=values)
        ).status_code
        == 200
    )
    narrower = TYPED.replace("scale 1..5", "scale 1..3")
    page = define(world.client("lead"), text=narrower).get_data(as_text=True)
    assert "1 span has source_reliability = &#39;5&#39;" in page
    assert stored_values(app) == values


def test_the_workspace_popover_offers_a_field_of_each_kind(world, typed):
    ana, _ben = typed
    page = ana.get("/p/news/d/1").get_data(as_text=True)
    assert 'data-field="source_reliability" data-kind="scale" data-required' in page
    assert '<span class="scale-end">unreliable</span>' in page
    assert 'type="radio" name="attr-3-2" value="5"' in page
    assert (
        'data-field="verifiable" data-kind="boolean"' in page
        and '<option value="false">no</option>' in page
    )
    assert 'type="checkbox" name="attr-3-5" value="health"' in page
    assert '<input type="text" maxlength="10000" data-attribute="paraphrase">' in page
    assert 'select data-attribute="source_type"' in page


def test_a_required_attribute_left_empty_is_listed_with_the_span(app, typed):
    ana, _ben = typed
    page = ana.get("/p/news/d/1").get_data(as_text=True)
    assert "missing: source_reliability" in page
    ana.put(
        f"{SPANS}/{ATTRIBUTION}",
        json=body(PHRASE, "attribution", attributes={"source_reliability": 3}),
    )
    assert "missing: source_reliability" not in ana.get("/p/news/d/1").get_data(as_text=True)


def test_native_export_round_trip_of_typed_values_is_exact(app, world, runner, typed):
    import json as json_module
    from pathlib import Path

    from jsonschema import Draft202012Validator

    ana, _ben = typed
    values = {
        "source_reliability": 2,
        "verifiable": True,
        "topics": ["health"],
        "paraphrase": "é 👍",
    }
    assert (
        ana.put(
            f"{SPANS}/{ATTRIBUTION}", json=body(PHRASE, "attribution", attributes=values)
        ).status_code
        == 200
    )

    def export(slug):
        result = runner.invoke(args=["export", slug])
        assert result.exit_code == 0, result.output
        return [
            json_module.loads(line) for line in result.stdout_bytes.decode().split("\n") if line
        ]

    def attributes(records):
        return [
            (span["annotator"], span["label"], span.get("attributes"))
            for record in records
            for span in record.get("annotations", [])
        ]

    first = export("news")
    schema = json_module.loads(
        (Path(__file__).resolve().parents[2] / "docs/native.schema.json").read_text()
    )
    for record in first:
        assert not list(Draft202012Validator(schema).iter_errors(record))
    world.project("copy", manager="lead")
    assert "Saved." in define(world.client("lead"), slug="copy").get_data(as_text=True)
    world.import_jsonl("copy", first, name="news-native.jsonl")
    second = export("copy")
    assert ("ana", "attribution", dict(sorted(values.items()))) in attributes(first)
    assert attributes(second) == attributes(first)
