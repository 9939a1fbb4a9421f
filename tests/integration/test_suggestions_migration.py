"""Revision 0060 (suggestions) on a database built at the schema before it: every span keeps
its values and becomes ``origin = 'manual'``; the new tables start empty."""

from __future__ import annotations

from sqlalchemy import text as sql

from annotator import db
from tests.integration.test_migrations import (  # noqa: F401 - the fixture
    FIRST_SCHEMA,
    _insert_first_schema_rows,
    empty_database_url,
)


def test_suggestions_revision_keeps_spans_and_marks_them_manual(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, FIRST_SCHEMA)
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0041")
        columns = 'id, label_id, start, "end", note'
        with engine.begin() as connection:
            before = connection.execute(sql(f"SELECT {columns} FROM span ORDER BY id")).all()

        db.upgrade(engine, "0060")

        with engine.begin() as connection:
            after = connection.execute(sql(f"SELECT {columns} FROM span ORDER BY id")).all()
            origins = connection.execute(sql("SELECT DISTINCT origin, recommender FROM span")).all()
            suggestions = connection.execute(sql("SELECT count(*) FROM suggestion")).scalar()
        assert before and [tuple(row) for row in after] == [tuple(row) for row in before]
        assert [tuple(row) for row in origins] == [("manual", None)]
        assert suggestions == 0
    finally:
        engine.dispose()
