"""JSON API for answers to document questions, beside the spans API and authorized like it.

``GET /api/projects/<slug>/documents/<id>/answers`` lists the caller's answers (managers may name
``?annotator=``); ``PUT …/answers/<question>`` with ``{"value": …}`` stores one (idempotent: the
same PUT again stores one answer), ``DELETE`` clears it (idempotent), ``GET …/answers/<question>``
reads one (``value`` null when unanswered). An annotator answers only on documents handed to them
and reads only their own answers (blind).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import login_required

from annotator import db
from annotator.access import document_for, document_for_writing, whose_work
from annotator.annotation.answers import (
    answers_of,
    delete_answer,
    question_named,
    questions_of,
    save_answer,
)
from annotator.auth import me
from annotator.errors import Refused

bp = Blueprint("answers_api", __name__, url_prefix="/api")
BASE = "/projects/<slug>/documents/<int:document_id>/answers"


@bp.get(BASE)
@login_required
def list_answers(slug: str, document_id: int):
    project, role, document, _item = document_for(slug, document_id)
    annotator = whose_work(role)
    return jsonify(
        document=document.external_id,
        annotator=annotator.username,
        answers=answers_of(db.session(), document.id, annotator.id),
        questions=[item.name for item in questions_of(db.session(), project.id)],
    )


@bp.get(BASE + "/<question>")
@login_required
def get_answer(slug: str, document_id: int, question: str):
    project, role, document, _item = document_for(slug, document_id)
    annotator = whose_work(role)
    if question_named(db.session(), project.id, question) is None:
        raise Refused(404, f"no question {question!r} in this project", "question")
    answers = answers_of(db.session(), document.id, annotator.id)
    return jsonify(question=question, annotator=annotator.username, value=answers.get(question))


@bp.put(BASE + "/<question>")
@login_required
def put_answer(slug: str, document_id: int, question: str):
    _project, _role, document = document_for_writing(slug, document_id)
    asked, value, created = save_answer(
        db.session(), document, me(), question, request.get_json(silent=True)
    )
    return jsonify(question=asked.name, value=value), 201 if created else 200


@bp.delete(BASE + "/<question>")
@login_required
def remove_answer(slug: str, document_id: int, question: str):
    _project, _role, document = document_for_writing(slug, document_id)
    existed = delete_answer(db.session(), document, me(), question)
    return jsonify(deleted=existed), 200
