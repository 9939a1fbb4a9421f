"""Full-text search over documents' titles and texts, each database with its own index.

SQLite: an FTS5 table ``document_fts`` over ``document`` (external content, so the text is stored
once) kept current by triggers, tokenised by ``unicode61`` with diacritics removed (case and
accents fold in every script). PostgreSQL: a stored generated column ``document.search``, the
``simple`` text search vector of title and text (no stemming: the documents are in many languages;
stored, so checking a row never parses its text again), with a GIN index. Both are built here for
the documents already stored.

A later migration that rebuilds ``document`` in SQLite's batch mode (copy and rename) drops the
triggers: it must create them again (see ``TRIGGERS``).

Revision ID: 0011_study
Revises: 0010_study
Create Date: 2026-11-28
"""

from alembic import op

revision = "0011_study"
down_revision = "0010_study"
branch_labels = None
depends_on = None

VECTOR = "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || text)"

TRIGGERS = (
    """CREATE TRIGGER document_fts_insert AFTER INSERT ON document BEGIN
        INSERT INTO document_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER document_fts_delete AFTER DELETE ON document BEGIN
        INSERT INTO document_fts (document_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER document_fts_update AFTER UPDATE OF title, text ON document BEGIN
        INSERT INTO document_fts (document_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO document_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE document ADD COLUMN search tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_document_search ON document USING gin (search)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE document_fts USING fts5(title, text, content='document', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    for trigger in TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO document_fts (document_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_document_search")
        op.execute("ALTER TABLE document DROP COLUMN search")
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER document_fts_{name}")
    op.execute("DROP TABLE document_fts")
