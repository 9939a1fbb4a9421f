"""Durability under crashes: annotators keep saving while the server is killed (SIGKILL) again
and again; afterwards every span the server acknowledged must be stored, and none twice.

Each simulated annotator logs in, takes a document and saves spans one after another with
client-made ids, retrying a save with the same id until the server acknowledges it, as the
browser's save queue does. Meanwhile the whole gunicorn process group is killed with SIGKILL
(no clean shutdown, transactions cut anywhere) and restarted, --kills times. Then the database
is compared with what the clients were told.

The run lasts --seconds, the kills spread over it; or, with --saves N, each annotator makes N saves
and the kills fall after equal shares of all the saves (what a test uses: the same work and the
same kills however busy the machine is).

Then the job runner (``annotator jobs``) is SIGKILLed once during a background import and once
during a bulk accept of agreed spans (each as soon as its progress shows it midway), and
restarted: the import's documents must be all there or none, gold complete or as before, and the
job marked failed with its message ("half done: 0").

    .venv/bin/python bench/durability.py [--database sqlite|postgresql|both] [--annotators 8]
        [--kills 5] [--workers 2] [--seconds 20 | --saves N] [--job-documents 20000]
        [--job-spans 2000]

It starts its own servers on 127.0.0.1 on fresh databases and removes them at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import PASSWORD, Client, create_team, throwaway_postgres  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

TEXT = "Zakharova wrote that Kyiv was sabotaging the talks, RIA reported. " * 30
SLUG = "crash"
POLLS = 20_000
"""Progress reads at most while waiting for a job to be midway (or a restart to mark it)."""
ATTEMPTS = 3
"""Tries, each twice as large, when a job ends before the poller sees it midway."""


class Saver(threading.Thread):
    """One annotator saving spans; a save is retried with the same id until acknowledged."""

    def __init__(self, name: str, port: int, until: float, saves: int | None = None):
        super().__init__(daemon=True)
        self.name_, self.port, self.until, self.saves = name, port, until, saves
        self.client = Client(port)
        self.acknowledged: list[str] = []
        self.retries = 0
        self.failure: str | None = None

    def attempt(self, method: str, path: str, body: bytes | None = None, headers=None):
        """One request; None when the server is down or answered that it could not save."""
        try:
            status, response_headers, _data = self.client.request(method, path, body, headers)
        except (OSError, http.client.HTTPException):
            self.client.connection.close()
            return None, {}
        if status in (502, 503):
            return None, {}
        return status, response_headers

    def insist(self, method: str, path: str, body: bytes | None = None, headers=None):
        # a server that stays down, not a measure of work: a restart on a machine loaded by other
        # work (the app imported again by every worker) may take a minute
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            status, response_headers = self.attempt(method, path, body, headers)
            if status is not None:
                return status, response_headers
            self.retries += 1
            time.sleep(0.05)
        raise RuntimeError(f"{self.name_}: no answer for ten minutes")

    def goes_on(self, saved: int) -> bool:
        """Whether to save another span: by count with --saves, else until the deadline."""
        if self.saves is not None:
            return saved < self.saves
        return time.monotonic() < self.until

    def run(self) -> None:
        try:
            self.insist("GET", "/login")
            self.client.page("/login")
            form = urlencode(
                {"username": self.name_, "password": PASSWORD, "csrf_token": self.client.csrf}
            ).encode()
            form_type = {"Content-Type": "application/x-www-form-urlencoded"}
            status, _h = self.insist("POST", "/login", form, form_type)
            assert status == 302, f"log-in answered {status}"
            self.client.page(f"/p/{SLUG}")
            status, headers = self.insist("POST", f"/p/{SLUG}/next")
            document = headers["Location"].rstrip("/").rsplit("/", 1)[1]
            api = f"/api/projects/{SLUG}/documents/{document}/spans/"
            number = 0
            while self.goes_on(number):
                span_id = str(uuid.uuid4())
                # a new range every time: the server refuses a second identical span
                room = len(TEXT) - 12
                start, end = number % room, number % room + 1 + (number // room) % 10
                body = json.dumps(
                    {"label": "claim", "start": start, "end": end, "text": TEXT[start:end]}
                ).encode()
                status, _h = self.insist(
                    "PUT", api + span_id, body, {"Content-Type": "application/json"}
                )
                assert status in (200, 201), f"save answered {status}"
                self.acknowledged.append(span_id)
                number += 1
        except Exception as error:  # noqa: BLE001 - reported, and the run then fails
            self.failure = repr(error)


def prepare(server, annotators: int, folder: Path) -> list[str]:
    names = [f"saver{n:02d}" for n in range(annotators)]
    create_team(server, SLUG, names, overlap=1)
    documents = folder / "crash.jsonl"
    documents.write_text(
        "".join(json.dumps({"id": f"doc-{n}", "text": TEXT}) + "\n" for n in range(annotators))
    )
    server.cli("import", SLUG, str(documents))
    return names


def audit(database_url: str, acknowledged: list[str]) -> tuple[int, int, int]:
    """(lost, duplicated, stored): lost = acknowledged but missing."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT id FROM span")).scalars().all()
        twins = connection.execute(
            text(
                "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM span "
                'GROUP BY annotator_id, document_id, start, "end" HAVING COUNT(*) > 1) AS t'
            )
        ).scalar()
    engine.dispose()
    return len(set(acknowledged) - set(stored)), int(twins), len(stored)


