"""Throw-away PostgreSQL databases: made empty, gone afterwards, and a clear "no server"."""

import pytest
from sqlalchemy import create_engine, text

from annotator import throwaway


def test_no_server_is_said_with_the_address_and_without_the_password():
    with pytest.raises(throwaway.NoServer, match="no PostgreSQL server answered at") as problem:
        with throwaway.postgres_database(admin="postgresql+psycopg://me:secret@127.0.0.1:1/x"):
            pass
    assert "secret" not in str(problem.value)


def test_the_database_exists_inside_the_block_and_is_dropped_after_it():
    try:
        with throwaway.postgres_database("annotator_probe") as url:
            engine = create_engine(url)
            with engine.connect() as connection:  # left open: the drop must not wait for it
                assert connection.execute(text("SELECT 1")).scalar() == 1
                name = url.rsplit("/", 1)[1]
    except throwaway.NoServer as error:
        pytest.skip(f"PostgreSQL pass skipped: {error}")
    engine.dispose()
    admin = create_engine(throwaway.admin_url())
    with admin.connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
    admin.dispose()
    assert left == 0
