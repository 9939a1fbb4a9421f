"""Relations between spans and span attributes: relation types, relations, gold relations, and
attribute definitions on labels with values on spans and gold spans.

Existing projects get the default relation types (those whose labels they have at both ends) and
the news attribute definitions on labels named ``attribution`` and ``claim``. The defaults are
written out here, not imported, so this revision stays what it is when the code moves on.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RELATION_TYPES = (
    ("attributed_to", ("claim", "evidence"), ("attribution",)),
    ("supports", ("evidence",), ("claim",)),
    ("refutes", ("evidence",), ("claim",)),
)
ATTRIBUTES = {
    "attribution": [
        {
            "name": "source_type",
            "choices": ["named person", "official body", "media outlet", "anonymous", "document"],
        }
    ],
    "claim": [{"name": "certainty", "choices": ["asserted", "hedged", "questioned"]}],
}


def upgrade() -> None:
    # Spans first: the relations' foreign keys need their new unique keys.
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attributes", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attributes", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_span_id_project_id_document_id_annotator_id"),
            ["id", "project_id", "document_id", "annotator_id"],
        )
    with op.batch_alter_table("gold_span", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attributes", sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_gold_span_id_project_id_document_id"),
            ["id", "project_id", "document_id"],
        )

    op.create_table(
        "relation_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("source_labels", sa.JSON(), nullable=False),
        sa.Column("target_labels", sa.JSON(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_relation_type_name_not_empty")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_relation_type_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_type")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_relation_type_project_id_id")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_relation_type_project_id_name")),
    )
    op.create_table(
        "relation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_relation_ends_differ")),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["user.id"],
            name=op.f("fk_relation_annotator_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "type_id"],
            ["relation_type.project_id", "relation_type.id"],
            name=op.f("fk_relation_project_id_type_id_relation_type"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_relation_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id", "project_id", "document_id", "annotator_id"],
            ["span.id", "span.project_id", "span.document_id", "span.annotator_id"],
            name=op.f("fk_relation_source_id_project_id_document_id_annotator_id_span"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id", "project_id", "document_id", "annotator_id"],
            ["span.id", "span.project_id", "span.document_id", "span.annotator_id"],
            name=op.f("fk_relation_target_id_project_id_document_id_annotator_id_span"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation")),
        sa.UniqueConstraint(
            "source_id",
            "target_id",
            "type_id",
            name=op.f("uq_relation_source_id_target_id_type_id"),
        ),
    )
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_relation_annotator_document", ["annotator_id", "document_id"], unique=False
        )
        batch_op.create_index("ix_relation_target", ["target_id"], unique=False)

    op.create_table(
        "gold_relation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=True),
        sa.Column("curator_id", sa.Integer(), nullable=True),
        sa.Column("source_relation_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_gold_relation_ends_differ")),
        sa.ForeignKeyConstraint(
            ["curator_id"],
            ["user.id"],
            name=op.f("fk_gold_relation_curator_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "type_id"],
            ["relation_type.project_id", "relation_type.id"],
            name=op.f("fk_gold_relation_project_id_type_id_relation_type"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_gold_relation_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id", "project_id", "document_id"],
            ["gold_span.id", "gold_span.project_id", "gold_span.document_id"],
            name=op.f("fk_gold_relation_source_id_project_id_document_id_gold_span"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id", "project_id", "document_id"],
            ["gold_span.id", "gold_span.project_id", "gold_span.document_id"],
            name=op.f("fk_gold_relation_target_id_project_id_document_id_gold_span"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_relation")),
        sa.UniqueConstraint(
            "source_id",
            "target_id",
            "type_id",
            name=op.f("uq_gold_relation_source_id_target_id_type_id"),
        ),
    )
    with op.batch_alter_table("gold_relation", schema=None) as batch_op:
        batch_op.create_index("ix_gold_relation_document", ["document_id"], unique=False)
        batch_op.create_index("ix_gold_relation_target", ["target_id"], unique=False)

    _add_defaults()


def _add_defaults() -> None:
    """Default relation types for every existing project, news attributes on its labels."""
    label = sa.table(
        "label",
        sa.column("project_id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("attributes", sa.JSON()),
    )
    relation_type = sa.table(
        "relation_type",
        sa.column("project_id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("source_labels", sa.JSON()),
        sa.column("target_labels", sa.JSON()),
        sa.column("choices", sa.JSON()),
        sa.column("position", sa.Integer()),
    )
    bind = op.get_bind()
    names: defaultdict[int, set[str]] = defaultdict(set)
    for project_id, name in bind.execute(sa.select(label.c.project_id, label.c.name)):
        names[project_id].add(name)
    rows = []
    for project_id in sorted(names):
        position = 0
        for name, sources, targets in RELATION_TYPES:
            kept_sources = [item for item in sources if item in names[project_id]]
            kept_targets = [item for item in targets if item in names[project_id]]
            if kept_sources and kept_targets:
                rows.append(
                    {
                        "project_id": project_id,
                        "name": name,
                        "source_labels": kept_sources,
                        "target_labels": kept_targets,
                        "choices": [],
                        "position": position,
                    }
                )
                position += 1
    if rows:
        op.bulk_insert(relation_type, rows)
    for name, definitions in ATTRIBUTES.items():
        bind.execute(label.update().where(label.c.name == name).values(attributes=definitions))


def downgrade() -> None:
    with op.batch_alter_table("gold_relation", schema=None) as batch_op:
        batch_op.drop_index("ix_gold_relation_target")
        batch_op.drop_index("ix_gold_relation_document")
    op.drop_table("gold_relation")
    with op.batch_alter_table("relation", schema=None) as batch_op:
        batch_op.drop_index("ix_relation_target")
        batch_op.drop_index("ix_relation_annotator_document")
    op.drop_table("relation")
    op.drop_table("relation_type")
    with op.batch_alter_table("gold_span", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_gold_span_id_project_id_document_id"), type_="unique"
        )
        batch_op.drop_column("attributes")
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_span_id_project_id_document_id_annotator_id"), type_="unique"
        )
        batch_op.drop_column("attributes")
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.drop_column("attributes")
