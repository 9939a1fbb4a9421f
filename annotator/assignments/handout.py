"""Handing out documents so every document reaches k annotators and work is spread evenly.

Who counts: the project's **annotators** (members with the annotator role). Their assignments fill
a document's k places; a manager who annotates a document does not take one. Of them, those who can
log in **take part** and share the work still to do: each has a quota of
``ceil(places left to them / annotators taking part)`` (annotations imported for accounts without
password already fill places).

Which document: the one that keeps every document completable. Handing out greedily ("the
document with the fewest annotators") can strand a document whose only missing annotator is
someone who already has it while everyone else is at quota. So the choice is checked with a
maximum flow (documents grouped by who already has them → annotators with quota left): among the
choices after which all remaining places can still be filled, the annotator gets the document of
highest priority, then with the fewest annotators so far, then the earliest. Documents a manager
assigned to them in the matrix (status ``assigned``, :mod:`annotator.assignments.matrix`) come
before all of these, and count towards k like any other assignment. A document an annotator
**skipped** fills no place (others bring it to k) but is never handed to them again: they are
among its holders for the flow, without filling a place (:mod:`annotator.assignments.skips`).
A **flagged** document keeps its place. Project-level locking
(:func:`annotator.db.lock_project`) makes concurrent requests decide one after the other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from annotator import db as database
from annotator.assignments.planner import Group, choose_group, fillable, quota
from annotator.errors import Refused
from annotator.models import Assignment, Document, Label, Membership, Project, Span, User, utcnow

# --- queries -----------------------------------------------------------------------------------


def _annotators(project_id: int):
    return select(Membership.user_id).where(
        Membership.project_id == project_id, Membership.role == "annotator"
    )


def _fills_place():
    """Condition on ``Assignment``: it fills one of the document's k places (not skipped)."""
    return Assignment.status != "skipped"


def participants(db: Session, project_id: int) -> list[int]:
    """Annotators taking part: annotator members who can log in, by id."""
    return list(
        db.exec(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.project_id == project_id,
                Membership.role == "annotator",
                User.password_hash.is_not(None),
            )
            .order_by(Membership.user_id)
        )
    )


def _share(db: Session, project: Project, people: list[int]) -> int:
    """The quota of each annotator taking part."""
    if not people:
        return 0
    documents = db.exec(
        select(func.count()).select_from(Document).where(Document.project_id == project.id)
    ).one()
    per_document = min(project.overlap, len(people))
    places = documents * per_document
    filled_by_others = db.exec(  # places filled by annotators who cannot log in
        select(Assignment.document_id, func.count())
        .where(
            Assignment.project_id == project.id,
            Assignment.user_id.in_(_annotators(project.id)),
            Assignment.user_id.not_in(people),
            _fills_place(),
        )
        .group_by(Assignment.document_id)
    )
    for _document_id, others in filled_by_others:
        places -= per_document - min(max(project.overlap - others, 0), len(people))
    return quota(places, len(people))


def _load(db: Session, project: Project, people: list[int]) -> dict[int, int]:
    load = dict.fromkeys(people, 0)
    rows = db.exec(
        select(Assignment.user_id, func.count())
        .where(
            Assignment.project_id == project.id,
            Assignment.user_id.in_(people),
            _fills_place(),
        )
        .group_by(Assignment.user_id)
    )
    for user_id, count in rows:
        load[user_id] = count
    return load


def _unstarted(project_id: int):
    """Condition on ``Document``: no annotator of the project has it yet."""
    return ~(
        select(Assignment.document_id)
        .where(
            Assignment.document_id == Document.id,
            Assignment.user_id.in_(_annotators(project_id)),
        )
        .exists()
    )


def _open_documents(db: Session, project: Project) -> tuple[list[Group], dict, object]:
    """Groups of documents still short of k annotators, in order of preference (highest
    priority first); for each group the first document (None for the group of documents
    nobody has yet); and (priority, position) of the first of those, or None.

    A group is the documents with the same holders (who has or skipped them) and the same
    number of places left."""
    counted = _annotators(project.id)
    short = (
        select(Assignment.document_id)
        .where(Assignment.project_id == project.id, Assignment.user_id.in_(counted))
        .group_by(Assignment.document_id)
        .having(func.sum(case((_fills_place(), 1), else_=0)) < project.overlap)
    )
    rows = db.exec(
        select(
            Assignment.document_id,
            Assignment.user_id,
            Assignment.status,
            Document.priority,
            Document.position,
        )
        .join(Document, Document.id == Assignment.document_id)
        .where(Assignment.document_id.in_(short), Assignment.user_id.in_(counted))
    )
    holders: dict[int, set[int]] = defaultdict(set)
    filled: dict[int, int] = defaultdict(int)
    order: dict[int, tuple[int, int, int]] = {}  # higher priority first, then earlier
    for document_id, user_id, status, priority, position in rows:
        holders[document_id].add(user_id)
        filled[document_id] += status != "skipped"
        order[document_id] = (-priority, position, document_id)
    fresh = db.exec(
        select(func.count())
        .select_from(Document)
        .where(Document.project_id == project.id, _unstarted(project.id))
    ).one()
    first_fresh = None
    if fresh:
        first_fresh = db.exec(
            select(Document.priority, Document.position)
            .where(Document.project_id == project.id, _unstarted(project.id))
            .order_by(Document.priority.desc(), Document.position, Document.id)
            .limit(1)
        ).one()
    members: dict[tuple[frozenset[int], int], list[int]] = defaultdict(list)
    for document_id, who in holders.items():
        members[(frozenset(who), project.overlap - filled[document_id])].append(document_id)
    starts = {key: min(ids, key=order.__getitem__) for key, ids in members.items()}
    first = {key: order[document_id][:2] for key, document_id in starts.items()}
    earliest: dict[tuple[frozenset[int], int], int | None] = dict(starts)
    groups = [Group(who, len(ids), need) for (who, need), ids in members.items()]
    if first_fresh is not None:
        groups.append(Group(frozenset(), fresh, project.overlap))
        earliest[(frozenset(), project.overlap)] = None
        first[(frozenset(), project.overlap)] = (-first_fresh[0], first_fresh[1])
    # a group holding a document of higher priority comes first, then as before: fewest
    # annotators filling its places (a skip fills none), earliest document
    groups.sort(key=lambda g: (first[(g.holders, g.need)][0], project.overlap - g.need,
                               first[(g.holders, g.need)][1], sorted(g.holders)))  # fmt: skip
    return groups, earliest, first_fresh


