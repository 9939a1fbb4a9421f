"""A background job's page, its progress fragment (polled by htmx), cancel and the export file.

Only the project's managers see a project's jobs; anyone else gets 404 or 403 as for the other
manager pages.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required

from annotator import db
from annotator.auth import project_for
from annotator.data_export import records
from annotator.jobs import queue, work
from annotator.models import Job

bp = Blueprint("jobs", __name__)


def job_redirect(slug: str, job_id: str):
    """Send the browser to the job's page (htmx follows ``HX-Redirect``, a form the 303)."""
    url = url_for("jobs.page", slug=slug, job_id=job_id)
    if request.headers.get("HX-Request"):
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def _job(slug: str, job_id: str):
    project, role = project_for(slug, manager=True)
    job = db.session().get(Job, job_id)
    if job is None or job.project_id != project.id:
        abort(404)
    return project, role, job


def _view(job: Job) -> dict:
    """The job as the page shows it: live progress while it runs, the row's figures after."""
    done, total = job.done, job.total
    if job.status in ("queued", "running"):
        live = queue.progress(queue.huey_of(current_app), job.id)
        if live is not None:
            done, total = live
    return {
        "job": job,
        "done": done,
        "total": total,
        "finished": job.status not in ("queued", "running"),
    }


@bp.get("/p/<slug>/jobs/<job_id>")
@login_required
def page(slug: str, job_id: str):
    project, role, job = _job(slug, job_id)
    return render_template("jobs/page.html", project=project, role=role, **_view(job))


@bp.get("/p/<slug>/jobs/<job_id>/progress")
@login_required
def progress(slug: str, job_id: str):
    project, _role, job = _job(slug, job_id)
    return render_template("jobs/_progress.html", project=project, **_view(job))


@bp.post("/p/<slug>/jobs/<job_id>/cancel")
@login_required
def cancel(slug: str, job_id: str):
    """Ask the job to stop: it checks between batches, then rolls back what it did."""
    project, _role, job = _job(slug, job_id)
    if job.status in ("queued", "running"):
        queue.request_cancel(queue.huey_of(current_app), job.id)
    if request.headers.get("HX-Request"):
        return render_template(
            "jobs/_progress.html", project=project, cancelling=True, **_view(job)
        )
    return redirect(url_for("jobs.page", slug=slug, job_id=job_id), 303)


@bp.get("/p/<slug>/jobs/<job_id>/download")
@login_required
def download(slug: str, job_id: str):
    """The file an export job wrote, to the project's managers (who may export)."""
    job = _finished_export(slug, job_id)
    path = work.export_path(job.id)
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype=records.mimetype(job.params.get("format", "native")),
        as_attachment=True,
        download_name=job.result.get("name", path.name),
    )


@bp.get("/p/<slug>/jobs/<job_id>/card.md")
@login_required
def card(slug: str, job_id: str):
    """The dataset card an export job wrote beside its file, when it was asked for one."""
    job = _finished_export(slug, job_id)
    path = work.card_path(job.id)
    if not job.result.get("card") or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype="text/markdown",
        as_attachment=True,
        download_name=f"{job.result.get('name', 'export.jsonl')}.card.md",
    )


def _finished_export(slug: str, job_id: str) -> Job:
    """An export job of this project that is done, for its managers; 404 for anything else."""
    _project, _role, job = _job(slug, job_id)
    if job.kind != "export" or job.status != "done":
        abort(404)
    return job
