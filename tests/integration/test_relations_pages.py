"""Links and attributes in the pages: the workspace shows them (blind to other annotators), the
manager edits relation types and attributes in the settings without breaking stored work, and the
comparison view shows each annotator's links and values and takes them into gold."""

from __future__ import annotations

import pytest
from sqlmodel import select

from annotator import db, store
from annotator.annotation.relations import as_links, links_of, relation_types_of, relations_of
from annotator.annotation.spans import highlights_of
from annotator.models import GoldRelation, GoldSpan, Relation, Span

TEXT = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks."


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def span(annotator, label, phrase, id_, **attributes):
    start, end = at(phrase)
    item = {"id": id_, "annotator": annotator, "label": label, "start": start, "end": end}
    if attributes:
        item["attributes"] = attributes
    return item


@pytest.fixture
def study(world):
    """ana and ben both finished d1: same two spans, both linked attributed_to; ana says the
    source is a media outlet, ben a named person. Document 1."""
    world.user("lead")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    world.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": [
                    span(
                        "ana",
                        "attribution",
                        "Reuters quoted Zakharova as writing",
                        "a1",
                        source_type="media outlet",
                    ),
                    span("ana", "claim", "Kyiv was sabotaging the talks", "a2"),
                    span(
                        "ben",
                        "attribution",
                        "Reuters quoted Zakharova as writing",
                        "b1",
                        source_type="named person",
                    ),
                    span("ben", "claim", "Kyiv was sabotaging the talks", "b2"),
                ],
                "relations": [
                    {"annotator": "ana", "type": "attributed_to", "source": "a2", "target": "a1"},
                    {"annotator": "ben", "type": "attributed_to", "source": "b2", "target": "b1"},
                ],
            }
        ],
    )
    return world


def rows(app, model):
    with app.app_context():
        return db.session().exec(select(model)).all()


# --- workspace -----------------------------------------------------------------------------------


def test_workspace_lists_the_annotators_links_and_attribute_values(study):
    page = study.client("ana").get("/p/news/d/1").get_data(as_text=True)
    assert 'id="relation-list"' in page and 'data-type="attributed_to"' in page
    assert "«Kyiv was sabotaging the talks»" in page and "«Reuters quoted Zakharova" in page
    assert "source_type: media outlet" in page
    assert "named person</span>" not in page  # ben's value: blind
    assert "data-relation-types='[{" in page and '"name": "attributed_to"' in page
    assert 'select data-attribute="source_type"' in page and 'id="span-link"' in page


def test_workspace_links_are_the_annotators_relations_in_text_order(app, world):
    """The workspace reads links as plain columns (issue 15): the same links, in the same
    order, as the relations read as rows, and none of another annotator's."""
    world.user("lead")
    ana, ben = world.user("ana"), world.user("ben")
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    spans = [
        span("ana", "attribution", "Reuters quoted Zakharova", "a1"),
        span("ana", "claim", "Kyiv was sabotaging", "a2"),
        span("ana", "evidence", "the talks", "a3"),
        span("ben", "attribution", "Reuters quoted Zakharova", "b1"),
        span("ben", "claim", "Kyiv was sabotaging", "b2"),
    ]
    links = [
        ("ana", "supports", "a3", "a2"),
        ("ana", "attributed_to", "a3", "a1"),
        ("ana", "attributed_to", "a2", "a1"),
        ("ben", "attributed_to", "b2", "b1"),
    ]
    relations = [
        {"annotator": who, "type": kind, "source": source, "target": target}
        for who, kind, source, target in links
    ]
    world.import_jsonl(
        "news", [{"id": "d1", "text": TEXT, "annotations": spans, "relations": relations}]
    )
    with app.app_context():
        session = db.session()
        for user in (ana, ben):
            assert links_of(session, 1, user.id) == as_links(relations_of(session, 1, user.id))
        label = {item.id: item.label for item in highlights_of(session, 1, ana.id)}
        shown = [
            (link.type, label[link.source], label[link.target])
            for link in links_of(session, 1, ana.id)
        ]
    assert shown == [  # by the source's position, then the target's
        ("attributed_to", "claim", "attribution"),
        ("attributed_to", "evidence", "attribution"),
        ("supports", "evidence", "claim"),
    ]


