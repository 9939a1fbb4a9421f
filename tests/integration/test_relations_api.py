"""Relations and span attributes through the JSON API: idempotent, validated, authorized, blind,
and a deleted span takes its links with it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from annotator import db
from annotator.models import Relation, Span

TEXT = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks 👩\u200d👩\u200d👧."
SPANS = "/api/projects/news/documents/1/spans"
RELATIONS = "/api/projects/news/documents/1/relations"
ATTRIBUTION = "a0000000-0000-4000-8000-000000000001"
CLAIM = "c0000000-0000-4000-8000-000000000001"
EVIDENCE = "e0000000-0000-4000-8000-000000000001"
LINK = "l0000000-0000-4000-8000-000000000001"


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def body(phrase: str, label: str, **extra) -> dict:
    start, end = at(phrase)
    return {"label": label, "start": start, "end": end, "text": phrase, **extra}


@pytest.fixture
def setup(world):
    world.user("lead")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    ana, ben = world.client("ana"), world.client("ben")
    for client in (ana, ben):
        assert client.post("/p/news/next").status_code == 302
    for span_id, phrase, label in (
        (ATTRIBUTION, "Reuters quoted Zakharova as writing", "attribution"),
        (CLAIM, "Kyiv was sabotaging the talks", "claim"),
        (EVIDENCE, "👩\u200d👩\u200d👧", "evidence"),
    ):
        assert ana.put(f"{SPANS}/{span_id}", json=body(phrase, label)).status_code == 201
    return ana, ben


def stored(app) -> list[tuple]:
    with app.app_context():
        rows = db.session().exec(select(Relation).order_by(Relation.id)).all()
        return [(r.id, r.source_id, r.target_id, r.value) for r in rows]


def link(source=CLAIM, target=ATTRIBUTION, type_="attributed_to", **extra) -> dict:
    return {"type": type_, "source": source, "target": target, **extra}


def test_put_creates_a_link_and_a_retry_does_not_duplicate_it(app, setup):
    ana, _ben = setup
    first = ana.put(f"{RELATIONS}/{LINK}", json=link())
    again = ana.put(f"{RELATIONS}/{LINK}", json=link())

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json | {"created_at": None, "updated_at": None} == {
        "id": LINK,
        "type": "attributed_to",
        "source": CLAIM,
        "target": ATTRIBUTION,
        "value": None,
        "created_at": None,
        "updated_at": None,
    }
    assert stored(app) == [(LINK, CLAIM, ATTRIBUTION, None)]
    listed = ana.get(RELATIONS).json
    assert [(r["type"], r["source"], r["target"]) for r in listed["relations"]] == [
        ("attributed_to", CLAIM, ATTRIBUTION)
    ]


def test_put_with_new_values_changes_the_type_and_ends(app, setup):
    ana, _ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())
    changed = ana.put(f"{RELATIONS}/{LINK}", json=link(EVIDENCE, CLAIM, "refutes"))
    assert changed.status_code == 200 and changed.json["type"] == "refutes"
    assert stored(app) == [(LINK, EVIDENCE, CLAIM, None)]


def test_delete_is_idempotent(app, setup):
    ana, _ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())
    assert ana.delete(f"{RELATIONS}/{LINK}").json == {"deleted": True}
    assert ana.delete(f"{RELATIONS}/{LINK}").json == {"deleted": False}
    assert stored(app) == []


BAD_LINKS = [
    pytest.param(link(type_="invented"), "type", "unknown relation type", id="unknown type"),
    pytest.param(
        link(ATTRIBUTION, CLAIM), "source", "starts at a claim or evidence", id="wrong direction"
    ),
    pytest.param(
        link(EVIDENCE, ATTRIBUTION, "supports"), "target", "ends at a claim", id="wrong target"
    ),
    pytest.param(link(CLAIM, CLAIM), "target", "itself", id="span linked to itself"),
    pytest.param(link(target="nothing-here-123"), "target", "not one of your", id="missing span"),
    pytest.param(link(value="certain"), "value", "takes no values", id="value not offered"),
    pytest.param({"type": "attributed_to"}, "source", "not one of your", id="ends missing"),
]


@pytest.mark.parametrize(("payload", "field", "message"), BAD_LINKS)
def test_bad_link_is_refused_with_a_clear_message_and_nothing_changes(
    app, setup, payload, field, message
):
    ana, _ben = setup
    response = ana.put(f"{RELATIONS}/{LINK}", json=payload)
    assert response.status_code == 422
    assert response.json["field"] == field and message in response.json["error"]
    assert stored(app) == []


def test_the_same_two_spans_are_linked_once_per_type(app, setup):
    ana, _ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())
    twin = ana.put(f"{RELATIONS}/l0000000-0000-4000-8000-000000000002", json=link())
    assert twin.status_code == 409 and "already linked" in twin.json["error"]
    assert len(stored(app)) == 1


def test_another_annotators_spans_cannot_be_linked_and_their_links_stay_hidden(app, setup):
    ana, ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())

    refused = ben.put(f"{RELATIONS}/l0000000-0000-4000-8000-000000000009", json=link())
    taken = ben.put(f"{RELATIONS}/{LINK}", json=link())
    deleted = ben.delete(f"{RELATIONS}/{LINK}")

    assert refused.status_code == 422 and "not one of your spans" in refused.json["error"]
    assert taken.status_code == 404  # another's link id: not found, whatever the payload
    assert deleted.status_code == 404
    assert ben.get(RELATIONS).json["relations"] == []
    assert ben.get(f"{RELATIONS}?annotator=ana").status_code == 404  # blind
    assert stored(app) == [(LINK, CLAIM, ATTRIBUTION, None)]


def test_manager_reads_an_annotators_links_by_name(setup, world):
    ana, _ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())
    lead = world.client("lead")
    listed = lead.get(f"{RELATIONS}?annotator=ana").json
    assert listed["annotator"] == "ana" and len(listed["relations"]) == 1


def test_deleting_a_span_deletes_its_links(app, setup):
    ana, _ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())
    ana.put(
        f"{RELATIONS}/l0000000-0000-4000-8000-000000000002",
        json=link(EVIDENCE, CLAIM, "supports"),
    )
    assert ana.delete(f"{SPANS}/{CLAIM}").status_code == 200
    assert stored(app) == []
    with app.app_context():
        assert len(db.session().exec(select(Span)).all()) == 2


def test_relabelling_a_linked_span_so_a_link_no_longer_fits_is_refused(app, setup):
    ana, _ben = setup
    ana.put(f"{RELATIONS}/{LINK}", json=link())
    refused = ana.put(f"{SPANS}/{ATTRIBUTION}", json=body(*_attribution("claim")))
    allowed = ana.put(f"{SPANS}/{CLAIM}", json=body("Kyiv was sabotaging the talks", "evidence"))
    assert refused.status_code == 409 and "delete the link first" in refused.json["error"]
    assert allowed.status_code == 200  # evidence may be attributed_to an attribution too
    assert stored(app) == [(LINK, CLAIM, ATTRIBUTION, None)]


def _attribution(label):
    return "Reuters quoted Zakharova as writing", label


# --- span attributes ---------------------------------------------------------------------------


def test_span_attributes_are_saved_listed_and_kept_when_a_put_leaves_them_out(app, setup):
    ana, _ben = setup
    phrase = "Reuters quoted Zakharova as writing"
    saved = ana.put(
        f"{SPANS}/{ATTRIBUTION}",
        json=body(phrase, "attribution", attributes={"source_type": "media outlet"}),
    )
    note_only = ana.put(f"{SPANS}/{ATTRIBUTION}", json=body(phrase, "attribution", note="wire"))

    assert saved.json["attributes"] == {"source_type": "media outlet"}
    assert note_only.json["attributes"] == {"source_type": "media outlet"}
    listed = {s["id"]: s["attributes"] for s in ana.get(SPANS).json["spans"]}
    assert listed[ATTRIBUTION] == {"source_type": "media outlet"}
    assert listed[CLAIM] == {}


def test_an_empty_or_null_attribute_value_clears_it(setup):
    ana, _ben = setup
    phrase = "Kyiv was sabotaging the talks"
    ana.put(f"{SPANS}/{CLAIM}", json=body(phrase, "claim", attributes={"certainty": "hedged"}))
    for cleared in ({"certainty": None}, {"certainty": ""}, {}):
        response = ana.put(f"{SPANS}/{CLAIM}", json=body(phrase, "claim", attributes=cleared))
        assert response.json["attributes"] == {}


BAD_ATTRIBUTES = [
    pytest.param({"certainty": "sure"}, "must be one of asserted, hedged", id="unknown choice"),
    pytest.param({"source_type": "document"}, "unknown attribute", id="attribute of another label"),
    pytest.param(["hedged"], "must be an object", id="not an object"),
    pytest.param({"certainty": 3}, "must be one of", id="not text"),
]


@pytest.mark.parametrize(("attributes", "message"), BAD_ATTRIBUTES)
def test_attribute_values_outside_the_labels_choices_are_refused(setup, attributes, message):
    ana, _ben = setup
    phrase = "Kyiv was sabotaging the talks"
    response = ana.put(f"{SPANS}/{CLAIM}", json=body(phrase, "claim", attributes=attributes))
    assert response.status_code == 422 and message in response.json["error"]
    assert response.json["field"] == "attributes"
    assert {s["id"]: s["attributes"] for s in ana.get(SPANS).json["spans"]}[CLAIM] == {}


def test_relabelling_keeps_only_the_attributes_the_new_label_defines(setup, world):
    ana, _ben = setup
    phrase = "Kyiv was sabotaging the talks"
    ana.put(f"{SPANS}/{CLAIM}", json=body(phrase, "claim", attributes={"certainty": "hedged"}))
    relabelled = ana.put(f"{SPANS}/{CLAIM}", json=body(phrase, "evidence"))
    assert relabelled.status_code == 200 and relabelled.json["attributes"] == {}
