"""Every row of every table, as comparable values: tests take it before and after a request to
show that a refused one wrote nothing, and ``kept`` worlds to see whether a test changed theirs."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from annotator.models import metadata

Rows = dict[str, list[tuple]]


def _postgres_statement() -> str:
    """One statement with a column per table: the table's rows as text, one per line. The route
    x actor matrices take three such reads per test, and a query per table (45 round trips) took
    most of the PostgreSQL pass's time there; a row's text form (``t::text``) is exact, floats
    and bytes included."""
    columns = ",\n".join(
        f'(SELECT string_agg(t::text, E\'\\n\') FROM "{table.name}" t) AS "{table.name}"'
        for table in metadata.sorted_tables
    )
    return f"SELECT {columns}"


_POSTGRES_ROWS = _postgres_statement()


def database_rows(engine: Engine) -> Rows:
    """Every row of every table, each table's rows sorted: equal results mean the database holds
    the same rows. (On SQLite, in this process, a query per table costs microseconds.)"""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            row = connection.exec_driver_sql(_POSTGRES_ROWS).one()
            return {
                name: sorted((line,) for line in (text or "").split("\n") if text)
                for name, text in row._mapping.items()
            }
        # the values as stored (no column types: a time read back as a datetime would hide a
        # change below its precision)
        return {
            table.name: sorted(
                tuple(map(repr, row))
                for row in connection.exec_driver_sql(f'SELECT * FROM "{table.name}"')
            )
            for table in metadata.sorted_tables
        }
