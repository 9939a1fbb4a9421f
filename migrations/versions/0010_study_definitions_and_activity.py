"""Labels and relation types a manager can keep changing, and the project's activity log.

Labels and relation types get a ``description`` (shown as a tooltip in the workspace) and
``former_names`` (names they had before a rename, so a save from a page opened before the rename
still finds them). Existing rows get an empty description and no former names. The new
``activity`` table records who changed what in a project, and when.

Revision ID: 0010_study
Revises: 0007
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_study"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("label", "relation_type"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False)
            )
            batch_op.add_column(
                sa.Column("former_names", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
            )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_activity_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_activity_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    op.create_index("ix_activity_project", "activity", ["project_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_activity_project", table_name="activity")
    op.drop_table("activity")
    for table in ("relation_type", "label"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("former_names")
            batch_op.drop_column("description")
