"""Managing labels, span attributes and relation types while a study runs: renames follow into
spans, gold and relation types in one transaction; deletes are refused while in use unless
confirmed; a page opened before a rename still saves; every change is in the activity log."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from annotator import db, store
from annotator.annotation.relations import relation_types_of
from annotator.models import Activity, GoldRelation, GoldSpan, Label, Relation, Span

TEXT = "Захарова said «саботирует» and مفاوضات بلا نتيجة 👩\u200d👩\u200d👧 today."
SPANS = "/api/projects/news/documents/1/spans"
LINKS = "/api/projects/news/documents/1/relations"
GOLD = "/api/projects/news/documents/1/gold"
CLAIM_ID = "0d7f6c1e-1111-4a4a-9e9e-000000000001"
SOURCE_ID = "0d7f6c1e-1111-4a4a-9e9e-000000000002"
GOLD_ID = "0d7f6c1e-1111-4a4a-9e9e-000000000003"
LINK_ID = "0d7f6c1e-1111-4a4a-9e9e-000000000004"


def body(start: int, end: int, label: str, **extra) -> dict:
    return {"label": label, "start": start, "end": end, "text": TEXT[start:end], **extra}


@pytest.fixture
def study(world):
    """ana has a claim linked to an attribution (with values), gold has a claim."""
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    ana, lead = world.client("ana"), world.client("lead")
    assert ana.post("/p/news/next").status_code == 302
    claim = ana.put(f"{SPANS}/{CLAIM_ID}", json=body(14, 26, "claim"))
    assert claim.status_code == 201, claim.json
    source = ana.put(
        f"{SPANS}/{SOURCE_ID}",
        json=body(0, 8, "attribution", attributes={"source_type": "named person"}),
    )
    assert source.status_code == 201, source.json
    link = ana.put(
        f"{LINKS}/{LINK_ID}",
        json={"type": "attributed_to", "source": CLAIM_ID, "target": SOURCE_ID},
    )
    assert link.status_code == 201, link.json
    gold = lead.put(f"{GOLD}/{GOLD_ID}", json=body(14, 26, "claim"))
    assert gold.status_code == 201, gold.json
    return ana, lead


def text_of(response) -> str:
    """The page as a reader sees it (quotes unescaped)."""
    return html.unescape(response.get_data(as_text=True))


def settings(client, **form):
    return client.post("/p/news/settings", data=form, follow_redirects=True)


def labels(app) -> dict[str, Label]:
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        return {label.name: label for label in store.labels_of(session, project.id)}


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session().execute(query).scalar_one()


def log(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session().execute(
            select(Activity.actor, Activity.action, Activity.detail).order_by(Activity.id)
        )
        return [tuple(row) for row in rows]


def test_renaming_a_label_carries_spans_gold_and_relation_types_along(app, study):
    ana, lead = study
    before = labels(app)["claim"].id

    page = settings(lead, action="label_rename", label="claim", name="assertion")

    assert page.status_code == 200
    after = labels(app)
    assert "claim" not in after and after["assertion"].id == before
    assert [s["label"] for s in ana.get(SPANS).json["spans"]] == ["attribution", "assertion"]
    assert [s["label"] for s in lead.get(GOLD).json["gold"]] == ["assertion"]
    with app.app_context():
        session = db.session()
        types = {t.name: t for t in relation_types_of(session, after["assertion"].project_id)}
    assert types["attributed_to"].source_labels == ["assertion", "evidence"]
    assert types["supports"].target_labels == ["assertion"]
    assert count(app, Relation) == 1
    assert log(app)[-1] == (
        "lead",
        "label_rename",
        "renamed label 'claim' to 'assertion'; relation types attributed_to, supports, "
        "refutes follow",
    )


def test_a_save_from_a_page_opened_before_the_rename_lands_on_the_renamed_label(app, study):
    ana, lead = study
    settings(lead, action="label_rename", label="claim", name="assertion")

    # the annotator's open workspace (or their save queue) still says "claim"
    moved = ana.put(f"{SPANS}/{CLAIM_ID}", json=body(14, 26, "claim", note="still here"))
    new = ana.put(f"{SPANS}/0d7f6c1e-1111-4a4a-9e9e-000000000009", json=body(27, 30, "claim"))

    assert moved.status_code == 200 and moved.json["label"] == "assertion"
    assert new.status_code == 201 and new.json["label"] == "assertion"
    assert moved.json["note"] == "still here"
    assert count(app, Span, label_id=labels(app)["assertion"].id) == 2


def test_an_old_name_taken_by_a_new_label_means_the_new_label(app, study):
    ana, lead = study
    settings(lead, action="label_rename", label="claim", name="assertion")
    settings(lead, action="label", name="claim")

    saved = ana.put(f"{SPANS}/0d7f6c1e-1111-4a4a-9e9e-000000000009", json=body(27, 30, "claim"))

    assert saved.status_code == 201 and saved.json["label"] == "claim"
    assert count(app, Span, label_id=labels(app)["claim"].id) == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [("evidence", "already exists"), ("   ", "1 to 64 characters"), ("x" * 65, "1 to 64")],
)
def test_a_rename_to_a_taken_or_empty_name_is_refused_and_changes_nothing(app, study, name, reason):
    _ana, lead = study

    page = settings(lead, action="label_rename", label="claim", name=name)

    assert reason in text_of(page)
    assert set(labels(app)) == {"claim", "evidence", "attribution"}
    assert [action for _, action, _ in log(app)] == []


def test_deleting_a_used_label_is_refused_with_the_count_until_confirmed(app, study):
    _ana, lead = study
    for name in ("supports", "refutes"):  # they allow only claim at their target
        settings(lead, action="relation_type_delete", name=name)
    # the settings page shows the count before any attempt
    shown = lead.get("/p/news/settings").get_data(as_text=True)
    assert "used by 1 span and 1 gold span (1 link with them)" in shown

    refused = settings(lead, action="label_delete", label="claim")

    text = text_of(refused)
    assert "claim is used by 1 span and 1 gold span (1 link with them)" in text
    assert "claim" in labels(app) and count(app, Span) == 2 and count(app, GoldSpan) == 1


def test_a_confirmed_delete_takes_the_spans_gold_and_links_with_it(app, study):
    _ana, lead = study
    # supports and refutes allow only claim at their target: they go first
    for name in ("supports", "refutes"):
        settings(lead, action="relation_type_delete", name=name)

    settings(lead, action="label_delete", label="claim", confirm="on")

    assert "claim" not in labels(app)
    assert [label.position for label in labels(app).values()] == [0, 1]
    assert count(app, Span) == 1 and count(app, GoldSpan) == 0
    assert count(app, Relation) == 0 and count(app, GoldRelation) == 0
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        types = {t.name: t for t in relation_types_of(session, project.id)}
    assert types["attributed_to"].source_labels == ["evidence"]
    assert log(app)[-1][1:] == (
        "label_delete",
        "deleted label 'claim' with 1 span and 1 gold span (1 link with them)",
    )


def test_a_label_a_relation_type_needs_alone_cannot_be_deleted(app, study):
    _ana, lead = study

    page = settings(lead, action="label_delete", label="attribution", confirm="on")

    assert "relation type 'attributed_to' allows only attribution spans at its target" in (
        text_of(page)
    )
    assert "attribution" in labels(app) and count(app, Span) == 2


def test_recolour_reorder_shortcut_and_description_show_in_the_workspace(app, study):
    ana, lead = study
    settings(lead, action="label_color", label="claim", color="#123ABC")
    settings(lead, action="label_move", label="attribution", direction="up")
    settings(lead, action="label_shortcut", label="claim", shortcut="c")
    settings(lead, action="label_description", label="claim", description="A checkable statement")

    current = labels(app)
    assert current["claim"].color == "#123abc"
    assert list(current) == ["claim", "attribution", "evidence"]
    assert current["claim"].shortcut == "c"
    page = ana.get("/p/news/d/1").get_data(as_text=True)
    assert 'data-key="c" title="A checkable statement"' in page
    assert page.index('data-label="attribution"') < page.index('data-label="evidence"')
    assert "#123abc" in ana.get("/p/news/labels.css").get_data(as_text=True)
    assert [action for _, action, _ in log(app)] == [
        "label_color",
        "label_move",
        "label_shortcut",
        "label_description",
    ]


@pytest.mark.parametrize(
    ("key", "reason"),
    [("2", "already the key of 'evidence'"), ("L", "other than L"), ("ab", "one letter")],
)
def test_a_shortcut_taken_reserved_or_too_long_is_refused(app, study, key, reason):
    _ana, lead = study

    page = settings(lead, action="label_shortcut", label="claim", shortcut=key)

    assert reason in text_of(page)
    assert labels(app)["claim"].shortcut == "1"


def test_renaming_an_attribute_moves_the_values_on_spans(app, study):
    ana, lead = study

    settings(lead, action="attribute_rename", label="attribution", attribute="source_type",
             name="source_kind")  # fmt: skip

    assert labels(app)["attribution"].attributes[0]["name"] == "source_kind"
    spans = {s["label"]: s for s in ana.get(SPANS).json["spans"]}
    assert spans["attribution"]["attributes"] == {"source_kind": "named person"}
    assert "(1 span value followed)" in log(app)[-1][2]


def test_deleting_an_attribute_with_values_needs_confirmation(app, study):
    ana, lead = study
    form = {"action": "attribute_delete", "label": "attribution", "attribute": "source_type"}

    refused = settings(lead, **form)
    assert "1 span of attribution has a value for source_type" in text_of(refused)
    assert labels(app)["attribution"].attributes != []

    settings(lead, **form, confirm="on")
    assert labels(app)["attribution"].attributes == []
    spans = {s["label"]: s for s in ana.get(SPANS).json["spans"]}
    assert spans["attribution"]["attributes"] == {}


def test_an_attribute_description_survives_editing_the_attribute_lines(app, study):
    _ana, lead = study
    settings(lead, action="attribute_description", label="claim", attribute="certainty",
             description="How sure the speaker is")  # fmt: skip

    settings(lead, action="attributes", label="claim",
             attributes="certainty: asserted, hedged, questioned, denied")  # fmt: skip

    (definition,) = labels(app)["claim"].attributes
    assert definition["description"] == "How sure the speaker is"
    assert definition["choices"][-1] == "denied"


def test_a_renamed_relation_type_still_takes_links_under_its_old_name(app, study):
    ana, lead = study
    settings(
        lead,
        action="relation_type",
        original="attributed_to",
        name="said_by",
        source_labels=["claim", "evidence"],
        target_labels="attribution",
        choices="",
    )
    ana.delete(f"{LINKS}/{LINK_ID}")

    saved = ana.put(
        f"{LINKS}/{LINK_ID}",
        json={"type": "attributed_to", "source": CLAIM_ID, "target": SOURCE_ID},
    )

    assert saved.status_code == 201, saved.json
    assert saved.json["type"] == "said_by"
    assert "'said_by' (was 'attributed_to')" in log(app)[-1][2]


def test_relation_types_reorder_and_show_their_link_counts(app, study):
    _ana, lead = study

    settings(lead, action="relation_type_move", name="refutes", direction="up")
    settings(lead, action="relation_type_description", name="refutes", description="contradicts")

    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        types = relation_types_of(session, project.id)
    assert [t.name for t in types] == ["attributed_to", "refutes", "supports"]
    assert types[1].description == "contradicts"
    page = lead.get("/p/news/settings").get_data(as_text=True)
    assert "1 link</span>" in page and "0 links</span>" in page


def test_the_activity_log_is_for_managers_and_lists_who_did_what(app, study):
    ana, lead = study
    settings(lead, action="label_rename", label="evidence", name="support")

    page = lead.get("/p/news/activity")
    refused = ana.get("/p/news/activity")

    assert page.status_code == 200
    text = text_of(page)
    assert "renamed label 'evidence' to 'support'" in text and "lead" in text
    assert refused.status_code in (403, 404)
    assert settings(ana, action="label_rename", label="support", name="x").status_code in (
        403,
        404,
    )
    assert "support" in labels(app)


def test_an_unknown_settings_action_is_refused_and_logs_nothing(app, study):
    _ana, lead = study

    page = settings(lead, action="label_explode", label="claim")

    assert "unknown settings action" in text_of(page)
    assert log(app) == []
