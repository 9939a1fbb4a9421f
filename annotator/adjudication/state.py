"""Where each document's gold stands: not started, in progress, adjudicated; who and when.

A document has no `Adjudication` row until a curator first changes its gold (then it is in
progress) or an import brings its gold (then it is adjudicated: the gold was finished
elsewhere). A curator marks it adjudicated when done, or reopens it. Figures against gold
(`vs_gold`) use adjudicated documents only, and ``--adjudicated-only`` exports them alone.

Writes take the session and the curator, as ``annotator.adjudication.gold`` does; `record_work`
joins the caller's transaction (it never commits), the others commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from sqlmodel import Session, select

from annotator.models import Adjudication, CuratorComment, Document, User, utcnow

NOT_STARTED, IN_PROGRESS, ADJUDICATED = "not_started", "in_progress", "adjudicated"
STATES = (NOT_STARTED, IN_PROGRESS, ADJUDICATED)


@dataclass(frozen=True)
class State:
    """A document's adjudication as pages show it. ``curator`` is None for imported gold."""

    status: str
    curator: str | None = None
    updated_at: datetime | None = None
    adjudicated_at: datetime | None = None
    imported: bool = False

    @property
    def words(self) -> str:
        return {NOT_STARTED: "not started", IN_PROGRESS: "in progress"}.get(
            self.status, "adjudicated"
        )


def _insert(session: Session):
    module = import_module(f"sqlalchemy.dialects.{session.get_bind().dialect.name}")
    return module.insert(Adjudication)


def record_work(session: Session, document: Document, curator: User) -> None:
    """Note that ``curator`` changed the gold of ``document``: not started becomes in progress;
    an adjudicated document stays adjudicated, with the change's curator and time. Joins the
    caller's transaction (flushes, never commits), so the note and the change go together."""
    now = utcnow()
    statement = (
        _insert(session)
        .values(
            document_id=document.id,
            project_id=document.project_id,
            status=IN_PROGRESS,
            curator_id=curator.id,
            imported=False,
            started_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=["document_id"], set_={"curator_id": curator.id, "updated_at": now}
        )
    )
    session.execute(statement)


def set_status(session: Session, document: Document, curator: User, status: str) -> None:
    """Mark ``document`` adjudicated, or back in progress (reopened), by ``curator``. Commits."""
    if status not in (IN_PROGRESS, ADJUDICATED):
        raise ValueError(f"status must be {IN_PROGRESS} or {ADJUDICATED}, not {status!r}")
    record_work(session, document, curator)
    row = session.get(Adjudication, document.id)
    session.refresh(row)
    row.status = status
    row.adjudicated_at = utcnow() if status == ADJUDICATED else None
    session.add(row)
    session.commit()


def states_of(session: Session, project_id: int) -> dict[int, State]:
    """Document id -> `State` of every document of the project that has one (the others are
    not started)."""
    rows = session.exec(
        select(Adjudication, User.username)
        .join(User, User.id == Adjudication.curator_id, isouter=True)
        .where(Adjudication.project_id == project_id)
    )
    return {
        row.document_id: State(
            row.status, name, row.updated_at, row.adjudicated_at, bool(row.imported)
        )
        for row, name in rows
    }


def state_of(session: Session, document_id: int) -> State:
    row = session.exec(
        select(Adjudication, User.username)
        .join(User, User.id == Adjudication.curator_id, isouter=True)
        .where(Adjudication.document_id == document_id)
    ).first()
    if row is None:
        return State(NOT_STARTED)
    adjudication, name = row
    return State(
        adjudication.status,
        name,
        adjudication.updated_at,
        adjudication.adjudicated_at,
        bool(adjudication.imported),
    )


@dataclass(frozen=True)
class DocumentState:
    document_id: int
    external_id: str
    title: str | None
    state: State


def recent(session: Session, project_id: int, limit: int) -> list[DocumentState]:
    """The ``limit`` documents whose adjudication changed last, latest first."""
    rows = session.exec(
        select(Adjudication, Document.external_id, Document.title, User.username)
        .join(Document, Document.id == Adjudication.document_id)
        .join(User, User.id == Adjudication.curator_id, isouter=True)
        .where(Adjudication.project_id == project_id)
        .order_by(Adjudication.updated_at.desc(), Adjudication.document_id)
        .limit(limit)
    )
    return [
        DocumentState(
            row.document_id,
            external_id,
            title,
            State(row.status, name, row.updated_at, row.adjudicated_at, bool(row.imported)),
        )
        for row, external_id, title, name in rows
    ]


def counts(states: dict[int, State], documents: int) -> dict[str, int]:
    """How many of ``documents`` are in each state."""
    found = {status: 0 for status in STATES}
    for state in states.values():
        found[state.status] += 1
    found[NOT_STARTED] = documents - found[IN_PROGRESS] - found[ADJUDICATED]
    return found


def comments_on(session: Session, document_id: int, annotator_id: int | None = None) -> list[dict]:
    """The curators' comments on a document (to one annotator, if given), oldest first, each
    as ``{"comment", "annotator", "curator"}`` (names; curator None once their account is gone)."""
    to, by = User.__table__.alias("to_user"), User.__table__.alias("by_user")
    query = (
        select(CuratorComment, to.c.username, by.c.username)
        .join(to, to.c.id == CuratorComment.annotator_id)
        .join(by, by.c.id == CuratorComment.curator_id, isouter=True)
        .where(CuratorComment.document_id == document_id)
        .order_by(CuratorComment.created_at, CuratorComment.id)
    )
    if annotator_id is not None:
        query = query.where(CuratorComment.annotator_id == annotator_id)
    return [
        {"comment": comment, "annotator": annotator, "curator": curator}
        for comment, annotator, curator in session.exec(query)
    ]
