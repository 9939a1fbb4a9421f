"""Tables of annotator. The database itself guards the invariants that keep a dataset sound.

Offsets everywhere are Unicode code points, half-open ``[start, end)``, into ``Document.text``.
Composite foreign keys make the database refuse a span whose label or document belongs to another
project, and a span that ends past its document's text (``document_length`` is copied from the
document through a foreign key on ``(project_id, id, length)``, so a CHECK can compare with it).
Likewise a relation's two ends are spans of the relation's own document and annotator (gold
relations: gold spans of its document), and deleting a span deletes its relations.
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
    LargeBinary,
    MetaData,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from annotator import rules

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
DEFAULT_LABELS = (
    ("claim", "#e45756", "1"),
    ("evidence", "#4c78a8", "2"),
    ("attribution", "#54a24b", "3"),
)
#: Labels whose spans name a source (the Source registry) in a new project.
SOURCE_LABELS = ("attribution",)
#: Relation types every new project starts with: (name, source labels, target labels, choices).
#: A type is created only when the project has at least one of its labels at each end.
DEFAULT_RELATION_TYPES = (
    ("attributed_to", ("claim", "evidence"), ("attribution",), ()),
    ("supports", ("evidence",), ("claim",), ()),
    ("refutes", ("evidence",), ("claim",), ()),
)
#: Span attributes of the default labels (news): label name -> definitions.
DEFAULT_ATTRIBUTES = {
    "attribution": (
        {
            "name": "source_type",
            "kind": "single",
            "required": False,
            "choices": ["named person", "official body", "media outlet", "anonymous", "document"],
        },
    ),
    "claim": (
        {
            "name": "certainty",
            "kind": "single",
            "required": False,
            "choices": ["asserted", "hedged", "questioned"],
        },
    ),
}


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
    #: Raised by each log-out: every session cookie signed before it stops working.
    session_epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


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
    """A span label. ``attributes`` defines the label's span attributes, each typed like a
    document question: ``[{"name": "source_type", "kind": "single", "required": false,
    "choices": ["named person", ...]}]`` (see annotator.annotation.definitions and value_types;
    migration 0095 gave every older definition its ``kind`` and ``required``)."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    name: str = Field(max_length=64)
    color: str = Field(max_length=7)
    shortcut: str | None = Field(default=None, max_length=1)
    position: int = Field(default=0)
    attributes: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    # shown as a tooltip in the workspace (migration 0010_study)
    description: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    # names it had before a rename: saves from a page opened before it still find the label
    former_names: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )
    # its spans may point to a project-wide Source (migration 0100: true for "attribution")
    links_source: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})

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
    priority: int = Field(default=0)  # higher: handed out before others (migration 0012_study)
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        UniqueConstraint("project_id", "id", "length"),
        CheckConstraint("length >= 0", name="length_not_negative"),
        Index("ix_document_project_position", "project_id", "position", "id"),
        # Migration 0090 also indexes (project_id, coalesce(title, external_id), id): the list
        # sorted by title.
    )


class DocumentSummary(SQLModel, table=True):
    """What the document list sorts and filters a document by, one row per document, written by
    the database's triggers only (migration 0110) so it stays exact whatever writes: its spans
    (every annotator's), its gold spans, and whether it is in disagreement (the definition of
    ``document_list``). Never written by the application."""

    __tablename__ = "document_summary"

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    project_id: int  # the document's, copied so the list's indexes start with it
    spans: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    gold_spans: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    disagreement: bool = Field(default=False, sa_column_kwargs={"server_default": false()})

    __table_args__ = (
        Index("ix_document_summary_spans", "project_id", "spans", "document_id"),
        Index("ix_document_summary_disagreement", "project_id", "disagreement", "document_id"),
    )


ASSIGNMENT_STATUSES = ("assigned", "in_progress", "done", "skipped", "flagged")


