"""Models learned from a project's gold (``learned_model``) and the job that trains one.

A new table, and ``train`` among the job kinds. No existing row changes.

Revision ID: 0062
Revises: 0060
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0062"
down_revision = "0060"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('import', 'export', 'accept_agreed')"
KINDS_AFTER = "kind IN ('import', 'export', 'accept_agreed', 'train')"


def upgrade() -> None:
    op.create_table(
        "learned_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("trained_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("held_out", sa.Integer(), nullable=False),
        sa.Column("gold_documents", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_learned_model_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trained_by_id"],
            ["user.id"],
            name=op.f("fk_learned_model_trained_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_model")),
    )
    op.create_index(op.f("ix_learned_model_project_id"), "learned_model", ["project_id"])
    _kind_check(KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM job WHERE kind = 'train'")
    _kind_check(KINDS_BEFORE)
    op.drop_index(op.f("ix_learned_model_project_id"), table_name="learned_model")
    op.drop_table("learned_model")


def _kind_check(condition: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_job_kind_known"), "job", type_="check")
        op.create_check_constraint(op.f("ck_job_kind_known"), "job", condition)
        return
    # SQLite cannot change a CHECK in place: batch mode copies the table with the new one.
    with op.batch_alter_table("job", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_job_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_job_kind_known"), condition)
