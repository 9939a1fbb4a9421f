"""Time the manager's document list (search, filters, sort, paging) on a large project and print
p50 / p95 per kind of request, on SQLite and, when a server answers, on PostgreSQL.

Builds a project of N documents (default 100,000; about 600 characters each, one in four
Cyrillic, Arabic or with emoji) with 3 annotators who each have every document (one in three of
their assignments done) and spans on one document in ten, written with bulk SQL into a fresh
database at the newest schema (the search index is kept by the database as rows arrive, as in
use). Then times ``document_list.list_documents`` (the query the project page runs) over a mix of
requests, each repeated ``--repeat`` times. Target (issue 17): p95 < 150 ms on both databases.

    .venv/bin/python bench/document_list_bench.py [--documents N] [--repeat R] [--no-postgres]
"""

from __future__ import annotations

import argparse
import random
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

WORDS = (
    "port authority said tuesday faulty wiring caused fire records inspection postponed ministry "
    "exports rose quarter critics figures seasonal workers spokesperson memo auditors transfers "
    "mayor council budget spring satellite images contradict account"
).split()
OTHER = (
    "Министр заявил, что цены на хлеб не вырастут до конца года.",
    "وقال المتحدث باسم الوزارة إن التحقيق لا يزال جاريا.",
    "A family 👩\u200d👩\u200d👧 watched the 🇺🇦 flag rise.",
)
ANNOTATORS = ("ana", "ben", "cat")
BATCH = 5_000


def text_of(rng: random.Random, number: int) -> str:
    words = [rng.choice(WORDS) for _ in range(90)]
    if number % 4 == 0:
        words.insert(rng.randrange(len(words)), OTHER[number // 4 % len(OTHER)])
    words.insert(rng.randrange(len(words)), f"case{number}")  # a word only this document has
    return " ".join(words)[:600]


def build(url: str, documents: int, seed: int) -> float:
    """Fill a fresh database; returns the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    engine = db.make_engine(url)
    db.upgrade(engine)
    now = datetime.now(UTC)
    with Session(engine) as session:
        project = store.create_project(session, "bench")
        project.overlap = 3
        users = [store.create_user(session, name, None) for name in ANNOTATORS]
        for user in users:
            store.set_member(session, project, user, "annotator")
        label_ids = [label.id for label in store.labels_of(session, project.id)]
        session.commit()
        project_id, user_ids = project.id, [user.id for user in users]
    for first in range(0, documents, BATCH):
        numbers = range(first, min(first + BATCH, documents))
        rows = []
        for number in numbers:
            text = text_of(rng, number)
            title = f"Report {number}" if number % 2 else None
            rows.append(
                {"id": number + 1, "project_id": project_id, "external_id": f"d{number:06}",
                 "title": title, "text": text, "length": len(text), "url": None, "meta": {},
                 "position": number, "created_at": now}
            )  # fmt: skip
        assignments = [
            {"document_id": number + 1, "user_id": user_id, "project_id": project_id,
             "status": "done" if number % 3 == 0 or index == 0 else "in_progress",
             "assigned_at": now, "updated_at": now, "done_at": None}
            for number in numbers
            for index, user_id in enumerate(user_ids)
        ]  # fmt: skip
        spans = [
            {"id": f"s{number}-{index}-{k}", "project_id": project_id, "document_id": number + 1,
             "document_length": rows[number - first]["length"], "annotator_id": user_id,
             "label_id": label_ids[(number + k) % len(label_ids)], "start": 10 * k,
             "end": 10 * k + 5, "note": "", "attributes": {}, "created_at": now,
             "updated_at": now}
            for number in numbers
            if number % 10 == 0
            for index, user_id in enumerate(user_ids)
            for k in range(3)
        ]  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(Document), rows)
            connection.execute(insert(Assignment), assignments)
            if spans:
                connection.execute(insert(Span), spans)
    # Statistics, and on PostgreSQL the visibility map that lets counts and deep pages read an
    # index alone: what autovacuum gives a server after bulk inserts, which a bench cannot wait for.
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql(
            "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        )
    engine.dispose()
    return time.perf_counter() - started


def requests(documents: int) -> dict[str, list[ListQuery]]:
    middle = max(documents // 2, 1)
    return {
        "first page": [ListQuery()],
        "deep page (sorted by position)": [ListQuery(page=max(documents // 100 - 1, 1))],
        "search one rare word": [ListQuery(q=f"case{middle}")],
        "search two common words": [ListQuery(q="budget spring")],
        "search a word prefix": [ListQuery(q="contrad")],
        "search Cyrillic": [ListQuery(q="цены хлеб")],
        "search Arabic": [ListQuery(q="التحقيق")],
        "search emoji": [ListQuery(q="👩\u200d👩\u200d👧")],
        "filter status done": [ListQuery(status="done")],
        "filter annotator + status": [ListQuery(annotator="ben", status="in_progress")],
        "filter label count >= 2": [ListQuery(label="claim", min_spans=2)],
        "search + filter + sort by spans": [
            ListQuery(q="budget", status="in_progress", sort="spans", descending=True)
        ],
        "sort by title, page 3": [ListQuery(sort="title", page=3)],
    }


def measure(url: str, repeat: int, documents: int) -> list[float]:
    engine = db.make_engine(url)
    every = []
    with Session(engine) as session:
        project = store.project_by_slug(session, "bench")
        for name, queries in requests(documents).items():
            times = []
            for query in queries * repeat:
                started = time.perf_counter()
                page = list_documents(session, project, query)
                times.append((time.perf_counter() - started) * 1000)
                session.rollback()
            every += times
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            print(
                f"  {name:34} {page.found:>7} found  p50 {statistics.median(times):7.1f} ms"
                f"  p95 {p95:7.1f} ms"
            )
    engine.dispose()
    return every


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        targets = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
        if not options.no_postgres:
            try:
                targets.append(
                    ("postgresql", stack.enter_context(throwaway.postgres_database("list_bench")))
                )
            except throwaway.NoServer as error:
                print(f"postgresql: skipped ({error})")
        for name, url in targets:
            seconds = build(url, options.documents, options.seed)
            print(
                f"{name}: {options.documents:,} documents × {len(ANNOTATORS)} annotators "
                f"(built in {seconds:.0f} s), {options.repeat} runs of each request"
            )
            every = measure(url, options.repeat, options.documents)
            p95 = statistics.quantiles(every, n=20)[-1]
            print(f"  all requests: p95 {p95:.1f} ms (target < 150 ms)")


if __name__ == "__main__":
    main()
