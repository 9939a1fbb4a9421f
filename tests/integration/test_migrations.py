"""The schema: a database made by the first version upgrades without loss, ``init-db`` can run
any number of times, and the database itself refuses spans, documents and relations that break
the rules.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from annotator import create_app, db, store, throwaway
from annotator.annotation.relations import relation_types_of
from annotator.models import Document

BACKENDS = [
    b for b in os.environ.get("ANNOTATOR_TEST_DATABASES", "sqlite,postgresql").split(",") if b
]
FIRST_SCHEMA = "0001"
TEXT = "Захарова 👨\u200d👩\u200d👧 said the minister lied.\nשלום"


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path):
    """A database with no tables at all (the shared ``database_url`` is already migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    try:
        with throwaway.postgres_database("annotator_migration") as url:
            yield url
    except throwaway.NoServer as error:
        pytest.skip(f"PostgreSQL pass skipped: {error}")


def _json(value):
    """A JSON column as read with plain SQL: text on SQLite, decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def _head(engine) -> str:
    return ScriptDirectory.from_config(db.alembic_config(engine)).get_current_head()


def _insert_first_schema_rows(engine) -> None:
    """Rows written with SQL as version 0001 wrote them, not through today's models."""
    now = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    with engine.begin() as connection:

        def run(statement: str, **values) -> None:
            connection.execute(sql(statement), values)

        run(
            'INSERT INTO "user" (id, username, password_hash, is_admin, created_at) '
            "VALUES (1, 'mia', :hash, :yes, :now), (2, 'ana', NULL, :no, :now)",
            hash=store.hash_password("password-123"),
            yes=True,
            no=False,
            now=now,
        )
        run(
            "INSERT INTO project (id, slug, name, guidelines, overlap, snap_to_words, "
            "comparison_open, created_at) "
            "VALUES (1, 'old', 'Old project', '# Guide', 2, :yes, :no, :now)",
            yes=True,
            no=False,
            now=now,
        )
        run("INSERT INTO membership (project_id, user_id, role) VALUES (1, 1, 'manager')")
        run("INSERT INTO membership (project_id, user_id, role) VALUES (1, 2, 'annotator')")
        run(
            "INSERT INTO label (id, project_id, name, color, shortcut, position) "
            "VALUES (1, 1, 'claim', '#e45756', '1', 0)"
        )
        run(
            "INSERT INTO document (id, project_id, external_id, title, text, length, url, meta, "
            "position, created_at) VALUES (1, 1, 'old-1', 'An old article', :text, :length, "
            "'https://news.example/old', :meta, 0, :now)",
            text=TEXT,
            length=len(TEXT),
            meta='{"lang": "ru"}',
            now=now,
        )
        run(
            "INSERT INTO assignment (document_id, user_id, project_id, status, assigned_at, "
            "updated_at, done_at) VALUES (1, 2, 1, 'done', :now, :now, :now)",
            now=now,
        )
        start = TEXT.index("the minister lied")
        run(
            "INSERT INTO span (id, project_id, document_id, document_length, annotator_id, "
            'label_id, start, "end", note, created_at, updated_at) VALUES '
            "('00000000-0000-4000-8000-000000000001', 1, 1, :length, 2, 1, :start, :end, "
            "'first note', :now, :now)",
            length=len(TEXT),
            start=start,
            end=start + len("the minister lied"),
            now=now,
        )
        # A news project with the three default labels, a span of each and a gold span.
        run(
            "INSERT INTO project (id, slug, name, guidelines, overlap, snap_to_words, "
            "comparison_open, created_at) VALUES (2, 'wire', 'Wire', '', 1, :yes, :no, :now)",
            yes=True,
            no=False,
            now=now,
        )
        for label_id, name in ((2, "claim"), (3, "evidence"), (4, "attribution")):
            run(
                "INSERT INTO label (id, project_id, name, color, shortcut, position) "
                "VALUES (:id, 2, :name, '#e45756', NULL, :id)",
                id=label_id,
                name=name,
            )
        run(
            "INSERT INTO document (id, project_id, external_id, title, text, length, url, meta, "
            "position, created_at) VALUES (2, 2, 'wire-1', NULL, :text, :length, NULL, '{}', 0, "
            ":now)",
            text=TEXT,
            length=len(TEXT),
            now=now,
        )
        for span_id, label_id in (("w-claim", 2), ("w-evidence", 3), ("w-attribution", 4)):
            run(
                "INSERT INTO span (id, project_id, document_id, document_length, annotator_id, "
                'label_id, start, "end", note, created_at, updated_at) VALUES '
                "(:id, 2, 2, :length, 2, :label, 0, 8, '', :now, :now)",
                id=span_id,
                label=label_id,
                length=len(TEXT),
                now=now,
            )
        run(
            "INSERT INTO gold_span (id, project_id, document_id, document_length, label_id, "
            'start, "end", note, curator_id, source_span_id, created_at, updated_at) VALUES '
            "('w-gold', 2, 2, :length, 2, 0, 8, 'kept', 1, NULL, :now, :now)",
            length=len(TEXT),
            now=now,
        )


def test_database_made_by_the_first_schema_upgrades_to_head_with_its_data(empty_database_url):
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    assert db.current_revision(engine) == FIRST_SCHEMA
    _insert_first_schema_rows(engine)

    db.upgrade(engine, "head")

    assert db.current_revision(engine) == _head(engine)
    with engine.connect() as connection:
        document = connection.execute(
            sql("SELECT text, length, title, meta FROM document WHERE external_id = 'old-1'")
        ).one()
        span = connection.execute(
            sql('SELECT start, "end", note FROM span WHERE project_id = 1')
        ).one()
        spans = connection.execute(sql("SELECT id, attributes FROM span ORDER BY id")).all()
        gold = connection.execute(sql("SELECT id, note, attributes FROM gold_span")).all()
    engine.dispose()
    assert [(row.id, _json(row.attributes)) for row in spans] == [
        ("00000000-0000-4000-8000-000000000001", {}),
        ("w-attribution", {}),
        ("w-claim", {}),
        ("w-evidence", {}),
    ]
    assert [(row.id, row.note, _json(row.attributes)) for row in gold] == [("w-gold", "kept", {})]
    assert document.text == TEXT and document.length == len(TEXT)
    assert TEXT[span.start : span.end] == "the minister lied" and span.note == "first note"

    app = create_app(
        {"DATABASE_URL": empty_database_url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}
    )
    try:
        with app.app_context():
            session = db.session()
            project = store.project_by_slug(session, "old")
            assert (project.name, project.overlap) == ("Old project", 2)
            assert [label.name for label in store.labels_of(session, project.id)] == ["claim"]
            assert store.user_by_name(session, "ana").password_hash is None
            # the defaults: relation types where the project has the labels at both ends, and
            # the news attributes on labels of the default names
            assert relation_types_of(session, project.id) == []
            wire = store.project_by_slug(session, "wire")
            assert [
                (t.name, t.source_labels, t.target_labels, t.choices)
                for t in relation_types_of(session, wire.id)
            ] == [
                ("attributed_to", ["claim", "evidence"], ["attribution"], []),
                ("supports", ["evidence"], ["claim"], []),
                ("refutes", ["evidence"], ["claim"], []),
            ]
            attributes = {
                label.name: [item["name"] for item in label.attributes]
                for label in store.labels_of(session, wire.id)
            }
            assert attributes == {
                "claim": ["certainty"],
                "evidence": [],
                "attribution": ["source_type"],
            }
        client = app.test_client()
        login = client.post("/login", data={"username": "mia", "password": "password-123"})
        assert login.status_code == 302
        page = client.get("/p/old")
        assert page.status_code == 200
        assert "An old article" in page.get_data(as_text=True)
    finally:
        app.extensions["annotator.engine"].dispose()


def test_twin_spans_are_merged_with_their_notes_values_and_links(empty_database_url):
    """Revision 0003: gold held a span twice (drawn in the gold workspace, then accepted), and
    an annotator marked a phrase twice with the same label."""
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)  # gold span w-gold: claim [0, 8), note "kept"
    db.upgrade(engine, "0002")
    later = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    with engine.begin() as connection:

        def run(statement: str, **values) -> None:
            connection.execute(sql(statement), values)

        for span_id, label_id, start, end, note, attributes in (
            ("w-gold-twin", 2, 0, 8, "second look", '{"certainty": "hedged"}'),
            ("w-gold-source", 4, 10, 20, "", "{}"),
        ):
            run(
                "INSERT INTO gold_span (id, project_id, document_id, document_length, label_id, "
                'start, "end", note, attributes, curator_id, created_at, updated_at) VALUES '
                "(:id, 2, 2, :length, :label, :start, :end, :note, :attributes, 1, :at, :at)",
                id=span_id, label=label_id, start=start, end=end, note=note,
                attributes=attributes, length=len(TEXT), at=later,
            )  # fmt: skip
        attributed_to = connection.execute(
            sql("SELECT id FROM relation_type WHERE project_id = 2 AND name = 'attributed_to'")
        ).scalar()
        for link_id, source, hour in (("link-1", "w-gold", 11), ("link-2", "w-gold-twin", 12)):
            run(
                "INSERT INTO gold_relation (id, project_id, document_id, type_id, source_id, "
                "target_id, curator_id, created_at, updated_at) VALUES "
                "(:id, 2, 2, :type, :source, 'w-gold-source', 1, :at, :at)",
                id=link_id, type=attributed_to, source=source,
                at=datetime(2024, 5, 2, hour, 0, tzinfo=UTC),
            )  # fmt: skip

        # ana (id 2) marked w-claim [0, 8) twice, and linked both copies to w-attribution
        run(
            "INSERT INTO span (id, project_id, document_id, document_length, annotator_id, "
            'label_id, start, "end", note, attributes, created_at, updated_at) VALUES '
            "('w-claim-again', 2, 2, :length, 2, 2, 0, 8, 'again', '{}', :at, :at)",
            length=len(TEXT), at=later,
        )  # fmt: skip
        for link_id, source, hour in (("own-1", "w-claim", 11), ("own-2", "w-claim-again", 12)):
            run(
                "INSERT INTO relation (id, project_id, document_id, annotator_id, type_id, "
                "source_id, target_id, created_at, updated_at) VALUES "
                "(:id, 2, 2, 2, :type, :source, 'w-attribution', :at, :at)",
                id=link_id, type=attributed_to, source=source,
                at=datetime(2024, 5, 2, hour, 0, tzinfo=UTC),
            )  # fmt: skip

    db.upgrade(engine, "head")

    with engine.connect() as connection:
        own = connection.execute(
            sql("SELECT id, note FROM span WHERE project_id = 2 AND label_id = 2 ORDER BY id")
        ).all()
        own_links = connection.execute(sql("SELECT id, source_id FROM relation")).all()
        gold = connection.execute(
            sql('SELECT id, label_id, start, "end", note, attributes FROM gold_span ORDER BY id')
        ).all()
        links = connection.execute(sql("SELECT id, source_id, target_id FROM gold_relation")).all()
    try:
        # the most recently edited twin stays, with both notes and the values either had
        assert [(g.id, g.label_id, g.start, g.end, g.note, _json(g.attributes)) for g in gold] == [
            ("w-gold-source", 4, 10, 20, "", {}),
            ("w-gold-twin", 2, 0, 8, "second look\n\nkept", {"certainty": "hedged"}),
        ]
        # the two links now say the same: one stays, on the kept span
        assert [tuple(link) for link in links] == [("link-1", "w-gold-twin", "w-gold-source")]
        assert [tuple(row) for row in own] == [("w-claim-again", "again")]
        assert [tuple(link) for link in own_links] == [("own-1", "w-claim-again")]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                sql(
                    "INSERT INTO gold_span (id, project_id, document_id, document_length, "
                    'label_id, start, "end", note, attributes, created_at, updated_at) VALUES '
                    "('w-gold-3', 2, 2, :length, 2, 0, 8, '', '{}', :at, :at)"
                ),
                {"length": len(TEXT), "at": later},
            )
    finally:
        engine.dispose()


