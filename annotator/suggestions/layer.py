"""The suggestion layer of a document: computing it once per recommender, storing it, and what
each annotator sees of it (not rejected by them, not already marked, in their A/B group).

Suggestions are never anyone's annotation: accepting one saves a span through the ordinary span
write path (``annotation.spans.save_span``) with ``origin = "suggestion"`` and the recommender.
The HTTP recommender is asked outside any database transaction (``compute``), so a slow one never
holds SQLite's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from annotator.annotation.spans import SpanValues, save_span
from annotator.errors import Refused
from annotator.models import (
    Document,
    Label,
    Project,
    Span,
    Suggestion,
    SuggestionExposure,
    SuggestionRejection,
    SuggestionRun,
    SuggestionSettings,
    User,
    utcnow,
)
from annotator.suggestions import exposure, remote, rules, training
from annotator.suggestions.learned import Model

RECOMMENDERS = (rules.RECOMMENDER, remote.RECOMMENDER, training.RECOMMENDER)
#: A failed recommender is asked again for a document after this long.
RETRY_AFTER = timedelta(seconds=60)


@dataclass
class Outcome:
    """What the workspace gets: ``state`` "off" (no recommender), "hidden" (the A/B switch
    keeps this annotator or document without), "pending" (not computed yet) or "ready"."""

    state: str
    suggestions: list[tuple[Suggestion, Label]] = field(default_factory=list)
    problem: str = ""


def settings_of(session: Session, project_id: int) -> SuggestionSettings:
    """The project's settings (all off when never saved; not added to the session)."""
    return session.get(SuggestionSettings, project_id) or SuggestionSettings(project_id=project_id)


def enabled(settings: SuggestionSettings, learned: bool = False) -> list[str]:
    """The recommenders on: the settings' ones, and the learned model when one is switched on
    (``learned``: see :func:`learned_on`)."""
    names = []
    if settings.rules_enabled:
        names.append(rules.RECOMMENDER)
    if settings.http_enabled and settings.http_url:
        names.append(remote.RECOMMENDER)
    if learned:
        names.append(training.RECOMMENDER)
    return names


def learned_on(session: Session, project_id: int) -> bool:
    return training.active_model_id(session, project_id) is not None


def lexicon_of(settings: SuggestionSettings) -> rules.Lexicon:
    return rules.parse_lexicon(settings.lexicon or rules.default_lexicon_text())


def shown_to(settings: SuggestionSettings, annotator: User, document: Document) -> bool:
    return exposure.sees_suggestions(
        share=settings.share,
        unit=settings.unit,
        project_id=settings.project_id,
        annotator_id=annotator.id or 0,
        document_id=document.id or 0,
    )


def to_compute(
    session: Session, document: Document, settings: SuggestionSettings, learned: bool
) -> list[str]:
    """The enabled recommenders that have not answered for the document (or failed a while ago)."""
    wanted = []
    for name in enabled(settings, learned):
        run = session.get(SuggestionRun, (document.id, name))
        if run is None:
            wanted.append(name)
        elif run.status == "failed" and utcnow() - _aware(run.computed_at) > RETRY_AFTER:
            wanted.append(name)
    return wanted


def _aware(moment):
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def compute(
    names: list[str],
    settings: SuggestionSettings,
    document: Document,
    labels: list[str],
    learned: Model | None = None,
) -> dict[str, list[rules.Suggestion] | str]:
    """Ask each recommender in ``names``: its suggestions, or the problem as a message. No
    database work here (the HTTP call may take up to the configured timeout)."""
    results: dict[str, list[rules.Suggestion] | str] = {}
    for name in names:
        if name == rules.RECOMMENDER:
            results[name] = rules.suggest(document.text, labels, lexicon_of(settings))
        elif name == remote.RECOMMENDER:
            try:
                results[name] = remote.ask(
                    settings.http_url,
                    timeout=settings.http_timeout,
                    document_id=document.external_id,
                    text=document.text,
                    labels=labels,
                )
            except remote.RemoteProblem as problem:
                results[name] = str(problem)
        elif name == training.RECOMMENDER:
            results[name] = (
                [
                    rules.Suggestion(item.label, item.start, item.end, item.score, name)
                    for item in learned.suggest(document.text)
                    if item.label in labels
                ]
                if learned is not None
                else "no learned model is switched on"
            )
    return results


def store(
    session: Session,
    project: Project,
    document: Document,
    results: dict[str, list[rules.Suggestion] | str],
    labels: list[Label],
) -> None:
    """Keep what the recommenders answered (a second request computing the same at the same
    moment stores nothing twice) and record problems for the manager. Commits."""
    by_name = {label.name: label.id for label in labels}
    insert = _insert_module(session)
    for name, result in results.items():
        failed = isinstance(result, str)
        if not failed:
            session.execute(
                delete(Suggestion).where(
                    Suggestion.document_id == document.id, Suggestion.recommender == name
                )
            )
            rows = [
                {
                    "project_id": project.id,
                    "document_id": document.id,
                    "label_id": by_name[item.label],
                    "start": item.start,
                    "end": item.end,
                    "score": item.score,
                    "recommender": name,
                    "created_at": utcnow(),
                }
                for item in result
                if item.label in by_name
            ]
            if rows:
                session.execute(insert.insert(Suggestion).values(rows).on_conflict_do_nothing())
        values = {
            "document_id": document.id,
            "recommender": name,
            "project_id": project.id,
            "status": "failed" if failed else "done",
            "message": result if isinstance(result, str) else "",
            "computed_at": utcnow(),
        }
        statement = insert.insert(SuggestionRun).values(**values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["document_id", "recommender"],
                set_={key: values[key] for key in ("status", "message", "computed_at")},
            )
        )
        if name == remote.RECOMMENDER:
            settings = session.get(SuggestionSettings, project.id)
            if settings is not None:
                settings.http_status = (
                    f"{document.external_id}: {result}" if isinstance(result, str) else ""
                )
                settings.http_status_at = utcnow()
                session.add(settings)
    session.commit()


