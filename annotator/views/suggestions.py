"""Suggestions: the JSON API the workspace calls after the page is shown, and the manager's
settings page (recommenders, lexicon, the A/B share, the HTTP recommender's last problem).

``GET …/suggestions`` lists what is stored (read only); ``POST …/suggestions`` first asks the
recommenders that have not answered for this document, then lists. ``PUT …/suggestions/<id>/
accept/<new_span_id>`` saves the suggestion as the caller's span (the client's id: idempotent);
``PUT``/``DELETE …/suggestions/<id>/rejection`` rejects it for the caller, or takes that back
(undo). An annotator only ever sees suggestions and their own spans: blind annotation holds.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from annotator import activity, db, store
from annotator.access import document_for, document_for_writing
from annotator.annotation.spans import as_json as span_json
from annotator.auth import me, project_for
from annotator.errors import Invalid
from annotator.jobs import queue, work
from annotator.suggestions import influence, layer, rules, training
from annotator.suggestions.exposure import UNITS
from annotator.views.jobs import job_redirect

bp = Blueprint("suggestions", __name__)
BASE = "/api/projects/<slug>/documents/<int:document_id>/suggestions"


def _answer(document, outcome: layer.Outcome):
    return jsonify(
        state=outcome.state,
        problem=outcome.problem,
        suggestions=[
            layer.as_json(suggestion, label, document.text)
            for suggestion, label in outcome.suggestions
        ],
    )


@bp.get(BASE)
@login_required
def list_suggestions(slug: str, document_id: int):
    project, _role, document, _item = document_for(slug, document_id)
    settings = layer.settings_of(db.session(), project.id)
    return _answer(document, layer.visible(db.session(), document, me(), settings))


@bp.post(BASE)
@db.reads_only  # the recommenders are asked outside any write transaction (see below)
@login_required
def compute_suggestions(slug: str, document_id: int):
    project, _role, document, _item = document_for(slug, document_id)
    session = db.session()
    settings = layer.settings_of(session, project.id)
    learned = layer.learned_on(session, project.id)
    if not layer.enabled(settings, learned):
        return _answer(document, layer.Outcome("off"))
    shown = layer.shown_to(settings, me(), document)
    labels = store.labels_of(session, project.id)
    names = layer.to_compute(session, document, settings, learned) if shown else []
    model = training.active_model(session, project.id) if training.RECOMMENDER in names else None
    session.close()  # end the read (rows stay loaded): a slow recommender holds no database lock
    results = layer.compute(names, settings, document, [label.name for label in labels], model)
    token = db.writing.set(True)
    try:
        if results:
            layer.store(session, project, document, results, labels)
        layer.record_exposure(session, project, document, me(), shown)
    finally:
        db.writing.reset(token)
    settings = layer.settings_of(session, project.id)
    return _answer(document, layer.visible(session, document, me(), settings))


@bp.put(BASE + "/<int:suggestion_id>/accept/<new_span_id>")
@login_required
def accept(slug: str, document_id: int, suggestion_id: int, new_span_id: str):
    project, _role, document = document_for_writing(slug, document_id)
    session = db.session()
    span, created = layer.accept(session, document, me(), suggestion_id, new_span_id)
    label = next(item for item in store.labels_of(session, project.id) if item.id == span.label_id)
    return jsonify(span_json(span, label, document.text)), 201 if created else 200


@bp.put(BASE + "/<int:suggestion_id>/rejection")
@login_required
def reject(slug: str, document_id: int, suggestion_id: int):
    _project, _role, document = document_for_writing(slug, document_id)
    layer.reject(db.session(), document, me(), suggestion_id, rejected=True)
    return jsonify(rejected=True)


@bp.delete(BASE + "/<int:suggestion_id>/rejection")
@login_required
def unreject(slug: str, document_id: int, suggestion_id: int):
    _project, _role, document = document_for_writing(slug, document_id)
    layer.reject(db.session(), document, me(), suggestion_id, rejected=False)
    return jsonify(rejected=False)


@bp.get("/p/<slug>/agreement/suggestions")
@login_required
def measures(slug: str):
    """Per label: acceptance, precision and recall against gold, agreement with and without."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    return render_template(
        "suggestions/measures.html",
        project=project,
        role="manager",
        rows=influence.measures_of(session, project),
        settings=layer.settings_of(session, project.id),
    )


