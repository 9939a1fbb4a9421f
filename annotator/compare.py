"""Comparison of one document across annotators, and adjudication into the gold layer.

Gold spans accepted from annotators get an id derived from (document, label, start, end), so
accepting the same span twice, from two annotators or by a retried request, never duplicates it.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from sqlmodel import select

from annotator import db, store
from annotator.access import document_for
from annotator.alignment import Mark, agreed_keys, align, summary
from annotator.auth import me, project_for
from annotator.highlight import render, render_list
from annotator.models import Assignment, Label, Span, User
from annotator.spans import (
    SpanRefused,
    SpanValues,
    as_json,
    check_values,
    delete_gold,
    gold_highlights_of,
    gold_of,
    save_gold,
)

bp = Blueprint("compare", __name__)
GOLD_NAMESPACE = uuid.UUID("6f1c8f52-5d0e-4b53-9a43-5b1f3f0f6a10")


def gold_id(document_id: int, label_id: int, start: int, end: int) -> str:
    return str(uuid.uuid5(GOLD_NAMESPACE, f"{document_id}:{label_id}:{start}:{end}"))


def _viewable(slug: str, document_id: int):
    """Managers compare any document; an annotator only one they finished, when the manager has
    opened the comparison to annotators (blind otherwise)."""
    project, role, document, item = document_for(slug, document_id)
    if role != "manager" and not (project.comparison_open and item and item.status == "done"):
        abort(404)
    return project, role, document


def _context(slug: str, document_id: int) -> dict:
    project, role, document = _viewable(slug, document_id)
    session = db.session()
    people = list(
        session.exec(
            select(User.username, Assignment.status)
            .join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.document_id == document.id)
            .order_by(User.username)
        )
    )
    annotators = [name for name, _status in people]
    rows = session.exec(
        select(Span.id, User.username, Label.name, Span.start, Span.end)
        .join(User, User.id == Span.annotator_id)
        .join(Label, Label.id == Span.label_id)
        .where(Span.document_id == document.id)
    )
    marks = [Mark(*row) for row in rows]
    regions = align(marks, annotators)
    gold = gold_highlights_of(session, document.id)
    gold_keys = {(g.label, g.start, g.end) for g in gold}
    return {
        "project": project,
        "role": role,
        "document": document,
        "people": people,
        "annotators": annotators,
        "regions": regions,
        "counts": summary(regions),
        "gold": gold,
        "gold_keys": gold_keys,
        "gold_html": render(document.text, gold),
        "gold_list": render_list(document.text, gold),
        "labels": store.labels_of(session, project.id),
        "at_least": min(max(project.overlap, 2), max(len(annotators), 1)),
    }


def _answer(slug: str, document_id: int):
    if request.headers.get("HX-Request"):
        return render_template("compare/_compare.html", **_context(slug, document_id))
    return redirect(url_for("compare.document", slug=slug, document_id=document_id))


@bp.get("/p/<slug>/compare/<int:document_id>")
@login_required
def document(slug: str, document_id: int):
    return render_template("compare/document.html", **_context(slug, document_id))


def _manager_document(slug: str, document_id: int):
    project, _role = project_for(slug, manager=True)
    document = store.document_in(db.session(), project, document_id)
    if document is None:
        abort(404)
    return project, document


@bp.post("/p/<slug>/compare/<int:document_id>/accept")
@login_required
def accept(slug: str, document_id: int):
    """Copy one annotator's span into gold."""
    _project, document = _manager_document(slug, document_id)
    session = db.session()
    span = session.get(Span, request.form.get("span_id", ""))
    if span is None or span.document_id != document.id:
        abort(404)
    values = SpanValues(span.label_id, span.start, span.end, span.note)
    span_gold_id = gold_id(document.id, span.label_id, span.start, span.end)
    save_gold(session, document, me(), span_gold_id, values, source_span_id=span.id)
    return _answer(slug, document_id)


