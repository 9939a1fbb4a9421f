"""Tables of annotator. The database itself guards the invariants that keep a dataset sound.

Offsets everywhere are Unicode code points, half-open ``[start, end)``, into ``Document.text``.
Composite foreign keys make the database refuse a span whose label or document belongs to another
project, and a span that ends past its document's text (``document_length`` is copied from the
document through a foreign key on ``(project_id, id, length)``, so a CHECK can compare with it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# Stable constraint names: migrations (and SQLite's batch mode) need them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

ROLES = ("manager", "annotator")
STATUSES = ("in_progress", "done")
DEFAULT_LABELS = (
    ("claim", "#e45756", "1"),
    ("evidence", "#4c78a8", "2"),
    ("attribution", "#54a24b", "3"),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(SQLModel, table=True):
    """An account. ``password_hash`` is NULL for accounts made by an import: they cannot log in
    until someone sets a password."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    is_admin: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    guidelines: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    overlap: int = Field(default=1)  # how many annotators must annotate each document (k)
    snap_to_words: bool = Field(default=True)
    comparison_open: bool = Field(default=False)  # blind until the manager opens it
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (CheckConstraint("overlap >= 1", name="overlap_positive"),)


class Membership(SQLModel, table=True):
    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=20)

    __table_args__ = (CheckConstraint("role IN ('manager', 'annotator')", name="role_known"),)


class Label(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    name: str = Field(max_length=64)
    color: str = Field(max_length=7)
    shortcut: str | None = Field(default=None, max_length=1)
    position: int = Field(default=0)

    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        UniqueConstraint("project_id", "id"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )


class Document(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    external_id: str = Field(max_length=255)
    title: str | None = Field(default=None, max_length=500)
    text: str = Field(sa_column=Column(Text, nullable=False))
    length: int  # len(text) in code points, kept so constraints can check span ends
    url: str | None = Field(default=None, max_length=2000)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        UniqueConstraint("project_id", "id", "length"),
        CheckConstraint("length >= 0", name="length_not_negative"),
        Index("ix_document_project_position", "project_id", "position"),
    )


class Assignment(SQLModel, table=True):
    """One annotator's work on one document: created when the document is handed out."""

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    status: str = Field(default="in_progress", max_length=20)
    assigned_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None

    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'done')", name="status_known"),
        Index("ix_assignment_user_project", "user_id", "project_id"),
    )


def _span_table_args(prefix: str) -> tuple:
    return (
        ForeignKeyConstraint(
            ["project_id", "document_id", "document_length"],
            ["document.project_id", "document.id", "document.length"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["project_id", "label_id"], ["label.project_id", "label.id"], ondelete="CASCADE"
        ),
        CheckConstraint("start >= 0", name="start_not_negative"),
        CheckConstraint('start < "end"', name="start_before_end"),
        CheckConstraint('"end" <= document_length', name="end_within_text"),
        Index(f"ix_{prefix}_document", "document_id", "start"),
    )


class Span(SQLModel, table=True):
    """An annotator's labelled range. ``id`` is made by the client so a retried save is a no-op."""

    id: str = Field(primary_key=True, max_length=36)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int
    document_length: int
    annotator_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    label_id: int
    start: int
    end: int
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        *_span_table_args("span"),
        Index("ix_span_annotator_document", "annotator_id", "document_id"),
    )


class GoldSpan(SQLModel, table=True):
    """The adjudicated layer: one per document, built by a manager from annotators' spans."""

    __tablename__ = "gold_span"

    id: str = Field(primary_key=True, max_length=36)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int
    document_length: int
    label_id: int
    start: int
    end: int
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    source_span_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = _span_table_args("gold_span")
