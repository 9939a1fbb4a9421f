"""Loading what agreement on span attributes and on source links compares: the finished spans
(as the span figures load them, ``inputs.load_inputs``), the labels' attribute definitions, and
the source each span names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from annotator.agreement.answers import answers_vs_gold, question_answers, questions_agreement
from annotator.agreement.attributes import attribute_agreement
from annotator.agreement.inputs import Filters, Inputs, load_inputs
from annotator.agreement.sources import source_agreement
from annotator.models import Source
from annotator.models import Span as SpanRow
from annotator.store import labels_of


def attributes_agreement(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Agreement per span attribute (``label.attribute`` -> figures, see
    ``agreement.attributes``), with ``disagreeing`` as ``{"id", "name"}`` of each document,
    most disputed first."""
    loaded = load_inputs(db, project_id, Filters(annotators=annotators))
    return _attributes(db, project_id, loaded, bootstrap=bootstrap, seed=seed)


def _attributes(
    db: Session, project_id: int, loaded: Inputs, *, bootstrap: int, seed: int
) -> dict[str, dict[str, Any]]:
    definitions = {label.name: label.attributes for label in labels_of(db, project_id)}
    figures = attribute_agreement(loaded.spans, definitions, bootstrap=bootstrap, seed=seed)
    return _named_documents(figures, loaded)


def sources_agreement(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Agreement on source links per label that links sources (label -> figures, see
    ``agreement.sources``), with ``disagreeing`` as ``{"id", "name"}`` of each document, most
    disputed first. Empty when no label links sources."""
    loaded = load_inputs(db, project_id, Filters(annotators=annotators))
    return _sources(db, project_id, loaded, bootstrap=bootstrap, seed=seed)


def _sources(
    db: Session, project_id: int, loaded: Inputs, *, bootstrap: int, seed: int
) -> dict[str, dict[str, Any]]:
    labels = [label.name for label in labels_of(db, project_id) if label.links_source]
    if not labels:
        return {}
    named = dict(
        db.connection()
        .execute(
            select(SpanRow.id, Source.name)
            .join(Source, Source.id == SpanRow.named_source_id)
            .where(SpanRow.project_id == project_id)
        )
        .all()
    )
    figures = source_agreement(loaded.spans, named, labels, bootstrap=bootstrap, seed=seed)
    return _named_documents(figures, loaded)


def judgments_agreement(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Agreement on every judgment, as the page, the CSV, the API and the CLI show it:
    ``questions`` (`answers.questions_agreement`), ``span_attributes`` and ``sources``, with the
    finished spans loaded once for both of the latter; and ``answers_vs_gold``
    (`answers.answers_vs_gold`): each annotator's answers against the gold answers."""
    loaded = load_inputs(db, project_id, Filters(annotators=annotators))
    answers = question_answers(db, project_id, annotators)  # read once for both of their uses
    return {
        "questions": dict(
            questions_agreement(
                db, project_id, annotators, bootstrap=bootstrap, seed=seed, answers=answers
            )
        ),
        "span_attributes": _attributes(db, project_id, loaded, bootstrap=bootstrap, seed=seed),
        "sources": _sources(db, project_id, loaded, bootstrap=bootstrap, seed=seed),
        "answers_vs_gold": answers_vs_gold(db, project_id, annotators, answers=answers),
    }


def _named_documents(
    figures: Mapping[str, Mapping[str, Any]], loaded: Inputs
) -> dict[str, dict[str, Any]]:
    """``figures`` with each ``disagreeing`` document key as the document's id and name."""
    out: dict[str, dict[str, Any]] = {}
    for name, item in figures.items():
        refs = [loaded.documents[key] for key in item["disagreeing"] if key in loaded.documents]
        out[name] = {**item, "disagreeing": [{"id": ref.id, "name": ref.name} for ref in refs]}
    return out