class Assignment(SQLModel, table=True):
    """One annotator's work on one document: created when the document is handed out, or by a
    manager in the assignment matrix (``assigned`` until the annotator takes it with *Next*).

    ``skipped``: the annotator gave the document back; it does not count towards k and is never
    handed to them again (migration 0070). ``flagged``: the annotator raised a :class:`Flag`; the
    document waits for a manager, keeps its place towards k, and is out of their queue until
    the flag is resolved."""

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    status: str = Field(default="in_progress", max_length=20)
    assigned_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None
    #: When the annotator first opened the comparison of this document (others' work): from
    #: then on only a manager may reopen it, so nobody changes their work after seeing the others'.
    compared_at: datetime | None = None
    #: Who reopened it last when a manager did, and when: a frozen layer changed on record.
    reopened_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    reopened_at: datetime | None = None

    __table_args__ = (
        CheckConstraint(
            "status IN ('assigned', 'in_progress', 'done', 'skipped', 'flagged')",
            name="status_known",
        ),
        Index("ix_assignment_user_project", "user_id", "project_id"),
        Index("ix_assignment_document_status", "document_id", "status"),
    )


def _span_table_args(prefix: str) -> tuple:
    """Constraints shared by ``span`` and ``gold_span``."""
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
        # a source of the span's own project; merging sources moves spans before deleting one
        ForeignKeyConstraint(["project_id", "named_source_id"], ["source.project_id", "source.id"]),
        Index(f"ix_{prefix}_named_source", "named_source_id"),
    )


SOURCE_KINDS = rules.SOURCE_KINDS


class Source(SQLModel, table=True):
    """A source followed across the corpus (migration 0100): attribution spans of any document
    and annotator, and gold spans, point to it, so a source's rating and reach can be read over
    the whole study. ``name_key`` is the name case-folded with spaces collapsed: one source per
    name in a project, whoever types it."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200)
    kind: str = Field(default="person", max_length=20)
    url: str | None = Field(default=None, max_length=2000)
    wikidata: str | None = Field(default=None, max_length=20)  # e.g. Q42, entered by hand
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        UniqueConstraint("project_id", "name_key"),
        UniqueConstraint("project_id", "id"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "kind IN ('person', 'organisation', 'outlet', 'document', 'other')",
            name="kind_known",
        ),
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
    attributes: dict[str, Any] = Field(  # attribute name -> value of its kind (Label.attributes)
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # "suggestion" when the annotator accepted a recommender's suggestion (migration 0060)
    origin: str = Field(
        default="manual", max_length=20, sa_column_kwargs={"server_default": "manual"}
    )
    recommender: str | None = Field(default=None, max_length=64)
    # the project-wide Source this span names (migration 0100), for labels with links_source;
    # not to be confused with a relation's source_id, the span a link starts at
    named_source_id: int | None = None

    __table_args__ = (
        *_span_table_args("span"),
        Index("ix_span_annotator_document", "annotator_id", "document_id"),
        Index("ix_span_label_document", "label_id", "document_id"),
        # An annotator marks each label and range once (migration 0003).
        Index(
            "uq_span_content",
            "annotator_id",
            "document_id",
            "label_id",
            "start",
            "end",
            unique=True,
        ),
        # Target of the relations' foreign keys: both ends in one document, of one annotator.
        UniqueConstraint("id", "project_id", "document_id", "annotator_id"),
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
    attributes: dict[str, Any] = Field(  # attribute name -> value of its kind (Label.attributes)
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    source_span_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # the project-wide Source this gold span names (migration 0100)
    named_source_id: int | None = None

    __table_args__ = (
        *_span_table_args("gold_span"),
        UniqueConstraint("id", "project_id", "document_id"),
        # The gold layer holds each label and range once (migration 0003).
        Index("uq_gold_span_content", "document_id", "label_id", "start", "end", unique=True),
    )


class RelationType(SQLModel, table=True):
    """A kind of link between two spans of a project, e.g. ``attributed_to`` (claim or evidence →
    attribution). ``source_labels`` and ``target_labels`` are the label names allowed at each end
    (empty: any label); ``choices`` the values a link of this type may carry (empty: no value)."""

    __tablename__ = "relation_type"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    name: str = Field(max_length=64)
    source_labels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    target_labels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = Field(default=0)
    description: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    former_names: list[str] = Field(  # as Label.former_names
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )

    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        UniqueConstraint("project_id", "id"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )


def _relation_table_args(prefix: str, spans: str, owner: tuple[str, ...]) -> tuple:
    """Constraints shared by ``relation`` and ``gold_relation``: both ends are spans of ``spans``
    in the relation's document (and of its annotator), and go when their span goes."""
    ends = [
        ForeignKeyConstraint(
            [end, "project_id", "document_id", *owner],
            [f"{spans}.id", f"{spans}.project_id", f"{spans}.document_id"]
            + [f"{spans}.{column}" for column in owner],
            ondelete="CASCADE",
        )
        for end in ("source_id", "target_id")
    ]
    return (
        *ends,
        ForeignKeyConstraint(
            ["project_id", "type_id"],
            ["relation_type.project_id", "relation_type.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("source_id", "target_id", "type_id"),
        CheckConstraint("source_id <> target_id", name="ends_differ"),
        Index(f"ix_{prefix}_target", "target_id"),
    )


class Relation(SQLModel, table=True):
    """An annotator's link from one of their spans to another in the same document. ``id`` is made
    by the client, as a span's is, so a retried save is a no-op."""

    id: str = Field(primary_key=True, max_length=36)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int
    annotator_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    type_id: int
    source_id: str = Field(max_length=36)
    target_id: str = Field(max_length=36)
    value: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        *_relation_table_args("relation", "span", ("annotator_id",)),
        Index("ix_relation_annotator_document", "annotator_id", "document_id"),
    )


class GoldRelation(SQLModel, table=True):
    """A link of the gold layer, between two gold spans of one document."""

    __tablename__ = "gold_relation"

    id: str = Field(primary_key=True, max_length=36)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int
    type_id: int
    source_id: str = Field(max_length=36)
    target_id: str = Field(max_length=36)
    value: str | None = Field(default=None, max_length=64)
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    source_relation_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        *_relation_table_args("gold_relation", "gold_span", ()),
        Index("ix_gold_relation_document", "document_id"),
    )


