"""Revision 0100 adds the source registry to a database made by 0095 and keeps every span, gold
span, link and label as it was; attribution labels may name sources from then on."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text as sql

from annotator import db
from annotator.models import metadata
from tests.integration.test_migrations import (
    _insert_first_schema_rows,
    empty_database_url,  # noqa: F401 - fixture
)

TABLES = ("span", "gold_span", "relation", "label")


def _contents(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(sql(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in TABLES
        }


def test_previous_schema_keeps_its_rows_and_attribution_labels_name_sources(
    empty_database_url,  # noqa: F811
):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0095")
        before = _contents(engine)
        assert before["span"], "the first schema's rows include spans"

        db.upgrade(engine, "0100")

        after = _contents(engine)
        for table in ("span", "gold_span"):  # one more column, NULL: no span names a source yet
            assert [row[:-1] for row in after[table]] == before[table]
            assert all(row[-1] is None for row in after[table])
        assert after["relation"] == before["relation"]
        with engine.connect() as connection:
            links = dict(connection.execute(sql("SELECT name, links_source FROM label")).all())
            # the model and the migrated schema agree on what this revision made (the schema has
            # other differences the models do not describe, such as the full-text tables)
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
            assert [d for d in map(repr, differences) if "source" in d] == []
        assert {name for name, yes in links.items() if yes} == {"attribution"}

        command.downgrade(db.alembic_config(engine), "0095")
        assert _contents(engine) == before
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore")