def test_init_db_creates_the_schema_then_reports_it_up_to_date(empty_database_url):
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "test"})
    runner = app.test_cli_runner()
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            first = runner.invoke(args=["init-db"])
        with app.app_context():
            session = db.session()
            store.create_project(session, "kept")
            session.commit()
        second = runner.invoke(args=["init-db"])
        third = runner.invoke(args=["init-db"])
        with app.app_context():
            head = _head(db.engine())
            kept = store.project_by_slug(db.session(), "kept")
    finally:
        app.extensions["annotator.engine"].dispose()

    assert first.exit_code == 0, first.output
    # a new user's first command prints nothing but its answer
    assert [str(w.message) for w in warned] == []
    assert f"upgraded from empty to schema {head}." in first.output
    for again in (second, third):
        assert again.exit_code == 0, again.output
        assert f"is up to date (schema {head})." in again.output
    assert kept is not None


# --- constraints in the database -----------------------------------------------------------------


@pytest.fixture
def rows(app, world):
    """Ids of a document in project ``news`` and labels of ``news`` and of another project."""
    world.user("ana")
    world.project("news", annotators=["ana"])
    world.project("other")
    world.import_jsonl("news", [{"id": "doc-1", "text": TEXT}])
    with app.app_context():
        session = db.session()
        news, other = (
            store.project_by_slug(session, "news"),
            store.project_by_slug(session, "other"),
        )
        document = session.execute(
            sql("SELECT id FROM document WHERE external_id = 'doc-1'")
        ).scalar()
        return {
            "project_id": news.id,
            "other_project_id": other.id,
            "document_id": document,
            "label_id": store.labels_of(session, news.id)[0].id,
            "other_label_id": store.labels_of(session, other.id)[0].id,
            "user_id": store.user_by_name(session, "ana").id,
        }


