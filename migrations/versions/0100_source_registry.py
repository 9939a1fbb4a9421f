"""The source registry: project-wide sources that attribution spans point to (issue 16).

- ``source``: one row per source of a project (canonical name, its case-folded key, kind,
  optional URL and Wikidata id);
- ``span.named_source_id`` and ``gold_span.named_source_id``: the source a span names, a source of
  the span's own project (composite foreign key), indexed for the Sources page's counts;
- ``label.links_source``: whether the label's spans may name a source; true for every label
  called ``attribution``, the one the default label set uses for who said something.

Existing rows keep every value; spans name no source until an annotator picks one. The
downgrade drops the columns and the table (the links are lost, the spans are kept).

Revision ID: 0100
Revises: 0095
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0095"
branch_labels = None
depends_on = None

SPAN_TABLES = ("span", "gold_span")


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("wikidata", sa.String(length=20), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint(
            "kind IN ('person', 'organisation', 'outlet', 'document', 'other')",
            name="kind_known",
        ),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "name_key"),
        sa.UniqueConstraint("project_id", "id"),
    )
    for table in SPAN_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("named_source_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                f"fk_{table}_project_id_named_source_id_source",
                "source",
                ["project_id", "named_source_id"],
                ["project_id", "id"],
            )
            batch.create_index(f"ix_{table}_named_source", ["named_source_id"])
    op.add_column(
        "label",
        sa.Column("links_source", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE label SET links_source = true WHERE name = 'attribution'")


def downgrade() -> None:
    with op.batch_alter_table("label") as batch:
        batch.drop_column("links_source")
    for table in SPAN_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_named_source")
            batch.drop_constraint(
                f"fk_{table}_project_id_named_source_id_source", type_="foreignkey"
            )
            batch.drop_column("named_source_id")
    op.drop_table("source")
