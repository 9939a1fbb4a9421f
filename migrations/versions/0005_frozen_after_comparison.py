"""An annotator's layer freezes once they have seen the comparison; a manager's reopening is kept.

``assignment.compared_at`` is when the annotator first opened the comparison of the document
(everyone's work); from then on only a manager may reopen the document, and
``reopened_by_id``/``reopened_at`` record who did and when. Existing rows keep their data; the
new columns start empty (nobody is known to have seen a comparison before this revision).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compared_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reopened_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assignment_reopened_by_id_user"),
            "user",
            ["reopened_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_assignment_reopened_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("reopened_at")
        batch_op.drop_column("reopened_by_id")
        batch_op.drop_column("compared_at")
