"""Project list, project page (documents and progress), import, settings, guidelines, dashboard."""

from __future__ import annotations

import dataclasses

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from annotator import activity, charts, db, document_list, store, time_stats, timing
from annotator import dashboard as figures
from annotator.adjudication import state
from annotator.annotation import definition_changes, label_changes
from annotator.annotation.answers import delete_question, questions_of, save_question
from annotator.annotation.definitions import format_attribute_lines
from annotator.annotation.questions import KINDS as QUESTION_KINDS
from annotator.annotation.questions import parse_question_form
from annotator.annotation.relations import relation_types_of
from annotator.assignments import bulk, handout, matrix, skips
from annotator.auth import me, project_for, require_admin
from annotator.data_export.records import ExportOptions
from annotator.data_import.detect import FORMATS as IMPORT_FORMATS
from annotator.errors import AnnotatorError, Invalid
from annotator.guidelines import render_markdown
from annotator.jobs import queue, work
from annotator.views.http import page_number
from annotator.views.jobs import job_redirect

bp = Blueprint("projects", __name__)
ADJUDICATIONS_SHOWN = 50
"""Documents whose adjudication changed last, listed on the dashboard."""


@bp.get("/")
@login_required
def index():
    return render_template("projects/index.html", projects=store.projects_for(db.session(), me()))


@bp.post("/projects")
@login_required
def create():
    require_admin()
    session = db.session()
    try:
        project = store.create_project(
            session,
            request.form.get("slug", "").strip(),
            request.form.get("name", "").strip() or None,
            request.form.get("labels", "").strip() or None,
        )
        store.set_member(session, project, me(), "manager")
        session.commit()
    except Invalid as problem:
        session.rollback()
        flash(str(problem), "error")
        return redirect(url_for("projects.index"))
    return redirect(url_for("projects.show", slug=project.slug))


@bp.get("/p/<slug>")
@login_required
def show(slug: str):
    project, role = project_for(slug)
    session = db.session()
    context = {"project": project, "role": role, "labels": store.labels_of(session, project.id)}
    if role == "manager":
        label_names = [label.name for label in context["labels"]]
        annotators = store.annotator_names(session, project.id)
        # The page number as on every paged list (junk → the first page, overflow → 400); the
        # filters and the sort are refused with 422 when they name nothing.
        args = request.args.copy()
        args.pop("page", None)
        query = document_list.parse_query(args, label_names, annotators)
        query = dataclasses.replace(query, page=page_number())
        context.update(
            listing=document_list.list_documents(session, project, query),
            total=store.count_documents(session, project.id),
            annotators=annotators,
            statuses=document_list.STATUSES,
            sorts=document_list.SORTS,
            bulk_actions=bulk.ACTIONS,
        )
        context.update(jobs=work.jobs_of(session, project.id))
    context.update(
        queue=handout.queue(session, project, me()),
        progress=handout.progress(session, project, me()),
    )
    return render_template("projects/show.html", **context)


@bp.post("/p/<slug>/next")
@login_required
def next_document(slug: str):
    project, _role = project_for(slug)
    document = handout.next_document(db.session(), project, me())
    if document is None:
        flash("No more documents for you in this project: your share is done.", "info")
        return redirect(url_for("projects.show", slug=slug))
    return redirect(url_for("workspace.document", slug=slug, document_id=document.id))


@bp.route("/p/<slug>/import", methods=["GET", "POST"])
@login_required
def import_page(slug: str):
    project, _role = project_for(slug, manager=True)
    if request.method == "GET":
        return render_template(
            "projects/import.html", project=project, formats=IMPORT_FORMATS, form={}
        )
    uploads = [f for f in request.files.getlist("files") if f.filename]
    page = {"project": project, "formats": IMPORT_FORMATS, "form": request.form}
    if not uploads:
        flash("Choose at least one file.", "error")
        return render_template("projects/import.html", **page), 400
    format_name = request.form.get("format", "") or None
    if format_name is not None and format_name not in IMPORT_FORMATS:
        flash(f"Nothing was imported. Unknown format {format_name!r}.", "error")
        return render_template("projects/import.html", **page), 400
    annotator = request.form.get("annotator", "").strip() or None
    session = db.session()
    job = work.queue_import(
        session, project, me(), uploads, format=format_name, annotator=annotator
    )
    work.start(job)
    session.refresh(job)
    if job.status == "done":  # a small import ran in this request: say so here
        flash(job.message, "success")
        return redirect(url_for("projects.show", slug=slug))
    if job.status == "failed":
        flash(job.message, "error")
        return render_template("projects/import.html", **page), 400
    return job_redirect(slug, job.id)


