"""Assignment by hand: a manager's assignment waits as ``assigned`` until the annotator takes it,
and documents get a ``priority`` (higher: handed out first).

Existing assignments keep their status (``in_progress`` or ``done``); existing documents get
priority 0, so the hand-out's order stays what it was.

Revision ID: 0012_study
Revises: 0011_study
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_study"
down_revision = "0011_study"
branch_labels = None
depends_on = None

CHECK = "ck_assignment_status_known"


def upgrade() -> None:
    # A plain ADD COLUMN, not batch mode: copying ``document`` on SQLite would drop the search
    # index's triggers (revision 0011_study).
    op.add_column(
        "document",
        sa.Column("priority", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    _status_check("status IN ('assigned', 'in_progress', 'done')")


def downgrade() -> None:
    op.execute("UPDATE assignment SET status = 'in_progress' WHERE status = 'assigned'")
    _status_check("status IN ('in_progress', 'done')")
    op.drop_column("document", "priority")  # SQLite 3.35+ drops a plain column in place


def _status_check(condition: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(CHECK), "assignment", type_="check")
        op.create_check_constraint(op.f(CHECK), "assignment", condition)
        return
    # SQLite cannot change a CHECK in place: batch mode copies the table with the new one.
    with op.batch_alter_table("assignment", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), condition)
