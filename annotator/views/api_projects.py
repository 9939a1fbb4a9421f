"""JSON API for scripts beyond spans and links: the caller's projects, a project's documents
(with a search), import, export and agreement. Same rules as the pages: managers list documents,
import, export and read agreement; a token limited to one project sees only that one
(``auth.project_for``).

Import here is synchronous (the request answers when the import has been stored, or refused with
the file, line and field as JSON); export streams like the download page.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
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
from annotator.agreement import inputs
from annotator.agreement.answers import questions_agreement
from annotator.agreement.attribute_values import attributes_agreement
from annotator.auth import me, project_for
from annotator.cli.agreement import with_names
from annotator.data_export import records
from annotator.data_import.loader import import_files
from annotator.errors import Refused
from annotator.models import Document
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


@bp.post("/projects/<slug>/import")
@login_required
def import_documents(slug: str):
    project, _role = project_for(slug, manager=True)
    uploads = [upload for upload in request.files.getlist("files") if upload.filename]
    if not uploads:
        raise Refused(400, "send the files as multipart form field 'files'", "files")
    summary = import_files(
        db.session(),
        project,
        ((upload.filename, upload.stream) for upload in uploads),
        max_chars=current_app.config["MAX_DOCUMENT_CHARS"],
        format=request.form.get("format") or None,
        annotator=request.form.get("annotator") or None,
    )
    return jsonify(dataclasses.asdict(summary)), 201


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
    ``questions``, ``span_attributes``), for the same filters as the agreement page (``labels``,
    ``annotators``), without bootstrap intervals."""
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
        | {
            "questions": questions_agreement(session, project.id, filters.annotators),
            "span_attributes": attributes_agreement(session, project.id, filters.annotators),
        }
    )