def _insert_span(app, table: str, rows: dict, **changes) -> None:
    values = {
        "id": str(uuid.uuid4()),
        "project_id": rows["project_id"],
        "document_id": rows["document_id"],
        "document_length": len(TEXT),
        "label_id": rows["label_id"],
        "start": 0,
        "end": 8,
        "now": datetime.now(UTC),
    } | changes
    annotator = ("annotator_id, ", ":annotator_id, ") if table == "span" else ("", "")
    values["annotator_id"] = rows["user_id"]
    with app.extensions["annotator.engine"].begin() as connection:
        connection.execute(
            sql(
                f"INSERT INTO {table} (id, project_id, document_id, document_length, "
                f'{annotator[0]}label_id, start, "end", note, created_at, updated_at) VALUES '
                f"(:id, :project_id, :document_id, :document_length, {annotator[1]}:label_id, "
                ":start, :end, '', :now, :now)"
            ),
            values,
        )


@pytest.mark.parametrize("table", ["span", "gold_span"])
def test_database_accepts_a_span_inside_its_document(app, rows, table):
    _insert_span(app, table, rows, start=0, end=len(TEXT))

    with app.extensions["annotator.engine"].connect() as connection:
        assert connection.execute(sql(f"SELECT count(*) FROM {table}")).scalar() == 1


