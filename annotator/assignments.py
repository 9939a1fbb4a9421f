"""Handing out documents so every document reaches k annotators and work is spread evenly.

Each participating annotator has a quota of ``ceil(documents × k / annotators)``; the next document
for an annotator is the one they do not have yet with the fewest annotators so far (then the
earliest). Project-level locking (see :func:`annotator.db.lock_project`) keeps concurrent requests
from over-assigning a document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from annotator import db as database
from annotator.models import Assignment, Document, Label, Membership, Project, Span, User, utcnow


def quota(documents: int, overlap: int, annotators: int) -> int:
    """Most documents one annotator may take so that the work spreads evenly."""
    if annotators == 0:
        return 0
    return math.ceil(documents * min(overlap, annotators) / annotators)


def participants(db: Session, project_id: int) -> list[int]:
    return list(
        db.exec(
            select(Membership.user_id).where(
                Membership.project_id == project_id, Membership.role == "annotator"
            )
        )
    )


def current_assignment(db: Session, project: Project, user: User) -> Assignment | None:
    return db.exec(
        select(Assignment)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Assignment.project_id == project.id,
            Assignment.user_id == user.id,
            Assignment.status == "in_progress",
        )
        .order_by(Document.position, Document.id)
    ).first()


def next_document(db: Session, project: Project, user: User) -> Document | None:
    """The annotator's open document, or a newly assigned one; None when their work is done.

    Commits: the new assignment is saved before the answer goes out.
    """
    open_assignment = current_assignment(db, project, user)
    if open_assignment:
        return db.get(Document, open_assignment.document_id)
    db.commit()  # end the read transaction: the lock must be the first statement of the next
    database.lock_project(db, project.id)
    document = _pick(db, project, user)
    if document is None:
        db.commit()
        return None
    db.add(Assignment(document_id=document.id, user_id=user.id, project_id=project.id))
    db.commit()
    return document


def _pick(db: Session, project: Project, user: User) -> Document | None:
    people = participants(db, project.id)
    if user.id not in people:
        return None
    total = db.exec(
        select(func.count()).select_from(Document).where(Document.project_id == project.id)
    ).one()
    mine = db.exec(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.project_id == project.id, Assignment.user_id == user.id)
    ).one()
    if mine >= quota(total, project.overlap, len(people)):
        return None
    counts = (
        select(Assignment.document_id, func.count().label("n"))
        .where(Assignment.project_id == project.id)
        .group_by(Assignment.document_id)
        .subquery()
    )
    taken = select(Assignment.document_id).where(Assignment.user_id == user.id)
    n = func.coalesce(counts.c.n, 0)
    return db.exec(
        select(Document)
        .outerjoin(counts, counts.c.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            n < project.overlap,
            Document.id.not_in(taken),
        )
        .order_by(n, Document.position, Document.id)
        .limit(1)
    ).first()


def assignment(db: Session, document_id: int, user_id: int) -> Assignment | None:
    return db.get(Assignment, (document_id, user_id))


def set_status(db: Session, item: Assignment, status: str) -> None:
    item.status = status
    item.updated_at = utcnow()
    item.done_at = utcnow() if status == "done" else None
    db.add(item)
    db.commit()


@dataclass
class Progress:
    assigned: int
    done: int
    quota: int

    @property
    def remaining(self) -> int:
        return max(self.quota - self.done, 0)


def progress(db: Session, project: Project, user: User) -> Progress:
    row = db.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((Assignment.status == "done", 1), else_=0)), 0),
        ).where(Assignment.project_id == project.id, Assignment.user_id == user.id)
    ).one()
    total = db.exec(
        select(func.count()).select_from(Document).where(Document.project_id == project.id)
    ).one()
    people = participants(db, project.id)
    share = quota(total, project.overlap, len(people)) if user.id in people else row[0]
    return Progress(assigned=row[0], done=row[1], quota=max(share, row[0]))


def queue(db: Session, project: Project, user: User) -> list[tuple[Document, Assignment]]:
    return list(
        db.exec(
            select(Document, Assignment)
            .join(Assignment, Assignment.document_id == Document.id)
            .where(Assignment.project_id == project.id, Assignment.user_id == user.id)
            .order_by(Document.position, Document.id)
        )
    )


@dataclass
class AnnotatorRow:
    username: str
    in_progress: int
    done: int
    spans_per_label: dict[str, int]
    last_activity: datetime | None


def dashboard(db: Session, project: Project) -> list[AnnotatorRow]:
    """Per annotator: documents done / in progress, spans per label, last activity."""
    rows: dict[int, AnnotatorRow] = {}
    people = db.exec(
        select(User.id, User.username)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id, Membership.role == "annotator")
        .order_by(User.username)
    )
    for user_id, username in people:
        rows[user_id] = AnnotatorRow(username, 0, 0, {}, None)
    statuses = db.exec(
        select(Assignment.user_id, Assignment.status, func.count(), func.max(Assignment.updated_at))
        .where(Assignment.project_id == project.id)
        .group_by(Assignment.user_id, Assignment.status)
    )
    for user_id, status, count, last in statuses:
        row = rows.get(user_id)
        if row is None:
            continue
        if status == "done":
            row.done = count
        else:
            row.in_progress = count
        row.last_activity = _latest(row.last_activity, last)
    labels = db.exec(
        select(Span.annotator_id, Label.name, func.count(), func.max(Span.updated_at))
        .join(Label, Label.id == Span.label_id)
        .where(Span.project_id == project.id)
        .group_by(Span.annotator_id, Label.name)
    )
    for user_id, label, count, last in labels:
        row = rows.get(user_id)
        if row is None:
            continue
        row.spans_per_label[label] = count
        row.last_activity = _latest(row.last_activity, last)
    return list(rows.values())


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
