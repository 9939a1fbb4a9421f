"""Bulk actions on documents a manager selected in the document list: assign them to an
annotator, reopen their finished work, export them.

All or nothing: the selection is checked first (every id a document of the project, at most
:data:`MAX_SELECTION`), and an action that cannot apply to one document applies to none
(``errors.Refused`` before any change; the caller rolls back). Assigning goes through the
matrix's :func:`annotator.assignments.matrix.assign`, so it takes the hand-out's lock and never
gives a document more than k annotators. Exporting queues the usual export job for the
selection. A selection is at most one page of the list plus what the manager ticked on it, so
assign and reopen are a few set-based writes, done in the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from annotator.assignments import matrix
from annotator.errors import Invalid, Refused
from annotator.models import Assignment, Document, Membership, Project, User, utcnow

MAX_SELECTION = 1000
ACTIONS = {
    "assign": "assign to an annotator",
    "reopen": "reopen finished work",
    "export": "export (native JSON Lines)",
}


@dataclass(frozen=True)
class Selection:
    action: str
    documents: list[tuple[int, str]]  # (id, external id) in list order
    annotator: tuple[int, str] | None  # (id, name): whom to assign to / whose work to reopen

    @property
    def ids(self) -> list[int]:
        return [document_id for document_id, _ in self.documents]

    def sentence(self) -> str:
        """What the confirmation asks and the log records, e.g. ``assign 3 documents to ann``."""
        count = f"{len(self.documents)} document{'s' if len(self.documents) != 1 else ''}"
        if self.action == "assign":
            return f"assign {count} to {self.annotator[1] if self.annotator else '?'}"
        if self.action == "reopen":
            whose = f"{self.annotator[1]}'s" if self.annotator else "every annotator's"
            return f"reopen {whose} finished work on {count}"
        return f"export {count}"


def selection(
    db: Session, project: Project, action: str, ids: Iterable[str], annotator: str
) -> Selection:
    """The form's selection checked; refused naming the field otherwise."""
    if action not in ACTIONS:
        raise Invalid(f"action must be one of {', '.join(ACTIONS)}", field="action")
    try:
        wanted = list(dict.fromkeys(int(value) for value in ids))
    except ValueError:
        raise Invalid("documents are given by their ids", field="document") from None
    if not wanted:
        raise Invalid("select at least one document", field="document")
    if len(wanted) > MAX_SELECTION:
        raise Invalid(f"select at most {MAX_SELECTION} documents at once", field="document")
    found = dict(
        db.execute(
            select(Document.id, Document.external_id).where(
                Document.project_id == project.id, Document.id.in_(wanted)
            )
        ).all()
    )
    missing = [value for value in wanted if value not in found]
    if missing:
        raise Refused(404, f"no document {missing[0]} in this project", "document")
    person = None
    if annotator:
        row = db.execute(
            select(User.id, User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.project_id == project.id,
                Membership.role == "annotator",
                User.username == annotator,
            )
        ).first()
        if row is None:
            raise Refused(404, f"{annotator!r} is not an annotator of this project", "annotator")
        person = (row[0], row[1])
    elif action == "assign":
        raise Invalid("choose the annotator to assign the documents to", field="annotator")
    return Selection(action, [(value, found[value]) for value in wanted], person)


def assign(db: Session, project: Project, chosen: Selection) -> str:
    """Assign every selected document to the annotator (refused as a whole if one would go over
    k); returns the activity log's sentence."""
    assert chosen.annotator is not None
    user_id = chosen.annotator[0]
    return matrix.assign(db, project, [(document, user_id) for document in chosen.ids])


def reopen(db: Session, project: Project, chosen: Selection, manager: User) -> str:
    """Send the finished work on the selected documents (of the chosen annotator, else of
    everyone) back to its annotators, on record; refused when none of it is finished."""
    query = select(Assignment).where(
        Assignment.project_id == project.id,
        Assignment.document_id.in_(chosen.ids),
        Assignment.status == "done",
    )
    if chosen.annotator is not None:
        query = query.where(Assignment.user_id == chosen.annotator[0])
    items = list(db.execute(query).scalars())
    if not items:
        raise Refused(409, "none of the selected documents has finished work to reopen", "document")
    now = utcnow()
    for item in items:
        item.status = "in_progress"
        item.done_at = None
        item.updated_at = now
        item.reopened_by_id = manager.id
        item.reopened_at = now
        db.add(item)
    db.flush()
    shown = ", ".join(external for _, external in chosen.documents[:10])
    more = f" and {len(chosen.documents) - 10} more" if len(chosen.documents) > 10 else ""
    plural = "s" if len(items) != 1 else ""
    return f"reopened {len(items)} finished assignment{plural} of {shown}{more}"
