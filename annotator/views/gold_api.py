"""JSON API for the gold layer: the gold workspace uses it, like the span API beside it.

Managers only (``document_for_curating``); the same validation as an annotator's spans and links,
and the same idempotent PUT with client-made ids.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import login_required

from annotator import db, store
from annotator.access import document_for_curating
from annotator.annotation.relations import as_json as relation_json
from annotator.annotation.relations import (
    check_relation,
    delete_gold_relation,
    gold_relations_of,
    relation_types_of,
    save_gold_relation,
)
from annotator.annotation.spans import (
    as_json,
    check_values,
    delete_gold,
    gold_of,
    save_gold,
)
from annotator.auth import me

bp = Blueprint("gold_api", __name__, url_prefix="/api")
GOLD_API = "/projects/<slug>/documents/<int:document_id>/gold"
GOLD_RELATIONS_API = "/projects/<slug>/documents/<int:document_id>/gold-relations"


@bp.get(GOLD_API)
@login_required
def list_gold(slug: str, document_id: int):
    _project, document = document_for_curating(slug, document_id)
    rows = gold_of(db.session(), document.id)
    return jsonify(
        document=document.external_id,
        gold=[as_json(span, label, document.text) for span, label in rows],
    )


@bp.put(GOLD_API + "/<span_id>")
@login_required
def put_gold(slug: str, document_id: int, span_id: str):
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    labels = store.labels_of(session, project.id)
    values = check_values(request.get_json(silent=True), document, labels)
    span, created = save_gold(session, document, me(), span_id, values)
    label = next(item for item in labels if item.id == span.label_id)
    return jsonify(as_json(span, label, document.text)), 201 if created else 200


@bp.delete(GOLD_API + "/<span_id>")
@login_required
def remove_gold(slug: str, document_id: int, span_id: str):
    _project, document = document_for_curating(slug, document_id)
    return jsonify(deleted=delete_gold(db.session(), document, span_id))


@bp.get(GOLD_RELATIONS_API)
@login_required
def list_gold_relations(slug: str, document_id: int):
    _project, document = document_for_curating(slug, document_id)
    rows = gold_relations_of(db.session(), document.id)
    return jsonify(
        document=document.external_id,
        relations=[relation_json(relation, name) for relation, name in rows],
    )


@bp.put(GOLD_RELATIONS_API + "/<relation_id>")
@login_required
def put_gold_relation(slug: str, document_id: int, relation_id: str):
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    types = relation_types_of(session, project.id)
    values = check_relation(session, request.get_json(silent=True), document, types, None)
    relation, created = save_gold_relation(session, document, me(), relation_id, values)
    return jsonify(relation_json(relation, values.type)), 201 if created else 200


@bp.delete(GOLD_RELATIONS_API + "/<relation_id>")
@login_required
def remove_gold_relation(slug: str, document_id: int, relation_id: str):
    _project, document = document_for_curating(slug, document_id)
    return jsonify(deleted=delete_gold_relation(db.session(), document, relation_id))
