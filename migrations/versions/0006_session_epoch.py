"""Log-out ends sessions on the server: a per-account counter the session cookie must match.

Session cookies are signed, not stored; ``user.session_epoch`` goes into the fingerprint each
cookie carries, and log-out raises it, so a cookie saved before a log-out no longer logs anyone
in. Existing accounts start at 0 (their current sessions end once, at the upgrade, because the
fingerprint now covers the counter).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")
