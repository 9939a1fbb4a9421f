"""Per-document counters for the document list, kept by the database (issue 17's bench).

``document_summary`` holds, for each document, its number of spans (every annotator's), of gold
spans, and whether it is in disagreement (two annotators who marked it done differ in their spans:
one has a (label, start, end) the other lacks; the definition of ``document_list``). Sorting by
span count then reads an index, ``(project_id, spans, document_id)``, instead of counting the
spans of every match, and the disagreement filter reads a flag instead of comparing every
document's spans.

Triggers keep the row exact whatever writes: a span or gold span created, deleted or moved, an
assignment created, deleted or changing status, a label deleted with its spans, a project deleted
(the foreign keys' cascades fire them too). Only a document's own triggers create its row, so a row
exists for every document. SQLite runs row triggers; PostgreSQL counts inserted and deleted spans
once per statement (transition tables: an import or a label's deletion is one grouped update, not
one per span). The rows of the documents already stored are computed here.

A later migration that rebuilds ``document``, ``span``, ``gold_span`` or ``assignment`` in
SQLite's batch mode (copy and rename) drops their triggers: it must create them again (see
``sqlite_triggers``).

Revision ID: 0110
Revises: 0098
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0098"
branch_labels = None
depends_on = None


def disagrees(document: str) -> str:
    """SQL: true when two annotators who marked ``document`` (an SQL expression for its id) done
    differ in their spans. The same test as ``document_list.disagreement_reference``."""
    return f"""EXISTS (
        SELECT 1 FROM span s
        JOIN assignment one ON one.document_id = s.document_id AND one.user_id = s.annotator_id
        JOIN assignment other ON other.document_id = s.document_id AND other.user_id <> one.user_id
        WHERE s.document_id = {document} AND one.status = 'done' AND other.status = 'done'
        AND NOT EXISTS (
            SELECT 1 FROM span t
            WHERE t.annotator_id = other.user_id AND t.document_id = s.document_id
            AND t.label_id = s.label_id AND t.start = s.start AND t."end" = s."end"
        )
    )"""


def _refresh(document: str) -> str:
    """SQLite: recompute ``document``'s flag (its writers take turns; see ``_refresh_where``)."""
    return (
        f"UPDATE document_summary SET disagreement = {disagrees(document)} "
        f"WHERE document_id = {document};"
    )


def _done(row: str) -> str:
    """SQL: ``row``'s annotator marked ``row``'s document done (only then can it disagree)."""
    return (
        f"EXISTS (SELECT 1 FROM assignment WHERE document_id = {row}.document_id "
        f"AND user_id = {row}.annotator_id AND status = 'done')"
    )


def _count(column: str, document: str, change: str) -> str:
    sets = f"{column} = {column} {change}"
    return f"UPDATE document_summary SET {sets} WHERE document_id = {document};"


def sqlite_triggers() -> list[str]:
    """SQLite: row triggers (``name``, statement)."""
    moved = "old.document_id <> new.document_id"
    triggers = [
        """CREATE TRIGGER document_summary_new AFTER INSERT ON document BEGIN
            INSERT INTO document_summary (document_id, project_id) VALUES (new.id, new.project_id);
        END""",
    ]
    for table, column in (("span", "spans"), ("gold_span", "gold_spans")):
        triggers += [
            f"""CREATE TRIGGER {table}_summary_insert AFTER INSERT ON {table} BEGIN
                {_count(column, "new.document_id", "+ 1")}
            END""",
            f"""CREATE TRIGGER {table}_summary_delete AFTER DELETE ON {table} BEGIN
                {_count(column, "old.document_id", "- 1")}
            END""",
            f"""CREATE TRIGGER {table}_summary_move AFTER UPDATE OF document_id ON {table}
            WHEN {moved} BEGIN
                {_count(column, "old.document_id", "- 1")}
                {_count(column, "new.document_id", "+ 1")}
            END""",
        ]
    triggers += [
        f"""CREATE TRIGGER span_disagreement_insert AFTER INSERT ON span WHEN {_done("new")} BEGIN
            {_refresh("new.document_id")}
        END""",
        f"""CREATE TRIGGER span_disagreement_delete AFTER DELETE ON span WHEN {_done("old")} BEGIN
            {_refresh("old.document_id")}
        END""",
        f"""CREATE TRIGGER span_disagreement_update
        AFTER UPDATE OF document_id, annotator_id, label_id, start, "end" ON span
        WHEN {_done("old")} OR {_done("new")} BEGIN
            {_refresh("old.document_id")}
            {_refresh("new.document_id")}
        END""",
        f"""CREATE TRIGGER assignment_disagreement_insert AFTER INSERT ON assignment
        WHEN new.status = 'done' BEGIN
            {_refresh("new.document_id")}
        END""",
        f"""CREATE TRIGGER assignment_disagreement_delete AFTER DELETE ON assignment
        WHEN old.status = 'done' BEGIN
            {_refresh("old.document_id")}
        END""",
        f"""CREATE TRIGGER assignment_disagreement_update
        AFTER UPDATE OF status, document_id, user_id ON assignment
        WHEN old.status = 'done' OR new.status = 'done' BEGIN
            {_refresh("old.document_id")}
            {_refresh("new.document_id")}
        END""",
    ]
    return triggers


SQLITE_NAMES = [
    "document_summary_new",
    *(
        f"{t}_summary_{kind}"
        for t in ("span", "gold_span")
        for kind in ("insert", "delete", "move")
    ),
    *(
        f"{t}_disagreement_{kind}"
        for t in ("span", "assignment")
        for kind in ("insert", "delete", "update")
    ),
]


