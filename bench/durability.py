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

    .venv/bin/python bench/durability.py [--database sqlite|postgresql|both] [--annotators 8]
        [--kills 5] [--seconds 20 | --saves N]

It starts its own servers on 127.0.0.1 on fresh databases and removes them at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
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
        deadline = time.monotonic() + 60  # a server that stays down, not a measure of work
        while time.monotonic() < deadline:
            status, response_headers = self.attempt(method, path, body, headers)
            if status is not None:
                return status, response_headers
            self.retries += 1
            time.sleep(0.05)
        raise RuntimeError(f"{self.name_}: no answer for a minute")

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
    server = Gunicorn(folder, log_requests=False)
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--saves", type=int, default=None, help="saves per annotator (instead of --seconds)"
    )
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [run(database, args) for database in databases]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