def current_assignment(db: Session, project: Project, user: User) -> Assignment | None:
    """The annotator's open work: a document in progress, else one a manager assigned them
    (highest priority first, then the earliest)."""
    return db.exec(
        select(Assignment)
        .join(Document, Document.id == Assignment.document_id)
        .where(
            Assignment.project_id == project.id,
            Assignment.user_id == user.id,
            Assignment.status.in_(("in_progress", "assigned")),
        )
        .order_by(
            (Assignment.status == "assigned").asc(),
            Document.priority.desc(),
            Document.position,
            Document.id,
        )
    ).first()


def _taken_up(db: Session, item: Assignment) -> Document | None:
    """The document of ``item``; a manager's assignment becomes work in progress as it is taken."""
    if item.status == "assigned":
        item.status = "in_progress"
        item.updated_at = utcnow()
        db.add(item)
    db.commit()
    return db.get(Document, item.document_id)


def next_document(db: Session, project: Project, user: User) -> Document | None:
    """The annotator's open document, or a newly assigned one; None when their work is done.

    Commits: the new assignment is saved before the answer goes out.
    """
    open_assignment = current_assignment(db, project, user)
    if open_assignment:
        return _taken_up(db, open_assignment)
    db.commit()  # end the read transaction: the lock must be the first statement of the next
    database.lock_project(db, project.id)
    # Another request of the same annotator (a double click, a second tab) may have just
    # handed them a document: that one is the answer.
    open_assignment = current_assignment(db, project, user)
    if open_assignment:
        return _taken_up(db, open_assignment)
    db.refresh(project)  # overlap as it is now, under the lock
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
    share = _share(db, project, people)
    capacity = {person: share - taken for person, taken in _load(db, project, people).items()}
    groups, earliest, _first_unstarted = _open_documents(db, project)
    group = choose_group(groups, capacity, user.id, project.overlap)
    if group is None:
        group = _beyond_quota(groups, capacity, user.id, project.overlap)
    if group is None:
        return None
    chosen = earliest[(group.holders, group.need)]
    if chosen is not None:
        return db.get(Document, chosen)
    return db.exec(
        select(Document)
        .where(Document.project_id == project.id, _unstarted(project.id))
        .order_by(Document.priority.desc(), Document.position, Document.id)
        .limit(1)
    ).first()


def _beyond_quota(
    groups: list[Group], capacity: dict[int, int], user: int, overlap: int
) -> Group | None:
    """A skip can leave a place that only annotators already at quota may fill (everyone else
    has the document or skipped it): then the asking annotator's quota stretches by as many
    places as cannot be filled otherwise, and the flow gives them one of those."""
    places = sum(group.documents * group.need for group in groups)
    stranded = places - fillable(groups, capacity)
    if stranded <= 0:
        return None
    stretched = {**capacity, user: max(capacity.get(user, 0), 0) + stranded}
    return choose_group(groups, stretched, user, overlap)


def assignment(db: Session, document_id: int, user_id: int) -> Assignment | None:
    return db.get(Assignment, (document_id, user_id))


def set_status(db: Session, item: Assignment, status: str) -> None:
    item.status = status
    item.updated_at = utcnow()
    item.done_at = utcnow() if status == "done" else None
    db.add(item)
    db.commit()


def refuse_reopening_frozen(item: Assignment) -> None:
    """An annotator who has seen the comparison cannot reopen their own work: they would change it
    knowing the others'. Only a manager may (:func:`reopen_by_manager`), on record."""
    if item.compared_at is not None:
        raise Refused(
            409,
            "You have seen the comparison of this document, so your work on it is frozen; "
            "only a manager can reopen it.",
            "status",
        )


def reopen_by_manager(db: Session, item: Assignment, manager: User) -> None:
    """Send finished work back to its annotator, recording which manager did it and when."""
    item.reopened_by_id = manager.id
    item.reopened_at = utcnow()
    set_status(db, item, "in_progress")


def record_comparison_seen(db: Session, item: Assignment) -> None:
    """Note the first time an annotator opens a document's comparison: their layer freezes."""
    if item.compared_at is None:
        item.compared_at = utcnow()
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
        ).where(
            Assignment.project_id == project.id,
            Assignment.user_id == user.id,
            _fills_place(),
        )
    ).one()
    people = participants(db, project.id)
    share = _share(db, project, people) if user.id in people else row[0]
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
    skipped: int = 0
    flagged: int = 0


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
        elif status == "skipped":
            row.skipped = count
        elif status == "flagged":
            row.flagged = count
        else:
            row.in_progress += count
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
