"""Long work runs as background jobs: an import answers at once with a job, its progress
reaches total/total, a cancel leaves nothing, a bulk accept is all or nothing, and only the
project's managers see a job. The runner is driven in-process, job by job (no clock involved).
"""

from __future__ import annotations

import io
import re

import orjson
import pytest
from sqlalchemy import func
from sqlmodel import select

from annotator import create_app, db
from annotator.jobs import queue
from annotator.models import Document, GoldSpan, Job

DOCUMENTS = 5_000


@pytest.fixture
def app(database_url, tmp_path):
    """The app with a real (in-memory) queue: jobs wait until the test runs them."""
    from tests.conftest import _empty_all_tables

    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "LOG_REQUESTS": False,
            "JOBS_URL": "memory://",
            "JOBS_IMMEDIATE": False,
            "IMPORT_IN_REQUEST_KB": 0,  # every import a job, unless a test says otherwise
        }
    )
    application.instance_path = str(tmp_path / "instance")
    _empty_all_tables(application)
    yield application
    application.extensions["annotator.engine"].dispose()


@pytest.fixture
def news(world):
    world.user("mia")
    world.user("ana")
    world.project("news", manager="mia", annotators=["ana"])


def run_queued(app) -> int:
    """Run every queued job as the runner would; returns how many ran."""
    huey = queue.huey_of(app)
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def document_count(app) -> int:
    with app.app_context():
        return db.session().exec(select(func.count()).select_from(Document)).one()


def job_of(app, job_id) -> Job:
    with app.app_context():
        return db.session().get(Job, job_id)


def upload_many(client, count: int = DOCUMENTS):
    data = b"\n".join(
        orjson.dumps({"id": f"d{i}", "text": f"Text number {i}."}) for i in range(count)
    )
    return client.post(
        "/p/news/import",
        data={"files": [(io.BytesIO(data), "many.jsonl")]},
        content_type="multipart/form-data",
    )


def job_id_from(response) -> str:
    return re.search(r"/jobs/([0-9a-f]+)$", response.headers["Location"]).group(1)


def test_large_import_answers_at_once_with_a_job_that_completes_total_of_total(app, news, world):
    mia = world.client("mia")
    response = upload_many(mia)

    assert response.status_code == 303
    job_id = job_id_from(response)
    assert document_count(app) == 0  # nothing done inside the request
    waiting = mia.get(f"/p/news/jobs/{job_id}/progress").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in waiting and "queued" in waiting

    assert run_queued(app) == 1
    job = job_of(app, job_id)
    assert (job.status, job.done, job.total) == ("done", DOCUMENTS, DOCUMENTS)
    assert document_count(app) == DOCUMENTS
    done = mia.get(f"/p/news/jobs/{job_id}/progress").get_data(as_text=True)
    assert f"{DOCUMENTS:,} of {DOCUMENTS:,} documents" in done and "every 1s" not in done
    assert 'href="/p/news">See the documents' in done
    assert f"Imported {DOCUMENTS} documents" in mia.get("/p/news").get_data(as_text=True)


def test_cancelled_import_stores_no_document(app, news, world):
    mia = world.client("mia")
    job_id = job_id_from(upload_many(mia))

    assert mia.post(f"/p/news/jobs/{job_id}/cancel").status_code == 303
    run_queued(app)

    assert job_of(app, job_id).status == "cancelled"
    assert document_count(app) == 0


def test_import_cancelled_after_its_first_batch_rolls_back_what_it_wrote(
    app, news, world, monkeypatch
):
    from annotator.jobs import work

    mia = world.client("mia")
    job_id = job_id_from(upload_many(mia))
    calls = []
    real = work.Checkpoint.__call__

    def cancel_after_first_batch(self, done, total=None):
        calls.append(done)
        if done >= 500:
            queue.request_cancel(queue.huey_of(app), self.job_id)
        return real(self, done, total)

    monkeypatch.setattr(work.Checkpoint, "__call__", cancel_after_first_batch)
    run_queued(app)

    assert calls[0] == 500  # a batch was written before the cancel was seen
    assert job_of(app, job_id).status == "cancelled"
    assert document_count(app) == 0


