"""``document_summary`` (migration 0110): each document's span and gold span counts and its
disagreement flag, kept by the database's triggers, equal what the spans and assignments say
after every kind of write: saves and deletes, imports, a label deleted with its spans, reopening
and unassigning, a project deleted, and any random sequence of them. The list sorts by the
stored count and filters by the stored flag."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, delete, func, inspect, select
from sqlalchemy import text as sql
from sqlmodel import Session

from annotator import db, store
from annotator.annotation.label_changes import delete_label
from annotator.annotation.spans import SpanValues, delete_span, save_gold, save_span
from annotator.assignments import bulk, handout, matrix
from annotator.document_list import ListQuery, disagreement_reference, list_documents
from annotator.errors import AnnotatorError
from annotator.models import Document, DocumentSummary, GoldSpan, Project, Span
from tests.integration.test_migrations import FIRST_SCHEMA, _insert_first_schema_rows
from tests.integration.test_migrations import empty_database_url as empty_database_url

TEXT = "The mayor says the bridge is safe."
ANNOTATORS = ("ann", "bob", "cat")


def reference(session) -> dict[int, tuple[int, int, bool]]:
    """Each document's (spans, gold spans, disagreement) computed from the spans themselves."""
    spans = select(func.count()).where(Span.document_id == Document.id).scalar_subquery()
    gold = select(func.count()).where(GoldSpan.document_id == Document.id).scalar_subquery()
    flag = case((disagreement_reference(), True), else_=False)
    return {
        row[0]: (row[1], row[2], bool(row[3]))
        for row in session.execute(select(Document.id, spans, gold, flag))
    }


def stored(session) -> dict[int, tuple[int, int, bool]]:
    columns = (
        DocumentSummary.document_id,
        DocumentSummary.spans,
        DocumentSummary.gold_spans,
        DocumentSummary.disagreement,
    )
    return {row[0]: (row[1], row[2], bool(row[3])) for row in session.execute(select(*columns))}


def assert_exact(session) -> None:
    assert stored(session) == reference(session)


class Study:
    """A project of three documents and three annotators (k = 3), worked on through the
    application's own write paths, in one app context."""

    def __init__(self, session, slug: str, manager, annotators) -> None:
        self.session, self.manager, self.annotators = session, manager, annotators
        self.project = store.create_project(session, slug, labels="claim,quote,place")
        self.project.overlap = len(annotators)
        store.set_member(session, self.project, manager, "manager")
        for user in annotators:
            store.set_member(session, self.project, user, "annotator")
        self.documents = []
        for number in range(3):
            document = Document(
                project_id=self.project.id,
                external_id=f"{slug}-{number}",
                text=TEXT,
                length=len(TEXT),
                position=number,
            )
            session.add(document)
            self.documents.append(document)
        session.commit()

    def label(self, index: int) -> int:
        labels = store.labels_of(self.session, self.project.id)
        return labels[index % len(labels)].id

    def span_id(self, document: int, annotator: int, slot: int) -> str:
        return f"{self.project.slug}-{document}-{annotator}-{slot}"

    def save(self, document: int, annotator: int, slot: int, label: int, start: int, size: int):
        values = SpanValues(self.label(label), start, min(start + size, len(TEXT)), "")
        save_span(
            self.session,
            self.documents[document],
            self.annotators[annotator],
            self.span_id(document, annotator, slot),
            values,
        )

    def delete(self, document: int, annotator: int, slot: int) -> None:
        delete_span(
            self.session,
            self.documents[document],
            self.annotators[annotator],
            self.span_id(document, annotator, slot),
        )

    def status(self, document: int, annotator: int, status: str) -> None:
        cell = (self.documents[document].id, self.annotators[annotator].id)
        item = handout.assignment(self.session, *cell)
        if item is None:
            matrix.assign(self.session, self.project, [cell])
            self.session.commit()
            item = handout.assignment(self.session, *cell)
        handout.set_status(self.session, item, status)

    def unassign(self, document: int, annotator: int) -> None:
        cell = (self.documents[document].id, self.annotators[annotator].id)
        matrix.unassign(self.session, self.project, [cell], discard=True)
        self.session.commit()

    def bulk_reopen(self, document: int) -> None:
        chosen = bulk.Selection(
            "reopen", [(self.documents[document].id, self.documents[document].external_id)], None
        )
        bulk.reopen(self.session, self.project, chosen, self.manager)
        self.session.commit()

    def gold(self, document: int, label: int, start: int, size: int) -> None:
        values = SpanValues(self.label(label), start, min(start + size, len(TEXT)), "")
        gold_id = f"{self.project.slug}-g-{document}-{label}-{start}-{size}"
        save_gold(self.session, self.documents[document], self.manager, gold_id, values)

    def delete_label(self, label: int) -> None:
        labels = store.labels_of(self.session, self.project.id)
        delete_label(self.session, self.project, labels[label % len(labels)].name, confirmed=True)
        self.session.commit()

    def run(self, step: tuple) -> None:
        """One write; one the application refuses (a twin span, unassigning finished work, the
        last label) changes nothing, as in use."""
        name, *values = step
        try:
            getattr(self, name)(*values)
        except AnnotatorError:
            self.session.rollback()