@bp.get("/p/<slug>/guidelines")
@login_required
def guidelines(slug: str):
    project, role = project_for(slug)
    return render_template(
        "projects/guidelines.html",
        project=project,
        role=role,
        html=render_markdown(project.guidelines),
    )


@bp.route("/p/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    project, _role = project_for(slug, manager=True)
    session = db.session()
    if request.method == "POST":
        action = request.form.get("action", "")
        try:
            detail = _apply_settings(session, project, request.form)
            activity.record(session, project, me(), action, detail)
            session.commit()
            flash(f"Saved. {detail[:1].upper()}{detail[1:]}.", "success")
        except Invalid as problem:
            session.rollback()
            flash(str(problem), "error")
        return redirect(url_for("projects.settings", slug=slug))
    return render_template(
        "projects/settings.html",
        project=project,
        labels=store.labels_of(session, project.id),
        usage=label_changes.usage(session, project),
        attribute_usage=label_changes.attribute_usage(session, project),
        relation_types=relation_types_of(session, project.id),
        link_counts=definition_changes.link_counts(session, project),
        questions=questions_of(session, project.id),
        question_kinds=QUESTION_KINDS,
        attribute_lines=format_attribute_lines,
        members=store.members(session, project.id),
    )


def _apply_settings(session, project, form) -> str:
    """Apply one settings form; returns the activity log's sentence for it."""
    action = form.get("action")
    label, attribute = form.get("label", ""), form.get("attribute", "")
    confirmed = form.get("confirm") == "on"
    if action == "project":
        overlap = form.get("overlap", type=int)
        if not overlap or overlap < 1 or overlap > 20:
            raise Invalid("overlap must be a whole number from 1 to 20")
        project.overlap = overlap
        project.snap_to_words = form.get("snap_to_words") == "on"
        project.comparison_open = form.get("comparison_open") == "on"
        project.guidelines = form.get("guidelines", "")
        session.add(project)
        return (
            f"project settings: overlap {overlap}, snap to words {project.snap_to_words}, "
            f"comparison open {project.comparison_open}"
        )
    if action == "label":
        added = store.add_label(session, project, form.get("name", ""), form.get("color") or None)
        return f"added label {added.name!r}"
    if action == "label_rename":
        return label_changes.rename_label(session, project, label, form.get("name", ""))
    if action == "label_color":
        return label_changes.recolour_label(session, project, label, form.get("color", ""))
    if action == "label_move":
        return label_changes.move_label(session, project, label, form.get("direction", ""))
    if action == "label_shortcut":
        return label_changes.set_shortcut(session, project, label, form.get("shortcut", ""))
    if action == "label_description":
        return label_changes.describe_label(session, project, label, form.get("description", ""))
    if action == "label_delete":
        return label_changes.delete_label(session, project, label, confirmed)
    if action == "label_links_source":
        on = form.get("links_source") == "on"
        return label_changes.set_links_source(session, project, label, on)
    if action == "attributes":
        definition_changes.set_label_attributes(session, project, label, form.get("attributes", ""))
        return f"set the attributes of {label!r}: {form.get('attributes', '').strip()!r}"
    if action == "attribute_rename":
        return label_changes.rename_attribute(
            session, project, label, attribute, form.get("name", "")
        )
    if action == "attribute_description":
        return label_changes.describe_attribute(
            session, project, label, attribute, form.get("description", "")
        )
    if action == "attribute_move":
        return label_changes.move_attribute(
            session, project, label, attribute, form.get("direction", "")
        )
    if action == "attribute_delete":
        return label_changes.delete_attribute(session, project, label, attribute, confirmed)
    if action == "relation_type":
        original = form.get("original") or None
        saved = definition_changes.save_relation_type(
            session,
            project,
            original,
            form.get("name", ""),
            form.getlist("source_labels"),
            form.getlist("target_labels"),
            form.get("choices", ""),
        )
        renamed = f" (was {original!r})" if original and original != saved.name else ""
        return (
            f"{'changed' if original else 'added'} relation type {saved.name!r}{renamed}: "
            f"from {', '.join(saved.source_labels) or 'any'} to "
            f"{', '.join(saved.target_labels) or 'any'}, values "
            f"{', '.join(saved.choices) or 'none'}"
        )
    if action == "relation_type_description":
        return definition_changes.describe_relation_type(
            session, project, form.get("name", ""), form.get("description", "")
        )
    if action == "relation_type_move":
        return definition_changes.move_relation_type(
            session, project, form.get("name", ""), form.get("direction", "")
        )
    if action == "relation_type_delete":
        name = form.get("name", "")
        links = definition_changes.delete_relation_type(session, project, name, confirmed)
        return f"deleted relation type {name!r} with {links} link{'s' if links != 1 else ''}"
    if action == "question":
        original = form.get("original") or None
        spec = parse_question_form(form)
        save_question(session, project, original, spec)
        return (
            f"saved question {spec.name!r}"
            if original is None
            else f"changed question {original!r}"
        )
    if action == "question_delete":
        name = form.get("name", "")
        delete_question(session, project, name, confirmed)
        return f"deleted question {name!r}"
    if action == "member":
        username = form.get("username", "").strip()
        user = store.user_by_name(session, username)
        if user is None:
            raise Invalid(f"no user named {username!r}")
        role = form.get("role") or None
        store.set_member(session, project, user, role if role != "remove" else None)
        return f"set the role of {username!r} to {role}"
    raise Invalid("unknown settings action")


@bp.route("/p/<slug>/assignments", methods=["GET", "POST"])
@login_required
def assignments(slug: str):
    """The documents × annotators matrix: read it, assign, unassign, reassign, set priorities."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    page = max(request.args.get("page", 1, type=int), 1)
    if request.method == "POST":
        form = request.form
        action = form.get("action", "")
        try:
            detail = _apply_assignment(session, project, form)
            activity.record(session, project, me(), f"assignment_{action}", detail)
            session.commit()
            flash(f"Saved. {detail[:1].upper()}{detail[1:]}.", "success")
        except AnnotatorError as problem:
            session.rollback()
            flash(str(problem), "error")
            return render_template(
                "projects/assignments.html",
                project=project,
                matrix=matrix.matrix(session, project, page),
            ), problem.status
        return redirect(url_for("projects.assignments", slug=slug, page=page))
    return render_template(
        "projects/assignments.html", project=project, matrix=matrix.matrix(session, project, page)
    )


def _apply_assignment(session, project, form) -> str:
    action = form.get("action")
    cells = matrix.cells_of(
        session,
        project,
        form.getlist("cell"),
        form.getlist("row"),
        form.getlist("column"),
        form.getlist("shown"),
    )
    discard = form.get("discard") == "on"
    if action == "assign":
        return matrix.assign(session, project, cells)
    if action == "unassign":
        return matrix.unassign(session, project, cells, discard)
    if action == "reassign":
        to = form.get("to", "")
        if not to.isdigit():
            raise Invalid("choose the annotator to reassign to", field="to")
        return matrix.reassign(session, project, cells, int(to), discard)
    if action == "priority":
        documents = {document for document, _ in cells} | {
            int(row) for row in form.getlist("row") if row.isdigit()
        }
        return matrix.set_priority(session, project, documents, form.get("priority", ""))
    raise Invalid("unknown assignment action", field="action")


@bp.get("/p/<slug>/activity")
@login_required
def activity_log(slug: str):
    """The project's activity log, newest first (managers only)."""
    project, _role = project_for(slug, manager=True)
    page = max(request.args.get("page", 1, type=int), 1)
    entries, pages = activity.entries(db.session(), project, page)
    return render_template(
        "projects/activity.html", project=project, entries=entries, page=page, pages=pages
    )


@bp.post("/p/<slug>/d/<int:document_id>/reopen")
@login_required
def reopen(slug: str, document_id: int):
    """The manager sends a finished document back to its annotator (form field ``annotator``)."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    document = store.document_in(session, project, document_id)
    annotator = store.user_by_name(session, request.form.get("annotator", ""))
    item = (
        handout.assignment(session, document.id, annotator.id) if document and annotator else None
    )
    if item is None:
        abort(404, "that annotator has no assignment for this document")
    handout.reopen_by_manager(session, item, me())
    flash(f"Reopened for {annotator.username}.", "success")
    return redirect(request.referrer or url_for("projects.show", slug=slug))


@bp.get("/p/<slug>/dashboard")
@login_required
def dashboard(slug: str):
    project, _role = project_for(slug, manager=True)
    session = db.session()
    days, done = figures.done_per_day(session, project)
    labels, counts = figures.spans_per_label(session, project)
    return render_template(
        "projects/dashboard.html",
        project=project,
        rows=handout.dashboard(session, project),
        labels=store.labels_of(session, project.id),
        progress_chart=charts.progress_chart(days[-figures.CHART_DAYS :], done),
        label_chart=charts.label_chart(labels, counts),
        time_chart=charts.time_chart(
            time_stats.bin_names(), figures.time_summaries(session, project)
        ),
        flags=skips.open_flags(session, project),
        outcomes=skips.OUTCOMES,
        adjudication=state.counts(
            state.states_of(session, project.id), store.count_documents(session, project.id)
        ),
        adjudications=state.recent(session, project.id, ADJUDICATIONS_SHOWN),
    )


@bp.get("/p/<slug>/dashboard/<any(progress, labels, time):chart>.csv")
@login_required
def dashboard_csv(slug: str, chart: str):
    """The figures of one dashboard chart as CSV."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    if chart == "progress":
        body = figures.progress_csv(*figures.done_per_day(session, project))
    elif chart == "time":
        body = figures.time_csv(timing.per_document(session, project))
    else:
        body = figures.labels_csv(*figures.spans_per_label(session, project))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{project.slug}-{chart}.csv"'},
    )


