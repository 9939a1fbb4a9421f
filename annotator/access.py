"""Who may open and annotate which document: shared by the workspace pages and the JSON API."""

from __future__ import annotations

from flask import abort

from annotator import assignments, db, store
from annotator.auth import me, project_for
from annotator.models import Assignment, Document, Project


def document_for(slug: str, document_id: int) -> tuple[Project, str, Document, Assignment | None]:
    """The document if the current user may see it: managers see all, annotators only theirs.

    Anything else is 404, so document ids of other people's work reveal nothing.
    """
    project, role = project_for(slug)
    document = store.document_in(db.session(), project, document_id)
    if document is None:
        abort(404)
    item = assignments.assignment(db.session(), document.id, me().id)
    if role != "manager" and item is None:
        abort(404)
    return project, role, document, item


def document_for_writing(slug: str, document_id: int) -> tuple[Project, str, Document]:
    """As :func:`document_for`; a manager who annotates a document gets an assignment for it."""
    project, role, document, item = document_for(slug, document_id)
    if item is None:
        session = db.session()
        session.add(Assignment(document_id=document.id, user_id=me().id, project_id=project.id))
        session.commit()
    return project, role, document
