"""Revision 0098 adds gold answers to a database made by 0095 and keeps its rows: answers and
span attribute values alike; downgrading drops the new table only."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy import text as sql

from annotator import db
from tests.integration.test_migrations import (
    _insert_first_schema_rows,
    _json,
    empty_database_url,  # noqa: F401 - fixture
)


def _rows(engine) -> tuple[list, list]:
    with engine.connect() as connection:
        spans = connection.execute(sql("SELECT id, attributes FROM span ORDER BY id")).all()
        answers = connection.execute(
            sql("SELECT document_id, annotator_id, question_id, value FROM answer")
        ).all()
    return (
        [(row.id, _json(row.attributes)) for row in spans],
        [(*row[:3], _json(row.value)) for row in answers],
    )


def test_database_of_the_previous_schema_gains_gold_answers_and_keeps_its_data(
    empty_database_url,  # noqa: F811
):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0095")
        with engine.begin() as connection:
            connection.execute(
                sql("""UPDATE span SET attributes = '{"source_type": "anonymous"}' """
                    "WHERE id = 'w-attribution'")
            )  # fmt: skip
            connection.execute(
                sql(
                    "INSERT INTO question (project_id, name, prompt, kind, choices, low_label, "
                    "high_label, required, position, minimum, maximum) VALUES (2, 'credibility',"
                    " '', 'scale', '[]', 'low', 'high', :yes, 0, 1, 5)"
                ),
                {"yes": True},
            )
            question = connection.execute(sql("SELECT id FROM question")).scalar_one()
            document, annotator = connection.execute(
                sql("SELECT document_id, annotator_id FROM span WHERE id = 'w-attribution'")
            ).one()
            stamp = {"at": "2026-11-28 10:00:00"}
            connection.execute(
                sql(
                    "INSERT INTO answer (document_id, annotator_id, question_id, project_id, "
                    "value, created_at, updated_at) VALUES (:d, :a, :q, 2, '4', :at, :at)"
                ),
                {"d": document, "a": annotator, "q": question, **stamp},
            )
        before = _rows(engine)
        assert not inspect(engine).has_table("gold_answer")

        db.upgrade(engine, "0098")

        assert db.current_revision(engine) == "0098"
        assert _rows(engine) == before
        assert before[1] == [(document, annotator, question, 4)]
        with engine.begin() as connection:
            connection.execute(
                sql(
                    "INSERT INTO gold_answer (document_id, question_id, project_id, value, "
                    "curator_id, created_at, updated_at) VALUES (:d, :q, 2, '5', NULL, :at, :at)"
                ),
                {"d": document, "q": question, **stamp},
            )
            stored = connection.execute(sql("SELECT value FROM gold_answer")).scalar_one()
        assert _json(stored) == 5

        command.downgrade(db.alembic_config(engine), "0095")  # back: the new table goes
        assert not inspect(engine).has_table("gold_answer")
        assert _rows(engine) == before
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore")
