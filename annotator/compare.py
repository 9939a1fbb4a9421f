"""Comparison of one document across annotators, and adjudication into the gold layer.

The gold layer holds each (document, label, start, end) once, a unique index says so. Accepting
a span fills the gold span gold has at that label and range, whatever its id (drawn in the gold
workspace, say); else it makes one with an id derived from the content, so accepting the same
span twice, from two annotators or by a retried request, never duplicates it. Drawing or moving
a gold span onto another is refused (409).
Accepting a span copies its note and attribute values. Links compare by (type, source span,
target span), spans taken by (label, start, end); accepting a link accepts its two spans too (if
gold lacks them) and gets an id derived from (document, type, gold source, gold target).
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from sqlmodel import select

from annotator import db, store
from annotator.access import document_for
from annotator.alignment import (
    Mark,
    agreed_attributes,
    agreed_keys,
    align,
    document_agreement,
    link_rows,
    summary,
)
from annotator.auth import me, project_for
from annotator.definitions import keep_defined
from annotator.highlight import render, render_links, render_list
from annotator.models import Assignment, GoldSpan, Label, Relation, RelationType, Span, User
from annotator.relations import as_json as relation_json
from annotator.relations import (
    as_links,
    check_relation,
    delete_gold_relation,
    gold_relations_of,
    relation_types_of,
    save_gold_relation,
    type_menu,
)
from annotator.spans import (
    SpanRefused,
    SpanValues,
    as_json,
    check_values,
    delete_gold,
    gold_highlights_of,
    gold_of,
    save_gold,
    twin_of,
)

bp = Blueprint("compare", __name__)
GOLD_NAMESPACE = uuid.UUID("6f1c8f52-5d0e-4b53-9a43-5b1f3f0f6a10")


def gold_id(document_id: int, label_id: int, start: int, end: int) -> str:
    return str(uuid.uuid5(GOLD_NAMESPACE, f"{document_id}:{label_id}:{start}:{end}"))


def gold_relation_id(document_id: int, type_id: int, source: str, target: str) -> str:
    return str(uuid.uuid5(GOLD_NAMESPACE, f"{document_id}:link:{type_id}:{source}:{target}"))


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
        select(Span.id, User.username, Label.name, Span.start, Span.end, Span.attributes)
        .join(User, User.id == Span.annotator_id)
        .join(Label, Label.id == Span.label_id)
        .where(Span.document_id == document.id)
    )
    marks = [Mark(*row) for row in rows]
    regions = align(marks, annotators)
    labels = store.labels_of(session, project.id)
    finished = [name for name, status in people if status == "done"]
    gold = gold_highlights_of(session, document.id)
    gold_keys = {(g.label, g.start, g.end) for g in gold}
    gold_by_id = {g.id: g for g in gold}
    gold_links = as_links(gold_relations_of(session, document.id))
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
        "gold_attributes": {(g.label, g.start, g.end): dict(g.attributes) for g in gold},
        "gold_html": render(document.text, gold),
        "gold_list": render_list(document.text, gold),
        "gold_links": gold_links,
        "gold_by_id": gold_by_id,
        "gold_link_keys": {
            (link.type, _key(gold_by_id[link.source]), _key(gold_by_id[link.target]))
            for link in gold_links
        },
        "link_rows": link_rows(_links(session, document.id, {m.id: m for m in marks})),
        "labels": labels,
        "agreement": document_agreement(
            marks, finished, [label.name for label in labels], document.length
        ),
        "at_least": min(max(project.overlap, 2), max(len(annotators), 1)),
    }


def _key(span) -> tuple[str, int, int]:
    return (span.label, span.start, span.end)


def _links(session, document_id: int, marks: dict[str, Mark]) -> list[tuple]:
    rows = session.execute(
        select(
            Relation.id,
            User.username,
            RelationType.name,
            Relation.value,
            Relation.source_id,
            Relation.target_id,
        )
        .join(User, User.id == Relation.annotator_id)
        .join(RelationType, RelationType.id == Relation.type_id)
        .where(Relation.document_id == document_id)
    )
    return [
        (relation_id, name, type_name, value, marks[source], marks[target])
        for relation_id, name, type_name, value, source, target in rows
    ]


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
    _accept_span(session, document, span, overwrite=True)
    return _answer(slug, document_id)


def _accept_span(session, document, span: Span, overwrite: bool) -> str:
    """The id of the gold span for ``span``'s (label, start, end), made from ``span`` (its note
    and attributes) when missing, or when ``overwrite``."""
    span_gold_id, exists = _gold_place(session, document, span.label_id, span.start, span.end)
    if overwrite or not exists:
        values = SpanValues(
            span.label_id, span.start, span.end, span.note, dict(span.attributes or {})
        )
        save_gold(session, document, me(), span_gold_id, values, source_span_id=span.id)
    return span_gold_id


def _gold_place(session, document, label_id: int, start: int, end: int) -> tuple[str, bool]:
    """(id, exists) of the gold span with this label and range: the one gold has (whatever its
    id: drawn in the gold workspace, or moved there by an edit), else a new id derived from the
    content, or a random one when a gold span edited since holds the derived id."""
    twin = twin_of(session, GoldSpan, document.id, label_id, start, end)
    if twin is not None:
        return twin.id, True
    derived = gold_id(document.id, label_id, start, end)
    return (derived if session.get(GoldSpan, derived) is None else str(uuid.uuid4())), False


@bp.post("/p/<slug>/compare/<int:document_id>/accept-attributes")
@login_required
def accept_attributes(slug: str, document_id: int):
    """Give the gold span at one annotator's span the attribute values of that span (the gold
    span is made from it if gold has none there)."""
    _project, document = _manager_document(slug, document_id)
    session = db.session()
    span = session.get(Span, request.form.get("span_id", ""))
    if span is None or span.document_id != document.id:
        abort(404)
    gold_span = session.get(GoldSpan, _accept_span(session, document, span, overwrite=False))
    label = session.get(Label, gold_span.label_id)
    values = SpanValues(
        gold_span.label_id,
        gold_span.start,
        gold_span.end,
        gold_span.note,
        keep_defined(span.attributes or {}, label.attributes),
    )
    save_gold(session, document, me(), gold_span.id, values)
    return _answer(slug, document_id)


@bp.post("/p/<slug>/compare/<int:document_id>/accept-relation")
@login_required
def accept_relation(slug: str, document_id: int):
    """Copy one annotator's link into gold, with its two spans if gold lacks them."""
    _project, document = _manager_document(slug, document_id)
    relation = db.session().get(Relation, request.form.get("relation_id", ""))
    if relation is None or relation.document_id != document.id:
        abort(404)
    _accept_relation(document, relation)
    return _answer(slug, document_id)


