"""Assignment by hand: the documents × annotators matrix a manager reads and edits.

A cell is ``not assigned``, ``assigned`` (by a manager; the annotator's *Next document* gives it
before anything else), ``in progress``, ``done``, ``skipped`` (the annotator gave it back: it fills
no place) or ``flagged`` (waiting for a manager, :mod:`annotator.assignments.skips`). A manager
assigns, unassigns and reassigns cells, whole rows (a document for every annotator) and whole
columns (an annotator for every document on the page), and sets documents' priorities (higher:
handed out first).

The automatic hand-out (:mod:`annotator.assignments.handout`) counts these assignments like its
own, so it still brings every document to k annotators; a change that would give a document more
than k annotators is refused, as is taking a document from an annotator who has finished it or
has spans on it (unless ``discard``: their spans on it go too). Every change takes the project
lock the hand-out takes, so the two never decide on the same state at once. Functions raise
``errors.Refused`` before changing anything, return the activity log's sentence, and do not
commit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlmodel import Session

from annotator import db as database
from annotator.errors import Refused
from annotator.models import Assignment, Document, Membership, Project, Span, User, utcnow

PER_PAGE = 200
NOT_ASSIGNED = "not_assigned"
MAX_PRIORITY = 1_000_000

Cell = tuple[int, int]  # (document id, annotator id)


@dataclass(frozen=True)
class MatrixRow:
    document_id: int
    external_id: str
    title: str | None
    priority: int
    cells: list[str]  # one status per annotator, in the matrix's order
    filled: int  # annotators who have it


@dataclass(frozen=True)
class Matrix:
    annotators: list[tuple[int, str]]
    rows: list[MatrixRow]
    page: int
    pages: int
    overlap: int


def annotators_of(db: Session, project: Project) -> list[tuple[int, str]]:
    """The project's annotators (id, name) by name: the matrix's columns."""
    return [
        tuple(row)
        for row in db.execute(
            select(User.id, User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.project_id == project.id, Membership.role == "annotator")
            .order_by(User.username)
        )
    ]


def matrix(db: Session, project: Project, page: int = 1, per_page: int = PER_PAGE) -> Matrix:
    """One page of the matrix, documents in the hand-out's order (priority, then position)."""
    people = annotators_of(db, project)
    total = db.execute(
        select(func.count()).select_from(Document).where(Document.project_id == project.id)
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    documents = db.execute(
        select(Document.id, Document.external_id, Document.title, Document.priority)
        .where(Document.project_id == project.id)
        .order_by(Document.priority.desc(), Document.position, Document.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids = [row.id for row in documents]
    status: dict[Cell, str] = {
        (document_id, user_id): value
        for document_id, user_id, value in db.execute(
            select(Assignment.document_id, Assignment.user_id, Assignment.status).where(
                Assignment.document_id.in_(ids)
            )
        )
    }
    column = {user_id for user_id, _ in people}
    filled = Counter(
        document_id
        for (document_id, user_id), value in status.items()
        if user_id in column and value != "skipped"
    )
    rows = [
        MatrixRow(
            row.id,
            row.external_id,
            row.title,
            row.priority,
            [status.get((row.id, user_id), NOT_ASSIGNED) for user_id, _ in people],
            filled[row.id],
        )
        for row in documents
    ]
    return Matrix(people, rows, page, pages, project.overlap)


def cells_of(
    db: Session,
    project: Project,
    cells: Iterable[str],
    rows: Iterable[str],
    columns: Iterable[str],
    page_documents: Iterable[str] = (),
) -> list[Cell]:
    """The cells a form names: ``"document:annotator"`` pairs, whole rows (document ids: every
    annotator) and whole columns (annotator ids: every document of ``page_documents``), checked
    to belong to the project. Refused (400/404) naming the field otherwise."""
    people = {user_id for user_id, _ in annotators_of(db, project)}
    chosen: list[Cell] = []
    try:
        for cell in cells:
            document, _, annotator = cell.partition(":")
            chosen.append((int(document), int(annotator)))
        row_ids = [int(row) for row in rows]
        column_ids = [int(column) for column in columns]
        shown = [int(document) for document in page_documents]
    except ValueError:
        raise Refused(400, "cells, rows and columns are given by ids", "cell") from None
    chosen += [(document, annotator) for document in row_ids for annotator in sorted(people)]
    chosen += [(document, annotator) for annotator in column_ids for document in shown]
    chosen = list(dict.fromkeys(chosen))
    documents = {document for document, _ in chosen}
    known = set(
        db.execute(
            select(Document.id).where(Document.project_id == project.id, Document.id.in_(documents))
        ).scalars()
    )
    for document, annotator in chosen:
        if document not in known:
            raise Refused(404, f"no document {document} in this project", "cell")
        if annotator not in people:
            raise Refused(404, f"user {annotator} is not an annotator of this project", "cell")
    return chosen


def _holders(db: Session, project: Project, documents: set[int]) -> dict[Cell, Assignment]:
    return {
        (item.document_id, item.user_id): item
        for item in db.execute(
            select(Assignment).where(
                Assignment.project_id == project.id, Assignment.document_id.in_(documents)
            )
        ).scalars()
    }


def _counted(db: Session, project: Project, documents: set[int]) -> Counter[int]:
    """Per document, how many annotators (members with that role) have it: the k that counts."""
    annotators = select(Membership.user_id).where(
        Membership.project_id == project.id, Membership.role == "annotator"
    )
    return Counter(
        dict(
            db.execute(
                select(Assignment.document_id, func.count())
                .where(
                    Assignment.document_id.in_(documents),
                    Assignment.user_id.in_(annotators),
                    Assignment.status != "skipped",
                )
                .group_by(Assignment.document_id)
            ).all()
        )
    )


def _names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    return dict(db.execute(select(User.id, User.username).where(User.id.in_(set(ids)))).all())


def _external(db: Session, ids: Iterable[int]) -> dict[int, str]:
    return dict(
        db.execute(select(Document.id, Document.external_id).where(Document.id.in_(set(ids)))).all()
    )


def assign(db: Session, project: Project, cells: list[Cell]) -> str:
    """Give each cell's document to its annotator (``assigned``); cells they already have are
    left as they are, except skipped ones, which become ``assigned`` again. Refused when a
    document would have more than k annotators."""
    if not cells:
        raise Refused(400, "choose at least one cell, row or column", "cell")
    database.lock_project(db, project.id)
    documents = {document for document, _ in cells}
    held = _holders(db, project, documents)
    new = [cell for cell in cells if cell not in held]
    taken_back = [cell for cell in cells if cell in held and held[cell].status == "skipped"]
    after = _counted(db, project, documents) + Counter(document for document, _ in new + taken_back)
    over = sorted(document for document, count in after.items() if count > project.overlap)
    if over:
        names = _external(db, over)
        raise Refused(
            409,
            f"{len(over)} document{'s' if len(over) != 1 else ''} would have more than "
            f"k = {project.overlap} annotators ({', '.join(names[d] for d in over[:5])}); "
            "unassign someone first or raise k",
            "cell",
        )
    now = utcnow()
    for cell in taken_back:
        held[cell].status = "assigned"
        held[cell].updated_at = now
        db.add(held[cell])
    for document, annotator in new:
        db.add(
            Assignment(
                document_id=document,
                user_id=annotator,
                project_id=project.id,
                status="assigned",
                assigned_at=now,
                updated_at=now,
            )
        )
    db.flush()
    return _sentence("assigned", new + taken_back, db)


def unassign(db: Session, project: Project, cells: list[Cell], discard: bool = False) -> str:
    """Take each cell's document from its annotator. Refused for a finished document, and for
    one they have spans on unless ``discard`` (then those spans go too)."""
    if not cells:
        raise Refused(400, "choose at least one cell, row or column", "cell")
    database.lock_project(db, project.id)
    held = _holders(db, project, {document for document, _ in cells})
    taken = [cell for cell in cells if cell in held]
    _refuse_losing_work(db, held, taken, discard)
    for document, annotator in taken:
        db.execute(delete(Span).where(Span.document_id == document, Span.annotator_id == annotator))
        db.delete(held[(document, annotator)])
    db.flush()
    return _sentence("unassigned", taken, db)


def _refuse_losing_work(
    db: Session, held: dict[Cell, Assignment], taken: list[Cell], discard: bool
) -> None:
    done = [cell for cell in taken if held[cell].status == "done"]
    if done:
        names, documents = _names(db, [a for _, a in done]), _external(db, [d for d, _ in done])
        document, annotator = done[0]
        raise Refused(
            409,
            f"{names[annotator]} has finished {documents[document]}"
            + (f" (and {len(done) - 1} more finished cells)" if len(done) > 1 else "")
            + "; reopen it first",
            "cell",
        )
    spans = Counter()
    for document, annotator in taken:
        count = db.execute(
            select(func.count()).where(Span.document_id == document, Span.annotator_id == annotator)
        ).scalar_one()
        if count:
            spans[(document, annotator)] = count
    if spans and not discard:
        total = sum(spans.values())
        raise Refused(
            409,
            f"{len(spans)} of these assignments have spans ({total} in all); tick “also delete "
            "their spans” to take the documents away with them",
            "discard",
        )


def reassign(
    db: Session, project: Project, cells: list[Cell], to: int, discard: bool = False
) -> str:
    """Move each cell's document from its annotator to annotator ``to`` (``assigned``)."""
    if not cells:
        raise Refused(400, "choose at least one cell, row or column", "cell")
    if to not in {user_id for user_id, _ in annotators_of(db, project)}:
        raise Refused(404, f"user {to} is not an annotator of this project", "to")
    database.lock_project(db, project.id)
    documents = {document for document, _ in cells}
    held = _holders(db, project, documents)
    moving = [cell for cell in cells if cell in held and cell[1] != to]
    already = sorted({document for document, _ in moving if (document, to) in held})
    if already:
        names = _external(db, already)
        raise Refused(
            409,
            f"{_names(db, [to])[to]} already has {', '.join(names[d] for d in already[:5])}",
            "to",
        )
    if len({document for document, _ in moving}) != len(moving):
        raise Refused(409, "choose one annotator's cell per document to reassign", "cell")
    _refuse_losing_work(db, held, moving, discard)
    now = utcnow()
    for document, annotator in moving:
        db.execute(delete(Span).where(Span.document_id == document, Span.annotator_id == annotator))
        db.delete(held[(document, annotator)])
        db.flush()
        db.add(
            Assignment(
                document_id=document,
                user_id=to,
                project_id=project.id,
                status="assigned",
                assigned_at=now,
                updated_at=now,
            )
        )
    db.flush()
    return _sentence(f"reassigned to {_names(db, [to]).get(to, to)}", moving, db)


def set_priority(db: Session, project: Project, documents: Iterable[int], priority: str) -> str:
    """Set the priority of documents (a whole number; higher: handed out first)."""
    try:
        value = int(priority)
    except ValueError:
        raise Refused(422, "priority must be a whole number", "priority") from None
    if abs(value) > MAX_PRIORITY:
        raise Refused(422, f"priority must be within ±{MAX_PRIORITY:,}", "priority")
    ids = sorted(set(documents))
    if not ids:
        raise Refused(400, "choose at least one document", "row")
    rows = list(
        db.execute(
            select(Document).where(Document.project_id == project.id, Document.id.in_(ids))
        ).scalars()
    )
    if len(rows) != len(ids):
        raise Refused(404, "some of these documents are not in this project", "row")
    for row in rows:
        row.priority = value
        db.add(row)
    db.flush()
    shown = ", ".join(row.external_id for row in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return f"set priority {value} on {shown}{more}"


def _sentence(verb: str, cells: list[Cell], db: Session) -> str:
    if not cells:
        return f"{verb} nothing (no cell changed)"
    names = _names(db, [a for _, a in cells])
    documents = _external(db, [d for d, _ in cells])
    shown = ", ".join(f"{documents[d]} ({names[a]})" for d, a in cells[:10])
    more = f" and {len(cells) - 10} more" if len(cells) > 10 else ""
    return f"{verb} {len(cells)} cell{'s' if len(cells) != 1 else ''}: {shown}{more}"