QUESTION_KINDS = ("single", "multiple", "scale", "number", "text")


class Question(SQLModel, table=True):
    """A question the manager asks about every document of a project, answered per annotator.

    ``kind`` says what an answer is (see ``annotator.annotation.questions``): ``single`` one of
    ``choices``, ``multiple`` a subset of them, ``scale`` a whole number from ``minimum`` to
    ``maximum`` whose ends are named ``low_label`` and ``high_label``, ``number`` any number
    (within ``minimum``/``maximum`` when set), ``text`` free text. ``name`` is the key in the API,
    the export and agreement; ``prompt`` what the workspace shows.
    """

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    name: str = Field(max_length=64)
    prompt: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    kind: str = Field(max_length=20)
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    minimum: int | None = None
    maximum: int | None = None
    low_label: str = Field(default="", max_length=100)
    high_label: str = Field(default="", max_length=100)
    required: bool = Field(default=False)
    position: int = Field(default=0)

    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        UniqueConstraint("project_id", "id"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "kind IN ('single', 'multiple', 'scale', 'number', 'text')", name="kind_known"
        ),
    )


def _answer_table_args(prefix: str) -> tuple:
    """Constraints shared by ``answer`` and ``gold_answer``: the question is one of the answer's
    project, and the answer goes with it."""
    return (
        ForeignKeyConstraint(
            ["project_id", "question_id"],
            ["question.project_id", "question.id"],
            ondelete="CASCADE",
        ),
        Index(f"ix_{prefix}_question", "question_id"),
    )


