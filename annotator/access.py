"""Who may open and annotate which document: shared by the workspace pages and the JSON API."""

from __future__ import annotations

from importlib import import_module

from flask import abort, request

from annotator import db, store
from annotator.assignments import handout
from annotator.auth import me, project_for
from annotator.errors import Refused
from annotator.models import Assignment, Document, Project, User, utcnow


def document_for(slug: str, document_id: int) -> tuple[Project, str, Document, Assignment | None]:
    """The document if the current user may see it: managers see all, annotators only theirs.

    Anything else is 404, so document ids of other people's work reveal nothing.
    """
    project, role = project_for(slug)
    document = store.document_in(db.session(), project, document_id)
    if document is None:
        abort(404)
    item = handout.assignment(db.session(), document.id, me().id)
    if role != "manager" and item is None:
        abort(404)
    return project, role, document, item


def document_for_writing(slug: str, document_id: int) -> tuple[Project, str, Document]:
    """As :func:`document_for`; a manager who annotates a document gets an assignment for it.

    The assignment is written in the transaction of the change that follows and is not committed
    here: a refused change (another annotator's span id, invalid values) leaves no trace.
    """
    project, role, document, item = document_for(slug, document_id)
    refuse_done(item)
    if item is None:
        session = db.session()
        module = import_module(f"sqlalchemy.dialects.{session.get_bind().dialect.name}")
        now = utcnow()
        session.execute(
            module.insert(Assignment)
            .values(
                document_id=document.id,
                user_id=me().id,
                project_id=project.id,
                status="in_progress",
                assigned_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["document_id", "user_id"])
        )
    return project, role, document


def refuse_done(item: Assignment | None) -> None:
    """Work marked done is read-only until reopened: a change now would alter what was finished
    (and perhaps already compared), so spans, links and attributes are refused with 409; so is
    work on a document the annotator skipped (it went back to the pool)."""
    if item is not None and item.status == "skipped":
        raise Refused(
            409,
            "You skipped this document, so it is no longer yours to annotate.",
            "status",
        )
    if item is not None and item.status == "done":
        raise Refused(
            409,
            "You marked this document done, so your work on it is read-only; "
            "reopen it to change it.",
            "status",
        )


def document_for_curating(slug: str, document_id: int) -> tuple[Project, Document]:
    """The document if the current user may build its gold: the project's managers only."""
    project, _role = project_for(slug, manager=True)
    document = store.document_in(db.session(), project, document_id)
    if document is None:
        abort(404)
    return project, document


def whose_work(role: str) -> User:
    """Whose spans and links the current user may read on a document they may open: their own,
    or, for the project's managers only, those of the annotator named by ``?annotator=``.

    Blind annotation: an annotator naming anyone else gets 404, which reveals nothing.
    """
    viewer = me()
    name = request.args.get("annotator")
    if not name or name == viewer.username:
        return viewer
    if role != "manager":
        abort(404)
    return store.user_by_name(db.session(), name) or abort(404)
