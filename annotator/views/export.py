"""Export a project's dataset: the download page (managers only) and ``annotator export``.

Both parse their options into one :class:`~annotator.data_export.records.ExportOptions` and stream
:func:`~annotator.data_export.records.export_lines` over a connection of their own, opened when the
writing starts and closed when it ends (or when the client goes away).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import click
from flask import (
    Blueprint,
    Response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.cli import with_appcontext
from flask_login import login_required

from annotator import db, store
from annotator.auth import project_for
from annotator.data_export import records
from annotator.data_export.formats import DOCCANO_OFFSETS, FORMATS
from annotator.data_export.records import ExportOptions, ExportStats, ProjectRef
from annotator.errors import Invalid

bp = Blueprint("export", __name__)
CHUNK = 64 * 1024
"""Bytes gathered before the download hands a piece to the server."""


# --- web ---------------------------------------------------------------------------------------


def _options_from(args) -> ExportOptions:
    """The query string of the form as options; ``Invalid`` for values a user typed wrong."""
    min_done = args.get("min_done", "").strip() or "0"
    if not min_done.isdigit():
        raise Invalid("the minimum number of annotators done must be a whole number, 0 or more")
    return ExportOptions(
        format=args.get("format", "native"),
        min_done=int(min_done),
        annotators=records.name_filter(args.getlist("annotators")),
        labels=records.name_filter(args.getlist("labels")),
        gold_only=args.get("gold_only", "") not in ("", "0", "false", "off"),
        adjudicated_only=args.get("adjudicated_only", "") not in ("", "0", "false", "off"),
        offsets=args.get("offsets", "utf16"),
    )


def _form(project, ref: ProjectRef, error: str | None = None, status: int = 200):
    session = db.session()
    page = render_template(
        "export/form.html",
        project=project,
        role="manager",
        formats=list(FORMATS),
        offsets=DOCCANO_OFFSETS,
        labels=store.label_names(session, ref.id),
        annotators=store.annotator_names(session, ref.id),
        args=request.args,
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
        with records.reading(engine) as connection:
            yield from _chunks(records.export_lines(connection, ref, options))

    name = records.file_name(slug, options.format, datetime.now(UTC).date())
    return Response(
        stream_with_context(generate()),
        mimetype="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


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


# --- CLI ---------------------------------------------------------------------------------------


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FORMATS)),
    default="native",
    show_default=True,
    help="native re-imports; doccano, prodigy and w3c are for other tools.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True, writable=True),
    help="File to write, or - for standard output (the default).",
)
@click.option(
    "--min-done",
    type=click.IntRange(min=0),
    default=0,
    help="Only documents done by at least this many (of the chosen) annotators.",
)
@click.option("--annotators", help="Only these annotators, comma-separated.")
@click.option("--labels", help="Only these labels, comma-separated (annotator and gold spans).")
@click.option("--gold-only", is_flag=True, help="Only the gold spans, of documents that have any.")
@click.option(
    "--adjudicated-only",
    is_flag=True,
    help="Only documents whose adjudication is finished (or whose gold came with an import).",
)
@click.option(
    "--card",
    is_flag=True,
    help="Also write a Markdown dataset card: FILE.card.md, or standard error with -o -.",
)
@click.option("--base-uri", help="w3c: base of the annotation IRIs [default: urn:annotator:SLUG].")
@click.option(
    "--offsets",
    type=click.Choice(DOCCANO_OFFSETS),
    default="utf16",
    show_default=True,
    help="doccano: UTF-16 code units (what doccano counts) or code points.",
)
def export_command(
    slug: str,
    format_name: str,
    output: str,
    min_done: int,
    annotators: str | None,
    labels: str | None,
    gold_only: bool,
    adjudicated_only: bool,
    card: bool,
    base_uri: str | None,
    offsets: str,
) -> None:
    """Export a project's documents and spans as JSONL, streaming."""
    options = ExportOptions(
        format=format_name,
        min_done=min_done,
        annotators=records.name_filter(annotators),
        labels=records.name_filter(labels),
        gold_only=gold_only,
        adjudicated_only=adjudicated_only,
        base_uri=base_uri,
        offsets=offsets,
    )
    stats = ExportStats()
    with records.reading(db.engine()) as connection:
        project = records.find_project(connection, slug)
        if project is None:
            raise click.ClickException(f"no project {slug!r}")
        try:
            records.check_options(connection, project, options)
        except Invalid as problem:
            raise click.ClickException(str(problem)) from None
        lines = records.export_lines(connection, project, options, stats)
        if output == "-":
            with click.open_file("-", "wb") as stream:
                stream.writelines(lines)
        else:
            _write_file(output, lines)
    text = None
    if card:
        from annotator.agreement import inputs

        figures = inputs.summary(
            db.session(), project.id, sorted(options.labels or ()), sorted(options.annotators or ())
        )
        text = stats.card(project, options, datetime.now(UTC), figures)
    if output == "-":
        if text:
            click.echo(text, err=True)
        return
    if text:
        with open(f"{output}.card.md", "w", encoding="utf-8") as handle:
            handle.write(text)
    click.echo(f"Exported {stats.summary()} of {slug} to {output}.", err=True)


def _write_file(path: str, lines: Iterable[bytes]) -> None:
    """Write to a temporary name and rename at the end: no half-written export under ``path``."""
    partial = f"{path}.part"
    try:
        with open(partial, "wb") as handle:
            handle.writelines(lines)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
