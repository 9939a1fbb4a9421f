"""The figures behind the dashboard's charts and their CSV downloads: documents done per day per
annotator, spans per label per annotator, and active time per document per annotator. Days are
UTC dates (ISO, ``2026-11-28``)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from annotator import timing
from annotator.assignments import handout
from annotator.models import Assignment, Membership, Project, User
from annotator.store import labels_of
from annotator.time_stats import TimeSummary, summarise

#: Days the progress chart shows (the CSV has every day).
CHART_DAYS = 31


def _day(moment: datetime | str) -> date:
    if isinstance(moment, str):  # SQLite hands back text for some drivers
        moment = datetime.fromisoformat(moment)
    return moment.date()


def done_per_day(db: Session, project: Project) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Every day from the first finished document to the last, and per annotator (members with
    that role, by name) how many documents they finished that day."""
    people = list(
        db.execute(
            select(User.username)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.project_id == project.id, Membership.role == "annotator")
            .order_by(User.username)
        ).scalars()
    )
    done: dict[str, dict[str, int]] = {name: defaultdict(int) for name in people}
    rows = db.execute(
        select(User.username, Assignment.done_at, func.count())
        .join(User, User.id == Assignment.user_id)
        .where(
            Assignment.project_id == project.id,
            Assignment.status == "done",
            Assignment.done_at.is_not(None),
        )
        .group_by(User.username, Assignment.done_at)
    )
    days: set[date] = set()
    for username, done_at, count in rows:
        if username not in done:
            continue
        day = _day(done_at)
        days.add(day)
        done[username][day.isoformat()] += count
    if not days:
        return [], {name: dict(counts) for name, counts in done.items()}
    first, last = min(days), max(days)
    every = [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)]
    return every, {name: dict(counts) for name, counts in done.items()}


def spans_per_label(
    db: Session, project: Project
) -> tuple[list[tuple[str, str]], dict[str, dict[str, int]]]:
    """The labels (name, colour) in order, and per annotator their spans of each label."""
    labels = [(label.name, label.color) for label in labels_of(db, project.id)]
    rows = handout.dashboard(db, project)
    return labels, {row.username: dict(row.spans_per_label) for row in rows}


def progress_csv(days: list[str], done: dict[str, dict[str, int]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "annotator", "documents_done"])
    for day in days:
        for annotator, per_day in done.items():
            writer.writerow([day, annotator, per_day.get(day, 0)])
    return out.getvalue()


def labels_csv(labels: list[tuple[str, str]], counts: dict[str, dict[str, int]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["annotator", "label", "spans", "share_of_annotator_spans"])
    for annotator, per_label in counts.items():
        total = sum(per_label.values())
        for name, _color in labels:
            count = per_label.get(name, 0)
            writer.writerow([annotator, name, count, f"{count / total:.4f}" if total else "0"])
    return out.getvalue()


def time_summaries(db: Session, project: Project) -> dict[str, TimeSummary]:
    """Per annotator (by name): the figures of their active seconds per document."""
    return {
        name: summarise(seconds)
        for name, seconds in timing.seconds_by_annotator(db, project).items()
    }


def time_csv(rows: list[timing.DocumentTime]) -> str:
    """Active seconds per annotator and document, with the first and last moment measured."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["annotator", "document", "active_seconds", "first_active_at", "last_active_at"]
    )
    for row in rows:
        writer.writerow(
            [row.annotator, row.external_id, row.seconds, _iso(row.first), _iso(row.last)]
        )
    return out.getvalue()


def _iso(moment: datetime | str) -> str:
    if isinstance(moment, str):  # SQLite hands back text for some drivers
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