BROKEN_SPANS = [
    pytest.param({"end": len(TEXT) + 1}, id="end past the text"),
    pytest.param(
        {"end": len(TEXT) + 1, "document_length": len(TEXT) + 1},
        id="end past the text with a made-up document length",
    ),
    pytest.param({"label_id": "other_label_id"}, id="label of another project"),
    pytest.param({"start": 5, "end": 5}, id="start equals end"),
    pytest.param({"start": 6, "end": 5}, id="start after end"),
    pytest.param({"start": -1}, id="negative start"),
    pytest.param(
        {"project_id": "other_project_id", "label_id": "other_label_id"},
        id="document of another project",
    ),
]


@pytest.mark.parametrize("table", ["span", "gold_span"])
@pytest.mark.parametrize("changes", BROKEN_SPANS)
def test_database_refuses_a_span_that_breaks_the_rules_even_without_python(
    app, rows, table, changes
):
    changes = {key: rows.get(value, value) for key, value in changes.items()}

    with pytest.raises(IntegrityError):
        _insert_span(app, table, rows, **changes)

    with app.extensions["annotator.engine"].connect() as connection:
        assert connection.execute(sql(f"SELECT count(*) FROM {table}")).scalar() == 0


def _insert_document(app, project_id: int, external_id: str) -> None:
    with app.extensions["annotator.engine"].begin() as connection:
        connection.execute(
            sql(
                "INSERT INTO document (project_id, external_id, text, length, meta, position, "
                "created_at) VALUES (:project_id, :external_id, 'x', 1, '{}', 9, :now)"
            ),
            {"project_id": project_id, "external_id": external_id, "now": datetime.now(UTC)},
        )


