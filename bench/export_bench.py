"""Native export speed and memory against the floor: a plain SQL query plus orjson.

Generates a project of N documents x 3 annotators x 10 spans (default 20,000 documents: 600,000
spans) into a fresh SQLite database (generation is not timed), then runs, each in its own
process so that peak memory (VmHWM, the peak resident set) belongs to one of them only:

(a) export: ``annotator export SLUG -o FILE`` through the real CLI code path;
(b) floor:  the same rows read with plain SQL on the DB-API connection, grouped with plain
    Python and written with orjson, byte for byte the same lines as (a) on SQLite.

Each runs ``--repeat`` times (alternating); the best time of each counts, and the highest peak.
CPU time of the measuring process is printed too: steadier than wall time on a busy machine, and
on SQLite (which runs inside the process) it covers the query work; PostgreSQL's is not in it.
Prints spans per second for both, the ratio, and peak memory. Targets: (a) within 2x of (b),
peak memory of (a) under 200 MB.

    .venv/bin/python bench/export_bench.py [--documents N] [--repeat R] [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import throwaway  # noqa: E402

SLUG = "bench"
ANNOTATORS = 3
SPANS_PER_ANNOTATOR = 10
LABELS = ("claim", "evidence", "attribution")
WORDS = (
    "the port authority said on Wednesday that faulty wiring caused the fire a company "
    "spokesman disputed the finding records seen by the Courier show crews were called twice "
    "Захарова заявила что переговоры провалились 👍 café naïve مرحبا שלום"
).split()


# --- generation (not timed) ----------------------------------------------------------------


def _article(rng: random.Random, words: int) -> str:
    sentences, sentence = [], []
    for _ in range(words):
        sentence.append(rng.choice(WORDS))
        if len(sentence) >= rng.randint(8, 20):
            sentences.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    sentences.append(" ".join(sentence or ["end"]) + ".")
    return "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))


def generate(url: str, documents: int) -> None:
    """Fill a fresh database with the bench project using Core executemany."""
    from sqlalchemy import insert

    from annotator import db
    from annotator.models import (
        Assignment,
        Document,
        Label,
        Membership,
        Project,
        Span,
        User,
    )

    engine = db.make_engine(url)
    db.upgrade(engine)
    rng = random.Random(5)
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    with engine.begin() as connection:
        user_ids = (
            connection.execute(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                [
                    {"username": f"annotator{k}", "password_hash": None, "is_admin": False}
                    for k in range(ANNOTATORS)
                ],
            )
            .scalars()
            .all()
        )
        project_id = connection.execute(
            insert(Project).returning(Project.id),
            {"slug": SLUG, "name": "Export bench", "overlap": ANNOTATORS},
        ).scalar_one()
        label_ids = (
            connection.execute(
                insert(Label).returning(Label.id, sort_by_parameter_order=True),
                [
                    {"project_id": project_id, "name": name, "color": "#4c78a8", "position": k}
                    for k, name in enumerate(LABELS)
                ],
            )
            .scalars()
            .all()
        )
        connection.execute(
            insert(Membership),
            [{"project_id": project_id, "user_id": u, "role": "annotator"} for u in user_ids],
        )
        for first in range(0, documents, 1000):
            texts = [
                _article(rng, rng.randint(200, 400)) for _ in range(min(1000, documents - first))
            ]
            document_ids = (
                connection.execute(
                    insert(Document).returning(Document.id, sort_by_parameter_order=True),
                    [
                        {
                            "project_id": project_id,
                            "external_id": f"doc-{first + k:06d}",
                            "title": f"Article {first + k}",
                            "text": text,
                            "length": len(text),
                            "url": f"https://news.example/a/{first + k}",
                            "meta": {"source": "wire", "lang": "en", "n": first + k},
                            "position": first + k,
                            "created_at": now,
                        }
                        for k, text in enumerate(texts)
                    ],
                )
                .scalars()
                .all()
            )
            assignments, spans = [], []
            for document_id, text in zip(document_ids, texts, strict=True):
                for user_id in user_ids:
                    stamp = now + timedelta(
                        seconds=rng.randint(0, 10**6), microseconds=rng.randint(0, 999_999)
                    )
                    assignments.append(
                        {
                            "document_id": document_id,
                            "user_id": user_id,
                            "project_id": project_id,
                            "status": "done",
                            "assigned_at": now,
                            "updated_at": stamp,
                            "done_at": stamp,
                        }
                    )
                    drawn = set()
                    while len(drawn) < SPANS_PER_ANNOTATOR:
                        start = rng.randrange(len(text) - 1)
                        end = min(len(text), start + rng.randint(1, 120))
                        label_id = rng.choice(label_ids)
                        if (label_id, start, end) in drawn:
                            continue  # an annotator marks a label and range once
                        drawn.add((label_id, start, end))
                        spans.append(
                            {
                                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                "project_id": project_id,
                                "document_id": document_id,
                                "document_length": len(text),
                                "annotator_id": user_id,
                                "label_id": label_id,
                                "start": start,
                                "end": end,
                                "note": "hedged" if rng.random() < 0.1 else "",
                                "created_at": stamp,
                                "updated_at": stamp,
                            }
                        )
            connection.execute(insert(Assignment), assignments)
            connection.execute(insert(Span), spans)
    engine.dispose()


# --- the two measured runs (each in a child process) ----------------------------------------


def _status_kb(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process, in kB, from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _rss_now_kb() -> int:
    return _status_kb("VmRSS")


def run_export(url: str, output: str) -> dict:
    from annotator import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    runner = app.test_cli_runner()
    baseline = _rss_now_kb()
    started, cpu = time.perf_counter(), time.process_time()
    result = runner.invoke(args=["export", SLUG, "-o", output])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.exit_code != 0:
        raise SystemExit(f"export failed: {result.output}{result.exception!r}")
    return {"seconds": seconds, "cpu": cpu, "baseline_kb": baseline}


def run_floor(url: str, output: str) -> dict:
    """Plain SQL on the DB-API connection, same rows and order, orjson for the lines."""
    import orjson

    from annotator import db

    engine = db.make_engine(url)
    raw = engine.raw_connection()
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    baseline = _rss_now_kb()
    started, cpu = time.perf_counter(), time.process_time()
    cursor = raw.cursor()
    if sqlite:
        cursor.execute("BEGIN")

        def stamp(column):  # stored as naive UTC text with microseconds
            return f"replace({column}, ' ', 'T') || 'Z'"
    else:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

        def stamp(column):
            return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""

    def loads_meta(value):
        meta = orjson.loads(value) if isinstance(value, str) else value
        return orjson.Fragment(orjson.dumps(meta or {}, option=orjson.OPT_SORT_KEYS))

    cursor.execute(f"SELECT id FROM project WHERE slug = {mark}", (SLUG,))
    (project_id,) = cursor.fetchone()
    after = (-(2**62), 0)
    with open(output, "wb") as out:
        while True:
            cursor.execute(
                "SELECT id, position, external_id, title, url, meta, text FROM document "
                f"WHERE project_id = {mark} AND (position > {mark} OR (position = {mark} "
                f"AND id > {mark})) ORDER BY position, id LIMIT 1000",
                (project_id, after[0], after[0], after[1]),
            )
            documents = cursor.fetchall()
            if not documents:
                break
            ids = [row[0] for row in documents]
            marks = ", ".join([mark] * len(ids))
            texts = {row[0]: row[6] for row in documents}
            annotations: dict[int, list] = {i: [] for i in ids}
            cursor.execute(
                'SELECT s.document_id, s.id, u.username, l.name, s.start, s."end", s.note, '
                f"{stamp('s.created_at')}, {stamp('s.updated_at')}, s.origin, s.recommender "
                'FROM span s JOIN "user" u ON u.id = s.annotator_id '
                f"JOIN label l ON l.id = s.label_id WHERE s.document_id IN ({marks}) "
                'ORDER BY s.document_id, u.username, s.start, s."end", l.name, s.id',
                ids,
            )
            for row in cursor:
                document_id, id_, name, label, start, end, note, created, updated = row[:9]
                origin, recommender = row[9] or "manual", row[10]
                entry = {
                    "id": id_,
                    "annotator": name,
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": texts[document_id][start:end],
                    "note": note,
                    "created_at": created,
                    "updated_at": updated,
                    "origin": origin,
                }
                if origin == "suggestion" and recommender:
                    entry["recommender"] = recommender
                annotations[document_id].append(entry)
            annotators: dict[int, list] = {i: [] for i in ids}
            cursor.execute(
                f"SELECT a.document_id, u.username, a.status, {stamp('a.updated_at')} "
                'FROM assignment a JOIN "user" u '
                f"ON u.id = a.user_id WHERE a.document_id IN ({marks}) "
                "ORDER BY a.document_id, u.username",
                ids,
            )
            for document_id, name, status, updated in cursor:
                annotators[document_id].append(
                    {"annotator": name, "status": status, "updated_at": updated}
                )
            gold: dict[int, list] = {i: [] for i in ids}
            cursor.execute(
                'SELECT g.document_id, g.id, l.name, g.start, g."end", g.note, u.username, '
                f"{stamp('g.created_at')}, {stamp('g.updated_at')} "
                "FROM gold_span g JOIN label l ON l.id = g.label_id "
                'LEFT JOIN "user" u ON u.id = g.curator_id '
                f"WHERE g.document_id IN ({marks}) "
                'ORDER BY g.document_id, g.start, g."end", l.name, g.id',
                ids,
            )
            for document_id, id_, label, start, end, note, curator, created, updated in cursor:
                gold[document_id].append(
                    {
                        "id": id_,
                        "label": label,
                        "start": start,
                        "end": end,
                        "text": texts[document_id][start:end],
                        "note": note,
                        "curator": curator,
                        "created_at": created,
                        "updated_at": updated,
                    }
                )
            chunk = []
            for id_, _position, external_id, title, url, meta, text in documents:
                data = orjson.dumps(
                    {
                        "id": external_id,
                        "title": title,
                        "url": url,
                        "meta": loads_meta(meta),
                        "text": text,
                        "annotators": annotators[id_],
                        "annotations": annotations[id_],
                        "gold": gold[id_],
                    }
                )
                for raw_break, escaped in (
                    ("\u2028".encode(), b"\\u2028"),
                    ("\u2029".encode(), b"\\u2029"),
                    ("\x85".encode(), b"\\u0085"),
                ):
                    data = data.replace(raw_break, escaped)
                chunk.append(data + b"\n")
            out.writelines(chunk)
            after = (documents[-1][1], documents[-1][0])
    raw.rollback()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    raw.close()
    return {"seconds": seconds, "cpu": cpu, "baseline_kb": baseline}


def child(mode: str, url: str, output: str) -> None:
    result = (run_export if mode == "export" else run_floor)(url, output)
    # Not ru_maxrss: Linux keeps it across execve, so a child would report the peak of the
    # parent that generated the data. VmHWM belongs to this process's own address space.
    result["peak_kb"] = _status_kb("VmHWM")
    print(json.dumps(result))


# --- driver ------------------------------------------------------------------------------------


def _measure(mode: str, url: str, output: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--output", output],
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(f"the {mode} run failed:\n{completed.stdout}{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _digest(path: str) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def bench(name: str, url: str, documents: int, workdir: str, repeat: int) -> None:
    spans = documents * ANNOTATORS * SPANS_PER_ANNOTATOR
    print(
        f"== {name}: {documents:,} documents x {ANNOTATORS} annotators x "
        f"{SPANS_PER_ANNOTATOR} spans = {spans:,} spans"
    )
    started = time.perf_counter()
    generate(url, documents)
    print(f"generated in {time.perf_counter() - started:.1f} s (not counted)")
    outputs = {mode: os.path.join(workdir, f"{name}-{mode}.jsonl") for mode in ("export", "floor")}
    runs: dict[str, list[dict]] = {"export": [], "floor": []}
    for _ in range(repeat):  # alternate, so that a busy moment of the machine hits both
        for mode in ("floor", "export"):
            runs[mode].append(_measure(mode, url, outputs[mode]))
    best = {mode: min(runs[mode], key=lambda r: r["seconds"]) for mode in runs}
    cpu = {mode: min(run["cpu"] for run in runs[mode]) for mode in runs}
    for mode in ("export", "floor"):
        r = best[mode]
        size = os.path.getsize(outputs[mode]) / 1e6
        times = ", ".join(f"{run['seconds']:.2f}" for run in runs[mode])
        peak = max(run["peak_kb"] for run in runs[mode]) / 1024
        print(
            f"{mode:>6}: {r['seconds']:6.2f} s  {spans / r['seconds']:>10,.0f} spans/s  "
            f"(CPU {cpu[mode]:.2f} s)  {size:,.1f} MB written  peak RSS {peak:6.1f} MB "
            f"(before the export: {r['baseline_kb'] / 1024:.1f} MB)  runs: {times} s"
        )
    ratio = best["export"]["seconds"] / best["floor"]["seconds"]
    peak = max(run["peak_kb"] for run in runs["export"]) / 1024
    same = _digest(outputs["export"]) == _digest(outputs["floor"])
    print(
        f" ratio: export takes {ratio:.2f}x the floor, best of {repeat} each "
        f"(target <= 2x: {'met' if ratio <= 2 else 'MISSED'}); "
        f"in this process's CPU time {cpu['export'] / cpu['floor']:.2f}x"
    )
    print(
        f"memory: export peak RSS {peak:.1f} MB (target < 200 MB: "
        f"{'met' if peak < 200 else 'MISSED'})"
    )
    print(f"output: export and floor files are {'byte-identical' if same else 'DIFFERENT'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=throwaway.admin_url(),
        help="also run on PostgreSQL, in a throw-away database made on this server "
        f"(default: {throwaway.admin_url()})",
    )
    parser.add_argument("--child", choices=("export", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.output)
        return
    with tempfile.TemporaryDirectory(prefix="export-bench-") as workdir:
        bench("sqlite", f"sqlite:///{workdir}/bench.db", args.documents, workdir, args.repeat)
        if args.postgres:
            with throwaway.postgres_database("annotator_bench", args.postgres) as url:
                bench("postgresql", url, args.documents, workdir, args.repeat)


if __name__ == "__main__":
    main()
