"""The project activity log: who changed what in a project, and when, for the manager to read.

A change and its log entry are written in one transaction: :func:`record` only adds the row, the
caller commits with the change (or rolls both back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from annotator.models import Activity, Project, User

#: Entries shown on one page of the log.
PAGE = 100


def record(db: Session, project: Project, actor: User | None, action: str, detail: str) -> None:
    """Add one entry: ``action`` is a short key (``label.rename``), ``detail`` a sentence."""
    db.add(
        Activity(
            project_id=project.id,
            user_id=actor.id if actor else None,
            actor=actor.username if actor else "",
            action=action[:40],
            detail=detail,
        )
    )


@dataclass(frozen=True)
class Entry:
    at: datetime
    actor: str
    action: str
    detail: str


def entries(db: Session, project: Project, page: int = 1) -> tuple[list[Entry], int]:
    """One page of the log, newest first, and the number of pages (at least 1)."""
    total = db.exec(
        select(func.count()).select_from(Activity).where(Activity.project_id == project.id)
    ).one()
    rows = db.exec(
        select(Activity.at, Activity.actor, Activity.action, Activity.detail)
        .where(Activity.project_id == project.id)
        .order_by(Activity.id.desc())
        .limit(PAGE)
        .offset((max(page, 1) - 1) * PAGE)
    )
    return [Entry(*row) for row in rows], max(1, -(-total // PAGE))
