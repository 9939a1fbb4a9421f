"""Revision 0095 types every span attribute definition of a database made by 0041 (a single
choice, optional) and keeps every attribute value."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import text as sql

from annotator import db
from tests.integration.test_migrations import (
    _insert_first_schema_rows,
    _json,
    empty_database_url,  # noqa: F401 - fixture
)

OLD_DEFINITIONS = [
    {"name": "source_type", "choices": ["named person", "anonymous"], "description": "who"},
    {"name": "stance", "choices": ["for", "against"]},
]


def _labels(engine) -> dict[str, list]:
    with engine.connect() as connection:
        rows = connection.execute(sql("SELECT name, attributes FROM label ORDER BY id")).all()
    return {row.name: _json(row.attributes) for row in rows}


def _spans(engine) -> list:
    with engine.connect() as connection:
        rows = connection.execute(sql("SELECT id, attributes FROM span ORDER BY id")).all()
    return [(row.id, _json(row.attributes)) for row in rows]


def test_previous_schema_attributes_become_typed_single_choices_and_keep_their_values(
    empty_database_url,  # noqa: F811
):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0041")
        with engine.begin() as connection:
            connection.execute(
                sql("UPDATE label SET attributes = :definitions WHERE name = 'attribution'"),
                {"definitions": json.dumps(OLD_DEFINITIONS)},
            )
            connection.execute(
                sql("UPDATE span SET attributes = :values WHERE id = 'w-attribution'"),
                {"values": json.dumps({"source_type": "anonymous", "stance": "for"})},
            )
        spans_before = _spans(engine)

        db.upgrade(engine, "0095")

        assert db.current_revision(engine) == "0095"
        assert _labels(engine)["attribution"] == [
            {**OLD_DEFINITIONS[0], "kind": "single", "required": False},
            {**OLD_DEFINITIONS[1], "kind": "single", "required": False},
        ]
        assert _spans(engine) == spans_before
        assert dict(spans_before)["w-attribution"] == {"source_type": "anonymous", "stance": "for"}

        command.downgrade(db.alembic_config(engine), "0041")  # back: the old definitions
        assert _labels(engine)["attribution"] == OLD_DEFINITIONS
        assert _spans(engine) == spans_before
    finally:
        engine.dispose()


def test_downgrade_is_refused_while_a_label_has_an_attribute_of_another_kind(
    empty_database_url,  # noqa: F811
):
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0095")
        scale = {"name": "reliability", "kind": "scale", "minimum": 1, "maximum": 5}
        with engine.begin() as connection:
            connection.execute(
                sql("UPDATE label SET attributes = :definitions WHERE name = 'attribution'"),
                {"definitions": json.dumps([scale])},
            )
        with pytest.raises(RuntimeError, match="reliability"):
            command.downgrade(db.alembic_config(engine), "0041")
        assert _labels(engine)["attribution"] == [scale]
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore")