def _accept_relation(document, relation: Relation) -> None:
    session = db.session()
    source = _accept_span(session, document, session.get(Span, relation.source_id), False)
    target = _accept_span(session, document, session.get(Span, relation.target_id), False)
    relation_type = session.get(RelationType, relation.type_id)
    payload = {
        "type": relation_type.name,
        "source": source,
        "target": target,
        "value": relation.value,
    }
    try:
        values = check_relation(session, payload, document, [relation_type], None)
        save_gold_relation(
            session,
            document,
            me(),
            gold_relation_id(document.id, relation.type_id, source, target),
            values,
            source_relation_id=relation.id,
        )
    except SpanRefused as problem:
        if problem.status != 409:  # 409: gold has this link already, under another id
            raise


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
        span_gold_id, exists = _gold_place(session, document, label_id, start, end)
        if exists:
            continue  # gold has it: its note and attributes are the curator's, left as they are
        values = SpanValues(label_id, start, end, "", agreed_attributes(marks))
        save_gold(session, document, me(), span_gold_id, values, source_span_id=marks[0].id)
    for row in context["link_rows"]:
        if len(row.ids) >= max(at_least, 1) and row.key not in context["gold_link_keys"]:
            _accept_relation(document, session.get(Relation, next(iter(row.ids.values()))))
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


@bp.post("/p/<slug>/compare/<int:document_id>/gold-relation/<relation_id>")
@login_required
def edit_gold_relation(slug: str, document_id: int, relation_id: str):
    """Delete a gold link (the only change the comparison page offers; the gold workspace and
    the API make and change them)."""
    _project, document = _manager_document(slug, document_id)
    if request.form.get("action") != "delete":
        abort(400, "expected action=delete")
    delete_gold_relation(db.session(), document, relation_id)
    return _answer(slug, document_id)


# --- the gold layer in the workspace (same selection tools as annotators) and its JSON API ----

GOLD_API = "/api/projects/<slug>/documents/<int:document_id>/gold"
GOLD_RELATIONS_API = "/api/projects/<slug>/documents/<int:document_id>/gold-relations"


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
    links = as_links(gold_relations_of(session, document.id))
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
        "relation_types": type_menu(relation_types_of(session, project.id)),
        "spans": gold,
        "links": links,
        "html": render(document.text, gold),
        "span_list": render_list(document.text, gold),
        "link_list": render_links(document.text, gold, links),
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


@bp.get(GOLD_RELATIONS_API)
@login_required
def list_gold_relations(slug: str, document_id: int):
    _project, document = _manager_document(slug, document_id)
    rows = gold_relations_of(db.session(), document.id)
    return jsonify(
        document=document.external_id,
        relations=[relation_json(relation, name) for relation, name in rows],
    )


@bp.put(GOLD_RELATIONS_API + "/<relation_id>")
@login_required
def put_gold_relation(slug: str, document_id: int, relation_id: str):
    project, document = _manager_document(slug, document_id)
    session = db.session()
    types = relation_types_of(session, project.id)
    values = check_relation(session, request.get_json(silent=True), document, types, None)
    relation, created = save_gold_relation(session, document, me(), relation_id, values)
    return jsonify(relation_json(relation, values.type)), 201 if created else 200


@bp.delete(GOLD_RELATIONS_API + "/<relation_id>")
@login_required
def remove_gold_relation(slug: str, document_id: int, relation_id: str):
    _project, document = _manager_document(slug, document_id)
    return jsonify(deleted=delete_gold_relation(db.session(), document, relation_id))
