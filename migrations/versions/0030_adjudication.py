"""Adjudication state per document: not started (no row), in progress, adjudicated.

A new table. Documents that already have gold get a row: adjudicated when every gold span came
in with an import (no curator), else in progress under the curator who last changed it.

Revision ID: 0030
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0004"
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


def downgrade() -> None:
    op.drop_index(op.f("ix_adjudication_project_id"), table_name="adjudication")
    op.drop_table("adjudication")
