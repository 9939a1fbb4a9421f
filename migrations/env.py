"""Alembic environment: runs against the engine annotator hands over (see annotator.db).

On SQLite, batch mode changes a table by copying it, dropping the old one and renaming the copy.
With foreign keys enforced, that DROP would first delete, and cascade to, every row that refers to
the table (dropping ``label`` would take all spans with it). So foreign keys are off while the
migrations run, checked once they are done, and on again afterwards.

Batch mode also reflects the tables that a copied table refers to. SQLAlchemy cannot reflect an
index on an expression (``ix_document_project_title``) and warns; a referred table is only read,
never copied, so the warning tells a user nothing they can act on and is silenced here. A migration
that copies ``document`` itself must create that index again (the index tests check it at head).
"""

import warnings

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.exc import SAWarning

from annotator.models import metadata

config = context.config
warnings.filterwarnings(
    "ignore", message="Skipped unsupported reflection of expression-based index", category=SAWarning
)


def run_migrations() -> None:
    engine = config.attributes.get("engine") or create_engine(
        config.get_main_option("sqlalchemy.url")
    )
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A PRAGMA inside a transaction is ignored: run it on the driver's connection before
            # SQLAlchemy begins one (annotator's engine keeps sqlite3 in autocommit mode).
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows breaking foreign keys: {broken}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


run_migrations()
