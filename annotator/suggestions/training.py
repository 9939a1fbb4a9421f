"""Learning a project's tagger from its gold, keeping the model, and suggesting with it.

What it learns from: every adjudicated document's gold spans, and every other document on
which at least two annotators finished and marked exactly the same spans (agreed spans are gold
in all but name). Documents with gold still in progress are left out: a span not yet accepted
would teach the model that the place holds nothing.

The figures a manager reads before switching a model on come from the same model that will
suggest: it learns from four fifths of the documents and is measured on the other fifth
(:func:`annotator.suggestions.learned.split`, a fixed shuffle).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlmodel import Session, func, select

from annotator import store
from annotator.errors import Refused
from annotator.models import (
    Adjudication,
    Assignment,
    Document,
    GoldSpan,
    Job,
    LearnedModel,
    Project,
    Span,
    User,
)

if TYPE_CHECKING:
    from flask import Flask

from annotator.suggestions.learned import Example, Model, Suggestion, evaluate, split, train

#: The name suggestions of the switched-on model carry (``span.recommender`` once accepted).
RECOMMENDER = "learned"
#: Fewest documents a model learns from: below it the held-out figures say nothing.
MIN_DOCUMENTS = 10
#: New finished gold that makes the runner learn again: this many documents, or a tenth more.
RETRAIN_AFTER = 20


def adjudicated_ids(session: Session, project_id: int) -> list[int]:
    return list(
        session.exec(
            select(Adjudication.document_id)
            .where(Adjudication.project_id == project_id, Adjudication.status == "adjudicated")
            .order_by(Adjudication.document_id)
        )
    )


def examples(session: Session, project: Project) -> list[Example]:
    """The documents to learn from, with their spans (label names, code points)."""
    names = {label.id: label.name for label in store.labels_of(session, project.id)}
    gold_ids = set(adjudicated_ids(session, project.id))
    spans: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for document_id, label_id, start, end in session.exec(
        select(GoldSpan.document_id, GoldSpan.label_id, GoldSpan.start, GoldSpan.end).where(
            GoldSpan.project_id == project.id
        )
    ):
        if document_id in gold_ids:
            spans[document_id].append((names[label_id], start, end))
    agreed = _agreed_spans(session, project.id, gold_ids, names)
    wanted = sorted(gold_ids | set(agreed))
    texts: dict[int, str] = {}
    if wanted:
        in_wanted = Document.id.in_(wanted)  # type: ignore[union-attr]
        query = select(Document.id, Document.text).where(in_wanted)
        texts = {document_id: text for document_id, text in session.exec(query)}
    found: list[Example] = []
    for document_id in wanted:
        marked = spans[document_id] if document_id in gold_ids else agreed[document_id]
        found.append(Example(texts[document_id], tuple(sorted(marked, key=lambda s: s[1:]))))
    return found


def _agreed_spans(
    session: Session, project_id: int, skip: set[int], names: dict[int, str]
) -> dict[int, list[tuple[str, int, int]]]:
    """Documents without finished gold where two or more annotators finished with the very same
    spans (at least one), and those spans."""
    finished: dict[int, set[int]] = defaultdict(set)
    for document_id, user_id in session.exec(
        select(Assignment.document_id, Assignment.user_id).where(
            Assignment.project_id == project_id, Assignment.status == "done"
        )
    ):
        if document_id not in skip:
            finished[document_id].add(user_id)
    candidates = {d for d, users in finished.items() if len(users) >= 2}
    if not candidates:
        return {}
    marked: dict[tuple[int, int], set[tuple[str, int, int]]] = defaultdict(set)
    for document_id, user_id, label_id, start, end in session.exec(
        select(Span.document_id, Span.annotator_id, Span.label_id, Span.start, Span.end).where(
            Span.project_id == project_id,
            Span.document_id.in_(candidates),  # type: ignore[attr-defined]
        )
    ):
        if user_id in finished[document_id]:
            marked[(document_id, user_id)].add((names[label_id], start, end))
    agreed: dict[int, list[tuple[str, int, int]]] = {}
    for document_id in sorted(candidates):
        sets = [marked.get((document_id, user), set()) for user in finished[document_id]]
        if sets[0] and all(other == sets[0] for other in sets[1:]):
            agreed[document_id] = sorted(sets[0])
    return agreed


def learn(
    session: Session,
    project: Project,
    user_id: int | None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> LearnedModel:
    """Learn a model from the project's gold and keep it (switched off; not committed).
    Refused (422) when there are fewer than :data:`MIN_DOCUMENTS` documents to learn from."""
    found = examples(session, project)
    if len(found) < MIN_DOCUMENTS:
        raise Refused(
            422,
            f"{len(found)} documents have finished gold or agreed spans; a model needs at least "
            f"{MIN_DOCUMENTS} to learn from and to be measured on",
            "project",
        )
    progress(0, 3)
    training, held_out = split(found)
    began = time.perf_counter()
    model = train(training)
    seconds = time.perf_counter() - began
    progress(2, 3)
    row = LearnedModel(
        project_id=project.id,
        trained_by_id=user_id,
        documents=len(training),
        held_out=len(held_out),
        gold_documents=len(adjudicated_ids(session, project.id)),
        seconds=round(seconds, 2),
        scores=dict(evaluate(Model(model), held_out)),
        model=model,
    )
    session.add(row)
    session.flush()
    progress(3, 3)
    return row


def models_of(session: Session, project_id: int) -> list[LearnedModel]:
    """The project's models, newest first."""
    return list(
        session.exec(
            select(LearnedModel)
            .where(LearnedModel.project_id == project_id)
            .order_by(LearnedModel.id.desc())  # type: ignore[union-attr]
        )
    )


