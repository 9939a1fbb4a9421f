"""Skip and flag, and active time: an assignment can be ``skipped`` (given back, not counted
towards k) or ``flagged`` (waiting for a manager); flags and per-visit active seconds get tables.

Existing assignments keep their status; no flags and no active time are invented for old work.

Revision ID: 0070
Revises: 0062
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0070"
down_revision = "0062"
branch_labels = None
depends_on = None

CHECK = "ck_assignment_status_known"


def upgrade() -> None:
    _status_check("status IN ('assigned', 'in_progress', 'done', 'skipped', 'flagged')")
    op.create_table(
        "flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('broken_text', 'off_topic', 'needs_discussion', 'other')",
            name=op.f("ck_flag_reason_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_flag_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_flag_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["user.id"], name=op.f("fk_flag_annotator_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["user.id"], name=op.f("fk_flag_resolved_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag")),
    )  # fmt: skip
    op.create_index("ix_flag_project_resolved", "flag", ["project_id", "resolved_at"])
    op.create_index("ix_flag_document_annotator", "flag", ["document_id", "annotator_id"])
    op.create_table(
        "active_time",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("visit", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("seconds >= 0", name=op.f("ck_active_time_seconds_not_negative")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_active_time_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["user.id"], name=op.f("fk_active_time_annotator_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_active_time_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "document_id", "annotator_id", "visit", name=op.f("pk_active_time")
        ),
    )  # fmt: skip
    op.create_index("ix_active_time_project_id", "active_time", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_active_time_project_id", table_name="active_time")
    op.drop_table("active_time")
    op.drop_index("ix_flag_document_annotator", table_name="flag")
    op.drop_index("ix_flag_project_resolved", table_name="flag")
    op.drop_table("flag")
    # A skipped document goes back to the pool; a flagged one back to its annotator.
    op.execute("DELETE FROM assignment WHERE status = 'skipped'")
    op.execute("UPDATE assignment SET status = 'in_progress' WHERE status = 'flagged'")
    _status_check("status IN ('assigned', 'in_progress', 'done')")


def _status_check(condition: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(CHECK), "assignment", type_="check")
        op.create_check_constraint(op.f(CHECK), "assignment", condition)
        return
    # SQLite cannot change a CHECK in place: batch mode copies the table with the new one.
    with op.batch_alter_table("assignment", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), condition)
