"""Project list, project page (documents and progress), import, settings, guidelines, dashboard."""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from annotator import db, store
from annotator.adjudication import state
from annotator.annotation import definition_changes
from annotator.annotation.definitions import format_attribute_lines
from annotator.annotation.relations import relation_types_of
from annotator.assignments import handout
from annotator.auth import me, project_for, require_admin
from annotator.data_import.loader import count_documents
from annotator.errors import Invalid
from annotator.guidelines import render_markdown
from annotator.jobs import queue, work
from annotator.views.jobs import job_redirect

bp = Blueprint("projects", __name__)
PAGE = 200
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
        page = max(request.args.get("page", 1, type=int), 1)
        context.update(
            documents=store.document_rows(session, project, PAGE, (page - 1) * PAGE),
            total=store.count_documents(session, project.id),
            page=page,
            pages=max(1, -(-store.count_documents(session, project.id) // PAGE)),
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
        return render_template("projects/import.html", project=project)
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        flash("Choose at least one .jsonl, .txt or .html file.", "error")
        return render_template("projects/import.html", project=project), 400
    session = db.session()
    job = work.new_job(session, project, me(), "import", {"files": []})
    folder = work.upload_folder(job.id)
    folder.mkdir(parents=True)
    for index, upload in enumerate(uploads):
        # Stored under a plain name of our own; the user's name is kept for the messages.
        stored = f"{index:04d}{os.path.splitext(upload.filename)[1].lower()}"
        upload.save(folder / stored)
        job.params["files"].append([stored, upload.filename])
    job.total = count_documents(folder / stored for stored, _name in job.params["files"])
    session.commit()
    queue.enqueue(current_app, job.id)
    session.refresh(job)
    if job.status == "done":  # the runner was done at once (immediate mode): say so here
        flash(job.message, "success")
        return redirect(url_for("projects.show", slug=slug))
    if job.status == "failed":
        flash(job.message, "error")
        return render_template("projects/import.html", project=project), 400
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
        try:
            _apply_settings(session, project, request.form)
            session.commit()
            flash("Saved.", "success")
        except Invalid as problem:
            session.rollback()
            flash(str(problem), "error")
        return redirect(url_for("projects.settings", slug=slug))
    return render_template(
        "projects/settings.html",
        project=project,
        labels=store.labels_of(session, project.id),
        relation_types=relation_types_of(session, project.id),
        attribute_lines=format_attribute_lines,
        members=store.members(session, project.id),
    )


def _apply_settings(session, project, form) -> None:
    action = form.get("action")
    if action == "project":
        overlap = form.get("overlap", type=int)
        if not overlap or overlap < 1 or overlap > 20:
            raise Invalid("overlap must be a whole number from 1 to 20")
        project.overlap = overlap
        project.snap_to_words = form.get("snap_to_words") == "on"
        project.comparison_open = form.get("comparison_open") == "on"
        project.guidelines = form.get("guidelines", "")
        session.add(project)
    elif action == "label":
        store.add_label(session, project, form.get("name", ""), form.get("color") or None)
    elif action == "attributes":
        definition_changes.set_label_attributes(
            session, project, form.get("label", ""), form.get("attributes", "")
        )
    elif action == "relation_type":
        definition_changes.save_relation_type(
            session,
            project,
            form.get("original") or None,
            form.get("name", ""),
            form.getlist("source_labels"),
            form.getlist("target_labels"),
            form.get("choices", ""),
        )
    elif action == "relation_type_delete":
        definition_changes.delete_relation_type(
            session, project, form.get("name", ""), form.get("confirm") == "on"
        )
    elif action == "member":
        username = form.get("username", "").strip()
        user = store.user_by_name(session, username)
        if user is None:
            raise Invalid(f"no user named {username!r}")
        role = form.get("role") or None
        store.set_member(session, project, user, role if role != "remove" else None)
    else:
        raise Invalid("unknown settings action")


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
    handout.set_status(session, item, "in_progress")
    flash(f"Reopened for {annotator.username}.", "success")
    return redirect(request.referrer or url_for("projects.show", slug=slug))


@bp.get("/p/<slug>/dashboard")
@login_required
def dashboard(slug: str):
    project, _role = project_for(slug, manager=True)
    session = db.session()
    return render_template(
        "projects/dashboard.html",
        project=project,
        rows=handout.dashboard(session, project),
        labels=store.labels_of(session, project.id),
        adjudication=state.counts(
            state.states_of(session, project.id), store.count_documents(session, project.id)
        ),
        adjudications=state.recent(session, project.id, ADJUDICATIONS_SHOWN),
    )
