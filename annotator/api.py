"""JSON API for spans: what the workspace page uses, and what scripts and tests can call.

``PUT /api/projects/<slug>/documents/<id>/spans/<span_id>`` creates or updates (idempotent),
``DELETE`` removes (idempotent), ``GET …/spans`` lists. Same authorization and validation as pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import login_required

from annotator import db, store
from annotator.access import document_for, document_for_writing
from annotator.auth import me
from annotator.spans import SpanRefused, as_json, check_values, delete_span, save_span, spans_of

bp = Blueprint("api", __name__, url_prefix="/api")
BASE = "/projects/<slug>/documents/<int:document_id>/spans"


@bp.errorhandler(SpanRefused)
def _refused(error: SpanRefused):
    return jsonify(error=str(error), field=error.field, status=error.status), error.status


@bp.get(BASE)
@login_required
def list_spans(slug: str, document_id: int):
    _project, role, document, _item = document_for(slug, document_id)
    annotator = me()
    name = request.args.get("annotator")
    if name and name != annotator.username:
        if role != "manager":
            abort(404)
        annotator = store.user_by_name(db.session(), name) or abort(404)
    rows = spans_of(db.session(), document.id, annotator.id)
    return jsonify(
        document=document.external_id,
        annotator=annotator.username,
        spans=[as_json(span, label, document.text) for span, label in rows],
    )


@bp.put(BASE + "/<span_id>")
@login_required
def put_span(slug: str, document_id: int, span_id: str):
    project, _role, document = document_for_writing(slug, document_id)
    values = check_values(
        request.get_json(silent=True), document, store.labels_of(db.session(), project.id)
    )
    span, created = save_span(db.session(), document, me(), span_id, values)
    label = next(
        item for item in store.labels_of(db.session(), project.id) if item.id == span.label_id
    )
    return jsonify(as_json(span, label, document.text)), 201 if created else 200


@bp.delete(BASE + "/<span_id>")
@login_required
def remove_span(slug: str, document_id: int, span_id: str):
    _project, _role, document = document_for_writing(slug, document_id)
    existed = delete_span(db.session(), document, me(), span_id)
    return jsonify(deleted=existed), 200