def test_database_refuses_a_duplicate_external_id_within_a_project_only(app, rows):
    with pytest.raises(IntegrityError):
        _insert_document(app, rows["project_id"], "doc-1")

    _insert_document(app, rows["other_project_id"], "doc-1")  # another project may reuse it
    with app.extensions["annotator.engine"].connect() as connection:
        owners = connection.execute(
            sql("SELECT project_id FROM document WHERE external_id = 'doc-1' ORDER BY project_id")
        ).scalars()
        assert list(owners) == [rows["project_id"], rows["other_project_id"]]


def test_study_revision_keeps_labels_and_relation_types_and_adds_an_empty_log(
    empty_database_url,
):
    """Revision 0010_study on a database made by 0007: descriptions empty, no former names, the
    rows and spans as they were; the activity log starts empty and takes entries."""
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)
    db.upgrade(engine, "0007")

    db.upgrade(engine, "0010_study")

    try:
        with engine.connect() as connection:
            labels = connection.execute(
                sql("SELECT name, description, former_names FROM label ORDER BY id")
            ).all()
            types = connection.execute(
                sql("SELECT name, description, former_names FROM relation_type ORDER BY id")
            ).all()
            spans = connection.execute(sql("SELECT count(*) FROM span")).scalar()
        assert [(row.name, row.description, _json(row.former_names)) for row in labels] == [
            ("claim", "", []),
            ("claim", "", []),
            ("evidence", "", []),
            ("attribution", "", []),
        ]
        assert [(row.name, row.description, _json(row.former_names)) for row in types] == [
            ("attributed_to", "", []),
            ("supports", "", []),
            ("refutes", "", []),
        ]
        assert spans == 4
        with engine.begin() as connection:
            connection.execute(
                sql(
                    "INSERT INTO activity (project_id, user_id, actor, at, action, detail) "
                    "VALUES (1, 1, 'mia', :at, 'label_rename', 'renamed')"
                ),
                {"at": datetime(2024, 5, 3, tzinfo=UTC)},
            )
            connection.execute(sql("DELETE FROM project WHERE id = 1"))
            left = connection.execute(sql("SELECT count(*) FROM activity")).scalar()
        assert left == 0  # the log goes with its project
    finally:
        engine.dispose()


