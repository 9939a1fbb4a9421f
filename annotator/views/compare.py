"""Comparison of one document across annotators, and the curator's page for building gold.

The rules of adjudication (what accepting a span or a link does to gold) are in
``annotator.adjudication.gold``; this module parses the form, calls them and renders.
"""

from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import login_required
from sqlmodel import select

from annotator import db, store
from annotator.access import document_for, document_for_curating
from annotator.adjudication import gold, state
from annotator.adjudication.alignment import (
    MINIMUM,
    Mark,
    agreed_keys,
    align,
    document_agreement,
    link_rows,
    summary,
)
from annotator.annotation.highlight import render, render_links, render_list
from annotator.annotation.relations import (
    as_links,
    delete_gold_relation,
    gold_relations_of,
    relation_types_of,
    type_menu,
)
from annotator.annotation.spans import check_values, delete_gold, gold_highlights_of, save_gold
from annotator.assignments import handout
from annotator.auth import me
from annotator.errors import Refused
from annotator.jobs import queue, work
from annotator.models import Assignment, Label, Relation, RelationType, Span, User
from annotator.suggestions import training
from annotator.views.jobs import job_redirect

bp = Blueprint("compare", __name__)


def _viewable(slug: str, document_id: int):
    """Managers compare any document; an annotator only one they finished, when the manager has
    opened the comparison to annotators (blind otherwise)."""
    project, role, document, item = document_for(slug, document_id)
    if role != "manager" and not (project.comparison_open and item and item.status == "done"):
        abort(404)
    if role != "manager" and item is not None:
        handout.record_comparison_seen(db.session(), item)
    return project, role, document


def _context(slug: str, document_id: int) -> dict:
    project, role, document = _viewable(slug, document_id)
    return comparison(db.session(), project, role, document)


def comparison(session, project, role: str, document) -> dict:
    """What the comparison page shows of ``document`` (access already checked)."""
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
    labels = store.labels_of(session, project.id)
    finished = [name for name, status in people if status == "done"]
    regions = align(marks, annotators, finished)
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
        "finished": finished,
        "compared": len(finished) >= MINIMUM,
        "regions": regions,
        "counts": summary(regions),
        "gold": gold,
        "gold_keys": gold_keys,
        "gold_attributes": {(g.label, g.start, g.end): dict(g.attributes) for g in gold},
        "gold_html": render(document.text, gold),
        "gold_list": render_list(document.text, gold),
        "gold_links": gold_links,
        "gold_by_id": gold_by_id,
        "gold_arcs": {  # for static/js/compare.js: the gold links drawn as arcs on the gold text
            "spans": [{"id": g.id, "start": g.start, "end": g.end, "label": g.label} for g in gold],
            "links": [dataclasses.asdict(link) for link in gold_links],
        },
        "gold_link_keys": {
            (link.type, _key(gold_by_id[link.source]), _key(gold_by_id[link.target]))
            for link in gold_links
        },
        "link_rows": link_rows(_links(session, document.id, {m.id: m for m in marks})),
        "labels": labels,
        "agreement": document_agreement(
            marks, finished, [label.name for label in labels], document.length
        ),
        "at_least": min(max(project.overlap, MINIMUM), max(len(finished), MINIMUM)),
        "adjudication": state.state_of(session, document.id),
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


@bp.post("/p/<slug>/compare/<int:document_id>/accept")
@login_required
def accept(slug: str, document_id: int):
    """Copy one annotator's span into gold."""
    _project, document = document_for_curating(slug, document_id)
    session = db.session()
    span = session.get(Span, request.form.get("span_id", ""))
    if span is None or span.document_id != document.id:
        abort(404)
    gold.accept_span(session, document, me(), span, overwrite=True)
    return _answer(slug, document_id)


@bp.post("/p/<slug>/compare/<int:document_id>/accept-attributes")
@login_required
def accept_attributes(slug: str, document_id: int):
    """Give the gold span at one annotator's span the attribute values of that span (the gold
    span is made from it if gold has none there)."""
    _project, document = document_for_curating(slug, document_id)
    session = db.session()
    span = session.get(Span, request.form.get("span_id", ""))
    if span is None or span.document_id != document.id:
        abort(404)
    gold.accept_attributes(session, document, me(), span)
    return _answer(slug, document_id)


@bp.post("/p/<slug>/compare/<int:document_id>/accept-relation")
@login_required
def accept_relation(slug: str, document_id: int):
    """Copy one annotator's link into gold; its end spans gold lacks only with ``add_spans=yes``
    (the page asks first, naming them), else 409 naming them."""
    _project, document = document_for_curating(slug, document_id)
    relation = db.session().get(Relation, request.form.get("relation_id", ""))
    if relation is None or relation.document_id != document.id:
        abort(404)
    add_spans = request.form.get("add_spans") == "yes"
    gold.accept_relation(db.session(), document, me(), relation, add_spans=add_spans)
    return _answer(slug, document_id)


