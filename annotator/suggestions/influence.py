"""Loads what ``measures.measure`` needs for a project from the database."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from annotator.models import (
    GoldSpan,
    Label,
    Project,
    Span,
    Suggestion,
    SuggestionExposure,
    SuggestionRejection,
)
from annotator.suggestions.measures import LabelMeasures, measure


def measures_of(session: Session, project: Project) -> list[LabelMeasures]:
    labels = list(
        session.exec(
            select(Label).where(Label.project_id == project.id).order_by(Label.position, Label.id)
        )
    )
    names = {label.id: label.name for label in labels}

    def key(document_id, label_id, start, end):
        return (document_id, names.get(label_id, "?"), start, end)

    exposure = {
        (row.document_id, row.annotator_id): row.shown
        for row in session.exec(
            select(SuggestionExposure).where(SuggestionExposure.project_id == project.id)
        )
    }
    shown: dict[int, set[int]] = defaultdict(set)
    for (document_id, annotator_id), was_shown in exposure.items():
        if was_shown:
            shown[document_id].add(annotator_id)
    columns = (Suggestion.document_id, Suggestion.label_id, Suggestion.start, Suggestion.end)
    suggestions = [
        key(*row)
        for row in session.execute(select(*columns).where(Suggestion.project_id == project.id))
    ]
    span_rows = session.execute(
        select(
            Span.annotator_id, Span.document_id, Span.label_id, Span.start, Span.end, Span.origin
        ).where(Span.project_id == project.id)
    ).all()
    spans = [(row[0], key(*row[1:5])) for row in span_rows]
    accepted = [(row[0], key(*row[1:5])) for row in span_rows if row[5] == "suggestion"]
    rejected = [
        (row.annotator_id, key(row.document_id, row.label_id, row.start, row.end))
        for row in session.exec(
            select(SuggestionRejection).where(SuggestionRejection.project_id == project.id)
        )
    ]
    gold = [
        key(*row)
        for row in session.execute(
            select(GoldSpan.document_id, GoldSpan.label_id, GoldSpan.start, GoldSpan.end).where(
                GoldSpan.project_id == project.id
            )
        )
    ]
    return measure(
        labels=[label.name for label in labels],
        suggestions=suggestions,
        shown=shown,
        accepted=accepted,
        rejected=rejected,
        gold=gold,
        spans=spans,
        exposure=exposure,
    )