def wait_for_saves(savers: list[Saver], count: int) -> None:
    """Until the savers have ``count`` saves acknowledged in all, or none of them still runs."""
    while sum(len(s.acknowledged) for s in savers) < count and any(s.is_alive() for s in savers):
        time.sleep(0.01)


def run(database: str, args) -> bool:
    from tests.support.server import Gunicorn

    folder = Path(tempfile.mkdtemp(prefix="annotator-crash-"))
    # set-up in this process
    server = Gunicorn(folder, workers=args.workers, log_requests=False, cli_in_process=True)
    drop = None
    if database == "postgresql":
        found = throwaway_postgres()
        if found is None:
            print("postgresql: skipped, no server answered")
            return True
        server.env["ANNOTATOR_DATABASE_URL"], drop = found
    database_url = server.env["ANNOTATOR_DATABASE_URL"]
    try:
        names = prepare(server, args.annotators, folder)
        server.start()
        until = time.monotonic() + args.seconds
        savers = [Saver(name, server.port, until, args.saves) for name in names]
        for saver in savers:
            saver.start()
        restarts, acknowledged_at_kills = [], []
        began = until - args.seconds
        for kill in range(args.kills):
            share = (kill + 1) / (args.kills + 1)
            if args.saves is None:  # spread over the window, whatever restarts take
                time.sleep(max(0.0, began + args.seconds * share - time.monotonic()))
            else:  # after equal shares of the saves, however long they take
                wait_for_saves(savers, int(len(savers) * args.saves * share))
            server.kill()
            acknowledged_at_kills.append(sum(len(s.acknowledged) for s in savers))
            restarts.append(server.start())
        for saver in savers:
            saver.join(timeout=None if args.saves is not None else args.seconds + 120)
        server.kill()
        acknowledged = [span for saver in savers for span in saver.acknowledged]
        lost, duplicated, stored = audit(database_url, acknowledged)
    finally:
        if drop:
            drop()
    failures = [saver.failure for saver in savers if saver.failure]
    print(
        f"{database}: {args.annotators} annotators saving "
        + (f"{args.saves} spans each; " if args.saves is not None else f"for {args.seconds:g} s; ")
        + f"{args.kills} SIGKILLs of gunicorn (master and workers), each followed by a restart"
    )
    print(
        f"  saves acknowledged: {len(acknowledged)} (at the kills: "
        f"{', '.join(map(str, acknowledged_at_kills))}); spans stored: {stored}"
    )
    print(
        f"  requests retried (server down or 502/503): {sum(s.retries for s in savers)}; "
        f"restart to /health: median {statistics.median(restarts):.2f} s, "
        f"max {max(restarts):.2f} s"
    )
    print(f"  lost: {lost}  duplicated: {duplicated}  client failures: {len(failures)}")
    for failure in failures[:3]:
        print(f"    {failure}")
    return lost == 0 and duplicated == 0 and not failures and stored == len(acknowledged)


