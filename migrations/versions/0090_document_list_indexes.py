"""Indexes for the manager's document list on large projects (issue 17's bench).

- ``document (project_id, position, id)`` instead of ``(project_id, position)``: a deep page in
  project order is read from the index alone on PostgreSQL too (SQLite's indexes hold the id
  anyway);
- ``document (project_id, coalesce(title, external_id), id)``: the list sorted by title reads a
  page from the index instead of sorting every document of the project;
- ``span (label_id, document_id)``: "at least n spans of label L" is one pass over that label's
  spans;
- ``assignment (document_id, status)``: a document's done count (its status) is read from the
  index alone.

Only indexes: no data changes, the downgrade drops them.

Revision ID: 0090
Revises: 0070
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0090"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_document_project_position", table_name="document")
    op.create_index("ix_document_project_position", "document", ["project_id", "position", "id"])
    op.create_index(
        "ix_document_project_title",
        "document",
        ["project_id", sa.text("coalesce(title, external_id)"), "id"],
    )
    op.create_index("ix_span_label_document", "span", ["label_id", "document_id"])
    op.create_index("ix_assignment_document_status", "assignment", ["document_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_assignment_document_status", table_name="assignment")
    op.drop_index("ix_span_label_document", table_name="span")
    op.drop_index("ix_document_project_title", table_name="document")
    op.drop_index("ix_document_project_position", table_name="document")
    op.create_index("ix_document_project_position", "document", ["project_id", "position"])
