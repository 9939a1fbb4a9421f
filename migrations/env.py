"""Alembic environment: runs against the engine annotator hands over (see annotator.db).

On SQLite, batch mode changes a table by copying it, dropping the old one and renaming the copy.
With foreign keys enforced, that DROP would first delete, and cascade to, every row that refers to
the table (dropping ``label`` would take all spans with it). So foreign keys are off while the
migrations run, checked once they are done, and on again afterwards.
"""

from alembic import context
from sqlalchemy import create_engine

from annotator.models import metadata

config = context.config


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