@pytest.fixture
def study(app, world):
    manager = world.user("mia")
    annotators = [world.user(name) for name in ANNOTATORS]
    with app.app_context():
        session = db.session()
        people = [session.merge(user) for user in (manager, *annotators)]
        yield lambda slug="news": Study(session, slug, people[0], people[1:])


def test_a_new_document_has_an_empty_summary(app, study):
    work = study()
    assert stored(work.session) == {document.id: (0, 0, False) for document in work.documents}


def test_span_counts_follow_saves_relabels_and_deletes(app, study):
    work = study()
    work.save(0, 0, 0, 0, 0, 3)
    work.save(0, 1, 0, 0, 0, 3)
    work.save(1, 0, 0, 1, 4, 5)
    work.save(0, 0, 0, 2, 4, 5)  # a relabel and move of the same span
    work.gold(0, 0, 0, 3)
    assert stored(work.session)[work.documents[0].id] == (2, 1, False)

    work.delete(0, 0, 0)
    work.delete(1, 0, 0)

    assert stored(work.session)[work.documents[0].id] == (1, 1, False)
    assert stored(work.session)[work.documents[1].id] == (0, 0, False)
    assert_exact(work.session)


def test_disagreement_follows_done_reopen_and_spans_of_done_annotators(app, study):
    work = study()
    first = work.documents[0].id
    work.save(0, 0, 0, 0, 0, 3)
    work.status(0, 0, "done")
    work.status(0, 1, "done")  # bob finished with no span: they differ
    assert stored(work.session)[first][2] is True

    work.save(0, 1, 0, 0, 0, 3)  # a done annotator's span changes: now they agree
    assert stored(work.session)[first][2] is False

    work.save(0, 1, 1, 1, 5, 4)
    assert stored(work.session)[first][2] is True
    work.status(0, 1, "in_progress")  # reopened: only one done annotator is left
    assert stored(work.session)[first][2] is False
    assert_exact(work.session)


def test_import_with_annotations_counts_them(app, world, study):
    work = study()
    world.import_jsonl(
        "news",
        [
            {
                "id": "imported",
                "text": TEXT,
                "annotations": [
                    {"annotator": "ann", "label": "claim", "start": 0, "end": 3},
                    {"annotator": "bob", "label": "claim", "start": 4, "end": 9},
                ],
            }
        ],
    )
    work.session.expire_all()
    imported = work.session.scalars(
        select(Document.id).where(Document.external_id == "imported")
    ).one()
    assert stored(work.session)[imported][:2] == (2, 0)
    assert_exact(work.session)


def test_deleting_a_label_with_its_spans_lowers_the_counts(app, study):
    work = study()
    work.save(0, 0, 0, 0, 0, 3)
    work.save(0, 1, 0, 0, 0, 3)
    work.save(0, 1, 1, 1, 4, 5)
    work.gold(0, 0, 0, 3)
    work.status(0, 0, "done")
    work.status(0, 1, "done")
    assert stored(work.session)[work.documents[0].id] == (3, 1, True)

    work.delete_label(1)  # evidence: bob's extra span goes, so they agree again

    assert stored(work.session)[work.documents[0].id] == (2, 1, False)
    work.delete_label(0)
    assert stored(work.session)[work.documents[0].id] == (0, 0, False)
    assert_exact(work.session)


