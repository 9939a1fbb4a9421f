"""Every row of every table, as comparable values: tests take it before and after a request to
show that a refused one wrote nothing, and ``kept`` worlds to see whether a test changed theirs."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from annotator.models import metadata

Rows = dict[str, list[tuple]]

#: The tables, parents first (``metadata.sorted_tables`` sorts them again on every call).
TABLES: tuple[str, ...] = tuple(table.name for table in metadata.sorted_tables)

#: One statement with a column per table: the table's rows, each as its text form (``t::text``,
#: exact: floats and bytes included), in a JSON array (a row whose text holds a line break stays
#: one row). The route x actor matrices take three such reads per test, and a query per table
#: (45 round trips) took most of the PostgreSQL pass's time there.
_POSTGRES_ROWS = "SELECT " + ", ".join(
    f'(SELECT json_agg(t::text) FROM "{name}" t)' for name in TABLES
)


def database_rows(engine: Engine) -> Rows:
    """Every row of every table, each table's rows sorted: equal results mean the database holds
    the same rows. Read through the driver's own cursor: the values as stored (no column types:
    a time read back as a datetime would hide a change below its precision), and without
    SQLAlchemy's work per result, which took most of the time of a read on SQLite."""
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        try:
            if engine.dialect.name == "postgresql":
                cursor.execute(_POSTGRES_ROWS)
                tables = cursor.fetchone()  # psycopg reads each JSON array as a list
                return {
                    name: sorted((row,) for row in rows or ())
                    for name, rows in zip(TABLES, tables, strict=True)
                }
            rows = {}
            for name in TABLES:
                cursor.execute(f'SELECT * FROM "{name}"')
                rows[name] = sorted(tuple(map(repr, row)) for row in cursor.fetchall())
            return rows
        finally:
            cursor.close()
