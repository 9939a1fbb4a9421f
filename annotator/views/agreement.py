"""The agreement page (managers): pairwise matrix, per-label figures, disagreement breakdown,
documents by disagreement, and the span pairs behind every figure.

``GET /p/<slug>/agreement`` renders the figures of `inputs.agreement` (cached until the
project's spans, assignments, gold or labels change); ``GET /p/<slug>/agreement.csv`` gives every
one of them as a CSV table (`annotator.agreement.figures`), from the same report.
``GET /p/<slug>/agreement/spans`` lists the span pairs behind a figure: an htmx fragment for a
click on the page, a full page otherwise. All take the filters ``labels`` and ``annotators``
(repeated or comma-separated; none means all).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import login_required

from annotator import db, store
from annotator.agreement import inputs
from annotator.agreement.attribute_values import judgments_agreement
from annotator.agreement.figures import HEADER, figure_rows
from annotator.agreement.over_time import chart
from annotator.agreement.report import KINDS
from annotator.auth import project_for
from annotator.errors import Invalid
from annotator.rules import parse_names
from annotator.views.http import page_number

bp = Blueprint("agreement", __name__)

BOOTSTRAP = 1000
"""Bootstrap draws behind the page's intervals (seed 0, as the CLI's default)."""
TOP = 50
"""Documents listed by disagreement unless the page asks for all of them."""
SHOWN = 200
"""Span pairs the spans list shows at a time (``page`` 1, 2, … for the rest)."""
DISAGREEMENTS = ("boundary", "label", "missing_b", "missing_a")
BUCKETS = 5


def bucket(value: float | None) -> str:
    """CSS class of an agreement figure in 0..1: agree-0 (< 0.2) … agree-4 (>= 0.8)."""
    if value is None:
        return "agree-none"
    return f"agree-{min(max(int(value * BUCKETS), 0), BUCKETS - 1)}"


def disagreement_bucket(value: float) -> str:
    """CSS class of a disagreement in 0..1: disagree-0 (< 0.2, the colour of high agreement)
    … disagree-4 (>= 0.8, the colour of low agreement), with its own legend on the page."""
    return f"disagree-{min(max(int(value * BUCKETS), 0), BUCKETS - 1)}"


def kind_name(kind: str, a: str, b: str) -> str:
    """What a kind of `classify_pair` means, in the words of the page."""
    return {
        "exact": "same span",
        "boundary": "different boundaries",
        "label": "different label",
        "missing_a": f"only {b}",
        "missing_b": f"only {a}",
    }[kind]


def _filters(project_id: int) -> inputs.Filters:
    return inputs.make_filters(
        db.session(),
        project_id,
        parse_names(request.args.getlist("labels")),
        parse_names(request.args.getlist("annotators")),
    )


def _spans_link(slug: str, filters: inputs.Filters) -> Callable[..., str]:
    """URL of the spans list for a figure, carrying the page's filters."""
    carried = {}
    if filters.labels:
        carried["labels"] = ",".join(filters.labels)
    if filters.annotators:
        carried["annotators"] = ",".join(filters.annotators)

    def link(**chosen: str | None) -> str:
        given = {key: value for key, value in chosen.items() if value}
        return url_for("agreement.spans", slug=slug, **carried, **given)

    return link


@bp.get("/p/<slug>/agreement")
@login_required
def page(slug: str):
    project, role = project_for(slug, manager=True)
    session = db.session()
    context = {
        "project": project,
        "role": role,
        "all_labels": store.label_names(session, project.id),
        "all_annotators": store.annotator_names(session, project.id),
        "chosen_labels": parse_names(request.args.getlist("labels")),
        "chosen_annotators": parse_names(request.args.getlist("annotators")),
    }
    try:
        filters = _filters(project.id)
    except Invalid as problem:
        return render_template("agreement/page.html", error=str(problem), **context), 400
    result = inputs.agreement(session, project.id, filters, bootstrap=BOOTSTRAP)
    report = result.report
    pairs = {frozenset((p["a"], p["b"])): p for p in report["pairwise"]}
    show_all = request.args.get("top") == "all"
    ranking = report["documents_by_disagreement"]
    return render_template(
        "agreement/page.html",
        result=result,
        report=report,
        pair_of=lambda a, b: pairs.get(frozenset((a, b))),
        ranking=ranking if show_all else ranking[:TOP],
        hidden=0 if show_all else max(len(ranking) - TOP, 0),
        spans_link=_spans_link(slug, filters),
        bucket=bucket,
        disagreement_bucket=disagreement_bucket,
        over_time_chart=chart(report["over_time"]),
        kind_name=kind_name,
        **judgments_agreement(session, project.id, filters.annotators, bootstrap=BOOTSTRAP),
        **context,
    )


