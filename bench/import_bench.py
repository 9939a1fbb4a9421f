"""Time `annotator import` on a generated corpus and print documents per second and peak memory.

Generates N documents of about 3 KB (one in four multilingual: Cyrillic, Arabic, Hebrew, combining
marks, emoji with ZWJ sequences and flags; one in ten written with CRLF line endings; one in five
carrying spans of two annotators, each with the span ``text`` to check) as a JSONL file in a
temporary directory, then imports it through the real CLI command (``annotator import``) into a
fresh SQLite database and, when a server answers, a fresh PostgreSQL database.

Each import runs in its own process pinned to one core, so its peak resident memory
(``ru_maxrss``) belongs to that import alone. The import streams the file, so the peak must not
grow with the file size: the bench also imports a corpus of 5,000 documents and prints both peaks.
Target: 20,000 documents in under 20 s on SQLite on one core.

    .venv/bin/python bench/import_bench.py [--documents N] [--small M] [--seed S] [--no-postgres]

PostgreSQL: the server named by ``ANNOTATOR_TEST_POSTGRES`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); a database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator import throwaway  # noqa: E402

TARGET_BYTES = 3_000
SLUG = "bench"
ANNOTATORS = ("ana", "ben")
LABELS = ("claim", "evidence", "attribution")

ENGLISH = [
    "The port authority said on Tuesday that faulty wiring caused the fire.",
    "Records seen by reporters show the inspection was postponed twice last year.",
    "According to the ministry, exports rose by 4.2 per cent in the third quarter.",
    "Critics argue that the figures leave out seasonal workers entirely.",
    "A spokesperson declined to comment on the leaked memo.",
    "Independent auditors found no evidence of the alleged transfers.",
    "The mayor told the council the budget would be balanced by spring.",
    "Satellite images published on Monday appear to contradict that account.",
]
OTHER = [
    "Министр заявил, что цены на хлеб не вырастут до конца года.",
    "По данным агентства, число пострадавших увеличилось до двенадцати.",
    "وقال المتحدث باسم الوزارة إن التحقيق لا يزال جاريا.",
    "הדובר אמר כי החקירה עדיין נמשכת וכי אין חשד לפלילים.",
    "Le ministre a déclaré que l'e\u0301tude serait publiée en mai.",
    "Fans cheered 🎉 as the team 👨\u200d👩\u200d👧\u200d👦 waved flags 🇺🇦 🇩🇪 🏳️\u200d🌈.",
    "Ζ\u0301 the café’s owner said «nothing changed» 👍🏽 after the vote.",
]


def make_document(index: int, rng: random.Random) -> dict:
    """One JSONL document of about TARGET_BYTES bytes, with spans on some."""
    multilingual = index % 4 == 3
    crlf = index % 10 == 7
    newline = "\r\n" if crlf else "\n"
    sentences: list[str] = []
    size = 0
    while size < TARGET_BYTES:
        pool = OTHER if multilingual and rng.random() < 0.5 else ENGLISH
        sentence = rng.choice(pool)
        sentences.append(sentence)
        size += len(sentence.encode()) + 1
    paragraphs, text, starts = [], "", []
    for position, sentence in enumerate(sentences):
        if position and position % 4 == 0:
            text += newline + newline
        elif position:
            text += " "
        starts.append(len(text))
        text += sentence
        paragraphs.append(sentence)
    document = {
        "id": f"doc-{index:06d}",
        "title": f"Article {index}",
        "url": f"https://news.example/{index}",
        "meta": {"source": "bench", "multilingual": multilingual, "crlf": crlf},
        "text": text,
    }
    if index % 5 == 0:
        annotations = []
        for annotator in ANNOTATORS:
            for choice in rng.sample(range(len(sentences)), min(5, len(sentences))):
                start = starts[choice]
                end = start + len(sentences[choice])
                annotations.append(
                    {
                        "annotator": annotator,
                        "label": rng.choice(LABELS),
                        "start": start,
                        "end": end,
                        "text": text[start:end],
                    }
                )
        document["annotations"] = annotations
    return document


def write_corpus(path: Path, documents: int, seed: int) -> None:
    """Write the corpus line by line (the generator never holds more than one document)."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for index in range(documents):
            handle.write(orjson.dumps(make_document(index, rng)) + b"\n")


