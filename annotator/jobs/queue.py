"""The Huey queue of an app, and the live state of running jobs kept beside it.

Live progress and cancel requests live in Huey's key-value storage, not in the ``job`` table:
on SQLite a running job holds the database's write lock in its one transaction until it ends,
so neither the job nor the page that cancels it could write a row meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

if TYPE_CHECKING:
    from huey.consumer import Consumer

EXTENSION = "annotator.huey"
#: Seconds between the runner's looks at the queue: short after a job, longer while idle, but
#: at most half a second. A SQLite queue cannot wake the runner, and with Huey's default (up to
#: 10 s once idle) an import queued from a page waited seconds before it began; a look is one
#: small read of the queue's file.
POLL_FIRST, POLL_BACKOFF, POLL_MOST = 0.05, 1.15, 0.5


def huey_of(app: Flask) -> Huey:
    """The app's queue, made on first use (an app that never queues makes no file)."""
    app = getattr(app, "_get_current_object", lambda: app)()  # the app, not current_app
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = _make(app)
    return app.extensions[EXTENSION]


def _make(app: Flask) -> Huey:
    url = str(app.config.get("JOBS_URL") or "")
    if url.startswith(("redis://", "rediss://")):
        huey: Huey = RedisHuey("annotator", url=url)
    elif url.startswith("memory://"):
        huey = MemoryHuey("annotator")
    else:
        path = Path(url.removeprefix("sqlite:///")) if url else Path(app.instance_path, "jobs.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("annotator", filename=str(path))

    @huey.task(name="annotator.run_job")
    def run_job(job_id: str) -> None:
        from annotator.jobs.work import run

        with app.app_context():
            run(job_id)

    app.extensions["annotator.run_job"] = run_job
    # Tests run a job as it is queued (Huey's immediate mode, in memory), unless they say not.
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE", app.testing))
    return huey


def consumer(huey: Huey, workers: int) -> Consumer:
    """The job runner: ``workers`` threads taking jobs from ``huey``."""
    return huey.create_consumer(
        workers=workers,
        worker_type="thread",
        initial_delay=POLL_FIRST,
        backoff=POLL_BACKOFF,
        max_delay=POLL_MOST,
    )


def enqueue(app: Flask, job_id: str) -> None:
    """Hand the job to the runner (in immediate mode, tests: run it now)."""
    huey_of(app)
    app.extensions["annotator.run_job"](job_id)


def set_progress(huey: Huey, job_id: str, done: int, total: int) -> None:
    huey.put(f"progress:{job_id}", (done, total))


def progress(huey: Huey, job_id: str) -> tuple[int, int] | None:
    return huey.get(f"progress:{job_id}", peek=True)


def request_cancel(huey: Huey, job_id: str) -> None:
    huey.put(f"cancel:{job_id}", True)


def cancel_requested(huey: Huey, job_id: str) -> bool:
    return bool(huey.get(f"cancel:{job_id}", peek=True))


def forget(huey: Huey, job_id: str) -> None:
    """Drop a finished job's live state; the ``job`` row has the final figures."""
    huey.delete(f"progress:{job_id}")
    huey.delete(f"cancel:{job_id}")