def test_job_progress_is_shown_only_to_the_projects_managers(app, news, world):
    world.user("stranger")
    job_id = job_id_from(upload_many(world.client("mia"), 10))

    assert world.client("ana").get(f"/p/news/jobs/{job_id}/progress").status_code == 403
    assert world.client("stranger").get(f"/p/news/jobs/{job_id}/progress").status_code == 404
    assert world.client("ana").post(f"/p/news/jobs/{job_id}/cancel").status_code == 403
    assert world.client().get(f"/p/news/jobs/{job_id}/progress").status_code in (302, 401)
    assert world.client("mia").get(f"/p/news/jobs/{job_id}/progress").status_code == 200


# --- bulk accept ---------------------------------------------------------------------------------

SPANS = 600  # more than a request does itself (compare.IN_REQUEST)


@pytest.fixture
def agreed_document(app, world):
    """One document where ana and ben marked the same SPANS claims."""
    world.user("mia")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="mia", annotators=["ana", "ben"], overlap=2)
    text = "word " * SPANS
    spans = [{"label": "claim", "start": 5 * i, "end": 5 * i + 4} for i in range(SPANS)]
    world.import_jsonl(
        "news",
        [
            {
                "id": "long",
                "text": text,
                "annotations": [{"annotator": name} | span for span in spans for name in ("ana",)]
                + [{"annotator": "ben"} | span for span in spans],
            }
        ],
    )
    with app.app_context():
        return db.session().exec(select(Document.id)).one()


def gold_count(app) -> int:
    with app.app_context():
        return db.session().exec(select(func.count()).select_from(GoldSpan)).one()


def test_accept_agreed_on_many_spans_runs_as_a_job_and_stores_them_all(app, world, agreed_document):
    mia = world.client("mia")
    response = mia.post(f"/p/news/compare/{agreed_document}/accept-agreed", data={"at_least": "2"})

    assert response.status_code == 303
    job_id = job_id_from(response)
    run_queued(app)
    job = job_of(app, job_id)
    assert (job.status, job.done, job.total) == ("done", SPANS, SPANS)
    assert gold_count(app) == SPANS


def test_accept_agreed_failing_midway_stores_nothing(app, world, agreed_document, monkeypatch):
    from annotator.adjudication import gold

    real = gold.save_gold
    saved = []

    def failing_save(*args, **kwargs):
        saved.append(1)
        if len(saved) == SPANS // 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(gold, "save_gold", failing_save)
    job_id = job_id_from(
        world.client("mia").post(
            f"/p/news/compare/{agreed_document}/accept-agreed", data={"at_least": "2"}
        )
    )
    run_queued(app)

    assert len(saved) == SPANS // 2
    job = job_of(app, job_id)
    assert job.status == "failed" and "nothing was stored" in job.message
    assert gold_count(app) == 0


def test_accept_agreed_in_the_request_is_all_or_nothing(app, world, monkeypatch):
    from annotator.adjudication import gold
    from annotator.views import compare

    world.user("mia")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="mia", annotators=["ana", "ben"], overlap=2)
    spans = [{"label": "claim", "start": 5 * i, "end": 5 * i + 4} for i in range(20)]
    world.import_jsonl(
        "news",
        [
            {
                "id": "short",
                "text": "word " * 20,
                "annotations": [{"annotator": n} | s for s in spans for n in ("ana", "ben")],
            }
        ],
    )
    assert len(spans) <= compare.IN_REQUEST
    real, saved = gold.save_gold, []

    def failing_save(*args, **kwargs):
        saved.append(1)
        if len(saved) == 10:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(gold, "save_gold", failing_save)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = world.client("mia").post("/p/news/compare/1/accept-agreed", data={"at_least": "2"})

    assert answer.status_code == 500
    assert gold_count(app) == 0


# --- export --------------------------------------------------------------------------------------