def _insert_module(session: Session):
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def record_exposure(
    session: Session, project: Project, document: Document, annotator: User, shown: bool
) -> None:
    """Record (once) whether this annotator was shown suggestions on this document. Commits."""
    module = _insert_module(session)
    session.execute(
        module.insert(SuggestionExposure)
        .values(
            document_id=document.id,
            annotator_id=annotator.id,
            project_id=project.id,
            shown=shown,
            at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["document_id", "annotator_id"])
    )
    session.commit()


def visible(
    session: Session, document: Document, annotator: User, settings: SuggestionSettings
) -> Outcome:
    """The stored suggestions this annotator may see now, in text order."""
    names = enabled(settings, learned_on(session, document.project_id))
    if not names:
        return Outcome("off")
    if not shown_to(settings, annotator, document):
        return Outcome("hidden")
    runs = {
        run.recommender: run
        for run in session.exec(
            select(SuggestionRun).where(SuggestionRun.document_id == document.id)
        )
    }
    if any(name not in runs for name in names):
        return Outcome("pending")
    rejected = set(
        session.execute(
            select(
                SuggestionRejection.label_id, SuggestionRejection.start, SuggestionRejection.end
            ).where(
                SuggestionRejection.document_id == document.id,
                SuggestionRejection.annotator_id == annotator.id,
            )
        ).all()
    )
    marked = set(
        session.execute(
            select(Span.label_id, Span.start, Span.end).where(
                Span.document_id == document.id, Span.annotator_id == annotator.id
            )
        ).all()
    )
    rows = session.exec(
        select(Suggestion, Label)
        .join(Label, Label.id == Suggestion.label_id)
        .where(Suggestion.document_id == document.id, Suggestion.recommender.in_(names))
        .order_by(Suggestion.start, Suggestion.end.desc(), Suggestion.id)
    )
    seen: set[tuple[int, int, int]] = set()
    shown = []
    for suggestion, label in rows:
        key = (suggestion.label_id, suggestion.start, suggestion.end)
        if key in rejected or key in marked or key in seen:
            continue
        seen.add(key)
        shown.append((suggestion, label))
    failed = [run.message for name, run in runs.items() if name in names and run.status == "failed"]
    problem = "Some suggestions are unavailable right now." if failed else ""
    return Outcome("ready", shown, problem)


def suggestion_in(session: Session, document: Document, suggestion_id: int) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.document_id != document.id:
        raise Refused(404, "no such suggestion")
    return suggestion


def accept(
    session: Session, document: Document, annotator: User, suggestion_id: int, span_id: str
) -> tuple[Span, bool]:
    """Save the suggestion as the annotator's span ``span_id`` (client-made: a retry stores one
    span), marked ``origin = "suggestion"``. Commits."""
    suggestion = suggestion_in(session, document, suggestion_id)
    values = SpanValues(suggestion.label_id, suggestion.start, suggestion.end, "", None)
    return save_span(
        session,
        document,
        annotator,
        span_id,
        values,
        origin="suggestion",
        recommender=suggestion.recommender,
    )


def reject(
    session: Session, document: Document, annotator: User, suggestion_id: int, *, rejected: bool
) -> None:
    """Record (or, with ``rejected`` false, withdraw: an undo) the annotator's rejection of the
    suggestion's label and range. Idempotent. Commits."""
    suggestion = suggestion_in(session, document, suggestion_id)
    key = {
        "document_id": document.id,
        "annotator_id": annotator.id,
        "label_id": suggestion.label_id,
        "start": suggestion.start,
        "end": suggestion.end,
    }
    if rejected:
        module = _insert_module(session)
        session.execute(
            module.insert(SuggestionRejection)
            .values(
                **key,
                project_id=document.project_id,
                recommender=suggestion.recommender,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
        )
    else:
        session.execute(
            delete(SuggestionRejection).where(
                *(getattr(SuggestionRejection, name) == value for name, value in key.items())
            )
        )
    session.commit()


def forget(session: Session, project_id: int, recommender: str) -> None:
    """Drop a recommender's stored suggestions of a project (its settings changed): they are
    computed again when next asked. Rejections stay. Not committed."""
    session.execute(
        delete(Suggestion).where(
            Suggestion.project_id == project_id, Suggestion.recommender == recommender
        )
    )
    session.execute(
        delete(SuggestionRun).where(
            SuggestionRun.project_id == project_id, SuggestionRun.recommender == recommender
        )
    )


def as_json(suggestion: Suggestion, label: Label, text: str) -> dict:
    return {
        "id": suggestion.id,
        "label": label.name,
        "label_id": label.id,
        "start": suggestion.start,
        "end": suggestion.end,
        "text": text[suggestion.start : suggestion.end],
        "score": suggestion.score,
        "recommender": suggestion.recommender,
    }