@bp.post("/p/<slug>/flags/<int:flag_id>/resolve")
@login_required
def resolve_flag(slug: str, flag_id: int):
    """A manager closes an annotator's flag (recorded in the activity log)."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    detail = skips.resolve(
        session,
        project,
        flag_id,
        me(),
        request.form.get("outcome", "return"),
        request.form.get("resolution", ""),
    )
    activity.record(session, project, me(), "flag_resolved", detail)
    session.commit()
    flash(f"Resolved. {detail[:1].upper()}{detail[1:]}.", "success")
    return redirect(url_for("projects.dashboard", slug=slug) + "#flags")


@bp.post("/p/<slug>/documents/bulk")
@login_required
def bulk_action(slug: str):
    """A bulk action on the documents selected in the list: first a confirmation page saying
    how many documents it touches, then (``confirm=yes``) the action, all or nothing."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    form = request.form
    chosen = bulk.selection(
        session,
        project,
        form.get("action", ""),
        form.getlist("document"),
        form.get("annotator", ""),
    )
    if form.get("confirm") != "yes":
        return render_template("projects/bulk_confirm.html", project=project, chosen=chosen)
    if chosen.action == "export":
        options = ExportOptions(format="native", documents=frozenset(chosen.ids))
        job = work.new_job(
            session, project, me(), "export", work.export_params(options, True), len(chosen.ids)
        )
        session.commit()
        queue.enqueue(current_app, job.id)
        return job_redirect(slug, job.id)
    try:
        if chosen.action == "assign":
            detail = bulk.assign(session, project, chosen)
        else:
            detail = bulk.reopen(session, project, chosen, me())
        activity.record(session, project, me(), f"bulk_{chosen.action}", detail)
        session.commit()
    except AnnotatorError:
        session.rollback()
        raise
    flash(f"Done: {detail}.", "success")
    return redirect(url_for("projects.show", slug=slug))
