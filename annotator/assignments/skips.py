"""Skip and flag: an annotator gives a document back, or reports it to the project's managers.

A **skip** turns the annotator's assignment into ``skipped``: the document fills none of its k
places, so the hand-out brings it to k with others, and never hands it to them again
(:mod:`annotator.assignments.handout`). Skipping is refused while they have spans on it (their
work would hang on a document they gave back) and once they marked it done.

A **flag** (:class:`annotator.models.Flag`) carries a reason and a note; the assignment becomes
``flagged``: it keeps its place towards k and leaves the annotator's queue until a manager
resolves the flag, either sending the document back to them (``return``) or relieving them of
it (``release``: the assignment becomes ``skipped``). Functions do not commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from annotator.errors import Invalid, Refused
from annotator.models import Assignment, Document, Flag, Project, Span, User, utcnow

#: Reason stored → what the pages say.
REASONS = {
    "broken_text": "broken text",
    "off_topic": "off topic",
    "needs_discussion": "needs discussion",
    "other": "other",
}
#: What a manager's resolution does with the annotator's assignment.
OUTCOMES = {
    "return": "back to the annotator",
    "release": "the annotator is relieved of it (skipped)",
}
MAX_NOTE = 2000


def skip(db: Session, item: Assignment) -> None:
    """Give the document back (idempotent: skipping a skipped document changes nothing)."""
    if item.status == "skipped":
        return
    if item.status == "done":
        raise Refused(409, "You marked this document done; reopen it before skipping it.", "status")
    spans = db.execute(
        select(func.count()).where(
            Span.document_id == item.document_id, Span.annotator_id == item.user_id
        )
    ).scalar_one()
    if spans:
        raise Refused(
            409,
            f"You have {spans} span{'s' if spans != 1 else ''} on this document: delete "
            f"{'them' if spans != 1 else 'it'} before skipping, or flag the document instead.",
            "status",
        )
    item.status = "skipped"
    item.updated_at = utcnow()
    db.add(item)


def raise_flag(db: Session, item: Assignment, reason: str, note: str) -> Flag:
    """Flag the document for the managers. A second flag while one is open returns the open
    one unchanged (a double click raises one flag)."""
    if reason not in REASONS:
        raise Invalid(f"reason must be one of {', '.join(REASONS)}", field="reason")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note may have at most {MAX_NOTE} characters", field="note")
    if reason == "other" and not note:
        raise Invalid("say in the note what is wrong (reason: other)", field="note")
    if item.status in ("done", "skipped"):
        raise Refused(
            409,
            f"You {'marked this document done' if item.status == 'done' else 'skipped it'}; "
            "there is nothing to flag.",
            "status",
        )
    existing = open_flag(db, item.document_id, item.user_id)
    if existing is not None:
        return existing
    flag = Flag(
        project_id=item.project_id,
        document_id=item.document_id,
        annotator_id=item.user_id,
        reason=reason,
        note=note,
    )
    db.add(flag)
    item.status = "flagged"
    item.updated_at = utcnow()
    db.add(item)
    db.flush()
    return flag


def open_flag(db: Session, document_id: int, annotator_id: int) -> Flag | None:
    return db.execute(
        select(Flag).where(
            Flag.document_id == document_id,
            Flag.annotator_id == annotator_id,
            Flag.resolved_at.is_(None),
        )
    ).scalar_one_or_none()


def resolve(
    db: Session, project: Project, flag_id: int, manager: User, outcome: str, resolution: str
) -> str:
    """Close a flag; returns the activity log's sentence. Refused (404) for a flag of another
    project, (409) for one already resolved."""
    if outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    resolution = resolution.strip()
    if len(resolution) > MAX_NOTE:
        raise Invalid(f"the answer may have at most {MAX_NOTE} characters", field="resolution")
    flag = db.get(Flag, flag_id)
    if flag is None or flag.project_id != project.id:
        raise Refused(404, f"no flag {flag_id} in this project", "flag")
    if flag.resolved_at is not None:
        raise Refused(409, "this flag is already resolved", "flag")
    flag.resolved_at = utcnow()
    flag.resolved_by_id = manager.id
    flag.resolution = resolution
    db.add(flag)
    item = db.get(Assignment, (flag.document_id, flag.annotator_id))
    if item is not None and item.status == "flagged":
        item.status = "in_progress" if outcome == "return" else "skipped"
        item.updated_at = utcnow()
        db.add(item)
    db.flush()
    document = db.get(Document, flag.document_id)
    annotator = db.get(User, flag.annotator_id)
    said = f": {resolution}" if resolution else ""
    return (
        f"resolved the flag on {document.external_id if document else flag.document_id} "
        f"by {annotator.username if annotator else flag.annotator_id} "
        f"({REASONS[flag.reason]}), {OUTCOMES[outcome]}{said}"
    )


@dataclass(frozen=True)
class OpenFlag:
    id: int
    document_id: int
    external_id: str
    title: str | None
    annotator: str
    reason: str  # as the pages say it
    note: str
    created_at: datetime


def open_flags(db: Session, project: Project, limit: int = 200) -> list[OpenFlag]:
    """The project's unresolved flags, oldest first (what waits longest comes first)."""
    rows = db.execute(
        select(Flag, Document.external_id, Document.title, User.username)
        .join(Document, Document.id == Flag.document_id)
        .join(User, User.id == Flag.annotator_id)
        .where(Flag.project_id == project.id, Flag.resolved_at.is_(None))
        .order_by(Flag.created_at, Flag.id)
        .limit(limit)
    )
    return [
        OpenFlag(
            flag.id,
            flag.document_id,
            external_id,
            title,
            username,
            REASONS[flag.reason],
            flag.note,
            flag.created_at,
        )
        for flag, external_id, title, username in rows
    ]
