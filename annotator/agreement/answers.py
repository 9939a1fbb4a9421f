"""Loading the answers agreement compares: per question, document -> annotator -> value.

As for spans, only finished work counts: an answer is compared when its annotator marked the
document done (imported answers count as finished, as imported annotations do).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from annotator.agreement.questions import QuestionAgreement, question_agreement
from annotator.annotation.answers import questions_of
from annotator.models import Answer, Assignment, User


def question_answers(
    db: Session, project_id: int, annotators: tuple[str, ...] | None = None
) -> dict[int, dict[int, dict[str, Any]]]:
    """question id -> document id -> annotator name -> value, for finished documents."""
    query = (
        select(Answer.question_id, Answer.document_id, User.username, Answer.value)
        .join(User, User.id == Answer.annotator_id)
        .join(
            Assignment,
            and_(
                Assignment.document_id == Answer.document_id,
                Assignment.user_id == Answer.annotator_id,
            ),
        )
        .where(Answer.project_id == project_id, Assignment.status == "done")
    )
    if annotators is not None:
        query = query.where(User.username.in_(annotators))
    grouped: dict[int, dict[int, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for question_id, document_id, name, value in db.execute(query):
        grouped[question_id][document_id][name] = value
    return grouped


def questions_agreement(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    bootstrap: int = 0,
    seed: int = 0,
) -> dict[str, QuestionAgreement]:
    """Agreement per question of the project (name -> figures), in the questions' order, with
    bootstrap intervals of alpha over ``bootstrap`` draws of documents."""
    answers = question_answers(db, project_id, annotators)
    return {
        question.name: question_agreement(
            question.kind,
            answers.get(question.id, {}),
            choices=question.choices,
            minimum=question.minimum,
            maximum=question.maximum,
            bootstrap=bootstrap,
            seed=seed,
        )
        for question in questions_of(db, project_id)
    }
