"""The curation view (managers): the document once per annotator, in lanes aligned line by line
next to the gold rendering; a click on a span in any lane accepts it into gold; each region can
take its majority or be rejected (recorded, so it reads as decided); a comment goes to one
annotator, who sees it on their document.

Beside the lanes, each document question with every annotator's answer: a click on one makes it
the gold answer, or the curator enters one; either can be cleared.

The rules of gold live in ``annotator.adjudication`` (gold, gold_answers, state, curation); this
module parses
forms, calls them and renders. Every answer is the page, or its ``#curation`` fragment for htmx.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required
from sqlmodel import delete, select

from annotator import db
from annotator.access import document_for_curating
from annotator.adjudication import gold, gold_answers, state
from annotator.adjudication.curation import lanes, majority
from annotator.annotation.answers import question_for
from annotator.annotation.highlight import Highlight
from annotator.annotation.value_types import from_form
from annotator.auth import me
from annotator.errors import InvalidAnswer, Problem, Refused
from annotator.models import Assignment, CuratorComment, Rejection, Span, User
from annotator.views.compare import comparison

bp = Blueprint("curation", __name__)
COMMENT_LIMIT = 2000
"""Characters a comment to an annotator may hold."""


def curation(session, project, document, focus: tuple[int, int] | None = None) -> dict:
    """What the curation view shows of ``document`` (access already checked); ``focus`` is a
    span's ``[start, end)`` to scroll to and highlight (its region and lines)."""
    context = comparison(session, project, "manager", document)
    label_ids = {label.name: label.id for label in context["labels"]}
    layers: dict[str, list[Highlight]] = {name: [] for name in context["annotators"]}
    for region in context["regions"]:
        for name, marks in region.marks.items():
            layers[name] += [
                Highlight(m.id, label_ids[m.label], m.label, m.start, m.end, "", m.attributes)
                for m in marks
            ]
    layers["gold"] = list(context["gold"])
    rejected = {
        (start, end): name
        for start, end, name in session.exec(
            select(Rejection.start, Rejection.end, User.username)
            .join(User, User.id == Rejection.curator_id, isouter=True)
            .where(Rejection.document_id == document.id)
        )
    }
    finished = set(context["finished"])
    decisions = []
    for region in context["regions"]:
        in_gold = [g for g in context["gold"] if g.start < region.end and g.end > region.start]
        decisions.append(
            {
                "region": region,
                "majority": majority(region, finished),
                "in_gold": in_gold,
                "rejected_by": rejected.get((region.start, region.end)),
                "rejected": (region.start, region.end) in rejected,
            }
        )
    focused = None
    if focus is not None:
        focused = next(
            (r for r in context["regions"] if r.start <= focus[0] and focus[1] <= r.end), None
        )
    return context | {
        "focus": None if focused is None else (focused.start, focused.end),
        "lines": lanes(document.text, layers),
        "lane_names": [*context["annotators"], "gold"],
        "decisions": decisions,
        "comments": state.comments_on(session, document.id),
        "questions": gold_answers.to_curate(session, document, context["annotators"]),
    }


def _answer(slug: str, document_id: int, project, document, **extra):
    if request.headers.get("HX-Request"):
        context = curation(db.session(), project, document)
        return render_template("curation/_curation.html", **context, **extra)
    return redirect(url_for("curation.page", slug=slug, document_id=document_id))


def _range(document) -> tuple[int, int]:
    """``start`` and ``end`` of the form: whole numbers, 0 <= start < end <= the text's length."""
    try:
        start, end = int(request.form.get("start", "")), int(request.form.get("end", ""))
    except ValueError:
        raise Refused(422, "start and end: give whole numbers (code points)", "start") from None
    if not 0 <= start < end <= document.length:
        raise Refused(
            422, f"start and end must satisfy 0 <= start < end <= {document.length}", "end"
        )
    return start, end


@bp.get("/p/<slug>/curate/<int:document_id>")
@login_required
def page(slug: str, document_id: int):
    project, document = document_for_curating(slug, document_id)
    context = curation(db.session(), project, document, _focus(request.args.get("at", "")))
    return render_template("curation/page.html", **context)


def _focus(given: str) -> tuple[int, int] | None:
    """``?at=START:END`` (a span shown on the agreement page), or None when absent or not two
    whole numbers: a link that no longer fits still opens the page."""
    start, _colon, end = given.partition(":")
    if start.isdigit() and end.isdigit() and int(start) < int(end):
        return int(start), int(end)
    return None


