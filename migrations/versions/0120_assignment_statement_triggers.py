"""PostgreSQL: the disagreement flag follows inserted and deleted assignments once per statement.

Migration 0110 checked a document's disagreement after each assignment row written as done. An
import of finished work (a document per row, three annotators each) then ran the check 300,000
times for 100,000 documents: the bench's build took 507 s on PostgreSQL against 26 s on SQLite.
Inserts and deletes now check the documents of the statement's done rows once, as spans do (a
transition table per event: PostgreSQL allows one per trigger); an update (a status change, one row
at a time in the app) keeps 0110's row trigger. SQLite has no statement triggers: unchanged.

Revision ID: 0120
Revises: 0110
Create Date: 2026-11-28
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0120"
down_revision = "0110"
branch_labels = None
depends_on = None


def _load_0110():
    """0110's SQL builders, read from the file beside this one (revisions are files, not a
    package, in a checkout and in the wheel alike)."""
    path = Path(__file__).with_name("0110_document_summary.py")
    spec = importlib.util.spec_from_file_location("annotator_revision_0110", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_summary = _load_0110()


def _done_documents(rows: str) -> str:
    return f"SELECT document_id FROM {rows} WHERE status = 'done'"


def _statement_trigger(event: str, rows: str) -> list[str]:
    """The function and trigger that recompute the flags of the documents of a statement's done
    rows (``rows``: the transition table of ``event``, INSERT or DELETE)."""
    name = f"assignment_disagreement_{event.lower()}"
    kind = "NEW" if event == "INSERT" else "OLD"
    return [
        f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_summary._refresh_where(_done_documents(rows))}
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER {name} AFTER {event} ON assignment
        REFERENCING {kind} TABLE AS {rows}
        FOR EACH STATEMENT EXECUTE FUNCTION {name}()""",
    ]


def postgresql_statements() -> list[str]:
    refresh_row = _summary._refresh_where
    return [
        "DROP TRIGGER assignment_disagreement ON assignment",
        "DROP FUNCTION assignment_disagreement()",
        *_statement_trigger("INSERT", "new_rows"),
        *_statement_trigger("DELETE", "old_rows"),
        f"""CREATE FUNCTION assignment_disagreement_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'done' THEN
                {refresh_row("OLD.document_id")}
            END IF;
            IF NEW.status = 'done' AND (OLD.status <> 'done'
                 OR OLD.document_id <> NEW.document_id OR OLD.user_id <> NEW.user_id) THEN
                {refresh_row("NEW.document_id")}
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER assignment_disagreement_update
        AFTER UPDATE OF status, document_id, user_id ON assignment
        FOR EACH ROW EXECUTE FUNCTION assignment_disagreement_update()""",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in postgresql_statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for kind in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER assignment_disagreement_{kind} ON assignment")
        op.execute(f"DROP FUNCTION assignment_disagreement_{kind}()")
    statements = _summary.postgresql_statements()
    for statement in statements:
        if "assignment_disagreement" in statement:
            op.execute(statement)