# --- background jobs killed mid-way ------------------------------------------------------------


class JobRunner:
    """``annotator jobs`` in its own process group, killed with SIGKILL and restarted."""

    def __init__(self, server):
        self.server, self.process = server, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "annotator"), "jobs", "--workers", "1"],
            env=self.server.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def manager(port: int) -> Client:
    client = Client(port)
    client.page("/login")
    form = urlencode({"username": "boss", "password": PASSWORD, "csrf_token": client.csrf})
    status, _h, _d = client.request(
        "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 302, f"log-in answered {status}"
    client.page(f"/p/{SLUG}")
    return client


def kill_midway(client: Client, runner: JobRunner, job_url: str) -> tuple[int, int] | None:
    """Poll the job's progress (at most POLLS times) and SIGKILL the runner once some of the work
    is done and some is not; (done, total) at the kill, or None when the job ended first."""
    for _poll in range(POLLS):
        _s, _h, data = client.request("GET", job_url + "/progress")
        html = data.decode()
        status = re.search(r'class="job-status">(\w+)<', html).group(1)
        count = re.search(r"([\d,]+) of ([\d,]+) ", html)
        done, total = (int(n.replace(",", "")) for n in count.groups())
        if status not in ("queued", "running"):
            return None
        if status == "running" and 0 < done < total:
            runner.kill()
            return done, total
        time.sleep(0.005)
    raise RuntimeError(f"{job_url}: no progress after {POLLS} polls")


def job_row(database_url: str, job_id: str) -> tuple[str, str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT status, message FROM job WHERE id = :id"), {"id": job_id}
        ).one()
    engine.dispose()
    return row[0], row[1]


def scalar(database_url: str, sql: str, **params) -> int:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        value = connection.execute(text(sql), params).scalar()
    engine.dispose()
    return int(value)


def after_restart(database_url: str, runner: JobRunner, job_id: str) -> tuple[str, str]:
    """Restart the runner; it marks the killed job failed before it takes new work."""
    runner.start()
    for _poll in range(POLLS):
        status, message = job_row(database_url, job_id)
        if status != "running":
            return status, message
        time.sleep(0.05)
    raise RuntimeError(f"job {job_id} still running after the runner's restart")


def background_import(server, client, runner, database_url, documents: int):
    """(killed at, documents stored, status, message) of an import killed mid-way."""
    body = "".join(
        json.dumps({"id": f"bg-{documents}-{n}", "text": f"Background import {n}."}) + "\n"
        for n in range(documents)
    ).encode()
    boundary = uuid.uuid4().hex
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="bg.jsonl"\r\n'
            f"Content-Type: application/x-ndjson\r\n\r\n"
        ).encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    client.page(f"/p/{SLUG}/import")
    status, headers, _d = client.request(
        "POST", f"/p/{SLUG}/import", form,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )  # fmt: skip
    assert status == 303, f"import answered {status}"
    job_url = headers["Location"].removeprefix(server.url)
    killed = kill_midway(client, runner, job_url)
    if killed is None:
        return None
    job_id = job_url.rsplit("/", 1)[1]
    status, message = after_restart(database_url, runner, job_id)
    stored = scalar(
        database_url, "SELECT COUNT(*) FROM document WHERE external_id LIKE :p",
        p=f"bg-{documents}-%",
    )  # fmt: skip
    return killed, stored, status, message


