"""Time the document list's filters on the work itself: ``disagreement=yes`` (two finished
annotators' spans differ, checked in SQL) and ``meta=key=value``, alone and with a search, and
print p50 / p95 per request, on SQLite and, when a server answers, on PostgreSQL.

Builds N documents (default 100,000) with 3 annotators who all finished every document (the
worst case for the disagreement check: every pair of annotators is compared); one document in
five has 5 spans per annotator, and one in twenty of those differs in one span; each document
has ``meta.source`` out of five values. Target (issue 17): p95 < 150 ms.

    .venv/bin/python bench/document_filters_bench.py [--documents N] [--repeat R] [--no-postgres]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from annotator import db, store, throwaway  # noqa: E402
from annotator.document_list import ListQuery, list_documents  # noqa: E402
from annotator.models import Assignment, Document, Span  # noqa: E402

ANNOTATORS = ("ann", "ben", "cat")
SOURCES = ("reuters", "afp", "ap", "dpa", "tass")
BATCH = 5000


def build(url: str, documents: int) -> float:
    started = time.perf_counter()
    engine = db.make_engine(url)
    db.upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        project = store.create_project(session, "bench")
        project.overlap = 3
        users = [store.create_user(session, name, None) for name in ANNOTATORS]
        for user in users:
            store.set_member(session, project, user, "annotator")
        label_id = store.labels_of(session, project.id)[0].id
        session.commit()
        project_id, user_ids = project.id, [user.id for user in users]
    text = "The port authority said on Tuesday that faulty wiring caused the fire. " * 3
    for first in range(0, documents, BATCH):
        numbers = range(first, min(first + BATCH, documents))
        rows = [
            {"id": n + 1, "project_id": project_id, "external_id": f"d{n:06}", "title": None,
             "text": text, "length": len(text), "url": None,
             "meta": {"source": SOURCES[n % len(SOURCES)]}, "position": n, "created_at": now}
            for n in numbers
        ]  # fmt: skip
        assignments = [
            {"document_id": n + 1, "user_id": user_id, "project_id": project_id, "status": "done",
             "assigned_at": now, "updated_at": now, "done_at": now}
            for n in numbers
            for user_id in user_ids
        ]  # fmt: skip
        spans = [
            {"id": f"s{n}-{index}-{k}", "project_id": project_id, "document_id": n + 1,
             "document_length": len(text), "annotator_id": user_id, "label_id": label_id,
             "start": 10 * k + (1 if n % 100 == 0 and index == 2 and k == 0 else 0),
             "end": 10 * k + 5, "note": "", "attributes": {}, "created_at": now,
             "updated_at": now}
            for n in numbers
            if n % 5 == 0
            for index, user_id in enumerate(user_ids)
            for k in range(5)
        ]  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(Document), rows)
            connection.execute(insert(Assignment), assignments)
            connection.execute(insert(Span), spans)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


REQUESTS = {
    "has disagreement": ListQuery(disagreement="yes"),
    "has disagreement, page 5": ListQuery(disagreement="yes", page=5),
    "meta source=afp": ListQuery(meta="source=afp"),
    "meta + disagreement": ListQuery(meta="source=reuters", disagreement="yes"),
    "search + disagreement": ListQuery(q="wiring", disagreement="yes"),
}


def measure(url: str, repeat: int) -> None:
    engine = db.make_engine(url)
    with Session(engine) as session:
        project = store.project_by_slug(session, "bench")
        for name, query in REQUESTS.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                page = list_documents(session, project, query)
                times.append((time.perf_counter() - started) * 1000)
                session.rollback()
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            print(
                f"  {name:28} {page.total:>7} found  p50 {statistics.median(times):7.1f} ms"
                f"  p95 {p95:7.1f} ms"
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        targets = [("SQLite", f"sqlite:///{folder}/bench.db")]
        if not args.no_postgres:
            try:
                url = stack.enter_context(throwaway.postgres_database("annotator_filters_bench"))
                targets.append(("PostgreSQL", url))
            except throwaway.NoServer as error:
                print(f"PostgreSQL skipped: {error}")
        for name, url in targets:
            seconds = build(url, args.documents)
            print(f"{name}: {args.documents:,} documents × 3 annotators built in {seconds:.0f} s")
            measure(url, args.repeat)


if __name__ == "__main__":
    main()