@bp.get("/p/<slug>/agreement.csv")
@login_required
def figures_csv(slug: str):
    """Every figure of the page, one row each, from the report the page shows."""
    project, _role = project_for(slug, manager=True)
    filters = _filters(project.id)
    result = inputs.agreement(db.session(), project.id, filters, bootstrap=BOOTSTRAP)
    judgments = judgments_agreement(
        db.session(), project.id, filters.annotators, bootstrap=BOOTSTRAP
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(
        [_cell(value) for value in row]
        for row in figure_rows(result.report, result.documents, **judgments)
    )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-agreement.csv"'},
    )


def _cell(value: object) -> object:
    """A name a spreadsheet would run as a formula (=, +, -, @ first) is quoted as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@bp.get("/p/<slug>/agreement/spans")
@login_required
def spans(slug: str):
    """Span pairs behind a figure: ``a`` and ``b`` (one pair; default every pair), ``label``
    (items counted under it, as in the breakdown), ``kind`` (one of `agreement.KINDS`, "all",
    default every kind but exact), ``page``. Ordered by document id, then offsets."""
    project, role = project_for(slug, manager=True)
    session = db.session()
    a, b = request.args.get("a") or None, request.args.get("b") or None
    label = request.args.get("label") or None
    kind = request.args.get("kind") or None
    template = (
        "agreement/_spans.html" if request.headers.get("HX-Request") else "agreement/spans.html"
    )
    context = {
        "project": project,
        "role": role,
        "a": a,
        "b": b,
        "label": label,
        "kind": kind,
        "kind_name": kind_name,
    }
    try:
        filters = _filters(project.id)
        pair = _pair(project.id, a, b, filters)
        if pair is not None:
            filters = inputs.Filters(filters.labels, pair)
        if label is not None and label not in (
            filters.labels or store.label_names(session, project.id)
        ):
            raise Invalid(f"unknown or filtered-out label {label!r}")
        if kind not in (None, "all", *KINDS):
            raise Invalid(f"unknown kind {kind!r}; known: all, {', '.join(KINDS)}")
    except Invalid as problem:
        return render_template(template, error=str(problem), **context), 400
    kinds = DISAGREEMENTS if kind is None else KINDS if kind == "all" else (kind,)
    items = [
        item
        for item in inputs.cached_pairs(
            session, project.id, filters, pairs=None if pair is None else [pair]
        )
        if item.matches(label, kinds)
    ]
    items.sort(key=lambda item: (int(item.span.document), item.span.start, item.span.end))
    page = page_number()
    return render_template(template, **_page_of(slug, items, page), **context)


def _page_of(slug: str, items: list[inputs.PairItem], page: int) -> dict:
    """Rows of one page of the spans list (with the documents' text), and where the next is."""
    shown = items[(page - 1) * SHOWN : page * SHOWN]
    documents = inputs.documents_by_id(db.session(), (int(item.span.document) for item in shown))
    asked = {key: request.args.getlist(key) for key in request.args if key != "page"}
    more = page * SHOWN < len(items)
    return {
        "rows": [_row(item, documents) for item in shown],
        "total": len(items),
        "pages": {
            "first": (page - 1) * SHOWN + 1,
            "next": url_for("agreement.spans", slug=slug, **asked, page=page + 1) if more else None,
            "next_count": min(SHOWN, len(items) - page * SHOWN),
        },
    }


def _pair(
    project_id: int, a: str | None, b: str | None, filters: inputs.Filters
) -> tuple[str, str] | None:
    """The pair asked for (validated), or None for every pair."""
    if a is None and b is None:
        return None
    if a is None or b is None or a == b:
        raise Invalid("choose two different annotators a and b, or neither for every pair")
    inputs.make_filters(db.session(), project_id, annotators=(a, b))  # known names
    if filters.annotators is not None and not {a, b} <= set(filters.annotators):
        raise Invalid(f"{a} and {b} are not both among the chosen annotators")
    return a, b


def _row(item: inputs.PairItem, documents: dict) -> dict:
    ref, text = documents[int(item.span.document)]

    def side(span) -> dict | None:
        if span is None:
            return None
        quoted = text[span.start : span.end]
        if len(quoted) > 300:
            quoted = quoted[:300] + "…"
        return {"label": span.label, "start": span.start, "end": span.end, "text": quoted}

    return {
        "a": item.a,
        "b": item.b,
        "kind": item.kind,
        "kind_name": kind_name(item.kind, item.a, item.b),
        "document": ref,
        "span_a": side(item.span_a),
        "span_b": side(item.span_b),
    }