def agreed_document(server, folder: Path, spans: int) -> None:
    """One document on which ana and ben marked the same ``spans`` claims (imported by CLI)."""
    marks = [
        {"annotator": name, "label": "claim", "start": 5 * i, "end": 5 * i + 4}
        for i in range(spans)
        for name in ("ana", "ben")
    ]
    path = folder / f"agreed-{spans}.jsonl"
    path.write_text(
        json.dumps({"id": f"agreed-{spans}", "text": "word " * spans, "annotations": marks}) + "\n"
    )
    server.cli("import", SLUG, str(path))


def background_accept(server, client, runner, database_url, folder: Path, spans: int):
    """(killed at, gold spans stored, status, message) of a bulk accept killed mid-way."""
    agreed_document(server, folder, spans)
    document = scalar(
        database_url, "SELECT id FROM document WHERE external_id = :e", e=f"agreed-{spans}"
    )
    client.page(f"/p/{SLUG}/compare/{document}")
    status, headers, _d = client.request(
        "POST", f"/p/{SLUG}/compare/{document}/accept-agreed", b"at_least=2",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 303, f"accept-agreed answered {status}"
    job_url = headers["Location"].removeprefix(server.url)
    killed = kill_midway(client, runner, job_url)
    if killed is None:
        return None
    status, message = after_restart(database_url, runner, job_url.rsplit("/", 1)[1])
    gold = scalar(database_url, "SELECT COUNT(*) FROM gold_span WHERE document_id = :d", d=document)
    return killed, gold, status, message


def run_jobs(database: str, args) -> bool:
    """SIGKILL the job runner during a background import and during a bulk accept; after its
    restart the import is all there or not at all, gold complete or as before, the job failed."""
    from tests.support.server import Gunicorn

    folder = Path(tempfile.mkdtemp(prefix="annotator-jobs-crash-"))
    # set-up in this process
    server = Gunicorn(folder, workers=args.workers, log_requests=False, cli_in_process=True)
    # every import a job for the runner that is killed (a small one would run in its request)
    server.env["ANNOTATOR_IMPORT_IN_REQUEST_KB"] = "0"
    drop = None
    if database == "postgresql":
        found = throwaway_postgres()
        if found is None:
            print("postgresql jobs: skipped, no server answered")
            return True
        server.env["ANNOTATOR_DATABASE_URL"], drop = found
    database_url = server.env["ANNOTATOR_DATABASE_URL"]
    results = []
    try:
        create_team(server, SLUG, ["ana", "ben"], overlap=2)
        web, runner = server, JobRunner(server)
        web.start()
        runner.start()
        client = manager(server.port)
        cases = (
            ("import", args.job_documents, "documents",
             lambda size: background_import(server, client, runner, database_url, size)),
            ("bulk accept", args.job_spans, "gold spans",
             lambda size: background_accept(server, client, runner, database_url, folder, size)),
        )  # fmt: skip
        for name, size, what, attempt in cases:
            outcome = None
            for _try in range(ATTEMPTS):  # a job done before the kill is tried again, larger
                outcome = attempt(size)
                if outcome is not None:
                    break
                size *= 2
            if outcome is None:
                print(f"  {name}: ended before the kill {ATTEMPTS} times; not exercised")
                results.append(False)
                continue
            (done, total), stored, status, message = outcome
            whole = stored in (0, size)
            print(
                f"{database}: {name} of {size} killed (SIGKILL of annotator jobs) at {done} of "
                f"{total}; {what} stored after restart: {stored}; job {status}: {message}"
            )
            half = 0 if whole else 1
            print(f"  half done: {half}")
            results.append(whole and status == "failed" and "nothing was stored" in message)
        runner.kill()
        web.kill()
    finally:
        if drop:
            drop()
    return all(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (all are killed with the master)"
    )
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--job-documents", type=int, default=20_000, help="documents of the killed import job"
    )
    parser.add_argument(
        "--job-spans", type=int, default=2_000, help="agreed spans of the killed bulk accept"
    )
    parser.add_argument(
        "--saves", type=int, default=None, help="saves per annotator (instead of --seconds)"
    )
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [run(database, args) for database in databases]
    results += [run_jobs(database, args) for database in databases]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
