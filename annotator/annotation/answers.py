"""Storing document questions and answers: the manager's definitions, the annotators' answers.

An answer is keyed by (document, annotator, question): ``PUT`` of the same answer twice stores it
once (an upsert), ``DELETE`` of an absent answer succeeds, so the browser's save queue may send
any change again. Changing a question is refused while stored answers would no longer fit it
(answers are never dropped silently); deleting a question with answers needs ``confirmed``.
Functions raise ``errors.AnnotatorError`` subclasses; question edits do not commit, answer writes
do.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from annotator.annotation.questions import MAX_QUESTIONS, QuestionSpec, check_answer
from annotator.errors import InvalidAnswer, InvalidQuestion, Refused
from annotator.models import Answer, Document, Project, Question, User, utcnow


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
        for (value,) in db.execute(select(Answer.value).where(Answer.question_id == current.id)):
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
    count = db.exec(select(func.count()).where(Answer.question_id == question.id)).one()
    if count and not confirmed:
        raise InvalidQuestion(
            f"{name} has {count} answer{'s' if count != 1 else ''}: tick the box to delete "
            "them with it",
            field="confirm",
        )
    for answer in db.exec(select(Answer).where(Answer.question_id == question.id)):
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


def _question(db: Session, document: Document, name: str) -> Question:
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
    question = _question(db, document, name)
    if not isinstance(payload, dict) or "value" not in payload:
        raise Refused(400, "expected a JSON object with a 'value'", "value")
    value = check_answer(payload["value"], question)
    key = (document.id, annotator.id, question.id)
    existing = db.get(Answer, key)
    now = utcnow()
    module = import_module(f"sqlalchemy.dialects.{db.get_bind().dialect.name}")
    if existing is None:
        statement = module.insert(Answer).values(
            document_id=document.id,
            annotator_id=annotator.id,
            question_id=question.id,
            project_id=document.project_id,
            value=value,
            created_at=now,
            updated_at=now,
        )
        # A concurrent first save of the same answer: the later one wins, as an update would.
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["document_id", "annotator_id", "question_id"],
                set_={"value": statement.excluded.value, "updated_at": now},
            )
        )
    elif existing.value != value:
        existing.value = value
        existing.updated_at = now
        db.add(existing)
    db.commit()
    return question, value, existing is None


def delete_answer(db: Session, document: Document, annotator: User, name: str) -> bool:
    """Clear the annotator's answer; True if there was one. Commits."""
    question = _question(db, document, name)
    existing = db.get(Answer, (document.id, annotator.id, question.id))
    if existing is not None:
        db.delete(existing)
    db.commit()
    return existing is not None
