"""Export a project's dataset: the download page (managers only); ``annotator export`` is in
:mod:`annotator.cli.export`.

The page offers two ways with the same options: "Download" streams the file in the request, and
"Prepare file" queues a background job (``annotator.jobs``) that writes it on the server, with a
progress bar and then a link, for projects too large to wait for. All of them parse their
options into one :class:`~annotator.data_export.records.ExportOptions` and stream
:func:`~annotator.data_export.records.export_lines` over a connection of their own, opened when the
writing starts and closed when it ends (or when the client goes away).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import login_required

from annotator import db, store
from annotator.auth import me, project_for
from annotator.data_export import records
from annotator.data_export.files import SCHEMES
from annotator.data_export.formats.doccano import DOCCANO_OFFSETS
from annotator.data_export.records import EXPORT_FORMATS, FAILED_LINE, ExportOptions, ProjectRef
from annotator.errors import Invalid
from annotator.jobs import queue, work
from annotator.views.jobs import job_redirect

bp = Blueprint("export", __name__)
CHUNK = 64 * 1024
"""Bytes gathered before the download hands a piece to the server."""


# --- web ---------------------------------------------------------------------------------------


def _options_from(args) -> ExportOptions:
    """The query string of the form as options; ``Invalid`` for values a user typed wrong."""
    min_done = args.get("min_done", "").strip() or "0"
    if not re.fullmatch(r"[0-9]{1,4}", min_done):  # ASCII digits only; more is no one's team
        raise Invalid("the minimum number of annotators done must be a whole number from 0 to 9999")
    return ExportOptions(
        format=args.get("format", "native"),
        min_done=int(min_done),
        annotators=records.name_filter(args.getlist("annotators")),
        labels=records.name_filter(args.getlist("labels")),
        gold_only=args.get("gold_only", "") not in ("", "0", "false", "off"),
        adjudicated_only=args.get("adjudicated_only", "") not in ("", "0", "false", "off"),
        offsets=args.get("offsets", "utf16"),
        scheme=args.get("scheme", "bio"),
    )


def _form(project, ref: ProjectRef, error: str | None = None, status: int = 200):
    session = db.session()
    page = render_template(
        "export/form.html",
        project=project,
        role="manager",
        formats=list(EXPORT_FORMATS),
        schemes=SCHEMES,
        offsets=DOCCANO_OFFSETS,
        labels=store.label_names(session, ref.id),
        annotators=store.annotator_names(session, ref.id),
        args=request.form if request.method == "POST" else request.args,
        error=error,
    )
    return page, status


def _ref(project) -> ProjectRef:
    return ProjectRef(project.id, project.slug, project.name)


@bp.get("/p/<slug>/export")
@login_required
def form(slug: str):
    project, _role = project_for(slug, manager=True)
    return _form(project, _ref(project))


@bp.get("/p/<slug>/export/download")
@login_required
def download(slug: str):
    project, _role = project_for(slug, manager=True)
    ref = _ref(project)
    try:
        options = _options_from(request.args)
        records.check_options(db.session(), ref, options)
    except Invalid as problem:
        return _form(project, ref, str(problem), 400)
    if options.format == "w3c":
        base_uri = url_for("projects.show", slug=slug, _external=True)
        options = dataclasses.replace(options, base_uri=base_uri)
    # The request's session has done its part; give its connection back before a long stream.
    db.session().close()
    engine = db.engine()

    def generate() -> Iterator[bytes]:
        try:
            with records.reading(engine) as connection:
                yield from _chunks(records.export_lines(connection, ref, options))
        except Exception:
            # The status line went out with the first bytes: the failure can only be told in
            # the file itself, by a last line that no reader takes for a document.
            current_app.logger.exception("export of %s failed midway", slug)
            yield FAILED_LINE

    name = records.file_name(slug, options.format, datetime.now(UTC).date())
    return Response(
        stream_with_context(generate()),
        mimetype=records.mimetype(options.format),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/p/<slug>/export/prepare")
@login_required
def prepare(slug: str):
    """Queue an export with the form's options as a background job (the file is written on the
    server, its page shows the progress, then a download link): for projects too large to wait
    for a streamed download."""
    project, _role = project_for(slug, manager=True)
    ref = _ref(project)
    session = db.session()
    try:
        options = _options_from(request.form)
        records.check_options(session, ref, options)
    except Invalid as problem:
        if request.headers.get("HX-Request"):
            # htmx swaps no 4xx answer: put the message in the form's error slot instead.
            message = render_template("export/_error.html", error=str(problem))
            return message, 200, {"HX-Retarget": "#export-error", "HX-Reswap": "innerHTML"}
        return _form(project, ref, str(problem), 400)
    if options.format == "w3c":
        base_uri = url_for("projects.show", slug=slug, _external=True)
        options = dataclasses.replace(options, base_uri=base_uri)
    card = request.form.get("card", "") not in ("", "0", "false", "off")
    job = work.new_job(
        session,
        project,
        me(),
        "export",
        work.export_params(options, card),
        total=records.document_count(session, ref.id, options),
    )
    session.commit()
    queue.enqueue(current_app, job.id)
    return job_redirect(slug, job.id)


def _chunks(pieces: Iterable[bytes], size: int = CHUNK) -> Iterator[bytes]:
    buffer: list[bytes] = []
    held = 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield b"".join(buffer)