# --- the import, in a process of its own ---------------------------------------------------------


def run_import(url: str, corpus: Path) -> dict:
    """Create the schema and a project in ``url``, then time ``annotator import`` (one process)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from annotator import create_app, db, store

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.upgrade(db.engine())
        session = db.session()
        store.create_project(session, SLUG)
        session.commit()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=["import", SLUG, str(corpus)])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"import failed: {result.output}{result.exception!r}")
    app.extensions["annotator.engine"].dispose()
    return {
        "seconds": seconds,
        "output": result.output.strip(),
        "rss_before_kb": rss_before,
        "rss_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def import_in_subprocess(url: str, corpus: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", url, str(corpus)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"import worker failed:\n{completed.stdout}{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- databases -----------------------------------------------------------------------------------


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / name}"


# --- main ----------------------------------------------------------------------------------------


def report(backend: str, documents: int, corpus: Path, figures: dict) -> None:
    seconds = figures["seconds"]
    print(
        f"{backend:<10} {documents:>7,} docs  {corpus.stat().st_size / 1e6:7.1f} MB  "
        f"{seconds:6.2f} s  {documents / seconds:8,.0f} docs/s  "
        f"peak RSS {figures['rss_peak_kb'] / 1024:6.1f} MB "
        f"(before import {figures['rss_before_kb'] / 1024:5.1f} MB)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=5_000, help="the corpus to compare peaks")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_import(args.worker[0], Path(args.worker[1]))))
        return

    sizes = sorted({args.small, args.documents})
    skip_reason = "--no-postgres" if args.no_postgres else None
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory(prefix="import-bench-") as directory, ExitStack() as databases:
        directory = Path(directory)
        for documents in sizes:
            corpus = directory / f"corpus-{documents}.jsonl"
            started = time.perf_counter()
            write_corpus(corpus, documents, args.seed)
            seconds = time.perf_counter() - started
            megabytes = corpus.stat().st_size / 1e6
            print(f"generated {corpus.name}: {megabytes:.1f} MB in {seconds:.1f} s", flush=True)
            figures = import_in_subprocess(sqlite_url(directory, f"bench-{documents}.db"), corpus)
            results["sqlite", documents] = figures
            report("SQLite", documents, corpus, figures)
            if skip_reason is not None:
                continue
            try:  # a fresh database per size, all dropped at the end
                url = databases.enter_context(throwaway.postgres_database("annotator_bench"))
            except throwaway.NoServer as error:
                skip_reason = str(error)
                continue
            figures = import_in_subprocess(url, corpus)
            results["postgresql", documents] = figures
            report("PostgreSQL", documents, corpus, figures)
    if skip_reason is not None:
        print(f"PostgreSQL skipped: {skip_reason}")
    print(f"import output: {results['sqlite', sizes[-1]]['output']}")

    largest = results["sqlite", sizes[-1]]
    verdict = "PASS" if sizes[-1] < 20_000 or largest["seconds"] < 20 else "FAIL"
    print(f"target (20,000 docs < 20 s on SQLite, one core): {verdict}")
    if len(sizes) == 2:
        for backend in ("sqlite", "postgresql"):
            if (backend, sizes[0]) in results:
                small, large = (results[backend, size]["rss_peak_kb"] / 1024 for size in sizes)
                print(
                    f"peak memory {backend}: {sizes[0]:,} docs {small:.1f} MB, "
                    f"{sizes[1]:,} docs {large:.1f} MB (difference {large - small:+.1f} MB)"
                )


if __name__ == "__main__":
    main()
