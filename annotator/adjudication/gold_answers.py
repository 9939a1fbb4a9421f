"""Gold answers: the adjudicated answer to each question about a document, set by a curator.

One gold answer per (document, question). The curator takes an annotator's answer with one click
(`take_answer`) or enters a value (`set_gold_answer`, checked like an annotator's answer by
``annotation.questions.check_answer``); `clear_gold_answer` undoes either. Setting the value gold
already has changes nothing and clearing an absent one succeeds, so a retried request is
harmless. Each write notes the curator's work in the document's adjudication state and commits,
as the single accepts of ``adjudication.gold`` do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from annotator.adjudication import state
from annotator.annotation.answers import question_for, questions_of, store_value
from annotator.annotation.questions import check_answer
from annotator.annotation.value_types import show
from annotator.errors import Refused
from annotator.models import Answer, Document, GoldAnswer, Question, User


@dataclass(frozen=True)
class QuestionToCurate:
    """One question as the curation view shows it: every annotator's answer (name -> value, in
    the order of the names given), and gold's value and curator (``gold`` None: not set)."""

    question: Question
    answers: dict[str, Any]
    gold: Any = None
    curator: str | None = None

    @staticmethod
    def shown(value: Any) -> str:
        """A value as one line of text, as the comparison view shows attribute values."""
        return show(value)

    @property
    def agreed(self) -> bool:
        """Whether at least two annotators answered and all of them alike."""
        values = list(self.answers.values())
        return len(values) >= 2 and all(value == values[0] for value in values)


def to_curate(session: Session, document: Document, names: Sequence[str]) -> list[QuestionToCurate]:
    """The project's questions with the answers of the annotators ``names`` (and of anyone else
    who answered, after them) and the gold answer, in the questions' order."""
    rows = session.exec(
        select(Answer.question_id, User.username, Answer.value)
        .join(User, User.id == Answer.annotator_id)
        .where(Answer.document_id == document.id)
        .order_by(User.username)
    )
    given: dict[int, dict[str, Any]] = {}
    for question_id, name, value in rows:
        given.setdefault(question_id, {})[name] = value
    gold = {
        question_id: (value, curator)
        for question_id, value, curator in session.exec(
            select(GoldAnswer.question_id, GoldAnswer.value, User.username)
            .join(User, User.id == GoldAnswer.curator_id, isouter=True)
            .where(GoldAnswer.document_id == document.id)
        )
    }
    out = []
    for question in questions_of(session, document.project_id):
        answers = given.get(question.id, {})
        ordered = {name: answers[name] for name in names if name in answers}
        ordered |= {name: value for name, value in answers.items() if name not in ordered}
        value, curator = gold.get(question.id, (None, None))
        out.append(QuestionToCurate(question, ordered, value, curator))
    return out


def gold_answers_of(session: Session, document_id: int) -> dict[str, Any]:
    """The document's gold answers: question name -> value, in the questions' order."""
    rows = session.exec(
        select(Question.name, GoldAnswer.value)
        .join(GoldAnswer, GoldAnswer.question_id == Question.id)
        .where(GoldAnswer.document_id == document_id)
        .order_by(Question.position, Question.id)
    )
    return dict(rows.all())


def set_gold_answer(
    session: Session, document: Document, curator: User, name: str, value: Any
) -> tuple[Question, Any]:
    """Make ``value`` the gold answer to question ``name`` (checked against it: raises
    ``InvalidAnswer`` naming ``value``); returns (question, stored value). Commits."""
    question = question_for(session, document, name)
    checked = check_answer(value, question)
    key = {"document_id": document.id, "question_id": question.id}
    store_value(
        session,
        GoldAnswer,
        key,
        checked,
        project_id=document.project_id,
        curator_id=curator.id,
    )
    state.record_work(session, document, curator)
    session.commit()
    return question, checked


def take_answer(
    session: Session, document: Document, curator: User, name: str, annotator: str
) -> tuple[Question, Any]:
    """Make annotator ``annotator``'s answer to question ``name`` the gold one. Commits."""
    question = question_for(session, document, name)
    value = session.exec(
        select(Answer.value)
        .join(User, User.id == Answer.annotator_id)
        .where(
            Answer.document_id == document.id,
            Answer.question_id == question.id,
            User.username == annotator,
        )
    ).first()
    if value is None:
        raise Refused(
            404, f"annotator: {annotator!r} has not answered {name} on this document", "annotator"
        )
    return set_gold_answer(session, document, curator, name, value)


def clear_gold_answer(session: Session, document: Document, curator: User, name: str) -> bool:
    """Remove the gold answer to question ``name``; True if there was one. Commits."""
    question = question_for(session, document, name)
    existing = session.get(GoldAnswer, {"document_id": document.id, "question_id": question.id})
    if existing is not None:
        session.delete(existing)
        state.record_work(session, document, curator)
    session.commit()
    return existing is not None
