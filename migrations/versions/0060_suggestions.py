"""Suggestions: recommender settings per project, suggested spans, per-annotator rejections, who
was shown suggestions (A/B), and each span's origin ("manual" or "suggestion") and recommender.

Existing spans keep everything and become ``origin = 'manual'`` (the column's default).

Revision ID: 0060
Revises: 0041
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0060"
down_revision = "0041"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.add_column(
        "span",
        sa.Column("origin", sa.String(length=20), nullable=False, server_default="manual"),
    )
    op.add_column("span", sa.Column("recommender", sa.String(length=64), nullable=True))

    op.create_table(
        "suggestion_settings",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rules_enabled", sa.Boolean(), nullable=False),
        sa.Column("http_enabled", sa.Boolean(), nullable=False),
        sa.Column("http_url", sa.String(length=2000), nullable=False),
        sa.Column("http_timeout", sa.Float(), nullable=False),
        sa.Column("lexicon", sa.Text(), nullable=True),
        sa.Column("share", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("http_status", sa.Text(), nullable=False),
        sa.Column("http_status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "share >= 0 AND share <= 100", name=op.f("ck_suggestion_settings_share_percent")
        ),
        sa.CheckConstraint(
            "unit IN ('annotator', 'document')", name=op.f("ck_suggestion_settings_unit_known")
        ),
        _fk("suggestion_settings", "project_id", "project"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_suggestion_settings")),
    )
    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("recommender", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('start >= 0 AND start < "end"', name=op.f("ck_suggestion_range_valid")),
        _fk("suggestion", "project_id", "project"),
        _fk("suggestion", "document_id", "document"),
        _fk("suggestion", "label_id", "label"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
    )
    op.create_index(
        "uq_suggestion_content",
        "suggestion",
        ["document_id", "recommender", "label_id", "start", "end"],
        unique=True,
    )
    op.create_table(
        "suggestion_run",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("recommender", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('done', 'failed')", name=op.f("ck_suggestion_run_status_known")
        ),
        _fk("suggestion_run", "document_id", "document"),
        _fk("suggestion_run", "project_id", "project"),
        sa.PrimaryKeyConstraint("document_id", "recommender", name=op.f("pk_suggestion_run")),
    )
    op.create_index(op.f("ix_suggestion_run_project_id"), "suggestion_run", ["project_id"])
    op.create_table(
        "suggestion_rejection",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("recommender", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("suggestion_rejection", "document_id", "document"),
        _fk("suggestion_rejection", "annotator_id", "user"),
        _fk("suggestion_rejection", "label_id", "label"),
        _fk("suggestion_rejection", "project_id", "project"),
        sa.PrimaryKeyConstraint(
            "document_id",
            "annotator_id",
            "label_id",
            "start",
            "end",
            name=op.f("pk_suggestion_rejection"),
        ),
    )
    op.create_index(
        op.f("ix_suggestion_rejection_project_id"), "suggestion_rejection", ["project_id"]
    )
    op.create_table(
        "suggestion_exposure",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("shown", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _fk("suggestion_exposure", "document_id", "document"),
        _fk("suggestion_exposure", "annotator_id", "user"),
        _fk("suggestion_exposure", "project_id", "project"),
        sa.PrimaryKeyConstraint("document_id", "annotator_id", name=op.f("pk_suggestion_exposure")),
    )
    op.create_index(
        op.f("ix_suggestion_exposure_project_id"), "suggestion_exposure", ["project_id"]
    )


def downgrade() -> None:
    for table in ("suggestion_exposure", "suggestion_rejection", "suggestion_run"):
        op.drop_index(op.f(f"ix_{table}_project_id"), table_name=table)
        op.drop_table(table)
    op.drop_index("uq_suggestion_content", table_name="suggestion")
    op.drop_table("suggestion")
    op.drop_table("suggestion_settings")
    with op.batch_alter_table("span") as batch:
        batch.drop_column("recommender")
        batch.drop_column("origin")
