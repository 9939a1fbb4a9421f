"""What the job runner does with a job: one transaction per job, progress, cancel, outcome.

Every kind of job writes its work and its "done" row in one transaction, so a job cancelled,
failed or killed (SIGKILL) leaves nothing half done: the whole import or none of it, every
agreed span in gold or gold as before.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlmodel import Session, select
from werkzeug.datastructures import FileStorage

from annotator import db
from annotator.data_export import records
from annotator.data_export.records import ExportOptions, ExportStats, ProjectRef
from annotator.errors import AnnotatorError, ImportRejected
from annotator.jobs import queue
from annotator.models import Document, Job, Project, User, utcnow

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised between batches when the job's cancel was requested: the work rolls back."""


def new_job(
    session: Session, project: Project, user: User, kind: str, params: dict, total: int = 0
) -> Job:
    """Record a queued job (not committed: the caller commits, then enqueues)."""
    job = Job(
        id=uuid.uuid4().hex,
        project_id=project.id,
        user_id=user.id,
        kind=kind,
        params=params,
        total=total,
    )
    session.add(job)
    return job


def jobs_of(session: Session, project_id: int, limit: int = 10) -> list[Job]:
    """The project's latest jobs, newest first (listed on the project page)."""
    return list(
        session.exec(
            select(Job)
            .where(Job.project_id == project_id)
            .order_by(Job.created_at.desc())
            .limit(limit)
        )
    )


def queue_import(
    session: Session,
    project: Project,
    user: User,
    uploads: list[FileStorage],
    *,
    format: str | None,
    annotator: str | None,
) -> Job:
    """Record an import job and keep its uploaded files in its upload folder (committed; the
    caller enqueues it). Used by the import page and the JSON API."""
    from annotator.data_import.loader import count_documents

    params: dict[str, Any] = {"files": [], "format": format, "annotator": annotator}
    job = new_job(session, project, user, "import", params)
    folder = upload_folder(job.id)
    folder.mkdir(parents=True)
    for index, upload in enumerate(uploads):
        # Stored under a plain name of our own; the user's name is kept for the messages.
        stored = f"{index:04d}{os.path.splitext(upload.filename or '')[1].lower()}"
        upload.save(folder / stored)
        params["files"].append([stored, upload.filename])
    job.total = count_documents(str(folder / stored) for stored, _name in params["files"])
    session.commit()
    return job


def start(job: Job) -> None:
    """Run ``job`` now when it is an import of at most ``IMPORT_IN_REQUEST_KB`` (it takes well
    under a second, and the runner's first look at an idle queue alone can take half of one),
    else hand it to the job runner. Either way the job row records it: the answer, the job's page
    and its status URL are the same."""
    limit = int(current_app.config.get("IMPORT_IN_REQUEST_KB", 0)) * 1024
    if job.kind == "import" and limit and _upload_bytes(job) <= limit:
        run(job.id)
    else:
        queue.enqueue(current_app, job.id)


def _upload_bytes(job: Job) -> int:
    folder = upload_folder(job.id)
    return sum((folder / stored).stat().st_size for stored, _name in job.params["files"])


def upload_folder(job_id: str) -> Path:
    return Path(current_app.instance_path) / "uploads" / job_id


def export_path(job_id: str) -> Path:
    return Path(current_app.instance_path) / "exports" / f"{job_id}.jsonl"