@bp.post("/p/<slug>/curate/<int:document_id>/accept")
@login_required
def accept(slug: str, document_id: int):
    """Accept one annotator's span (clicked in their lane) into gold."""
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    span = session.get(Span, request.form.get("span_id", ""))
    if span is None or span.document_id != document.id:
        raise Refused(404, "no such span on this document", "span_id")
    gold.accept_span(session, document, me(), span, overwrite=True)
    return _answer(slug, document_id, project, document)


@bp.post("/p/<slug>/curate/<int:document_id>/accept-majority")
@login_required
def accept_majority(slug: str, document_id: int):
    """Accept the spans of a region (``start``, ``end``) that a majority of the annotators
    who finished the document marked alike."""
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    start, end = _range(document)
    context = comparison(session, project, "manager", document)
    region = next((r for r in context["regions"] if (r.start, r.end) == (start, end)), None)
    if region is None:
        raise Refused(404, f"no region [{start}, {end}) on this document", "start")
    chosen = majority(region, set(context["finished"]))
    if not chosen:
        raise Refused(409, "no span here is marked alike by a majority of the finished annotators")
    label_ids = {label.name: label.id for label in context["labels"]}
    agreed = [((label_ids[label], s, e), marks) for (label, s, e), marks in chosen]
    try:
        gold.accept_agreed(session, document, me(), agreed, [])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _answer(slug, document_id, project, document)


@bp.post("/p/<slug>/curate/<int:document_id>/reject")
@login_required
def reject(slug: str, document_id: int):
    """Record that a region (``start``, ``end``) gets no gold span (``action=undo`` forgets
    the decision). Gold spans already there stay: reject decides, it does not delete."""
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    start, end = _range(document)
    session.execute(
        delete(Rejection).where(
            Rejection.document_id == document.id, Rejection.start == start, Rejection.end == end
        )
    )
    if request.form.get("action") != "undo":
        session.add(
            Rejection(
                document_id=document.id,
                start=start,
                end=end,
                project_id=project.id,
                curator_id=me().id,
            )
        )
    state.record_work(session, document, me())
    session.commit()
    return _answer(slug, document_id, project, document)


@bp.post("/p/<slug>/curate/<int:document_id>/comment")
@login_required
def comment(slug: str, document_id: int):
    """Leave a comment to one annotator of the document (``annotator``, ``text``; ``start`` and
    ``end`` optional: the stretch it is about)."""
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    name = request.form.get("annotator", "")
    annotator = session.exec(
        select(User)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.document_id == document.id, User.username == name)
    ).first()
    if annotator is None:
        raise Refused(422, f"annotator: {name!r} has not worked on this document", "annotator")
    text = request.form.get("text", "").strip()
    if not text or len(text) > COMMENT_LIMIT:
        raise Refused(422, f"text: write 1 to {COMMENT_LIMIT} characters", "text")
    start = end = None
    if request.form.get("region"):  # "start:end" of a region the comment is about
        given = request.form["region"].partition(":")
        try:
            start, end = int(given[0]), int(given[2])
        except ValueError:
            raise Refused(422, "region: start:end in code points", "region") from None
        if not 0 <= start < end <= document.length:
            raise Refused(422, "region: outside the text", "region")
    session.add(
        CuratorComment(
            project_id=project.id,
            document_id=document.id,
            annotator_id=annotator.id,
            curator_id=me().id,
            start=start,
            end=end,
            text=text,
        )
    )
    session.commit()
    return _answer(slug, document_id, project, document)


@bp.post("/p/<slug>/curate/<int:document_id>/gold-answer")
@login_required
def gold_answer(slug: str, document_id: int):
    """Set the gold answer to ``question``: ``action=take`` copies ``annotator``'s answer,
    ``action=set`` takes the entered ``value`` (several for a multiple choice), ``action=clear``
    removes it. A value that does not fit the question is refused (422) naming ``value``; the
    htmx answer is then the fragment with the reason beside the question."""
    project, document = document_for_curating(slug, document_id)
    session = db.session()
    name, action = request.form.get("question", ""), request.form.get("action", "set")
    if action == "take":
        gold_answers.take_answer(session, document, me(), name, request.form.get("annotator", ""))
    elif action == "clear":
        gold_answers.clear_gold_answer(session, document, me(), name)
    elif action == "set":
        question = question_for(session, document, name)
        try:
            value = from_form(request.form.getlist("value"), question)
            gold_answers.set_gold_answer(session, document, me(), name, value)
        except (Problem, InvalidAnswer) as problem:
            session.rollback()
            if not request.headers.get("HX-Request"):
                raise Refused(422, str(problem), "value") from None
            # htmx swaps no 4xx answer: the reason goes beside the question instead.
            fragment = _answer(slug, document_id, project, document, refused=(name, str(problem)))
            return fragment, 200
    else:
        raise Refused(422, "action: take, set or clear", "action")
    return _answer(slug, document_id, project, document)