def test_manager_reads_an_annotators_links_without_delete_buttons(study):
    page = study.client("lead").get("/p/news/d/1?annotator=ben").get_data(as_text=True)
    assert 'data-type="attributed_to"' in page and "named person" in page
    assert "link-delete" not in page


# --- settings ------------------------------------------------------------------------------------


def settings(client, **form):
    return client.post("/p/news/settings", data=form, follow_redirects=True)


def test_manager_edits_a_labels_attributes_on_the_settings_page(app, study):
    lead = study.client("lead")
    page = lead.get("/p/news/settings").get_data(as_text=True)
    assert "source_type: named person, official body, media outlet, anonymous, document" in page

    response = settings(
        lead,
        action="attributes",
        label="evidence",
        attributes="kind: document, photo, data\nreliability: high, low",
    )
    assert "Saved." in response.get_data(as_text=True)
    with app.app_context():
        labels = {label.name: label for label in store.labels_of(db.session(), 1)}
    assert labels["evidence"].attributes == [
        {
            "name": "kind",
            "kind": "single",
            "required": False,
            "choices": ["document", "photo", "data"],
        },
        {"name": "reliability", "kind": "single", "required": False, "choices": ["high", "low"]},
    ]


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            "source_type: named person, anonymous",
            "1 span has source_type = &#39;media outlet&#39;",
        ),
        ("", "1 span has source_type"),
        ("source type: a", "use a letter"),
        ("source_type", "write an attribute as"),
        ("source_type: a, a", "every choice must be different"),
    ],
)
def test_attribute_definitions_that_would_orphan_stored_values_or_are_malformed_are_refused(
    app, study, attributes, message
):
    response = settings(
        study.client("lead"), action="attributes", label="attribution", attributes=attributes
    )
    assert message in response.get_data(as_text=True)
    with app.app_context():
        attribution = store.labels_of(db.session(), 1)[2]
    assert [item["name"] for item in attribution.attributes] == ["source_type"]
    assert len(attribution.attributes[0]["choices"]) == 5


def test_manager_adds_changes_and_deletes_relation_types(app, study):
    lead = study.client("lead")
    added = settings(
        lead,
        action="relation_type",
        name="quotes",
        source_labels=["attribution"],
        target_labels=["claim", "evidence"],
        choices="verbatim, paraphrase",
    )
    assert "Saved." in added.get_data(as_text=True)
    renamed = settings(
        lead,
        action="relation_type",
        original="supports",
        name="backs",
        source_labels=["evidence"],
        target_labels=["claim"],
        choices="",
    )
    assert "Saved." in renamed.get_data(as_text=True)
    deleted = settings(lead, action="relation_type_delete", name="refutes")
    assert "Saved." in deleted.get_data(as_text=True)
    with app.app_context():
        types = [
            (t.name, t.source_labels, t.target_labels, t.choices)
            for t in relation_types_of(db.session(), 1)
        ]
    assert types == [
        ("attributed_to", ["claim", "evidence"], ["attribution"], []),
        ("backs", ["evidence"], ["claim"], []),
        ("quotes", ["attribution"], ["claim", "evidence"], ["verbatim", "paraphrase"]),
    ]


def test_a_relation_type_change_that_breaks_stored_links_is_refused(app, study):
    response = settings(
        study.client("lead"),
        action="relation_type",
        original="attributed_to",
        name="attributed_to",
        source_labels=["evidence"],
        target_labels=["attribution"],
        choices="",
    )
    assert "2 attributed_to links go from a claim span" in response.get_data(as_text=True)
    with app.app_context():
        assert relation_types_of(db.session(), 1)[0].source_labels == ["claim", "evidence"]


def test_deleting_a_relation_type_with_links_needs_the_confirmation_and_takes_them(app, study):
    lead = study.client("lead")
    refused = settings(lead, action="relation_type_delete", name="attributed_to")
    assert "has 2 links" in refused.get_data(as_text=True)
    assert len(rows(app, Relation)) == 2
    settings(lead, action="relation_type_delete", name="attributed_to", confirm="on")
    assert rows(app, Relation) == []
    assert len(rows(app, Span)) == 4