class Checkpoint:
    """The progress hook a job's work calls: records progress about a hundred times in all
    and raises :class:`Cancelled` when a cancel was requested."""

    def __init__(self, job_id: str, total: int):
        self.huey = queue.huey_of(current_app)
        self.job_id, self.total = job_id, total

    def __call__(self, done: int, total: int | None = None) -> None:
        total = self.total if total is None else total
        if done % max(1, total // 100) and done != total:
            return
        queue.set_progress(self.huey, self.job_id, done, total)
        if queue.cancel_requested(self.huey, self.job_id):
            raise Cancelled


def run(job_id: str) -> None:
    """Run one queued job to its end: done, failed or cancelled (the two last store nothing)."""
    token = db.writing.set(True)  # the runner writes: SQLite's BEGIN IMMEDIATE, as for a POST
    try:
        _run(job_id)
    finally:
        db.writing.reset(token)


def _run(job_id: str) -> None:
    session = db.session()
    huey = queue.huey_of(current_app)
    job = session.get(Job, job_id)
    if job is None or job.status != "queued":
        return
    try:
        if queue.cancel_requested(huey, job_id):
            raise Cancelled
        job.status, job.updated_at = "running", utcnow()
        session.commit()
        queue.set_progress(huey, job_id, 0, job.total)
        WORK[job.kind](session, job, Checkpoint(job_id, job.total))
    except Cancelled:
        _close(session, job_id, "cancelled", "Cancelled: nothing was stored.")
    except ImportRejected as problem:
        _close(session, job_id, "failed", f"Nothing was imported. {problem}", _errors(problem))
    except AnnotatorError as problem:
        error = {"file": None, "line": None, "field": problem.field, "reason": str(problem)}
        _close(session, job_id, "failed", f"Nothing was stored. {problem}", {"errors": [error]})
    except Exception:
        log.exception("job %s failed", job_id)
        _close(session, job_id, "failed", "The job failed unexpectedly; nothing was stored.")
    finally:
        queue.forget(huey, job_id)
        shutil.rmtree(upload_folder(job_id), ignore_errors=True)


def _close(
    session: Session, job_id: str, status: str, message: str, result: dict | None = None
) -> None:
    session.rollback()
    job = session.get(Job, job_id)
    job.status, job.message, job.updated_at = status, message, utcnow()
    if result is not None:
        job.result = result
    session.commit()


def _errors(problem: ImportRejected) -> dict[str, list[dict[str, Any]]]:
    """A refused import's reason as the job's ``result``: where (file, line, field) and why, so
    a script reads them as the synchronous answer's JSON used to give them."""
    where = {"file": problem.source, "line": problem.line, "field": problem.field}
    return {"errors": [where | {"reason": problem.reason}]}


def _done(job: Job, message: str, result: dict, done: int | None = None) -> None:
    job.status, job.message, job.result = "done", message, result
    job.done = job.total if done is None else done
    job.updated_at = utcnow()


def interrupted(session: Session) -> int:
    """Mark jobs left running by a runner that stopped (killed): their transaction never
    committed, so nothing of them is stored; their uploads and export files are removed.
    Returns how many."""
    jobs = list(session.exec(select(Job).where(Job.status == "running")))
    for job in jobs:
        shutil.rmtree(upload_folder(job.id), ignore_errors=True)
        path = export_path(job.id)
        for leftover in (path.with_suffix(".part"), path, card_path(job.id)):
            leftover.unlink(missing_ok=True)
        job.status, job.updated_at = "failed", utcnow()
        job.message = "Interrupted (the job runner stopped); nothing was stored."
        session.add(job)
    session.commit()
    return len(jobs)


# --- the kinds of job ---------------------------------------------------------------------------


def _import(session: Session, job: Job, checkpoint: Callable[[int], None]) -> None:
    from annotator.data_import.loader import import_files

    folder = upload_folder(job.id)
    project = session.get(Project, job.project_id)

    def files() -> Iterator[tuple[str, object]]:
        for stored, name in job.params["files"]:
            with open(folder / stored, "rb") as handle:
                yield name, handle

    def finish(summary) -> None:
        if not summary.documents:  # only empty files: say so, rather than "imported 0"
            empty = ", ".join(summary.empty_files) or "the upload"
            raise ImportRejected(f"{empty} held no documents", None, None, "nothing to import")
        _done(job, str(summary).capitalize() + ".", dataclasses.asdict(summary))
        session.add(job)

    import_files(
        session,
        project,
        files(),
        max_chars=current_app.config["MAX_DOCUMENT_CHARS"],
        progress=checkpoint,
        before_commit=finish,
        format=job.params.get("format"),
        annotator=job.params.get("annotator"),
    )


def export_params(options: ExportOptions, card: bool) -> dict[str, Any]:
    """An export's options as the job's JSON ``params`` (the inverse of ``_export_options``)."""
    params = dataclasses.asdict(options)
    for key in ("annotators", "labels", "documents"):
        params[key] = sorted(params[key]) if params[key] is not None else None
    return params | {"card": card}


def _export_options(params: dict[str, Any]) -> tuple[ExportOptions, bool]:
    params = dict(params)
    card = bool(params.pop("card", False))
    for key in ("annotators", "labels", "documents"):
        params[key] = frozenset(params[key]) if params.get(key) is not None else None
    return ExportOptions(**params), card


def card_path(job_id: str) -> Path:
    return export_path(job_id).with_suffix(".card.md")


def _export(session: Session, job: Job, checkpoint: Checkpoint) -> None:
    """Write the export to ``exports/<id>.jsonl`` through a ``.part`` file: a cancelled, failed
    or killed export leaves no file under the final name (and a killed one's ``.part`` is
    removed by :func:`interrupted`)."""
    from annotator.agreement import inputs

    options, card = _export_options(job.params)
    project = session.get(Project, job.project_id)
    ref = ProjectRef(project.id, project.slug, project.name)
    # The runner's session took SQLite's write lock (and this process's write gate) to read the
    # project; let go of it, and read the export as a reader, as the streamed download does.
    session.commit()
    path, partial = export_path(job.id), export_path(job.id).with_suffix(".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    stats = ExportStats()
    written = 0
    reader = db.writing.set(False)
    try:
        with records.reading(db.engine()) as connection, open(partial, "wb") as handle:
            checkpoint.total = records.document_count(connection, ref.id, options)
            checkpoint(0)
            for chunk in records.export_lines(connection, ref, options, stats):
                handle.write(chunk)
                written += 1
                checkpoint(min(written, checkpoint.total))
        db.writing.reset(reader)
        reader = None
        if card:
            figures = inputs.summary(
                session, ref.id, sorted(options.labels or ()), sorted(options.annotators or ())
            )
            card_path(job.id).write_text(
                stats.card(ref, options, datetime.now(UTC), figures), encoding="utf-8"
            )
        os.replace(partial, path)
        name = records.file_name(project.slug, options.format, utcnow().date())
        job.total = written
        _done(job, f"Exported {stats.summary()}.", {"file": path.name, "name": name, "card": card})
        session.add(job)
        session.commit()
    except BaseException:
        if reader is not None:
            db.writing.reset(reader)
        for leftover in (partial, path, card_path(job.id)):
            leftover.unlink(missing_ok=True)
        raise


def _accept_agreed(session: Session, job: Job, checkpoint: Callable[[int, int], None]) -> None:
    from annotator.adjudication import gold
    from annotator.views.compare import agreed_to_accept

    document = session.get(Document, job.params["document_id"])
    project = session.get(Project, job.project_id)
    curator = session.get(User, job.user_id)
    agreed, links = agreed_to_accept(session, project, document, job.params["at_least"])
    checkpoint.total = len(agreed) + len(links)
    count = gold.accept_agreed(session, document, curator, agreed, links, progress=checkpoint)
    _done(job, f"Accepted the agreed spans and links ({count} looked at).", {}, done=count)
    job.total = count
    session.add(job)
    session.commit()


def _train(session: Session, job: Job, checkpoint: Checkpoint) -> None:
    from annotator.suggestions import training

    project = session.get(Project, job.project_id)
    row = training.learn(session, project, job.user_id, progress=checkpoint)
    if job.params.get("replace_if_not_worse"):
        training.replace_if_not_worse(session, project.id, row)
    message = f"Learned model {row.id} from {row.documents} documents in {row.seconds:.1f} s" + (
        " and switched it on." if row.enabled else "; a manager can switch it on."
    )
    _done(job, message, {"model_id": row.id, "scores": row.scores}, done=3)
    job.total = 3
    session.add(job)
    session.commit()


WORK: dict[str, Callable[[Session, Job, Checkpoint], None]] = {
    "import": _import,
    "export": _export,
    "accept_agreed": _accept_agreed,
    "train": _train,
}
