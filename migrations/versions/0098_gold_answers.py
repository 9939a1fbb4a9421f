"""Gold answers: the adjudicated answer to each document question, one per (document, question).

A new table only; existing rows are untouched.

Revision ID: 0098
Revises: 0100
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0098"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gold_answer",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("curator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_gold_answer_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_gold_answer_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["curator_id"],
            ["user.id"],
            name=op.f("fk_gold_answer_curator_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "question_id"],
            ["question.project_id", "question.id"],
            name=op.f("fk_gold_answer_project_id_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "question_id", name=op.f("pk_gold_answer")),
    )
    op.create_index("ix_gold_answer_question", "gold_answer", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_gold_answer_question", table_name="gold_answer")
    op.drop_table("gold_answer")