@pytest.fixture
def exported(app, news, world):
    """Seven documents, the first three with ana's spans (one with a non-BMP character)."""
    world.import_jsonl(
        "news",
        [
            {
                "id": f"e{i}",
                "text": f"Zakharova 👩‍👩‍👧 said {i}.",
                "annotations": [{"annotator": "ana", "label": "claim", "start": 0, "end": 9}]
                if i < 3
                else [],
            }
            for i in range(7)
        ],
    )


def exports_folder(app):
    from pathlib import Path

    folder = Path(app.instance_path) / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "options",
    [
        {"format": "native"},
        {"format": "doccano", "offsets": "utf16", "labels": ["claim"]},
        {"format": "w3c", "annotators": ["ana"]},
        {"format": "native", "min_done": "0", "gold_only": ""},
    ],
)
def test_export_job_writes_the_same_bytes_as_the_streamed_download(app, world, exported, options):
    mia = world.client("mia")
    streamed = mia.get("/p/news/export/download", query_string=options)
    assert streamed.status_code == 200

    response = mia.post("/p/news/export/prepare", data=options)
    assert response.status_code == 303
    job_id = job_id_from(response)
    assert run_queued(app) == 1
    job = job_of(app, job_id)
    assert job.status == "done", job.message

    page = mia.get(f"/p/news/jobs/{job_id}").get_data(as_text=True)
    assert "7 of 7 documents" in page and f"/p/news/jobs/{job_id}/download" in page
    downloaded = mia.get(f"/p/news/jobs/{job_id}/download")
    assert downloaded.status_code == 200
    assert downloaded.get_data() == streamed.get_data()
    assert "attachment" in downloaded.headers["Content-Disposition"]


def test_export_job_counts_only_the_documents_its_filters_keep(app, world, exported):
    mia = world.client("mia")
    streamed = mia.get("/p/news/export/download", query_string={"min_done": "1"}).get_data()
    job_id = job_id_from(mia.post("/p/news/export/prepare", data={"min_done": "1"}))
    assert job_of(app, job_id).total == 3  # said while queued: ana's three annotated documents
    run_queued(app)

    job = job_of(app, job_id)
    assert (job.status, job.done, job.total) == ("done", 3, 3)
    assert len(streamed.splitlines()) == 3


def test_export_job_with_a_card_offers_the_card_beside_the_file(app, world, exported):
    mia = world.client("mia")
    job_id = job_id_from(mia.post("/p/news/export/prepare", data={"card": "1"}))
    run_queued(app)

    assert f"/p/news/jobs/{job_id}/card.md" in mia.get(f"/p/news/jobs/{job_id}").get_data(True)
    card = mia.get(f"/p/news/jobs/{job_id}/card.md")
    assert card.status_code == 200 and "7" in card.get_data(as_text=True)
    assert world.client("ana").get(f"/p/news/jobs/{job_id}/card.md").status_code == 403


def test_export_job_refuses_unknown_label_and_queues_nothing(app, world, exported):
    answer = world.client("mia").post("/p/news/export/prepare", data={"labels": "nonsense"})

    assert answer.status_code == 400 and "unknown label" in answer.get_data(as_text=True)
    assert run_queued(app) == 0


def test_cancelled_export_job_leaves_no_file(app, world, exported, monkeypatch):
    from annotator.jobs import work

    mia = world.client("mia")
    job_id = job_id_from(mia.post("/p/news/export/prepare", data={"format": "native"}))
    written = []
    real = work.Checkpoint.__call__

    def cancel_after_two_documents(self, done, total=None):
        written.append(done)
        if done == 2:
            queue.request_cancel(queue.huey_of(app), self.job_id)
        return real(self, done, total)

    monkeypatch.setattr(work.Checkpoint, "__call__", cancel_after_two_documents)
    run_queued(app)

    assert 2 in written and max(written) < 7  # it stopped midway
    assert job_of(app, job_id).status == "cancelled"
    assert exports_folder(app) == []
    assert mia.get(f"/p/news/jobs/{job_id}/download").status_code == 404


