"""JSON API for scripts beyond spans and links: the caller's projects, a project's documents
(with a search), import, export and agreement. Same rules as the pages: managers list documents,
import, export and read agreement; a token limited to one project sees only that one
(``auth.project_for``).

Import runs as a background job, as from the import page: ``POST …/documents`` answers 202 with
the job's URL (``GET …/jobs/<id>``: state, progress, counts, or the file, line and field that
refused it; nothing is stored then). Export streams like the download page.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    request,
    stream_with_context,
    url_for,
)
from flask_login import login_required
from sqlalchemy import or_
from sqlmodel import select

from annotator import db, store
from annotator.access import document_for, whose_work
from annotator.agreement import inputs
from annotator.agreement.attribute_values import judgments_agreement
from annotator.annotation.spans import as_json, spans_of
from annotator.assignments import handout
from annotator.auth import me, project_for
from annotator.cli.agreement import with_names
from annotator.data_export import records
from annotator.data_import.detect import FORMATS as IMPORT_FORMATS
from annotator.errors import Refused
from annotator.jobs import queue, work
from annotator.models import Document, Job
from annotator.rules import parse_names
from annotator.views.export import _chunks, _options_from, _ref

bp = Blueprint("api_projects", __name__, url_prefix="/api")
PAGE = 100


@bp.get("/projects")
@login_required
def list_projects():
    token = g.get("api_token")
    rows = [
        {"slug": project.slug, "name": project.name, "role": role}
        for project, role in store.projects_for(db.session(), me())
        if token is None or token.project_id in (None, project.id)
    ]
    return jsonify(projects=rows)


@bp.get("/projects/<slug>/documents")
@login_required
def list_documents(slug: str):
    project, _role = project_for(slug, manager=True)
    page = request.args.get("page", "1")
    if not page.isdigit() or int(page) < 1:
        raise Refused(400, "page must be a whole number from 1", "page")
    query = select(Document.id, Document.external_id, Document.title, Document.length).where(
        Document.project_id == project.id
    )
    search = request.args.get("q", "").strip()
    if search:
        # A plain substring (as written, no wildcards) of the id, the title or the text.
        query = query.where(
            or_(
                Document.external_id.contains(search, autoescape=True),
                Document.title.contains(search, autoescape=True),
                Document.text.contains(search, autoescape=True),
            )
        )
    query = query.order_by(Document.position, Document.id)
    rows = db.session().exec(query.offset((int(page) - 1) * PAGE).limit(PAGE + 1)).all()
    return jsonify(
        documents=[
            {"id": row[0], "external_id": row[1], "title": row[2], "length": row[3]}
            for row in rows[:PAGE]
        ],
        next_page=int(page) + 1 if len(rows) > PAGE else None,
    )


@bp.get("/projects/<slug>/documents/<int:document_id>")
@login_required
def show_document(slug: str, document_id: int):
    """One document with the status and spans of whose work the caller may read: their own, or
    (managers) the annotator named by ``?annotator=`` (blind: an annotator naming another gets
    404). Annotators open only the documents handed to them, as in the workspace."""
    _project, role, document, _item = document_for(slug, document_id)
    annotator = whose_work(role)
    session = db.session()
    item = handout.assignment(session, document.id, annotator.id)
    return jsonify(
        id=document.id,
        external_id=document.external_id,
        title=document.title,
        url=document.url,
        text=document.text,
        length=document.length,
        meta=document.meta,
        annotator=annotator.username,
        status=None if item is None else item.status,
        spans=[
            as_json(span, label, document.text)
            for span, label in spans_of(session, document.id, annotator.id)
        ],
    )


@bp.post("/projects/<slug>/documents")
@login_required
def import_documents(slug: str):
    """Record an import job (all or nothing, as on the import page), run it now when small or
    queue it, and answer 202 with the job's status URL. What can be told without reading the
    files is refused at once."""
    project, _role = project_for(slug, manager=True)
    if request.mimetype != "multipart/form-data":
        raise Refused(415, "send the files as multipart/form-data, in the field 'files'", "files")
    uploads = [upload for upload in request.files.getlist("files") if upload.filename]
    if not uploads:
        raise Refused(400, "send the files as multipart form field 'files'", "files")
    format_name = request.form.get("format") or None
    if format_name is not None and format_name not in IMPORT_FORMATS:
        known = ", ".join(IMPORT_FORMATS)
        raise Refused(400, f"unknown format {format_name!r}; one of {known}", "format")
    session = db.session()
    job = work.queue_import(
        session,
        project,
        me(),
        uploads,
        format=format_name,
        annotator=(request.form.get("annotator") or "").strip() or None,
    )
    work.start(job)
    session.refresh(job)
    location = url_for("api_projects.job_status", slug=slug, job_id=job.id, _external=True)
    return jsonify(job=job.id, status=job.status, url=location), 202, {"Location": location}


@bp.get("/projects/<slug>/jobs/<job_id>")
@login_required
def job_status(slug: str, job_id: str):
    """A job of the project (managers): its state, progress, and what it made; a failed import's
    reasons, each naming the file, line and field."""
    project, _role = project_for(slug, manager=True)
    job = db.session().get(Job, job_id)
    if job is None or job.project_id != project.id:
        abort(404)
    done, total = job.done, job.total
    if job.status in ("queued", "running"):
        live = queue.progress(queue.huey_of(current_app), job.id)
        if live is not None:
            done, total = live
    result = dict(job.result)
    errors = result.pop("errors", [])
    return jsonify(
        id=job.id,
        kind=job.kind,
        status=job.status,
        finished=job.status not in ("queued", "running"),
        done=done,
        total=total,
        message=job.message,
        result=result,
        errors=errors,
    )


@bp.get("/projects/<slug>/export")
@login_required
def export(slug: str):
    project, _role = project_for(slug, manager=True)
    ref = _ref(project)
    options = _options_from(request.args)
    records.check_options(db.session(), ref, options)
    if options.format == "w3c":
        base_uri = url_for("projects.show", slug=slug, _external=True)
        options = dataclasses.replace(options, base_uri=base_uri)
    db.session().close()
    engine = db.engine()

    def generate():
        with records.reading(engine) as connection:
            yield from _chunks(records.export_lines(connection, ref, options))

    name = records.file_name(slug, options.format, datetime.now(UTC).date())
    return Response(
        stream_with_context(generate()),
        mimetype=records.mimetype(options.format),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/projects/<slug>/agreement")
@login_required
def agreement(slug: str):
    """The agreement report (managers): what ``annotator agreement --json`` prints (span figures,
    ``questions``, ``span_attributes``, ``sources``), for the same filters as the agreement page
    (``labels``, ``annotators``), without bootstrap intervals."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    filters = inputs.make_filters(
        session,
        project.id,
        parse_names(request.args.getlist("labels")),
        parse_names(request.args.getlist("annotators")),
    )
    result = inputs.agreement(session, project.id, filters, bootstrap=0)
    return jsonify(
        with_names(result.report, result.documents)
        | judgments_agreement(session, project.id, filters.annotators)
    )
