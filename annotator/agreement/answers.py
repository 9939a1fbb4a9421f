"""Loading the answers agreement compares: per question, document -> annotator -> value.

As for spans, only finished work counts: an answer is compared when its annotator marked the
document done (imported answers count as finished, as imported annotations do).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from annotator.agreement.questions import (
    AgainstGold,
    QuestionAgreement,
    against_gold,
    question_agreement,
)
from annotator.annotation.answers import questions_of
from annotator.models import Adjudication, Answer, Assignment, Document, GoldAnswer, User

Answers = dict[int, dict[int, dict[str, Any]]]
"""question id -> document id -> annotator name -> value (`question_answers`)."""


def question_answers(
    db: Session, project_id: int, annotators: tuple[str, ...] | None = None
) -> Answers:
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


class ProjectQuestionAgreement(QuestionAgreement):
    """A question's figures as loaded from a project: with the documents the annotators
    answered differently, ``{"id", "name"}`` each, for the page's click-through."""

    disagreeing: list[dict[str, Any]]


def questions_agreement(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    bootstrap: int = 0,
    seed: int = 0,
    answers: Answers | None = None,
) -> dict[str, ProjectQuestionAgreement]:
    """Agreement per question of the project (name -> figures), in the questions' order, with
    bootstrap intervals of alpha over ``bootstrap`` draws of documents, and ``disagreeing``:
    ``{"id", "name"}`` of each document whose annotators answered differently, most distinct
    answers first (none for free text, which is not compared). ``answers``: `question_answers`
    already loaded (else loaded here)."""
    if answers is None:
        answers = question_answers(db, project_id, annotators)
    figures_of: dict[str, QuestionAgreement] = {}
    disputed: dict[str, list[int]] = {}
    for question in questions_of(db, project_id):
        figures = question_agreement(
            question.kind,
            answers.get(question.id, {}),
            choices=question.choices,
            minimum=question.minimum,
            maximum=question.maximum,
            bootstrap=bootstrap,
            seed=seed,
        )
        figures_of[question.name] = figures
        disputed[question.name] = (
            disagreeing_documents(answers.get(question.id, {})) if figures["level"] else []
        )
    names = _document_names(db, {key for keys in disputed.values() for key in keys})
    return {
        name: ProjectQuestionAgreement(
            **figures,
            disagreeing=[{"id": key, "name": names[key]} for key in disputed[name]],
        )
        for name, figures in figures_of.items()
    }


def answers_vs_gold(
    db: Session,
    project_id: int,
    annotators: tuple[str, ...] | None = None,
    *,
    answers: Answers | None = None,
) -> dict[str, dict[str, AgainstGold]]:
    """Each annotator's answers against the gold answers (`questions.against_gold`), per question
    in the questions' order, on the adjudicated documents (as the span figures against gold) the
    annotator finished. Questions without such a gold answer, and free text, are left out.
    ``answers``: `question_answers` already loaded (else loaded here)."""
    if answers is None:
        answers = question_answers(db, project_id, annotators)
    gold: dict[int, dict[int, Any]] = defaultdict(dict)
    rows = db.execute(
        select(GoldAnswer.question_id, GoldAnswer.document_id, GoldAnswer.value)
        .join(Adjudication, Adjudication.document_id == GoldAnswer.document_id)
        .where(GoldAnswer.project_id == project_id, Adjudication.status == "adjudicated")
    )
    for question_id, document_id, value in rows:
        gold[question_id][document_id] = value
    out: dict[str, dict[str, AgainstGold]] = {}
    for question in questions_of(db, project_id):
        found = against_gold(question.kind, answers.get(question.id, {}), gold.get(question.id, {}))
        if found:
            out[question.name] = found
    return out


def disagreeing_documents(by_document: Mapping[int, Mapping[str, Any]]) -> list[int]:
    """Documents whose annotators gave more than one distinct answer, most distinct answers
    first, then in id order. Pure."""
    distinct = {
        document: len({json.dumps(value, sort_keys=True) for value in values.values()})
        for document, values in by_document.items()
    }
    return sorted((d for d, n in distinct.items() if n > 1), key=lambda d: (-distinct[d], d))


def _document_names(db: Session, ids: set[int]) -> dict[int, str]:
    """Document id -> its title, or its external id when it has none (as the page names it)."""
    if not ids:
        return {}
    rows = db.execute(
        select(Document.id, Document.title, Document.external_id).where(Document.id.in_(ids))
    )
    return {row.id: row.title or row.external_id for row in rows}