@pytest.mark.parametrize("who", ["ana", "ben"])
def test_annotators_cannot_change_relation_types(app, study, who):
    response = study.client(who).post(
        "/p/news/settings", data={"action": "relation_type_delete", "name": "supports"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert len(relation_types_of(db.session(), 1)) == 3


# --- comparison and adjudication -----------------------------------------------------------------


def test_comparison_shows_each_annotators_links_and_attribute_values(study):
    page = study.client("lead").get("/p/news/compare/1").get_data(as_text=True)
    assert 'id="link-rows"' in page and 'class="link-row agree"' in page
    assert "source_type: media outlet" in page and "source_type: named person" in page
    assert page.count("accept-link") == 2


def test_accepting_a_link_takes_it_and_its_spans_into_gold_once(app, study):
    lead = study.client("lead")
    first, second = rows(app, Relation)  # ana's and ben's identical links
    for relation in (first, second, first):
        response = lead.post(
            "/p/news/compare/1/accept-relation",
            data={"relation_id": relation.id, "add_spans": "yes"},
        )
        assert response.status_code == 302
    (gold_link,) = rows(app, GoldRelation)
    gold = {g.id: g for g in rows(app, GoldSpan)}
    assert len(gold) == 2
    source, target = gold[gold_link.source_id], gold[gold_link.target_id]
    assert TEXT[source.start : source.end] == "Kyiv was sabotaging the talks"
    assert TEXT[target.start : target.end] == "Reuters quoted Zakharova as writing"
    page = lead.get("/p/news/compare/1").get_data(as_text=True)
    assert "accept-link" not in page and "1 link" in page


def test_using_one_annotators_attributes_sets_them_on_the_gold_span(app, study):
    lead = study.client("lead")
    ben_attribution = next(
        s for s in rows(app, Span) if s.attributes.get("source_type") == "named person"
    )
    ana_attribution = next(
        s for s in rows(app, Span) if s.attributes.get("source_type") == "media outlet"
    )
    lead.post("/p/news/compare/1/accept", data={"span_id": ana_attribution.id})
    assert [g.attributes for g in rows(app, GoldSpan)] == [{"source_type": "media outlet"}]
    page = lead.get("/p/news/compare/1").get_data(as_text=True)
    assert page.count("Use these attributes") == 1  # ben's differ from gold's

    lead.post("/p/news/compare/1/accept-attributes", data={"span_id": ben_attribution.id})
    assert [g.attributes for g in rows(app, GoldSpan)] == [{"source_type": "named person"}]


def test_accept_agreed_takes_the_links_k_annotators_share(app, study):
    lead = study.client("lead")
    lead.post("/p/news/compare/1/accept-agreed", data={"at_least": "2"})
    assert len(rows(app, GoldSpan)) == 2
    (gold_link,) = rows(app, GoldRelation)
    gold_attribution = next(g for g in rows(app, GoldSpan) if g.id == gold_link.target_id)
    assert gold_attribution.attributes == {}  # ana and ben disagree on the source type


def test_manager_deletes_a_gold_link_on_the_comparison_page(app, study):
    lead = study.client("lead")
    lead.post("/p/news/compare/1/accept-agreed", data={"at_least": "2"})
    (gold_link,) = rows(app, GoldRelation)
    lead.post(f"/p/news/compare/1/gold-relation/{gold_link.id}", data={"action": "delete"})
    assert rows(app, GoldRelation) == [] and len(rows(app, GoldSpan)) == 2


def test_gold_relation_api_is_idempotent_and_checks_the_gold_spans(app, study):
    lead = study.client("lead")
    lead.post("/p/news/compare/1/accept-agreed", data={"at_least": "2"})
    claim, attribution = sorted(rows(app, GoldSpan), key=lambda g: -g.start)
    url = "/api/projects/news/documents/1/gold-relations/gold-link-00000001"
    payload = {"type": "supports", "source": attribution.id, "target": claim.id}
    assert lead.put(url, json=payload).status_code == 422  # an attribution cannot support
    payload = {"type": "attributed_to", "source": claim.id, "target": attribution.id}
    assert lead.put(url, json=payload).status_code == 409  # accept-agreed linked them already
    lead.delete(f"/api/projects/news/documents/1/gold-relations/{rows(app, GoldRelation)[0].id}")
    assert lead.put(url, json=payload).status_code == 201
    assert lead.put(url, json=payload).status_code == 200
    listed = lead.get("/api/projects/news/documents/1/gold-relations").json["relations"]
    assert [(r["id"], r["type"]) for r in listed] == [("gold-link-00000001", "attributed_to")]
    assert (
        study.client("ana").get("/api/projects/news/documents/1/gold-relations").status_code == 403
    )


def test_gold_workspace_shows_gold_links_for_editing(study):
    lead = study.client("lead")
    lead.post("/p/news/compare/1/accept-agreed", data={"at_least": "2"})
    page = lead.get("/p/news/d/1/gold").get_data(as_text=True)
    assert 'data-relations-url="/api/projects/news/documents/1/gold-relations"' in page
    assert 'data-type="attributed_to"' in page and "link-delete" in page


# --- import ----------------------------------------------------------------------------------


def test_an_import_with_a_broken_link_stores_nothing_and_names_the_field(app, study):
    from annotator.errors import ImportRejected

    line = {
        "id": "d2",
        "text": TEXT,
        "annotations": [span("ana", "claim", "Kyiv was sabotaging the talks", "x1")],
        "relations": [
            {"annotator": "ana", "type": "attributed_to", "source": "x1", "target": "x9"}
        ],
    }
    before = (len(rows(app, Span)), len(rows(app, Relation)))
    with pytest.raises(ImportRejected, match=r"relations\[0\]\.target"):
        study.import_jsonl("news", [line], name="broken.jsonl")
    assert (len(rows(app, Span)), len(rows(app, Relation))) == before


def test_an_import_reports_the_links_it_stored(study):
    summary = study.import_jsonl(
        "news",
        [
            {
                "id": "d3",
                "text": TEXT,
                "annotations": [
                    span("ana", "claim", "Kyiv was sabotaging the talks", "x1"),
                    span("ana", "attribution", "Reuters quoted Zakharova as writing", "x2"),
                ],
                "relations": [
                    {"annotator": "ana", "type": "attributed_to", "source": "x1", "target": "x2"}
                ],
            }
        ],
        name="more.jsonl",
    )
    assert str(summary) == "imported 1 document, 2 spans, 1 link"


def test_agreement_page_and_cli_show_link_and_attribute_agreement(world, runner):
    world.user("lead")
    world.project("linked", manager="lead")
    text = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks."
    source = text.index("Reuters quoted Zakharova as writing")
    claim = text.index("Kyiv was sabotaging the talks")

    def spans_of(name, source_type):
        return [
            {
                "id": f"{name}-a",
                "annotator": name,
                "label": "attribution",
                "start": source,
                "end": source + len("Reuters quoted Zakharova as writing"),
                "attributes": {"source_type": source_type},
            },
            {
                "id": f"{name}-c",
                "annotator": name,
                "label": "claim",
                "start": claim,
                "end": claim + len("Kyiv was sabotaging the talks"),
            },
        ]

    world.import_jsonl(
        "linked",
        [
            {
                "id": "l1",
                "text": text,
                "annotations": spans_of("ana", "media outlet") + spans_of("ben", "media outlet"),
                "relations": [
                    {
                        "id": f"{n}-r",
                        "annotator": n,
                        "type": "attributed_to",
                        "source": f"{n}-c",
                        "target": f"{n}-a",
                    }
                    for n in ("ana", "ben")
                ],
            }
        ],
    )
    page = world.client("lead").get("/p/linked/agreement").get_data(as_text=True)
    assert 'id="relation-pairs"' in page and "attributed_to" in page
    assert 'id="attribute-agreement"' in page and "attribution.source_type" in page
    table = runner.invoke(args=["agreement", "linked", "--bootstrap", "0"]).output
    assert "Links (attributed_to)" in table and "attribution.source_type" in table
