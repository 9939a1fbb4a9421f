"""``annotator export``: a project's dataset as JSONL, streamed to a file or standard output.

The same :class:`~annotator.data_export.records.ExportOptions` and
:func:`~annotator.data_export.records.export_lines` as the export page
(:mod:`annotator.views.export`); the file is written under a temporary name and renamed at the
end, so no half-written export stands under the chosen name. The database and the app are
imported when the command runs, so ``annotator --help`` stays quick.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import click

from annotator.cli.context import with_appcontext
from annotator.data_export.files import FILE_FORMATS, SCHEMES
from annotator.data_export.formats import FORMATS
from annotator.data_export.formats.doccano import DOCCANO_OFFSETS
from annotator.errors import Invalid

#: Every format ``records.EXPORT_FORMATS`` names, without importing the database layer.
EXPORT_FORMATS = (*FORMATS, *FILE_FORMATS)


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="native",
    show_default=True,
    help="native re-imports; doccano, prodigy, w3c, label-studio and brat are for other tools; "
    "conll, spacy and parquet for training.",
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
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show documents written of the total on standard error [default: when it is a terminal].",
)
@click.option("--base-uri", help="w3c: base of the annotation IRIs [default: urn:annotator:SLUG].")
@click.option(
    "--offsets",
    type=click.Choice(DOCCANO_OFFSETS),
    default="utf16",
    show_default=True,
    help="doccano: UTF-16 code units (what doccano counts) or code points.",
)
@click.option(
    "--scheme",
    type=click.Choice(SCHEMES),
    default="bio",
    show_default=True,
    help="conll: BIO or BILOU token tags.",
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
    progress: bool | None,
    base_uri: str | None,
    offsets: str,
    scheme: str,
) -> None:
    """Export a project's documents and spans (JSONL, or a file of a training format)."""
    from annotator import db
    from annotator.data_export import records
    from annotator.data_export.records import FAILED_LINE, ExportOptions, ExportStats

    options = ExportOptions(
        format=format_name,
        min_done=min_done,
        annotators=records.name_filter(annotators),
        labels=records.name_filter(labels),
        gold_only=gold_only,
        adjudicated_only=adjudicated_only,
        base_uri=base_uri,
        offsets=offsets,
        scheme=scheme,
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
        if progress if progress is not None else sys.stderr.isatty():
            total = records.document_count(connection, project.id, options)
            lines = _with_progress(lines, total)
        try:
            if output == "-":
                with click.open_file("-", "wb") as stream:
                    try:
                        stream.writelines(lines)
                    except Exception:
                        stream.write(FAILED_LINE)  # what was written already is not the file
                        raise
            else:
                _write_file(output, lines)
        except Exception as error:
            where = "" if output == "-" else f"; {output} was not written"
            raise click.ClickException(f"the export failed midway ({error}){where}") from error
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


def _with_progress(lines: Iterable[bytes], total: int) -> Iterator[bytes]:
    """Pass the lines through, saying on standard error (never standard output, which may be the
    export itself) how many documents of ``total`` are written, about a hundred times in all."""
    step = max(1, total // 100)
    written = 0
    click.echo(f"\rExporting: 0 of {total:,} documents", err=True, nl=False)
    for chunk in lines:  # one chunk per document
        yield chunk
        written += 1
        if written % step == 0 or written == total:
            click.echo(f"\rExporting: {written:,} of {total:,} documents", err=True, nl=False)
    click.echo("", err=True)


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
