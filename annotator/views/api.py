"""JSON API for spans and relations: what the workspace page uses, and what scripts and tests call.

``PUT /api/projects/<slug>/documents/<id>/spans/<span_id>`` creates or updates (idempotent),
``DELETE`` removes (idempotent), ``GET …/spans`` lists. ``…/relations/<relation_id>`` does the
same for links between the caller's spans (see ``annotator.annotation.relations``). Same
authorization and validation as pages: an annotator reads and writes only their own work
(blind), a manager may read anyone's with ``?annotator=name``.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import login_required

from annotator import db, store, timing
from annotator.access import document_for, document_for_writing, whose_work
from annotator.annotation.relations import as_json as relation_json
from annotator.annotation.relations import (
    check_relation,
    delete_relation,
    refuse_foreign,
    relation_types_of,
    relations_of,
    save_relation,
)
from annotator.annotation.spans import as_json, check_values, delete_span, save_span, spans_of
from annotator.auth import me

bp = Blueprint("api", __name__, url_prefix="/api")
BASE = "/projects/<slug>/documents/<int:document_id>/spans"
RELATIONS = "/projects/<slug>/documents/<int:document_id>/relations"


def _readable(slug: str, document_id: int):
    """The document and whose work to read: the caller's, or (managers only) ``?annotator=``."""
    _project, role, document, _item = document_for(slug, document_id)
    return document, whose_work(role)


@bp.get(BASE)
@login_required
def list_spans(slug: str, document_id: int):
    document, annotator = _readable(slug, document_id)
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
    labels = store.labels_of(db.session(), project.id)
    values = check_values(request.get_json(silent=True), document, labels)
    span, created = save_span(db.session(), document, me(), span_id, values)
    label = next(item for item in labels if item.id == span.label_id)
    return jsonify(as_json(span, label, document.text)), 201 if created else 200


@bp.delete(BASE + "/<span_id>")
@login_required
def remove_span(slug: str, document_id: int, span_id: str):
    _project, _role, document = document_for_writing(slug, document_id)
    existed = delete_span(db.session(), document, me(), span_id)
    return jsonify(deleted=existed), 200


@bp.get(RELATIONS)
@login_required
def list_relations(slug: str, document_id: int):
    document, annotator = _readable(slug, document_id)
    rows = relations_of(db.session(), document.id, annotator.id)
    return jsonify(
        document=document.external_id,
        annotator=annotator.username,
        relations=[relation_json(relation, name) for relation, name in rows],
    )


@bp.put(RELATIONS + "/<relation_id>")
@login_required
def put_relation(slug: str, document_id: int, relation_id: str):
    project, _role, document = document_for_writing(slug, document_id)
    session = db.session()
    refuse_foreign(session, document, me(), relation_id)
    values = check_relation(
        session,
        request.get_json(silent=True),
        document,
        relation_types_of(session, project.id),
        me(),
    )
    relation, created = save_relation(session, document, me(), relation_id, values)
    return jsonify(relation_json(relation, values.type)), 201 if created else 200


@bp.delete(RELATIONS + "/<relation_id>")
@login_required
def remove_relation(slug: str, document_id: int, relation_id: str):
    _project, _role, document = document_for_writing(slug, document_id)
    existed = delete_relation(db.session(), document, me(), relation_id)
    return jsonify(deleted=existed), 200


@bp.put("/projects/<slug>/documents/<int:document_id>/active-time/<visit>")
@login_required
def put_active_time(slug: str, document_id: int, visit: str):
    """The caller's active seconds on the document during one page visit (a running total,
    ``{"seconds": n}``): stored only when larger than before, so a resend never counts twice.
    Answers the caller's total on the document."""
    _project, _role, document, _item = document_for(slug, document_id)
    seconds = timing.check(visit, request.get_json(silent=True))
    session = db.session()
    total = timing.record(session, document, me(), visit, seconds)
    session.commit()
    return jsonify(document=document.external_id, visit=visit, total_seconds=total), 200
