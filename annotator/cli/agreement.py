"""``annotator agreement SLUG``: inter-annotator agreement of a project as tables or JSON.

The figures are those of `agreement.compute_agreement` on the spans of finished documents (see
`comparison`); ``--json`` prints its object as it is, with each entry of
``documents_by_disagreement`` also carrying the document's ``external_id`` and ``title``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from annotator.cli.context import with_appcontext
from annotator.errors import Invalid
from annotator.rules import parse_names

if TYPE_CHECKING:
    from annotator.agreement import inputs

KIND_HEADINGS = {
    "exact": "exact",
    "boundary": "boundary",
    "label": "label",
    "missing_b": "only a",
    "missing_a": "only b",
}
"""Breakdown columns: "only a" counts spans a marked that b has nothing for (kind missing_b)."""


def figure(
    value: float | None, interval: Sequence[float] | None = None, documents: int | None = None
) -> str:
    """``0.750 [0.500, 1.000]``; ``n/a`` where the measure is undefined. An interval resampled
    from fewer than two ``documents`` says nothing, and says so."""
    if value is None:
        return "n/a"
    text = f"{value:.3f}"
    if interval and documents is not None and documents < 2:
        return f"{text} (interval needs 2+ documents)"
    return f"{text} [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else text


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()
) -> list[str]:
    """Plain-text columns two spaces apart: numbers (and the ``right`` columns) right-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(line[k]) for line in [list(headers), *cells]) for k in range(len(headers))]
    numeric = [
        k in right or (bool(rows) and all(isinstance(row[k], int | float) for row in rows))
        for k in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), *(line(row) for row in cells)]


def render(report: dict, documents: dict, slug: str, top: int = 10) -> str:
    """The report as readable tables (what ``annotator agreement`` prints by default)."""
    out = [
        f"Agreement in {slug}: {_count(report['documents'], 'document')} compared "
        "(finished by at least two of the annotators)",
        f"Annotators: {', '.join(report['annotators']) or 'none'}",
        f"Labels: {', '.join(report['labels'])}",
    ]
    if report["bootstrap"]:
        out.append(
            f"Intervals: {report['confidence']:.0%} percentile bootstrap over documents, "
            f"{report['bootstrap']} draws"
        )
    pairs = report["pairwise"]
    out += ["", "Pairs (F1 micro-averaged over labels; kappa: mean of the per-label kappas)"]
    out += table(
        ["a", "b", "documents", "exact F1", "overlap F1", "kappa"],
        [
            [
                pair["a"],
                pair["b"],
                pair["documents"],
                figure(pair["exact_f1"], pair["exact_f1_ci"], pair["documents"]),
                figure(pair["overlap_f1"], pair["overlap_f1_ci"], pair["documents"]),
                figure(pair["kappa"], pair["kappa_ci"], pair["documents"]),
            ]
            for pair in pairs
        ],
    )
    out += ["", "Labels (every character a unit)"]
    n = report["documents"]
    rows = [
        [label, figure(v["alpha"], v["alpha_ci"], n), figure(v["alpha_u"], v["alpha_u_ci"], n)]
        for label, v in report["per_label"].items()
    ]
    pooled = figure(report["alpha_u_pooled"], report["alpha_u_pooled_ci"], n)
    rows.append(["(pooled)", "", pooled])
    out += table(["label", "alpha", "alpha_u"], rows)
    out += [
        "",
        "Breakdown per pair and label (only a: spans a marked that b has no counterpart for)",
    ]
    out += table(
        ["a", "b", "label", "exact F1", "overlap F1", "kappa", *KIND_HEADINGS.values()],
        [
            [
                pair["a"],
                pair["b"],
                label,
                figure(values["exact_f1"]),
                figure(values["overlap_f1"]),
                figure(values["kappa"]),
                *(pair["breakdown"][label][kind] for kind in KIND_HEADINGS),
            ]
            for pair in pairs
            for label, values in pair["per_label"].items()
        ],
    )
    out += _links_and_attributes(report)
    out += _vs_gold(report)
    weeks = report.get("over_time") or []
    if weeks:
        out += ["", "Per week (documents comparable since then): mean pairwise F1"]
        out += table(
            ["week of", "documents", "overlap F1", "exact F1"],
            [
                [w["week"], w["documents"], figure(w["overlap_f1"]), figure(w["exact_f1"])]
                for w in weeks
            ],
        )
    ranking = report["documents_by_disagreement"][:top]
    if ranking:
        out += ["", f"Most disputed documents (top {len(ranking)})"]
        out += table(
            ["disagreement", "spans", "id", "document"],
            [
                [
                    f"{entry['disagreement']:.3f}",
                    entry["spans"],
                    documents[entry["document"]].id,
                    _document_name(documents[entry["document"]]),
                ]
                for entry in ranking
            ],
            right=[0],
        )
    return "\n".join(out)


def _links_and_attributes(report: dict) -> list[str]:
    """Relation F1 per pair and attribute agreement, when the project uses them."""
    out: list[str] = []
    relations = report.get("relations") or {}
    if relations.get("types"):
        out += ["", f"Links ({', '.join(relations['types'])}): F1 of links whose ends match"]
        out += table(
            ["a", "b", "documents", "exact F1", "overlap F1"],
            [
                [p["a"], p["b"], p["documents"], figure(p["exact_f1"]), figure(p["overlap_f1"])]
                for p in relations["pairwise"]
            ],
        )
    attributes = (report.get("attributes") or {}).get("per_attribute") or {}
    if attributes:
        out += ["", "Attributes on spans both marked alike: Krippendorff's alpha (nominal)"]
        out += table(
            ["attribute", "alpha", "units"],
            [[name, figure(v["alpha"]), v["units"]] for name, v in attributes.items()],
        )
    return out