def test_unassigning_and_bulk_reopening_keep_the_flag_exact(app, study):
    work = study()
    for document in (0, 1):
        work.save(document, 0, 0, 0, 0, 3)
        work.save(document, 1, 0, 1, 0, 3)
        work.save(document, 2, 0, 1, 0, 3)
        work.status(document, 0, "done")
        work.status(document, 1, "done")
    work.status(1, 2, "in_progress")
    assert [stored(work.session)[d.id][2] for d in work.documents[:2]] == [True, True]

    work.bulk_reopen(0)
    work.run(("unassign", 1, 2))  # cat's spans go with the assignment
    work.run(("unassign", 1, 0))  # refused: ann's work on it is done

    assert [stored(work.session)[d.id][2] for d in work.documents[:2]] == [False, True]
    assert stored(work.session)[work.documents[1].id][0] == 2
    assert_exact(work.session)


def test_deleting_a_project_deletes_its_summaries_and_keeps_the_others(app, study):
    kept, gone = study("kept"), study("gone")
    for work in (kept, gone):
        work.save(0, 0, 0, 0, 0, 3)
        work.gold(0, 0, 0, 3)
    session = kept.session

    session.execute(delete(Project).where(Project.id == gone.project.id))
    session.commit()

    assert set(stored(session)) == {document.id for document in kept.documents}
    assert_exact(session)


def test_the_list_sorts_by_the_stored_count_and_filters_by_the_stored_flag(app, study):
    work = study()
    for slot, size in enumerate((3, 4)):
        work.save(2, 0, slot, 0, 0, size)
    work.save(1, 0, 0, 0, 0, 3)
    work.status(1, 0, "done")
    work.status(1, 1, "done")
    session, project = work.session, work.project

    def listed(**query) -> list[str]:
        return [
            row.external_id for row in list_documents(session, project, ListQuery(**query)).rows
        ]

    assert listed(sort="spans", descending=True) == ["news-2", "news-1", "news-0"]
    assert listed(sort="spans") == ["news-0", "news-1", "news-2"]
    assert listed(disagreement="yes") == ["news-1"]
    rows = list_documents(session, project, ListQuery()).rows
    assert [row.spans for row in rows] == [0, 1, 2]


def test_two_annotators_finishing_one_document_at_once_leave_the_flag_exact(app, study):
    """PostgreSQL: the second finish waits for the first's lock on the summary row, then reads
    what the first committed (SQLite runs one writer at a time)."""
    engine = app.extensions["annotator.engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    work = study()
    work.save(0, 0, 0, 0, 0, 3)  # ann marked a span, bob none: once both are done they differ
    work.status(0, 0, "in_progress")
    work.status(0, 1, "in_progress")
    document = work.documents[0].id
    finish = sql(
        "UPDATE assignment SET status = 'done' WHERE document_id = :document AND user_id = :user"
    )

    def finish_as(user: int) -> None:
        with engine.begin() as connection:
            connection.execute(finish, {"document": document, "user": user})

    with engine.connect() as first:
        first.execute(finish, {"document": document, "user": work.annotators[0].id})
        second = threading.Thread(target=finish_as, args=(work.annotators[1].id,))
        second.start()
        time.sleep(1)  # the second's statement has begun and waits for the row lock
        first.commit()
    second.join(timeout=30)

    work.session.expire_all()
    assert stored(work.session)[document][2] is True
    assert_exact(work.session)


# Two documents, so that two annotators often finish the same one; saves and status changes
# weighted up, so that finished work often differs and then agrees again.
DOCUMENT, ANNOTATOR, SLOT, LABEL = (st.integers(0, n - 1) for n in (2, 3, 2, 3))
SAVE = st.tuples(
    st.just("save"), DOCUMENT, ANNOTATOR, SLOT, LABEL, st.integers(0, 8), st.integers(1, 4)
)
STATUS = st.tuples(st.just("status"), DOCUMENT, ANNOTATOR, st.sampled_from(["done", "in_progress"]))
STEPS = st.one_of(
    SAVE,
    SAVE,
    STATUS,
    STATUS,
    st.tuples(st.just("delete"), DOCUMENT, ANNOTATOR, SLOT),
    st.tuples(st.just("unassign"), DOCUMENT, ANNOTATOR),
    st.tuples(st.just("bulk_reopen"), DOCUMENT),
    st.tuples(st.just("gold"), DOCUMENT, LABEL, st.integers(0, 8), st.integers(1, 4)),
    st.tuples(st.just("delete_label"), LABEL),
)


def test_after_any_sequence_of_writes_the_summary_equals_the_reference(app, study):
    """Random work through the real write paths; after each write every document's stored
    counts and flag equal the ones computed from the spans (the reference query)."""
    numbers = itertools.count()

    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.lists(STEPS, min_size=8, max_size=30))
    def check(steps):
        work = study(f"p{next(numbers)}")
        for step in steps:
            work.run(step)
            assert_exact(work.session)

    check()