def test_export_job_failing_midway_leaves_no_file(app, world, exported, monkeypatch):
    from annotator.data_export import records

    real = records.ExportStats.add

    def failing_add(self, record):
        if self.documents == 3:
            raise OSError("disk full")
        return real(self, record)

    monkeypatch.setattr(records.ExportStats, "add", failing_add)
    job_id = job_id_from(world.client("mia").post("/p/news/export/prepare", data={}))
    run_queued(app)

    assert job_of(app, job_id).status == "failed"
    assert exports_folder(app) == []


def test_export_download_is_refused_to_anyone_but_the_projects_managers(app, world, exported):
    world.user("olga")
    world.project("other", manager="olga")
    job_id = job_id_from(world.client("mia").post("/p/news/export/prepare", data={}))
    run_queued(app)
    download = f"/p/news/jobs/{job_id}/download"

    assert world.client("mia").get(download).status_code == 200
    assert world.client("ana").get(download).status_code == 403  # an annotator of the project
    assert world.client("olga").get(download).status_code == 404  # another project's manager
    assert world.client("olga").get(f"/p/other/jobs/{job_id}/download").status_code == 404
    assert world.client().get(download).status_code in (302, 401)
    assert world.client("ana").post("/p/news/export/prepare", data={}).status_code == 403
    assert run_queued(app) == 0


def test_interrupted_export_job_is_marked_failed_and_its_files_removed(app, world, exported):
    from annotator.jobs import work

    job_id = job_id_from(world.client("mia").post("/p/news/export/prepare", data={}))
    with app.test_request_context():
        job = db.session().get(Job, job_id)
        job.status = "running"  # as a runner killed mid-export leaves it
        db.session().commit()
        part = work.export_path(job_id).with_suffix(".part")
        part.parent.mkdir(parents=True)
        part.write_bytes(b'{"half": ')
        assert work.interrupted(db.session()) == 1
    job = job_of(app, job_id)
    assert job.status == "failed" and "Interrupted" in job.message
    assert exports_folder(app) == []


def test_an_idle_job_runner_looks_at_the_queue_at_least_twice_a_second():
    """Huey's default lets an idle runner sleep up to 10 s between looks: an import queued from a
    page waited that long before it began."""
    from huey import MemoryHuey

    runner = queue.consumer(MemoryHuey("idle"), workers=2)
    assert runner.default_delay <= 0.1
    assert runner.max_delay <= 0.5


def api_import(client, lines: list[bytes]):
    return client.post(
        "/api/projects/news/documents",
        data={"files": [(io.BytesIO(b"\n".join(lines)), "small.jsonl")]},
        content_type="multipart/form-data",
    )


def test_a_small_import_runs_in_its_request_and_answers_with_the_finished_job(app, news, world):
    app.config["IMPORT_IN_REQUEST_KB"] = 64
    lines = [orjson.dumps({"id": f"d{i}", "text": f"Text number {i}."}) for i in range(200)]
    response = api_import(world.client("mia"), lines)

    assert response.status_code == 202
    assert response.get_json()["status"] == "done"
    assert run_queued(app) == 0  # nothing was left for the runner
    assert document_count(app) == 200
    job = world.client("mia").get(response.get_json()["url"]).get_json()
    assert job["finished"] and (job["done"], job["total"]) == (200, 200)


def test_a_small_import_refused_in_its_request_stores_nothing_and_names_the_line(app, news, world):
    app.config["IMPORT_IN_REQUEST_KB"] = 64
    lines = [orjson.dumps({"id": "d1", "text": "Fine."}), b'{"id": "d2"}']
    response = api_import(world.client("mia"), lines)

    assert response.status_code == 202 and response.get_json()["status"] == "failed"
    job = world.client("mia").get(response.get_json()["url"]).get_json()
    assert "line 2" in str(job) and "text" in str(job)
    assert document_count(app) == 0


def test_an_import_over_the_in_request_size_is_a_job_for_the_runner(app, news, world):
    app.config["IMPORT_IN_REQUEST_KB"] = 1
    lines = [orjson.dumps({"id": f"d{i}", "text": f"Text number {i}."}) for i in range(200)]
    response = api_import(world.client("mia"), lines)  # about 6 KB

    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    assert document_count(app) == 0
    assert run_queued(app) == 1
    assert document_count(app) == 200
