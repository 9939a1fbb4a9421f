"""Document questions: the manager's questions about every document, and annotators' answers.

New tables only; existing rows are untouched.

Revision ID: 0040
Revises: 0012_study
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0012_study"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=True),
        sa.Column("maximum", sa.Integer(), nullable=True),
        sa.Column("low_label", sa.String(length=100), nullable=False),
        sa.Column("high_label", sa.String(length=100), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_question_name_not_empty")),
        sa.CheckConstraint(
            "kind IN ('single', 'multiple', 'scale', 'number', 'text')",
            name=op.f("ck_question_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_question_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_question_project_id_name")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_question_project_id_id")),
    )
    op.create_table(
        "answer",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_answer_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["user.id"],
            name=op.f("fk_answer_annotator_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_answer_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id", "question_id"],
            ["question.project_id", "question.id"],
            name=op.f("fk_answer_project_id_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "document_id", "annotator_id", "question_id", name=op.f("pk_answer")
        ),
    )
    op.create_index("ix_answer_question", "answer", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_question", table_name="answer")
    op.drop_table("answer")
    op.drop_table("question")