@bp.route("/p/<slug>/suggestions", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    project, _role = project_for(slug, manager=True)
    session = db.session()
    current = layer.settings_of(session, project.id)
    if request.method == "POST":
        try:
            detail = _apply(session, current, request.form)
            activity.record(session, project, me(), "suggestions", detail)
            session.commit()
            flash(f"Saved. {detail}.", "success")
        except Invalid as problem:
            session.rollback()
            flash(str(problem), "error")
        return redirect(url_for("suggestions.settings", slug=slug))
    return render_template(
        "suggestions/settings.html",
        project=project,
        role="manager",
        settings=current,
        lexicon=current.lexicon or rules.default_lexicon_text(),
        units=UNITS,
        models=training.models_of(session, project.id)[:MODELS_SHOWN],
        adjudicated=len(training.adjudicated_ids(session, project.id)),
        min_documents=training.MIN_DOCUMENTS,
    )


#: Models listed on the settings page, newest first.
MODELS_SHOWN = 5


@bp.post("/p/<slug>/suggestions/learn")
@login_required
def learn(slug: str):
    """Learn a model from the project's gold now, as a background job (its page shows progress,
    then the held-out figures; the model stays off until the manager switches it on)."""
    project, _role = project_for(slug, manager=True)
    session = db.session()
    job = work.new_job(session, project, me(), "train", {}, total=3)
    activity.record(session, project, me(), "suggestions", "suggestions: learning a model")
    session.commit()
    queue.enqueue(current_app, job.id)
    return job_redirect(slug, job.id)


@bp.post("/p/<slug>/suggestions/models/<int:model_id>")
@login_required
def switch_model(slug: str, model_id: int):
    """Switch a learned model on (``enabled=1``; any other goes off) or off (``enabled=0``)."""
    project, _role = project_for(slug, manager=True)
    wanted = request.form.get("enabled", "")
    if wanted not in ("0", "1"):
        raise Invalid("enabled: 1 (switch on) or 0 (switch off)")
    session = db.session()
    training.switch(session, project.id, model_id, wanted == "1")
    words = "on" if wanted == "1" else "off"
    activity.record(
        session, project, me(), "suggestions", f"learned model {model_id} switched {words}"
    )
    session.commit()
    flash(f"Learned model {model_id} switched {words}.", "success")
    return redirect(url_for("suggestions.settings", slug=slug))


def _apply(session, settings, form) -> str:
    """Apply the settings form; returns the activity log's sentence. Invalid: nothing changes."""
    share = form.get("share", type=int)
    if share is None or not 0 <= share <= 100:
        raise Invalid("share: a whole number of percent from 0 to 100")
    unit = form.get("unit", "")
    if unit not in UNITS:
        raise Invalid("unit: annotators or documents")
    timeout = form.get("http_timeout", type=float)
    if timeout is None or not 0.1 <= timeout <= 30:
        raise Invalid("timeout: seconds from 0.1 to 30")
    url = form.get("http_url", "").strip()
    http_enabled = form.get("http_enabled") == "on"
    if http_enabled and not url.lower().startswith(("http://", "https://")):
        raise Invalid("HTTP recommender: its address must start with http:// or https://")
    lexicon = form.get("lexicon", "").replace("\r\n", "\n")
    try:
        rules.parse_lexicon(lexicon)
    except rules.LexiconError as problem:
        raise Invalid(f"lexicon: {problem}") from None
    lexicon_value = None if lexicon.strip() == rules.default_lexicon_text().strip() else lexicon
    if lexicon_value != settings.lexicon:
        layer.forget(session, settings.project_id, rules.RECOMMENDER)
    if url != settings.http_url or timeout != settings.http_timeout:
        layer.forget(session, settings.project_id, "http")
        settings.http_status = ""
    settings.rules_enabled = form.get("rules_enabled") == "on"
    settings.http_enabled = http_enabled
    settings.http_url, settings.http_timeout = url, timeout
    settings.lexicon = lexicon_value
    settings.share, settings.unit = share, unit
    settings.updated_at = layer.utcnow()
    session.add(settings)
    on = [name for name in layer.enabled(settings)] or ["none"]
    return f"suggestions: recommenders {', '.join(on)}; shown to {share}% of the {unit}s"