@bp.post("/p/<slug>/compare/<int:document_id>/accept-agreed")
@login_required
def accept_agreed(slug: str, document_id: int):
    """Copy into gold every span that at least k annotators marked identically."""
    project, document = _manager_document(slug, document_id)
    at_least = request.form.get("at_least", type=int) or 2
    context = _context(slug, document_id)
    label_ids = {label.name: label.id for label in context["labels"]}
    session = db.session()
    for (label, start, end), marks in agreed_keys(context["regions"], max(at_least, 1)):
        label_id = label_ids[label]
        values = SpanValues(label_id, start, end, "")
        save_gold(
            session,
            document,
            me(),
            gold_id(document.id, label_id, start, end),
            values,
            source_span_id=marks[0].id,
        )
    return _answer(slug, document_id)


@bp.post("/p/<slug>/compare/<int:document_id>/gold/<span_id>")
@login_required
def edit_gold(slug: str, document_id: int, span_id: str):
    """Change a gold span's label or boundaries (form fields label, start, end), or delete it."""
    project, document = _manager_document(slug, document_id)
    session = db.session()
    if request.form.get("action") == "delete":
        delete_gold(session, document, span_id)
        return _answer(slug, document_id)
    payload = {
        "label": request.form.get("label"),
        "start": request.form.get("start", type=int),
        "end": request.form.get("end", type=int),
        "note": request.form.get("note", ""),
    }
    try:
        values = check_values(payload, document, store.labels_of(session, project.id))
        save_gold(session, document, me(), span_id, values)
    except SpanRefused as problem:
        if request.headers.get("HX-Request"):
            context = _context(slug, document_id) | {"problem": str(problem)}
            return render_template("compare/_compare.html", **context), problem.status
        abort(problem.status, str(problem))
    return _answer(slug, document_id)


# --- the gold layer in the workspace (same selection tools as annotators) and its JSON API ----

GOLD_API = "/api/projects/<slug>/documents/<int:document_id>/gold"


@bp.get("/p/<slug>/d/<int:document_id>/gold")
@login_required
def gold_workspace(slug: str, document_id: int):
    return render_template("workspace/document.html", **_gold_workspace(slug, document_id))


@bp.get("/p/<slug>/d/<int:document_id>/gold/body")
@login_required
def gold_body(slug: str, document_id: int):
    return render_template("workspace/_body.html", **_gold_workspace(slug, document_id))


def _gold_workspace(slug: str, document_id: int) -> dict:
    project, document = _manager_document(slug, document_id)
    session = db.session()
    gold = gold_highlights_of(session, document.id)
    from annotator import assignments

    return {
        "project": project,
        "role": "manager",
        "document": document,
        "assignment": None,
        "annotator": me(),
        "read_only": False,
        "gold_mode": True,
        "labels": store.labels_of(session, project.id),
        "spans": gold,
        "html": render(document.text, gold),
        "span_list": render_list(document.text, gold),
        "progress": assignments.progress(session, project, me()),
    }


@bp.errorhandler(SpanRefused)
def _refused(error: SpanRefused):
    return jsonify(error=str(error), field=error.field, status=error.status), error.status


@bp.get(GOLD_API)
@login_required
def list_gold(slug: str, document_id: int):
    _project, document = _manager_document(slug, document_id)
    rows = gold_of(db.session(), document.id)
    return jsonify(
        document=document.external_id,
        gold=[as_json(span, label, document.text) for span, label in rows],
    )


@bp.put(GOLD_API + "/<span_id>")
@login_required
def put_gold(slug: str, document_id: int, span_id: str):
    project, document = _manager_document(slug, document_id)
    session = db.session()
    labels = store.labels_of(session, project.id)
    values = check_values(request.get_json(silent=True), document, labels)
    span, created = save_gold(session, document, me(), span_id, values)
    label = next(item for item in labels if item.id == span.label_id)
    return jsonify(as_json(span, label, document.text)), 201 if created else 200


@bp.delete(GOLD_API + "/<span_id>")
@login_required
def remove_gold(slug: str, document_id: int, span_id: str):
    _project, document = _manager_document(slug, document_id)
    return jsonify(deleted=delete_gold(db.session(), document, span_id))