def _grouped(column: str, rows: str, sign: str) -> str:
    return f"""UPDATE document_summary s SET {column} = s.{column} {sign} d.n
        FROM (SELECT document_id, count(*) AS n FROM {rows} GROUP BY document_id) d
        WHERE s.document_id = d.document_id;"""


def _refresh_where(documents: str) -> str:
    """PostgreSQL: recompute the flag of the documents ``documents`` (ids, or a query of them)
    selects. Their rows are locked first, in a statement of their own: the update after it then
    reads with a snapshot taken once the lock is held, so it sees what a concurrent transaction
    that held the lock committed (two annotators marking one document done at once; an update
    that waited for the lock would otherwise compute the flag from its statement's older
    snapshot)."""
    return (
        f"PERFORM 1 FROM document_summary WHERE document_id IN ({documents}) "
        "ORDER BY document_id FOR UPDATE;\n"
        f"UPDATE document_summary SET disagreement = {disagrees('document_summary.document_id')} "
        f"WHERE document_id IN ({documents});"
    )


def _done_rows(rows: str) -> str:
    return (
        f"SELECT r.document_id FROM {rows} r JOIN assignment a ON a.document_id = r.document_id "
        "AND a.user_id = r.annotator_id AND a.status = 'done'"
    )


def postgresql_statements() -> list[str]:
    """PostgreSQL: functions and triggers. Inserts and deletes of spans are counted per
    statement; a span's update (rare: relabel, move) and assignments per row."""
    statements = [
        """CREATE FUNCTION document_summary_new() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO document_summary (document_id, project_id) VALUES (NEW.id, NEW.project_id);
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER document_summary_new AFTER INSERT ON document
        FOR EACH ROW EXECUTE FUNCTION document_summary_new()""",
    ]
    for table, column in (("span", "spans"), ("gold_span", "gold_spans")):
        disagreement_in, disagreement_out = "", ""
        if table == "span":
            disagreement_in = _refresh_where(_done_rows("new_rows"))
            disagreement_out = _refresh_where(_done_rows("old_rows"))
        statements += [
            f"""CREATE FUNCTION {table}_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_grouped(column, "new_rows", "+")}
                {disagreement_in}
                RETURN NULL;
            END $$""",
            f"""CREATE TRIGGER {table}_summary_insert AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_summary_insert()""",
            f"""CREATE FUNCTION {table}_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_grouped(column, "old_rows", "-")}
                {disagreement_out}
                RETURN NULL;
            END $$""",
            f"""CREATE TRIGGER {table}_summary_delete AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_summary_delete()""",
            f"""CREATE FUNCTION {table}_summary_move() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_count(column, "OLD.document_id", "- 1")}
                {_count(column, "NEW.document_id", "+ 1")}
                RETURN NULL;
            END $$""",
            f"""CREATE TRIGGER {table}_summary_move AFTER UPDATE OF document_id ON {table}
            FOR EACH ROW WHEN (OLD.document_id <> NEW.document_id)
            EXECUTE FUNCTION {table}_summary_move()""",
        ]
    statements += [
        f"""CREATE FUNCTION span_disagreement_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {_done("OLD")} OR {_done("NEW")} THEN
                {_refresh_where("OLD.document_id")}
                {_refresh_where("NEW.document_id")}
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER span_disagreement_update
        AFTER UPDATE OF document_id, annotator_id, label_id, start, "end" ON span
        FOR EACH ROW EXECUTE FUNCTION span_disagreement_update()""",
        f"""CREATE FUNCTION assignment_disagreement() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' AND OLD.status = 'done' THEN
                {_refresh_where("OLD.document_id")}
            END IF;
            IF TG_OP <> 'DELETE' AND NEW.status = 'done'
                AND (TG_OP = 'INSERT' OR OLD.status <> 'done'
                     OR OLD.document_id <> NEW.document_id OR OLD.user_id <> NEW.user_id) THEN
                {_refresh_where("NEW.document_id")}
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER assignment_disagreement
        AFTER INSERT OR DELETE OR UPDATE OF status, document_id, user_id ON assignment
        FOR EACH ROW EXECUTE FUNCTION assignment_disagreement()""",
    ]
    return statements


POSTGRESQL_TRIGGERS = {
    "document_summary_new": "document",
    "span_summary_insert": "span",
    "span_summary_delete": "span",
    "span_summary_move": "span",
    "gold_span_summary_insert": "gold_span",
    "gold_span_summary_delete": "gold_span",
    "gold_span_summary_move": "gold_span",
    "span_disagreement_update": "span",
    "assignment_disagreement": "assignment",
}


def upgrade() -> None:
    op.create_table(
        "document_summary",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("spans", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("gold_spans", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("disagreement", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index(
        "ix_document_summary_spans", "document_summary", ["project_id", "spans", "document_id"]
    )
    op.create_index(
        "ix_document_summary_disagreement",
        "document_summary",
        ["project_id", "disagreement", "document_id"],
    )
    op.execute(
        "INSERT INTO document_summary (document_id, project_id, spans, gold_spans, disagreement) "
        "SELECT d.id, d.project_id, "
        "(SELECT count(*) FROM span WHERE span.document_id = d.id), "
        "(SELECT count(*) FROM gold_span WHERE gold_span.document_id = d.id), "
        f"{disagrees('d.id')} FROM document d"
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in postgresql_statements():
            op.execute(statement)
    else:
        for statement in sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in POSTGRESQL_TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name in dict.fromkeys(POSTGRESQL_TRIGGERS):
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in SQLITE_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("document_summary")