class Answer(SQLModel, table=True):
    """An annotator's answer to a question about a document: one per (document, annotator,
    question), so a retried ``PUT`` stores one answer. ``value`` is JSON: a string (single, text),
    a list of strings (multiple), a whole number (scale) or a number (number)."""

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    question_id: int = Field(primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = _answer_table_args("answer")


class GoldAnswer(SQLModel, table=True):
    """The adjudicated answer to a question about a document: one per (document, question), set
    by a curator in the curation view (taken from an annotator's answer or entered), or brought
    by an import (``curator_id`` NULL). ``value`` is JSON of the question's kind, as
    :class:`Answer`'s is (migration 0098)."""

    __tablename__ = "gold_answer"

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    question_id: int = Field(primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = _answer_table_args("gold_answer")


ADJUDICATION_STATUSES = ("in_progress", "adjudicated")


class Adjudication(SQLModel, table=True):
    """Where a document's gold stands: no row is *not started*; ``in_progress`` from the first
    change a curator makes to its gold; ``adjudicated`` when a curator says it is finished, or
    when its gold came in with an import (``imported``, no curator). ``curator_id`` is who last
    changed it or marked it adjudicated, ``updated_at`` when."""

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    status: str = Field(default="in_progress", max_length=20)
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    imported: bool = Field(default=False)
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    adjudicated_at: datetime | None = None

    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'adjudicated')", name="status_known"),
    )


class Rejection(SQLModel, table=True):
    """A curator's decision that a stretch ``[start, end)`` of a document (a region of the
    curation view, code points) gets no gold span: recorded, so the region reads as decided."""

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    start: int = Field(primary_key=True)
    end: int = Field(primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (CheckConstraint('start < "end"', name="start_before_end"),)


class CuratorComment(SQLModel, table=True):
    """A curator's note to one annotator about their work on a document, optionally about the
    stretch ``[start, end)`` (code points); the annotator sees it on their document."""

    __tablename__ = "curator_comment"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    curator_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    start: int | None = None
    end: int | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        Index("ix_curator_comment_document_annotator", "document_id", "annotator_id"),
    )


JOB_KINDS = ("import", "export", "accept_agreed")
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")


class Job(SQLModel, table=True):
    """Work too long for a request (an import, an export, a bulk accept), run by the job runner.

    The row says what the pages show and who may see it: the project's managers. While a job
    runs, its live progress and a cancel request are kept beside the queue (``annotator.jobs``),
    because on SQLite the job's own transaction holds the write lock until it ends; ``done`` and
    ``total`` here are the figures at the start and at the end. ``params`` are the job's input
    (file names, export options), ``result`` what it made (import summary, export file name).
    """

    id: str = Field(primary_key=True, max_length=36)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    kind: str = Field(max_length=20)
    status: str = Field(default="queued", max_length=20)
    done: int = Field(default=0)
    total: int = Field(default=0)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('import', 'export', 'accept_agreed', 'train')", name="kind_known"
        ),
        CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="status_known"
        ),
    )


class ApiToken(SQLModel, table=True):
    """A personal access token for scripts (``Authorization: Bearer``). Only a SHA-256 hash of the
    secret is stored (the secret is random, so a fast hash is enough); ``prefix`` is the start
    of the secret, shown so the owner can tell tokens apart. ``project_id`` NULL means all the
    owner's projects. A revoked or expired token is refused; rows stay for the record."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", ondelete="CASCADE")
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    secret_hash: str = Field(max_length=64, unique=True)
    scope: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    __table_args__ = (CheckConstraint("scope IN ('read', 'read-write')", name="scope_known"),)


class Activity(SQLModel, table=True):
    """One change a manager made to a project (labels, attributes, relation types, settings,
    members, assignments): who, when, what. ``actor`` keeps the user name as it was, so the log
    still reads after the account is gone."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    actor: str = Field(default="", max_length=80)
    at: datetime = Field(default_factory=utcnow)
    action: str = Field(max_length=40)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (Index("ix_activity_project", "project_id", "id"),)


class LearnedModel(SQLModel, table=True):
    """A tagger learned from a project's gold (``annotator.suggestions.learned``): its file, what
    it learned from and its figures on held-out documents. A manager reads the figures before
    switching a model on; the newest model switched on makes the project's learned suggestions.
    ``gold_documents`` is how many documents had finished gold then, so the runner can tell when
    enough new gold exists to learn again."""

    __tablename__ = "learned_model"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    trained_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    documents: int  # learned from
    held_out: int  # kept back for the figures
    gold_documents: int
    seconds: float  # time spent learning
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    model: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    enabled: bool = False


