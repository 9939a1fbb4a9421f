"""Storing document questions and answers: the manager's definitions, the annotators' answers.

An answer is keyed by (document, annotator, question): ``PUT`` of the same answer twice stores it
once (an upsert), ``DELETE`` of an absent answer succeeds, so the browser's save queue may send
any change again. Changing a question is refused while stored answers would no longer fit it
(answers are never dropped silently); deleting a question with answers needs ``confirmed``.
Gold answers (``adjudication.gold_answers``) count as stored answers here too. Functions raise
``errors.AnnotatorError`` subclasses; question edits do not commit, answer writes do.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlalchemy import func, union_all
from sqlmodel import Session, select

from annotator.annotation.questions import MAX_QUESTIONS, QuestionSpec, check_answer
from annotator.errors import InvalidAnswer, InvalidQuestion, Refused
from annotator.models import Answer, Document, GoldAnswer, Project, Question, User, utcnow

MODELS = (Answer, GoldAnswer)
"""Where answers are kept: the annotators' and the gold ones (a question's change checks both)."""


def questions_of(db: Session, project_id: int) -> list[Question]:
    return list(
        db.exec(
            select(Question)
            .where(Question.project_id == project_id)
            .order_by(Question.position, Question.id)
        )
    )


def question_named(db: Session, project_id: int, name: str) -> Question | None:
    return db.exec(
        select(Question).where(Question.project_id == project_id, Question.name == name)
    ).first()


def save_question(
    db: Session, project: Project, original: str | None, spec: QuestionSpec
) -> Question:
    """Create the question ``spec`` (``original`` None) or change the one named ``original``.

    Refused when the name is taken, or when a stored answer does not fit the changed question
    (the message says how many). Flushes, does not commit.
    """
    questions = questions_of(db, project.id)
    current = next((item for item in questions if item.name == original), None)
    if original and current is None:
        raise InvalidQuestion(f"no question {original!r} in this project", field="original")
    if any(item.name == spec.name and item is not current for item in questions):
        raise InvalidQuestion(f"there is a question named {spec.name!r} already", field="name")
    if current is None:
        if len(questions) >= MAX_QUESTIONS:
            raise InvalidQuestion(f"at most {MAX_QUESTIONS} questions a project", field="name")
        current = Question(
            project_id=project.id,
            name=spec.name,
            kind=spec.kind,
            position=max((item.position for item in questions), default=-1) + 1,
        )
    else:
        misfits = 0
        stored = [select(model.value).where(model.question_id == current.id) for model in MODELS]
        for (value,) in db.execute(union_all(*stored)):
            try:
                check_answer(value, spec)
            except InvalidAnswer:
                misfits += 1
        if misfits:
            plural = "answers do" if misfits != 1 else "answer does"
            raise InvalidQuestion(
                f"{spec.name}: {misfits} stored {plural} not fit the changed question; "
                "change or delete those answers first",
                field="kind",
            )
    for key in ("name", "kind", "prompt", "minimum", "maximum", "low_label", "high_label"):
        setattr(current, key, getattr(spec, key))
    current.choices = list(spec.choices)
    current.required = spec.required
    db.add(current)
    db.flush()
    return current


def delete_question(db: Session, project: Project, name: str, confirmed: bool) -> int:
    """Delete a question; with answers only when ``confirmed`` (they go with it). Returns how
    many answers were deleted. Flushes, does not commit."""
    question = question_named(db, project.id, name)
    if question is None:
        raise InvalidQuestion(f"no question {name!r} in this project", field="name")
    count = sum(
        db.exec(select(func.count()).where(model.question_id == question.id)).one()
        for model in MODELS
    )
    if count and not confirmed:
        raise InvalidQuestion(
            f"{name} has {count} answer{'s' if count != 1 else ''}: tick the box to delete "
            "them with it",
            field="confirm",
        )
    for model in MODELS:
        for answer in db.exec(select(model).where(model.question_id == question.id)):
            db.delete(answer)
    db.delete(question)
    db.flush()
    return count


def answers_of(db: Session, document_id: int, annotator_id: int) -> dict[str, Any]:
    """The annotator's answers on the document: question name -> value, in question order."""
    rows = db.execute(
        select(Question.name, Answer.value)
        .join(Answer, Answer.question_id == Question.id)
        .where(Answer.document_id == document_id, Answer.annotator_id == annotator_id)
        .order_by(Question.position, Question.id)
    )
    return {name: value for name, value in rows}


def question_for(db: Session, document: Document, name: str) -> Question:
    """The document's project's question ``name``; 404 naming ``question`` when it has none."""
    question = question_named(db, document.project_id, name)
    if question is None:
        raise Refused(404, f"no question {name!r} in this project", "question")
    return question


def save_answer(
    db: Session, document: Document, annotator: User, name: str, payload: Any
) -> tuple[Question, Any, bool]:
    """Store the annotator's answer ``payload["value"]`` to question ``name``; returns
    (question, stored value, created). Idempotent: the same ``PUT`` again changes nothing.
    Commits (together with the assignment ``access.document_for_writing`` may have added)."""
    question = question_for(db, document, name)
    if not isinstance(payload, dict) or "value" not in payload:
        raise Refused(400, "expected a JSON object with a 'value'", "value")
    value = check_answer(payload["value"], question)
    key = {"document_id": document.id, "annotator_id": annotator.id, "question_id": question.id}
    created = store_value(db, Answer, key, value, project_id=document.project_id)
    db.commit()
    return question, value, created


def store_value(
    db: Session,
    model: type[Answer] | type[GoldAnswer],
    key: dict[str, int],
    value: Any,
    **also: Any,
) -> bool:
    """Insert the row of ``model`` at primary ``key`` with ``value`` and the columns ``also``, or
    update its value (and ``also``) when it differs; True if it was created. The same value again
    changes nothing, so a retried save is a no-op. Does not commit."""
    existing = db.get(model, key)
    now = utcnow()
    if existing is None:
        module = import_module(f"sqlalchemy.dialects.{db.get_bind().dialect.name}")
        statement = module.insert(model).values(
            **key, **also, value=value, created_at=now, updated_at=now
        )
        # A concurrent first save of the same row: the later one wins, as an update would.
        db.execute(
            statement.on_conflict_do_update(
                index_elements=list(key),
                set_={"value": statement.excluded.value, **also, "updated_at": now},
            )
        )
    elif existing.value != value:
        existing.value = value
        for column, given in also.items():
            setattr(existing, column, given)
        existing.updated_at = now
        db.add(existing)
    return existing is None


def delete_answer(db: Session, document: Document, annotator: User, name: str) -> bool:
    """Clear the annotator's answer; True if there was one. Commits."""
    question = question_for(db, document, name)
    existing = db.get(Answer, (document.id, annotator.id, question.id))
    if existing is not None:
        db.delete(existing)
    db.commit()
    return existing is not None