def switch(session: Session, project_id: int, model_id: int, enabled: bool) -> LearnedModel:
    """Switch one model on (every other of the project off) or off. Not committed."""
    row = session.get(LearnedModel, model_id)
    if row is None or row.project_id != project_id:
        raise Refused(404, "no such model in this project", "model")
    if enabled:
        for other in models_of(session, project_id):
            other.enabled = False
            session.add(other)
    row.enabled = enabled
    session.add(row)
    from annotator.suggestions import layer  # the layer asks this module: imported late

    layer.forget(session, project_id, RECOMMENDER)  # made by another model, or none now
    return row


def active_model_id(session: Session, project_id: int) -> int | None:
    return session.exec(
        select(LearnedModel.id)
        .where(LearnedModel.project_id == project_id, LearnedModel.enabled)
        .order_by(LearnedModel.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()


@lru_cache(maxsize=8)
def _loaded(model_id: int, model: bytes) -> Model:
    return Model(model)


def active_model(session: Session, project_id: int) -> Model | None:
    """The switched-on model, loaded (kept loaded for the next request)."""
    model_id = active_model_id(session, project_id)
    if model_id is None:
        return None
    row = session.get(LearnedModel, model_id)
    assert row is not None
    return _loaded(model_id, row.model)


def suggest(session: Session, project_id: int, text: str) -> list[Suggestion]:
    """The switched-on model's spans for ``text``; none when no model is switched on."""
    model = active_model(session, project_id)
    return model.suggest(text) if model is not None else []


def due(session: Session, project: Project) -> bool:
    """True when a model is switched on and enough new gold exists since the newest model
    learned, and no learning job is waiting or running: the job runner then learns again.

    Counted from the newest model, switched on or not: a model that came out worse stays off,
    and counting from the older one would learn again at every finished document."""
    if active_model_id(session, project.id) is None:
        return False
    learned_from = session.exec(
        select(LearnedModel.gold_documents)
        .where(LearnedModel.project_id == project.id)
        .order_by(LearnedModel.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).one()
    now = len(adjudicated_ids(session, project.id))
    enough = max(RETRAIN_AFTER, learned_from // 10)
    if now - learned_from < enough:
        return False
    pending = session.exec(
        select(func.count())
        .select_from(Job)
        .where(
            Job.project_id == project.id,
            Job.kind == "train",
            Job.status.in_(("queued", "running")),  # type: ignore[attr-defined]
        )
    ).one()
    return not pending


def mean_f1(scores: dict) -> float:
    return sum(row["f1"] for row in scores.values()) / len(scores) if scores else 0.0


def replace_if_not_worse(session: Session, project_id: int, row: LearnedModel) -> None:
    """Switch ``row`` on in place of the model switched on now when its held-out F1 (mean over
    labels) is not lower: learning again in the background improves the suggestions without a
    manager, and never makes them worse by the measure the manager approved."""
    current_id = active_model_id(session, project_id)
    current = session.get(LearnedModel, current_id) if current_id is not None else None
    if current is not None and mean_f1(row.scores) >= mean_f1(current.scores):
        switch(session, project_id, row.id, True)


def queue_if_due(session: Session, project: Project, user: User, app: Flask) -> str | None:
    """Queue a learning job when :func:`due`; its id, or None. Commits the job row first (the
    runner reads it)."""
    from annotator.jobs import queue
    from annotator.jobs.work import new_job

    if not due(session, project):
        return None
    job = new_job(session, project, user, "train", {"replace_if_not_worse": True}, total=3)
    session.commit()
    queue.enqueue(app, job.id)
    return job.id
