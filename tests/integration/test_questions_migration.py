"""Revision 0040 adds document questions and answers to a database made by 0012_study and keeps its
rows, span attributes included."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy import text as sql

from annotator import db
from tests.integration.test_migrations import (
    _insert_first_schema_rows,  # noqa: F401 - the shared fixture module
    _json,
    empty_database_url,  # noqa: F401 - fixture
)


def test_database_of_the_previous_schema_gains_questions_and_keeps_its_data(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0012_study")
        with engine.begin() as connection:
            connection.execute(
                sql("""UPDATE span SET attributes = '{"source_type": "anonymous"}' """
                    "WHERE id = 'w-attribution'")
            )  # fmt: skip
        with engine.connect() as connection:
            before = connection.execute(sql("SELECT id, attributes FROM span ORDER BY id")).all()
        assert not inspect(engine).has_table("question")

        db.upgrade(engine, "0040")

        assert db.current_revision(engine) == "0040"
        assert inspect(engine).has_table("question") and inspect(engine).has_table("answer")
        with engine.begin() as connection:
            after = connection.execute(sql("SELECT id, attributes FROM span ORDER BY id")).all()
            connection.execute(
                sql(
                    "INSERT INTO question (project_id, name, prompt, kind, choices, low_label, "
                    "high_label, required, position) VALUES (2, 'credibility', '', 'scale', "
                    "'[]', 'low', 'high', :yes, 0)"
                ),
                {"yes": True},
            )
        assert [(row.id, _json(row.attributes)) for row in after] == [
            (row.id, _json(row.attributes)) for row in before
        ]
        assert _json(dict((r.id, r.attributes) for r in after)["w-attribution"]) == {
            "source_type": "anonymous"
        }
        from alembic import command

        command.downgrade(db.alembic_config(engine), "0012_study")  # back: the new tables go
        assert not inspect(engine).has_table("question")
        with engine.connect() as connection:
            assert connection.execute(sql("SELECT count(*) FROM span")).scalar() == len(before)
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore")
