"""The annotation workspace: one document, the current user's spans and links, labels, progress."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from annotator import db, store
from annotator.access import document_for, whose_work
from annotator.adjudication import state
from annotator.annotation.answers import answers_of, questions_of
from annotator.annotation.highlight import render, render_links, render_list
from annotator.annotation.relations import links_of, relation_types_of, type_menu
from annotator.annotation.spans import highlights_of
from annotator.assignments import handout, skips
from annotator.auth import me, project_for
from annotator.suggestions import layer as suggestions
from annotator.views.http import keep_for_good

bp = Blueprint("workspace", __name__)


def _context(slug: str, document_id: int) -> dict:
    project, role, document, item = document_for(slug, document_id)
    session = db.session()
    viewer = me()
    annotator = whose_work(role)
    highlights = highlights_of(session, document.id, annotator.id)
    links = links_of(session, document.id, annotator.id)
    viewing_other = annotator.id != viewer.id
    read_only = viewing_other or (item is not None and item.status in ("done", "skipped"))
    labels = store.labels_of(session, project.id)
    return {
        "project": project,
        "role": role,
        "document": document,
        "assignment": item,
        "annotator": annotator,
        "read_only": read_only,
        "viewing_other": viewing_other,
        "labels": labels,
        "relation_types": type_menu(relation_types_of(session, project.id)),
        "spans": highlights,
        "links": links,
        "html": render(document.text, highlights),
        "span_list": render_list(
            document.text,
            highlights,
            definitions={label.name: label.attributes for label in labels},
        ),
        "link_list": render_links(document.text, highlights, links, editable=not read_only),
        "progress": handout.progress(session, project, viewer),
        "curator_comments": state.comments_on(session, document.id, annotator.id),
        "flag_reasons": skips.REASONS,
        "open_flag": (
            skips.open_flag(session, document.id, viewer.id)
            if item is not None and item.status == "flagged"
            else None
        ),
    }


@bp.get("/p/<slug>/d/<int:document_id>")
@login_required
def document(slug: str, document_id: int):
    context = _context(slug, document_id)
    context.update(_questions(context))
    context["suggestions_on"] = _suggestions_on(context["project"].id)
    return render_template("workspace/document.html", **context)


def _suggestions_on(project_id: int) -> bool:
    """Whether any recommender is on: the page has a suggestions panel (and asks for them) only
    then, so a project without suggestions makes no request for them and never shows the panel."""
    session = db.session()
    settings = suggestions.settings_of(session, project_id)
    return bool(suggestions.enabled(settings, suggestions.learned_on(session, project_id)))


def _questions(context: dict) -> dict:
    """The project's document questions and the shown annotator's answers (beside the text)."""
    session = db.session()
    questions = questions_of(session, context["project"].id)
    answers = answers_of(session, context["document"].id, context["annotator"].id)
    return {"questions": questions, "answers": answers}


@bp.get("/p/<slug>/d/<int:document_id>/body")
@login_required
def body(slug: str, document_id: int):
    """The text and the span list: what changes after a save (swapped in by htmx)."""
    return render_template("workspace/_body.html", **_context(slug, document_id))


@bp.post("/p/<slug>/d/<int:document_id>/status")
@login_required
def status(slug: str, document_id: int):
    project, role, document, item = document_for(slug, document_id)
    wanted = request.form.get("status")
    if wanted not in ("done", "in_progress") or item is None:
        abort(400, "expected status done or in_progress for a document you annotate")
    if item.status == "skipped":
        abort(409, "you skipped this document; it is no longer yours to annotate")
    if wanted == "in_progress" and item.status == "done":
        handout.refuse_reopening_frozen(item)
    handout.set_status(db.session(), item, wanted)
    if wanted == "done" and request.form.get("then") == "next":
        following = handout.next_document(db.session(), project, me())
        target = (
            url_for("workspace.document", slug=slug, document_id=following.id)
            if following
            else url_for("projects.show", slug=slug)
        )
        if request.headers.get("HX-Request"):
            return Response(status=204, headers={"HX-Redirect": target})
        return redirect(target)
    if request.headers.get("HX-Request"):
        context = _context(slug, document_id)
        # The text and the toolbar become editable or read-only with the status: reload the page.
        return render_template("workspace/_status.html", **context), {"HX-Refresh": "true"}
    return redirect(url_for("workspace.document", slug=slug, document_id=document_id))


def _own_assignment(slug: str, document_id: int):
    project, _role, _document, item = document_for(slug, document_id)
    if item is None:
        abort(400, "you have no assignment for this document: there is nothing to skip or flag")
    return project, item


def _to_next(slug: str, project, message: str):
    """After a skip or a flag: the annotator's next document, as after *Mark done & next*."""
    flash(message, "success")
    following = handout.next_document(db.session(), project, me())
    if following is None:
        return redirect(url_for("projects.show", slug=slug))
    return redirect(url_for("workspace.document", slug=slug, document_id=following.id))


@bp.post("/p/<slug>/d/<int:document_id>/skip")
@login_required
def skip(slug: str, document_id: int):
    """Give the document back to the pool (others take it; the caller never gets it again)."""
    project, item = _own_assignment(slug, document_id)
    skips.skip(db.session(), item)
    db.session().commit()
    return _to_next(slug, project, "Skipped: the document went back to the pool.")


@bp.post("/p/<slug>/d/<int:document_id>/flag")
@login_required
def flag(slug: str, document_id: int):
    """Flag the document for the managers with a reason (and a note); go on to the next one."""
    project, item = _own_assignment(slug, document_id)
    raised = skips.raise_flag(
        db.session(), item, request.form.get("reason", ""), request.form.get("note", "")
    )
    db.session().commit()
    reason = skips.REASONS[raised.reason]
    return _to_next(slug, project, f"Flagged ({reason}): a manager will look at it.")


def _label_rules(labels) -> str:
    """Label colours as CSS classes (inline styles are forbidden by the CSP)."""
    rules = []
    for label in labels:
        c = label.color
        rules.append(
            f".lab-{label.id}{{--c:{c};}}"
            f"mark.lab-{label.id}{{background:{c}33;border-bottom-color:{c};}}"
            f".swatch.lab-{label.id},button.lab-{label.id}::before{{background:{c};}}"
            f"::highlight(pending-{label.id}){{background-color:{c}55;}}"
        )
    return "\n".join(rules)


@bp.app_template_global()
def labels_css_url(project, labels) -> str:
    """The project's label stylesheet, its address naming its content: the browser keeps it
    until a label is added or recoloured (the next page then names another address).
    ``labels`` are the ones the page shows, already read for it."""
    digest = hashlib.blake2b(_label_rules(labels).encode(), digest_size=6).hexdigest()
    return url_for("workspace.label_css", slug=project.slug, v=digest)


@bp.get("/p/<slug>/labels.css")
@login_required
def label_css(slug: str):
    """Label colours as CSS classes; kept by the browser when asked for by a digest (``v``)."""
    project, _role = project_for(slug)
    response = Response(
        _label_rules(store.labels_of(db.session(), project.id)), mimetype="text/css"
    )
    if request.args.get("v"):
        return keep_for_good(response, public=False)
    response.cache_control.no_cache = True
    return response