def test_search_revision_indexes_the_documents_already_stored(empty_database_url):
    """Revision 0011_study on a database made by the schema before it: the documents stored then
    are found by words of their text (any script) and title, and new ones as they come."""
    from annotator.document_list import ListQuery, list_documents

    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)
    db.upgrade(engine, "0010_study")

    db.upgrade(engine, "0011_study")

    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            indexes = connection.execute(
                sql("SELECT indexname FROM pg_indexes WHERE tablename = 'document'")
            ).scalars()
            assert "ix_document_search" in set(indexes)
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:  # raises when the index and the table disagree
            connection.execute(
                sql("INSERT INTO document_fts (document_fts) VALUES ('integrity-check')")
            )
    db.upgrade(engine)  # today's list also reads later revisions' tables (0110's counts)
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": empty_database_url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}
    )
    try:
        with app.app_context():
            session = db.session()
            old, wire = (
                store.project_by_slug(session, "old"),
                store.project_by_slug(session, "wire"),
            )

            def found(project, q: str) -> list[str]:
                page = list_documents(session, project, ListQuery(q=q))
                return [row.external_id for row in page.rows]

            assert found(old, "захарова") == ["old-1"]
            assert found(old, "שלום minist") == ["old-1"]
            assert found(old, "👨") == ["old-1"]
            assert found(wire, "захарова") == ["wire-1"]
            assert found(old, "nowhere") == []
    finally:
        app.extensions["annotator.engine"].dispose()


def test_search_finds_documents_added_after_every_later_revision(empty_database_url):
    """Later revisions must keep the search index current (on SQLite a revision that copies the
    ``document`` table drops its triggers): a document stored at head is found."""
    from annotator.document_list import ListQuery, list_documents

    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)
    db.upgrade(engine, "head")
    engine.dispose()
    app = create_app(
        {"DATABASE_URL": empty_database_url, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False}
    )
    try:
        with app.app_context():
            session = db.session()
            old = store.project_by_slug(session, "old")
            new = {"title": "Свежий", "text": "Bridge safe.", "length": 12, "position": 5}
            # the old rows were written with their ids: PostgreSQL's sequence never moved
            session.add(Document(id=100, project_id=old.id, external_id="new-1", **new))
            session.commit()

            def found(q: str) -> list[str]:
                return [
                    row.external_id for row in list_documents(session, old, ListQuery(q=q)).rows
                ]

            assert found("свежий") == ["new-1"]
            assert found("bridge") == ["new-1"]
            assert found("захарова") == ["old-1"]
    finally:
        app.extensions["annotator.engine"].dispose()


def test_matrix_revision_keeps_assignments_and_takes_manual_ones(empty_database_url):
    """Revision 0012_study on a database made by the schema before it: assignments keep their
    status, documents get priority 0, and a manager's ``assigned`` is now a status."""
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)
    db.upgrade(engine, "0011_study")
    now = datetime(2024, 5, 4, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            sql(
                "INSERT INTO assignment (document_id, user_id, project_id, status, assigned_at, "
                "updated_at, done_at) VALUES (2, 1, 2, 'done', :at, :at, :at)"
            ),
            {"at": now},
        )
        before = connection.execute(
            sql("SELECT document_id, user_id, status FROM assignment ORDER BY document_id, user_id")
        ).all()

    db.upgrade(engine, "0012_study")

    try:
        with engine.begin() as connection:
            after = connection.execute(
                sql(
                    "SELECT document_id, user_id, status FROM assignment "
                    "ORDER BY document_id, user_id"
                )
            ).all()
            priorities = connection.execute(sql("SELECT DISTINCT priority FROM document")).all()
            connection.execute(
                sql(
                    "INSERT INTO assignment (document_id, user_id, project_id, status, "
                    "assigned_at, updated_at) VALUES (2, 2, 2, 'assigned', :at, :at)"
                ),
                {"at": now},
            )
        assert [tuple(row) for row in after] == [tuple(row) for row in before]
        assert (2, 1, "done") in [tuple(row) for row in after]
        assert [tuple(row) for row in priorities] == [(0,)]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                sql(
                    "INSERT INTO assignment (document_id, user_id, project_id, status, "
                    "assigned_at, updated_at) VALUES (1, 2, 1, 'lost', :at, :at)"
                ),
                {"at": now},
            )
    finally:
        engine.dispose()