#: A bulk accept of more spans and links than this runs as a background job.
IN_REQUEST = 500


@bp.post("/p/<slug>/compare/<int:document_id>/accept-agreed")
@login_required
def accept_agreed(slug: str, document_id: int):
    """Copy into gold every span that at least k annotators marked identically: all or nothing,
    in the request when few, else as a background job whose page shows its progress."""
    project, document = document_for_curating(slug, document_id)
    at_least = parse_at_least(request.form.get("at_least", ""))
    session = db.session()
    agreed, links = agreed_to_accept(session, project, document, at_least)
    if len(agreed) + len(links) > IN_REQUEST:
        job = work.new_job(
            session,
            project,
            me(),
            "accept_agreed",
            {"document_id": document.id, "at_least": at_least},
            total=len(agreed) + len(links),
        )
        session.commit()
        queue.enqueue(current_app, job.id)
        return job_redirect(slug, job.id)
    try:
        gold.accept_agreed(session, document, me(), agreed, links)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _answer(slug, document_id)


def parse_at_least(given: str) -> int:
    """How many finished annotators must agree for a bulk accept: a whole number, never below
    `MINIMUM` (one annotator's spans are not an agreement, whatever the form sent)."""
    try:
        at_least = int(given)
    except ValueError:
        raise Refused(422, "at_least: give a whole number of annotators", "at_least") from None
    if at_least < MINIMUM:
        raise Refused(
            422,
            f"at_least: agreement needs at least {MINIMUM} annotators who finished the "
            f"document, not {at_least}",
            "at_least",
        )
    return at_least


def agreed_to_accept(session, project, document, at_least: int) -> tuple[list, list]:
    """(agreed spans ((label id, start, end), marks), agreed links gold lacks) for a bulk
    accept of the spans and links at least ``at_least`` finished annotators made alike."""
    context = comparison(session, project, "manager", document)
    finished = set(context["finished"])
    label_ids = {label.name: label.id for label in context["labels"]}
    agreed = [
        ((label_ids[label], start, end), marks)
        for (label, start, end), marks in agreed_keys(context["regions"], at_least, finished)
    ]
    links = [
        session.get(Relation, next(row.ids[name] for name in row.ids if name in finished))
        for row in context["link_rows"]
        if len(finished & row.ids.keys()) >= at_least and row.key not in context["gold_link_keys"]
    ]
    return agreed, links


@bp.post("/p/<slug>/compare/<int:document_id>/adjudication")
@login_required
def adjudication(slug: str, document_id: int):
    """Mark the document adjudicated (``status=adjudicated``) or reopen its adjudication
    (``status=in_progress``), under the current curator's name."""
    project, document = document_for_curating(slug, document_id)
    status = request.form.get("status", "")
    if status not in (state.IN_PROGRESS, state.ADJUDICATED):
        raise Refused(422, "status: adjudicated or in_progress", "status")
    session = db.session()
    state.set_status(session, document, me(), status)
    if status == state.ADJUDICATED:  # enough new gold: the project's model learns again
        training.queue_if_due(session, project, me(), current_app)
    return _answer(slug, document_id)


@bp.post("/p/<slug>/compare/<int:document_id>/gold/<span_id>")
@login_required
def edit_gold(slug: str, document_id: int, span_id: str):
    """Change a gold span's label or boundaries (form fields label, start, end), or delete it."""
    project, document = document_for_curating(slug, document_id)
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
    except Refused as problem:
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
    _project, document = document_for_curating(slug, document_id)
    if request.form.get("action") != "delete":
        abort(400, "expected action=delete")
    delete_gold_relation(db.session(), document, relation_id)
    return _answer(slug, document_id)


# --- the gold layer in the workspace: the same selection tools as annotators ---


@bp.get("/p/<slug>/d/<int:document_id>/gold")
@login_required
def gold_workspace(slug: str, document_id: int):
    return render_template("workspace/document.html", **_gold_workspace(slug, document_id))


@bp.get("/p/<slug>/d/<int:document_id>/gold/body")
@login_required
def gold_body(slug: str, document_id: int):
    return render_template("workspace/_body.html", **_gold_workspace(slug, document_id))


def _gold_workspace(slug: str, document_id: int) -> dict:
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    gold = gold_highlights_of(session, document.id)
    links = as_links(gold_relations_of(session, document.id))
    from annotator.assignments import handout

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
        "progress": handout.progress(session, project, me()),
    }
