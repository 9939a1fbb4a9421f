"""The database itself keeps links sound: both ends in the link's document and layer, never a span
linked to itself or twice by one type, and a deleted span or type takes its links along. Written
with plain SQL, so no Python check is involved; on SQLite and PostgreSQL alike. Also the project
defaults: relation types and span attributes of a new project and of an added label."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from annotator import db, store
from annotator.annotation.relations import relation_types_of

TEXT = "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks."


@pytest.fixture
def ids(app, world):
    """ana's and ben's spans on doc-1, ana's span on doc-2, gold spans on doc-1, and the type
    attributed_to; everything a link's row needs, by name."""
    world.user("ana")
    world.user("ben")
    world.project("news", annotators=["ana", "ben"])
    world.import_jsonl("news", [{"id": "doc-1", "text": TEXT}, {"id": "doc-2", "text": TEXT}])
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        users = {name: store.user_by_name(session, name).id for name in ("ana", "ben")}
        documents = dict(session.execute(sql("SELECT external_id, id FROM document")).all())
        label = store.labels_of(session, project.id)[0].id
        found = {
            "project": project.id,
            "type": relation_types_of(session, project.id)[0].id,
            "ana": users["ana"],
            "ben": users["ben"],
            "doc1": documents["doc-1"],
            "doc2": documents["doc-2"],
        }
    spans = [
        ("span", "ana-1", "doc1", "ana"),
        ("span", "ana-2", "doc1", "ana"),
        ("span", "ana-other-doc", "doc2", "ana"),
        ("span", "ben-1", "doc1", "ben"),
        ("gold_span", "gold-1", "doc1", None),
        ("gold_span", "gold-2", "doc1", None),
        ("gold_span", "gold-other-doc", "doc2", None),
    ]
    with app.extensions["annotator.engine"].begin() as connection:
        for position, (table, span_id, document, annotator) in enumerate(spans):
            owner = ("annotator_id, ", ":annotator, ") if annotator else ("", "")
            connection.execute(
                sql(
                    f"INSERT INTO {table} (id, project_id, document_id, document_length, "
                    f'{owner[0]}label_id, start, "end", note, created_at, updated_at) VALUES '
                    f"(:id, :project, :document, :length, {owner[1]}:label, :start, :end, '', "
                    ":now, :now)"
                ),
                {
                    "id": span_id,
                    "project": found["project"],
                    "document": found[document],
                    "length": len(TEXT),
                    "annotator": found.get(annotator),
                    "label": label,
                    "start": position,  # a layer holds a label and range once
                    "end": position + 7,
                    "now": datetime.now(UTC),
                },
            )
    return found


def insert_link(app, ids, table="relation", **changes):
    values = {
        "id": "link-1",
        "project": ids["project"],
        "document": ids["doc1"],
        "annotator": ids["ana"],
        "type": ids["type"],
        "source": "ana-1" if table == "relation" else "gold-1",
        "target": "ana-2" if table == "relation" else "gold-2",
        "now": datetime.now(UTC),
    } | changes
    owner = ("annotator_id, ", ":annotator, ") if table == "relation" else ("", "")
    with app.extensions["annotator.engine"].begin() as connection:
        connection.execute(
            sql(
                f"INSERT INTO {table} (id, project_id, document_id, {owner[0]}type_id, "
                "source_id, target_id, value, created_at, updated_at) VALUES "
                f"(:id, :project, :document, {owner[1]}:type, :source, :target, NULL, :now, :now)"
            ),
            values,
        )


def count(app, table: str) -> int:
    with app.extensions["annotator.engine"].connect() as connection:
        return connection.execute(sql(f"SELECT count(*) FROM {table}")).scalar()


@pytest.mark.parametrize("table", ["relation", "gold_relation"])
def test_database_accepts_a_link_between_two_spans_of_its_layer_and_document(app, ids, table):
    insert_link(app, ids, table)
    assert count(app, table) == 1


BROKEN_LINKS = [
    pytest.param("relation", {"target": "ben-1"}, id="end of another annotator"),
    pytest.param("relation", {"target": "ana-other-doc"}, id="end in another document"),
    pytest.param("relation", {"annotator": "ben"}, id="spans not of the link's annotator"),
    pytest.param("relation", {"target": "gold-1"}, id="gold span in an annotator's link"),
    pytest.param("relation", {"target": "ana-1"}, id="span linked to itself"),
    pytest.param("relation", {"target": "nothing"}, id="missing span"),
    pytest.param("gold_relation", {"target": "gold-other-doc"}, id="gold end in another document"),
    pytest.param("gold_relation", {"target": "ana-1"}, id="annotator's span in a gold link"),
    pytest.param("gold_relation", {"target": "gold-1"}, id="gold span linked to itself"),
]


@pytest.mark.parametrize(("table", "changes"), BROKEN_LINKS)
def test_database_refuses_a_link_that_breaks_the_rules_even_without_python(
    app, ids, table, changes
):
    changes = {key: ids.get(value, value) for key, value in changes.items()}
    with pytest.raises(IntegrityError):
        insert_link(app, ids, table, **changes)
    assert count(app, table) == 0


def test_database_refuses_the_same_two_spans_linked_twice_by_one_type(app, ids):
    insert_link(app, ids)
    with pytest.raises(IntegrityError):
        insert_link(app, ids, id="link-2")
    assert count(app, "relation") == 1


@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("relation", "DELETE FROM span WHERE id = 'ana-2'"),
        ("gold_relation", "DELETE FROM gold_span WHERE id = 'gold-1'"),
        ("relation", "DELETE FROM relation_type"),
        ("gold_relation", "DELETE FROM relation_type"),
        ("relation", "DELETE FROM document"),
    ],
)
def test_deleting_a_span_type_or_document_deletes_its_links(app, ids, table, statement):
    insert_link(app, ids, table)
    with app.extensions["annotator.engine"].begin() as connection:
        connection.execute(sql(statement))
    assert count(app, table) == 0


# --- defaults ------------------------------------------------------------------------------------


def test_a_new_project_gets_the_news_relation_types_and_attributes(app, world):
    world.project("news")
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        types = [
            (t.name, t.source_labels, t.target_labels)
            for t in relation_types_of(session, project.id)
        ]
        attributes = {
            label.name: label.attributes for label in store.labels_of(session, project.id)
        }
    assert types == [
        ("attributed_to", ["claim", "evidence"], ["attribution"]),
        ("supports", ["evidence"], ["claim"]),
        ("refutes", ["evidence"], ["claim"]),
    ]
    assert attributes["attribution"] == [
        {
            "name": "source_type",
            "kind": "single",
            "required": False,
            "choices": ["named person", "official body", "media outlet", "anonymous", "document"],
        }
    ]
    assert attributes["claim"] == [
        {
            "name": "certainty",
            "kind": "single",
            "required": False,
            "choices": ["asserted", "hedged", "questioned"],
        }
    ]
    assert attributes["evidence"] == []


def test_a_project_gets_a_default_type_once_it_has_the_labels_of_both_ends(app, world):
    world.project("rumours", labels="claim,rumour")
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "rumours")
        assert relation_types_of(session, project.id) == []  # no evidence, no attribution
        store.add_label(session, project, "attribution")
        session.commit()
        types = [(t.name, t.source_labels) for t in relation_types_of(session, project.id)]
        added = store.labels_of(session, project.id)[-1]
    assert types == [("attributed_to", ["claim"])]
    assert [item["name"] for item in added.attributes] == ["source_type"]