def render_questions(questions: dict, title: str = "Document questions") -> str:
    """The questions' figures as a table: level, alpha and the mean of the pairwise kappas."""
    rows = [
        [name, item["level"] or "not compared", str(item["units"]),
         figure(item["alpha"], item["alpha_interval"]), figure(item["mean_kappa"])]
        for name, item in questions.items()
    ]  # fmt: skip
    head = {"Document questions": "question", "Source links (matched spans)": "label"}.get(
        title, "attribute"
    )
    lines = table([head, "level", "units", "alpha", "mean kappa"], rows, right=(2, 3, 4))
    return "\n".join(["", title, *lines])


def render_answers_vs_gold(found: dict) -> str:
    """Each annotator's answers against the gold answers, per question: how many documents,
    how many the gold answer, the share, and for scales and numbers the mean difference."""
    rows = [
        [question, name, str(item["documents"]), str(item["agreed"]), figure(item["share"]),
         figure(item["mean_difference"]) if item["mean_difference"] is not None else "-"]
        for question, by_annotator in found.items()
        for name, item in by_annotator.items()
    ]  # fmt: skip
    head = ["question", "annotator", "documents", "agreed", "share", "mean difference"]
    lines = table(head, rows, right=(2, 3, 4, 5))
    return "\n".join(["", "Answers against gold (adjudicated documents)", *lines])


def _vs_gold(report: dict) -> list[str]:
    """Each annotator against the gold of adjudicated documents, per label and pooled."""
    found = report.get("vs_gold") or {}
    if not found:
        return []
    out = ["", "Against gold (adjudicated documents): precision, recall, F1; exact, then overlap"]
    rows = []
    for name, entry in found.items():
        for label, figures in [*entry["per_label"].items(), ("(all labels)", entry["micro"])]:
            rows.append(
                [name, label, entry["documents"]]
                + [
                    figure(
                        figures[mode][measure], figures[mode][f"{measure}_ci"], entry["documents"]
                    )
                    for mode in ("exact", "overlap")
                    for measure in ("precision", "recall", "f1")
                ]
            )
    headers = ["annotator", "label", "documents", "exact P", "exact R", "exact F1"]
    return out + table([*headers, "overlap P", "overlap R", "overlap F1"], rows)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _document_name(ref: inputs.DocumentRef) -> str:
    return f"{ref.external_id} · {ref.title}" if ref.title else ref.external_id


def with_names(
    report: inputs.ProjectReport, documents: dict[str, inputs.DocumentRef]
) -> dict[str, object]:
    """The report with each ranked document's external id and title added (as JSON: the report
    is a plain dict, so the two keys are added to each ranked document's)."""
    ranking = [
        entry
        | {
            "external_id": documents[entry["document"]].external_id,
            "title": documents[entry["document"]].title,
        }
        for entry in report["documents_by_disagreement"]
    ]
    return report | {"documents_by_disagreement": ranking}


@click.command("agreement")
@with_appcontext
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--labels", help="Only these labels, comma-separated.")
@click.option("--annotators", help="Only these annotators, comma-separated.")
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Bootstrap draws for the confidence intervals (0: no intervals).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many of the most disputed documents the table lists.",
)
def agreement_command(
    slug: str,
    as_json: bool,
    labels: str | None,
    annotators: str | None,
    bootstrap: int,
    seed: int,
    top: int,
) -> None:
    """Inter-annotator agreement of a project: span F1, kappa, alpha, alpha_u, disagreements.

    Only documents finished by at least two annotators count (imported annotations count as
    finished); a pair of annotators is compared on the documents both finished.
    """
    from annotator import db, store
    from annotator.agreement import inputs
    from annotator.agreement.attribute_values import judgments_agreement

    session = db.session()
    project = store.project_by_slug(session, slug)
    if project is None:
        raise click.ClickException(f"no project {slug!r}")
    try:
        filters = inputs.make_filters(
            session,
            project.id,
            parse_names(labels),
            parse_names(annotators),
        )
    except Invalid as problem:
        raise click.ClickException(str(problem)) from None
    result = inputs.agreement(
        session, project.id, filters, bootstrap=bootstrap, seed=seed, use_cache=False
    )
    judgments = judgments_agreement(
        session, project.id, filters.annotators, bootstrap=bootstrap, seed=seed
    )
    questions, span_attributes, sources = (
        judgments["questions"],
        judgments["span_attributes"],
        judgments["sources"],
    )
    if as_json:
        named = with_names(result.report, result.documents) | judgments
        click.echo(json.dumps(named, ensure_ascii=False))
    else:
        click.echo(render(result.report, result.documents, slug, top))
        if questions:
            click.echo(render_questions(questions))
        if span_attributes:
            click.echo(render_questions(span_attributes, "Span attributes (matched spans)"))
        if any(item["units"] for item in sources.values()):
            click.echo(render_questions(sources, "Source links (matched spans)"))
        if judgments["answers_vs_gold"]:
            click.echo(render_answers_vs_gold(judgments["answers_vs_gold"]))
