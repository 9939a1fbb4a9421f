"""``annotator train SLUG``: learn the project's tagger from its gold, print its held-out
figures, and (``--enable``) switch it on for suggestions.

The same work as the manager's *Learn now* (a background job there); here it runs in the
command's own process, which may take a minute for a few thousand documents.
"""

from __future__ import annotations

import json

import click

from annotator.cli.agreement import table
from annotator.cli.context import with_appcontext
from annotator.errors import Refused


def render(row) -> str:
    lines = [
        f"Model {row.id}: learned from {row.documents} documents in {row.seconds:.1f} s, "
        f"measured on {row.held_out} held-out documents (exact spans).",
        "",
    ]
    rows = [
        (label, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", s["gold"])
        for label, s in sorted(row.scores.items())
    ]
    lines += table(("label", "precision", "recall", "F1", "gold spans"), rows, right=(1, 2, 3))
    lines.append("")
    lines.append("Switched on: it makes suggestions." if row.enabled else "Not switched on.")
    return "\n".join(lines)


@click.command("train")
@with_appcontext
@click.argument("slug")
@click.option("--enable", is_flag=True, help="Switch the new model on for suggestions.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def train_command(slug: str, enable: bool, as_json: bool) -> None:
    """Learn a suggestion model from SLUG's adjudicated gold and agreed spans."""
    from annotator import db, store
    from annotator.suggestions import training

    db.writing.set(True)
    session = db.session()
    project = store.project_by_slug(session, slug)
    if project is None:
        raise click.ClickException(f"no project {slug!r}")
    try:
        row = training.learn(session, project, None)
    except Refused as problem:
        raise click.ClickException(str(problem)) from None
    if enable:
        training.switch(session, project.id, row.id, True)
    session.commit()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "model": row.id,
                    "documents": row.documents,
                    "held_out": row.held_out,
                    "seconds": row.seconds,
                    "enabled": row.enabled,
                    "scores": row.scores,
                },
                indent=2,
            )
        )
    else:
        click.echo(render(row))