class SuggestionSettings(SQLModel, table=True):
    """A project's recommenders and who sees their suggestions (no row: all off).

    ``lexicon`` is the rule recommender's lexicon text (None: the package's). ``share`` percent of
    the annotators (``unit`` "annotator") or of the documents ("document") see suggestions, chosen
    by a hash, so the same ones always do (``annotator.suggestions.exposure``). ``http_status`` is
    the last problem of the HTTP recommender, shown to the manager.
    """

    __tablename__ = "suggestion_settings"

    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    rules_enabled: bool = Field(default=False)
    http_enabled: bool = Field(default=False)
    http_url: str = Field(default="", max_length=2000)
    http_timeout: float = Field(default=3.0)
    lexicon: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    share: int = Field(default=100)
    unit: str = Field(default="annotator", max_length=20)
    http_status: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    http_status_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint("share >= 0 AND share <= 100", name="share_percent"),
        CheckConstraint("unit IN ('annotator', 'document')", name="unit_known"),
    )


class Suggestion(SQLModel, table=True):
    """A span a recommender proposes for a document: nobody's annotation until accepted."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    label_id: int = Field(foreign_key="label.id", ondelete="CASCADE")
    start: int
    end: int
    score: float = Field(default=1.0)
    recommender: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (
        CheckConstraint('start >= 0 AND start < "end"', name="range_valid"),
        Index(
            "uq_suggestion_content",
            "document_id",
            "recommender",
            "label_id",
            "start",
            "end",
            unique=True,
        ),
    )


class SuggestionRun(SQLModel, table=True):
    """A recommender has answered for a document (its suggestions are stored), or failed."""

    __tablename__ = "suggestion_run"

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    recommender: str = Field(primary_key=True, max_length=64)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    status: str = Field(max_length=20)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    computed_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (CheckConstraint("status IN ('done', 'failed')", name="status_known"),)


class SuggestionRejection(SQLModel, table=True):
    """An annotator rejected a suggested label and range: it is not shown to them again."""

    __tablename__ = "suggestion_rejection"

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    label_id: int = Field(foreign_key="label.id", primary_key=True, ondelete="CASCADE")
    start: int = Field(primary_key=True)
    end: int = Field(primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    recommender: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class SuggestionExposure(SQLModel, table=True):
    """Whether an annotator was shown suggestions on a document (the A/B record for analysis),
    written the first time their workspace asked."""

    __tablename__ = "suggestion_exposure"

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    shown: bool
    at: datetime = Field(default_factory=utcnow)


FLAG_REASONS = ("broken_text", "off_topic", "needs_discussion", "other")


class Flag(SQLModel, table=True):
    """An annotator's report that a document needs a manager (migration 0070): a reason, an
    optional note, and once a manager resolves it who did, when and what they said."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    document_id: int = Field(foreign_key="document.id", ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    reason: str = Field(max_length=20)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    resolution: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

    __table_args__ = (
        CheckConstraint(
            "reason IN ('broken_text', 'off_topic', 'needs_discussion', 'other')",
            name="reason_known",
        ),
        Index("ix_flag_project_resolved", "project_id", "resolved_at"),
        Index("ix_flag_document_annotator", "document_id", "annotator_id"),
    )


class ActiveTime(SQLModel, table=True):
    """Active seconds one annotator spent on one document in one page visit (``visit``: an id the
    workspace makes per page load). The workspace resends its running total; the stored figure
    only grows, so a resent or late total never counts twice (migration 0070). A document's
    active time for an annotator is the sum over their visits."""

    __tablename__ = "active_time"

    document_id: int = Field(foreign_key="document.id", primary_key=True, ondelete="CASCADE")
    annotator_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    visit: str = Field(primary_key=True, max_length=36)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE", index=True)
    seconds: int = Field(default=0)
    started_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    __table_args__ = (CheckConstraint("seconds >= 0", name="seconds_not_negative"),)
