"""Active time: what the workspace measures (tab visible, input within the last two minutes; see
``static/js/activetime.js``) and sends as a running total per page visit.

``record`` stores a visit's total only if it is larger than the one stored: a resent, repeated or
late request never counts twice and never lowers the figure. An annotator's active seconds on a
document are the sum over their visits; ``first``/``last`` the start of the first visit and the
last update of any.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from annotator.errors import Invalid
from annotator.models import ActiveTime, Document, Membership, Project, User, utcnow

#: One visit's total may not exceed a day: a bigger figure is a broken or forged client.
MAX_VISIT_SECONDS = 86_400
VISIT = re.compile(r"[A-Za-z0-9-]{8,36}")


def check(visit: str, payload: Any) -> int:
    """The visit id and the body ``{"seconds": n}`` checked; the seconds. Pure."""
    if not VISIT.fullmatch(visit):
        raise Invalid("the visit id is 8 to 36 letters, digits or hyphens", field="visit")
    if not isinstance(payload, dict) or "seconds" not in payload:
        raise Invalid('expected a JSON object {"seconds": n}', field="seconds")
    seconds = payload["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise Invalid("seconds must be a whole number", field="seconds")
    if not 0 <= seconds <= MAX_VISIT_SECONDS:
        raise Invalid(f"seconds must be from 0 to {MAX_VISIT_SECONDS}", field="seconds")
    return seconds


def record(db: Session, document: Document, annotator: User, visit: str, seconds: int) -> int:
    """Store the visit's running total (only ever raised); returns the annotator's total active
    seconds on the document. Does not commit."""
    now = utcnow()
    module = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    db.execute(
        module.insert(ActiveTime)
        .values(
            document_id=document.id,
            annotator_id=annotator.id,
            visit=visit,
            project_id=document.project_id,
            seconds=0,
            started_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["document_id", "annotator_id", "visit"])
    )
    db.execute(
        update(ActiveTime)
        .where(
            ActiveTime.document_id == document.id,
            ActiveTime.annotator_id == annotator.id,
            ActiveTime.visit == visit,
            ActiveTime.seconds < seconds,
        )
        .values(seconds=seconds, updated_at=now)
    )
    return db.execute(
        select(func.coalesce(func.sum(ActiveTime.seconds), 0)).where(
            ActiveTime.document_id == document.id, ActiveTime.annotator_id == annotator.id
        )
    ).scalar_one()


@dataclass(frozen=True)
class DocumentTime:
    annotator: str
    external_id: str
    seconds: int
    first: datetime
    last: datetime


def per_document(db: Session, project: Project) -> list[DocumentTime]:
    """Active seconds per (annotator, document) of the project's annotators, by annotator then
    document position."""
    annotators = select(Membership.user_id).where(
        Membership.project_id == project.id, Membership.role == "annotator"
    )
    rows = db.execute(
        select(
            User.username,
            Document.external_id,
            func.sum(ActiveTime.seconds),
            func.min(ActiveTime.started_at),
            func.max(ActiveTime.updated_at),
        )
        .join(User, User.id == ActiveTime.annotator_id)
        .join(Document, Document.id == ActiveTime.document_id)
        .where(ActiveTime.project_id == project.id, ActiveTime.annotator_id.in_(annotators))
        .group_by(User.username, Document.external_id, Document.position, Document.id)
        .order_by(User.username, Document.position, Document.id)
    )
    return [DocumentTime(*row) for row in rows]


def seconds_by_annotator(db: Session, project: Project) -> dict[str, list[int]]:
    """Per annotator (every annotator member, by name), their active seconds per document."""
    people = db.execute(
        select(User.username)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id, Membership.role == "annotator")
        .order_by(User.username)
    ).scalars()
    result: dict[str, list[int]] = {name: [] for name in people}
    grouped: dict[str, list[int]] = defaultdict(list)
    for row in per_document(db, project):
        grouped[row.annotator].append(int(row.seconds))
    for name in result:
        result[name] = grouped.get(name, [])
    return result
