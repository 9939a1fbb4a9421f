"""Revision 0004 adds the job table to a database made by 0003 and keeps its rows."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy import text as sql
from test_migrations import (
    _insert_first_schema_rows,  # noqa: F401 - the shared fixture module
    empty_database_url,  # noqa: F401 - fixture
)

from annotator import db


def test_database_of_the_previous_schema_gains_jobs_and_keeps_its_data(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0003")
        with engine.connect() as connection:
            before = connection.execute(sql("SELECT count(*) FROM span")).scalar()
        assert not inspect(engine).has_table("job")

        db.upgrade(engine, "0004")

        assert db.current_revision(engine) == "0004"
        assert inspect(engine).has_table("job")
        with engine.connect() as connection:
            assert connection.execute(sql("SELECT count(*) FROM span")).scalar() == before
            assert connection.execute(sql("SELECT slug FROM project")).scalar() == "old"
    finally:
        engine.dispose()


pytestmark = pytest.mark.filterwarnings("ignore")