# --- the migration --------------------------------------------------------------------------------


def _triggers(engine) -> set[str]:
    listed = (
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        if engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    )
    with engine.connect() as connection:
        return set(connection.execute(sql(listed)).scalars())


def test_summary_revision_counts_the_stored_work_and_keeps_it_exact(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, FIRST_SCHEMA)
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0095")
        with engine.begin() as connection:  # a second annotator finished document 1 differently
            connection.execute(
                sql(
                    "INSERT INTO assignment (document_id, user_id, project_id, status, "
                    "assigned_at, updated_at, done_at) VALUES (1, 1, 1, 'done', :at, :at, :at)"
                ),
                {"at": "2024-05-02 10:00:00"},
            )
        before = set(_triggers(engine))

        db.upgrade(engine, "0110")

        with Session(engine) as session:
            assert stored(session) == {1: (1, 0, True), 2: (3, 1, False)}
            session.execute(delete(Span).where(Span.document_id == 1))
            session.commit()
            assert_exact(session)
            assert stored(session)[1] == (0, 0, False)

        command.downgrade(db.alembic_config(engine), "0095")

        assert "document_summary" not in inspect(engine).get_table_names()
        assert _triggers(engine) == before
    finally:
        engine.dispose()


def test_statement_triggers_revision_keeps_the_flags_exact_and_goes_back(empty_database_url):  # noqa: F811
    """0120 (PostgreSQL): assignments inserted or deleted many in one statement set the flags as
    0110's row trigger did; downgraded, 0110's trigger is back. SQLite: nothing changes."""
    engine = db.make_engine(empty_database_url)
    insert_done = sql(
        "INSERT INTO assignment (document_id, user_id, project_id, status, assigned_at, "
        "updated_at, done_at) VALUES (1, 1, 1, 'done', :at, :at, :at), "
        "(2, 1, 1, 'done', :at, :at, :at)"
    )
    try:
        db.upgrade(engine, FIRST_SCHEMA)
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0110")
        before = _triggers(engine)

        db.upgrade(engine, "0120")

        with engine.begin() as connection:  # a second annotator finishes both documents at once
            connection.execute(insert_done, {"at": "2024-05-02 10:00:00"})
        with Session(engine) as session:
            assert_exact(session)
            assert stored(session)[1][2] is True  # they differ on document 1
        with engine.begin() as connection:  # and both of their assignments go in one statement
            connection.execute(sql("DELETE FROM assignment WHERE user_id = 1"))
        with Session(engine) as session:
            assert_exact(session)
            assert not any(flag for _spans, _gold, flag in stored(session).values())

        command.downgrade(db.alembic_config(engine), "0110")
        assert _triggers(engine) == before
        with engine.begin() as connection:
            connection.execute(insert_done, {"at": "2024-05-02 10:00:00"})
        with Session(engine) as session:
            assert_exact(session)
    finally:
        engine.dispose()
