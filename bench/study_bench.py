"""Time the manager's study pages on a large project: the assignment matrix and a label rename.

Builds a project of 1,000 documents and 20 annotators, each document assigned to 3 of them (one
in three of those assignments done, one in three assigned by hand), and ``--spans`` spans
(default 1,000,000) of the label ``claim`` spread over the documents, written with bulk SQL into
a fresh database at the newest schema. Then, through the app as a logged-in manager:

- ``GET /p/bench/assignments`` (the matrix's first page, and its last) ``--repeat`` times;
- the settings form that renames ``claim`` (and back), each rename one request and one
  transaction, ``--renames`` times; the settings page that follows it (label usage counts) once.

Targets (issue 17): the matrix for 1,000 documents × 20 annotators renders in < 300 ms (paged
beyond that); a label rename over 1,000,000 spans takes < 10 s, in one transaction.

    .venv/bin/python bench/study_bench.py [--documents D] [--spans N] [--repeat R] [--renames R]
                                          [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from annotator import create_app, db, store, throwaway  # noqa: E402
from annotator.models import Assignment, Document, Span, utcnow  # noqa: E402

DOCUMENTS = 1_000
ANNOTATORS = 20
OVERLAP = 3
PASSWORD = "bench-password-1"
TEXT = ("The ministry said the figures would be published in spring. " * 40)[:2_000]
BATCH = 50_000


def populate(app, spans: int, documents: int = DOCUMENTS) -> None:
    with app.app_context():
        db.writing.set(True)
        session = db.session()
        lead = store.create_user(session, "lead", PASSWORD)
        project = store.create_project(session, "bench")
        project.overlap = OVERLAP
        store.set_member(session, project, lead, "manager")
        people = [store.create_user(session, f"a{n:02}", None) for n in range(ANNOTATORS)]
        for person in people:
            store.set_member(session, project, person, "annotator")
        claim = next(
            label.id for label in store.labels_of(session, project.id) if label.name == "claim"
        )
        session.commit()
        now = utcnow()
        session.execute(
            insert(Document),
            [
                {"project_id": project.id, "external_id": f"d{n:04}", "title": f"Report {n}",
                 "text": TEXT, "length": len(TEXT), "meta": {}, "position": n, "created_at": now}
                for n in range(documents)
            ],
        )  # fmt: skip
        ids = list(session.execute(select(Document.id).order_by(Document.position)).scalars())
        statuses = ("done", "in_progress", "assigned")
        holders = {
            document_id: [people[(n + k * 7) % ANNOTATORS].id for k in range(OVERLAP)]
            for n, document_id in enumerate(ids)
        }
        session.execute(
            insert(Assignment),
            [
                {"document_id": document_id, "user_id": user_id, "project_id": project.id,
                 "status": statuses[(n + k) % 3], "assigned_at": now, "updated_at": now}
                for n, (document_id, users) in enumerate(holders.items())
                for k, user_id in enumerate(users)
            ],
        )  # fmt: skip
        session.commit()
        rows = []
        per_document = -(-spans // documents)
        for n, document_id in enumerate(ids):
            for k in range(min(per_document, spans - n * per_document)):
                annotator = holders[document_id][k % OVERLAP]
                start = k // OVERLAP
                rows.append(
                    {"id": f"s{n}-{k}", "project_id": project.id, "document_id": document_id,
                     "document_length": len(TEXT), "annotator_id": annotator, "label_id": claim,
                     "start": start, "end": start + 5, "note": "", "attributes": {},
                     "created_at": now, "updated_at": now}
                )  # fmt: skip
            if len(rows) >= BATCH or n == len(ids) - 1:
                session.execute(insert(Span), rows)
                session.commit()
                rows = []
        stored = session.execute(select(func.count()).select_from(Span)).scalar_one()
        assert stored == spans, (stored, spans)
    engine = app.extensions["annotator.engine"]
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql(
            "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        )


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def measure(app, repeat: int, renames: int, documents: int) -> None:
    client = app.test_client()
    answer = client.post("/login", data={"username": "lead", "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    pages = -(-documents // 200)

    def page(number: int) -> None:
        response = client.get(f"/p/bench/assignments?page={number}")
        assert response.status_code == 200, response.status_code

    page(1)  # the first request compiles templates and statements
    for number in (1, pages):
        times = [timed(lambda number=number: page(number)) for _ in range(repeat)]
        print(
            f"  matrix page {number} of {pages} ({ANNOTATORS} annotators): "
            f"p50 {statistics.median(times):6.1f} ms  p95 {p95(times):6.1f} ms"
        )
    names = ["assertion", "claim"]
    times = []
    for index in range(renames):
        label, new = names[(index + 1) % 2], names[index % 2]
        form = {"action": "label_rename", "label": label, "name": new}

        def rename(form=form) -> None:
            response = client.post("/p/bench/settings", data=form)
            assert response.status_code == 302, response.status_code

        times.append(timed(rename))
    with app.app_context():
        label_names = [label.name for label in store.labels_of(db.session(), 1)]
    assert names[(renames - 1) % 2] in label_names, label_names  # the renames took effect
    print(
        f"  label rename over the spans: p50 {statistics.median(times):8.1f} ms"
        f"  max {max(times):8.1f} ms  ({renames} renames, each one request and transaction)"
    )
    settings = timed(lambda: client.get("/p/bench/settings"))
    print(f"  settings page after it (label usage counts): {settings:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--renames", type=int, default=4)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        targets = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
        if not options.no_postgres:
            try:
                targets.append(
                    ("postgresql", stack.enter_context(throwaway.postgres_database("study_bench")))
                )
            except throwaway.NoServer as error:
                print(f"postgresql: skipped ({error})")
        for name, url in targets:
            settings = {"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
            app = create_app({**settings, "LOG_REQUESTS": False})
            db.upgrade(app.extensions["annotator.engine"])
            started = time.perf_counter()
            populate(app, options.spans, options.documents)
            print(
                f"{name}: {options.documents:,} documents × {ANNOTATORS} annotators, "
                f"{options.spans:,} spans (built in {time.perf_counter() - started:.0f} s)"
            )
            measure(app, options.repeat, options.renames, options.documents)
            app.extensions["annotator.engine"].dispose()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
