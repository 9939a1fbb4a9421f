"""Adjudication state per document: not started (no row), in progress, adjudicated; the
curator's rejections of regions and comments to annotators.

New tables. Documents that already have gold get a row: adjudicated when every gold span came
in with an import (no curator), else in progress under the curator who last changed it.

Revision ID: 0041
Revises: 0040
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adjudication",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("curator_id", sa.Integer(), nullable=True),
        sa.Column("imported", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("adjudicated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('in_progress', 'adjudicated')",
            name=op.f("ck_adjudication_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_adjudication_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_adjudication_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["curator_id"],
            ["user.id"],
            name=op.f("fk_adjudication_curator_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_adjudication")),
    )
    op.create_index(op.f("ix_adjudication_project_id"), "adjudication", ["project_id"])
    op.execute(
        """
        INSERT INTO adjudication (document_id, project_id, status, curator_id, imported,
                                  started_at, updated_at, adjudicated_at)
        SELECT g.document_id, MIN(g.project_id),
               CASE WHEN MAX(g.curator_id) IS NULL THEN 'adjudicated' ELSE 'in_progress' END,
               MAX(g.curator_id),
               MAX(g.curator_id) IS NULL,
               MIN(g.created_at), MAX(g.updated_at),
               CASE WHEN MAX(g.curator_id) IS NULL THEN MAX(g.updated_at) END
        FROM gold_span g
        GROUP BY g.document_id
        """
    )

    op.create_table(
        "rejection",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("curator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('start < "end"', name=op.f("ck_rejection_start_before_end")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_rejection_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_rejection_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["curator_id"],
            ["user.id"],
            name=op.f("fk_rejection_curator_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("document_id", "start", "end", name=op.f("pk_rejection")),
    )
    op.create_index(op.f("ix_rejection_project_id"), "rejection", ["project_id"])
    op.create_table(
        "curator_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("curator_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_curator_comment_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_curator_comment_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_curator_comment_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["user.id"],
            name=op.f("fk_curator_comment_annotator_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["curator_id"],
            ["user.id"],
            name=op.f("fk_curator_comment_curator_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curator_comment")),
    )
    op.create_index(
        "ix_curator_comment_document_annotator",
        "curator_comment",
        ["document_id", "annotator_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_curator_comment_document_annotator", table_name="curator_comment")
    op.drop_table("curator_comment")
    op.drop_index(op.f("ix_rejection_project_id"), table_name="rejection")
    op.drop_table("rejection")
    op.drop_index(op.f("ix_adjudication_project_id"), table_name="adjudication")
    op.drop_table("adjudication")
