"""Revision 0090 (the document list's indexes) on a database made by the schema before it: the
data stays, the new indexes are there and used by the list, and the downgrade takes them away."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from sqlalchemy import text as sql

from annotator import db
from tests.integration.test_migrations import FIRST_SCHEMA, _insert_first_schema_rows
from tests.integration.test_migrations import empty_database_url as empty_database_url

NEW = {
    "document": {"ix_document_project_title"},
    "span": {"ix_span_label_document"},
    "assignment": {"ix_assignment_document_status"},
}


def _indexes(engine, table: str) -> dict[str, list | None]:
    """Index name → columns (None for an expression index, which the inspector leaves out)."""
    found: dict[str, list | None] = {
        index["name"]: index["column_names"] for index in inspect(engine).get_indexes(table)
    }
    listed = (
        "SELECT indexname FROM pg_indexes WHERE tablename = :table"
        if engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
    )
    with engine.connect() as connection:
        for (name,) in connection.execute(sql(listed), {"table": table}):
            found.setdefault(name, None)
    return found


def test_list_index_revision_keeps_the_data_and_adds_its_indexes(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, FIRST_SCHEMA)
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0041")
        query = "SELECT id, project_id, external_id, position FROM document ORDER BY id"
        with engine.connect() as connection:
            before = connection.execute(sql(query)).all()

        db.upgrade(engine, "0090")

        with engine.connect() as connection:
            assert connection.execute(sql(query)).all() == before
        for table, names in NEW.items():
            assert names <= set(_indexes(engine, table)), table
        position = _indexes(engine, "document")["ix_document_project_position"]
        assert position == ["project_id", "position", "id"]

        command.downgrade(db.alembic_config(engine), "0041")

        for table, names in NEW.items():
            assert not names & set(_indexes(engine, table)), table
        position = _indexes(engine, "document")["ix_document_project_position"]
        assert position == ["project_id", "position"]
        with engine.connect() as connection:
            assert connection.execute(sql(query)).all() == before
    finally:
        engine.dispose()


def test_the_list_indexes_are_still_there_at_head(empty_database_url):  # noqa: F811
    """A later revision that copies one of these tables (SQLite's batch mode) must create its
    indexes again; the expression index is the one reflection would miss."""
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine)
        for table, names in NEW.items():
            assert names <= set(_indexes(engine, table)), table
    finally:
        engine.dispose()
