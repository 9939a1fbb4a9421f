"""Load test: N annotators at once over HTTP against a real gunicorn server, then an audit.

Each simulated annotator logs in, takes their next document, creates, relabels and deletes spans
and marks documents done, for T seconds or, with --operations N, for N actions each (what a
test uses: the same work however busy the machine is). Every acknowledged change is remembered;
at the end the database is compared with what the server acknowledged: lost spans (acknowledged
but missing or stale) and duplicated spans (the same span stored twice) must both be 0.

    .venv/bin/python bench/load.py [--annotators 50] [--seconds 30 | --operations N]
        [--database sqlite|postgresql] [--workers 4]

It starts its own server on 127.0.0.1 on a fresh database and stops it at the end; traffic goes to
the loopback address only, and every loop is bounded by --seconds or --operations.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

PASSWORD = "load-password"
WORDS = "the minister said that Захарова claimed 👩‍👩‍👧 evidence shows مفاوضات data".split()


class Client:
    """One annotator's browser: a keep-alive connection, cookies and the CSRF token."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        for attempt in range(3):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def page(self, path: str) -> str:
        status, _headers, data = self.request("GET", path)
        html = data.decode()
        found = re.search(r'name="csrf-token" content="([^"]+)"', html)
        if found:
            self.csrf = found.group(1)
        return html


class Annotator(threading.Thread):
    def __init__(
        self,
        name: str,
        port: int,
        slug: str,
        until: float,
        results,
        think: float = 0,
        operations: int | None = None,
    ):
        super().__init__(daemon=True)
        self.think = think
        self.operations = operations  # when set, the run ends after this many actions, not at until
        self.delay = 0.0
        self.name_, self.port, self.slug, self.until, self.results = (
            name,
            port,
            slug,
            until,
            results,
        )
        self.client = Client(port)
        self.rng = random.Random(name)
        self.acknowledged: dict[str, tuple[int, str | None]] = {}  # span id -> (doc, label or None)

    def timed(self, action: str, method: str, path: str, body=None, headers=None):
        started = time.perf_counter()
        try:
            status, response_headers, data = self.client.request(method, path, body, headers)
        except Exception as error:  # noqa: BLE001 - a load test counts every failure
            self.results.error(action, repr(error))
            return None, {}, b""
        self.results.add(action, (time.perf_counter() - started) * 1000, status)
        return status, response_headers, data

    def put_json(self, action: str, path: str, payload: dict) -> bool:
        """A timed PUT of a span; True when the server acknowledged it."""
        status, _h, _d = self.timed(
            action, "PUT", path, json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )
        return status in (200, 201)

    def log_in(self) -> None:
        self.client.page("/login")
        form = urlencode(
            {"username": self.name_, "password": PASSWORD, "csrf_token": self.client.csrf}
        ).encode()
        status, _h, _d = self.timed(
            "log in", "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"{self.name_}: log-in failed ({status})")

    def next_document(self) -> tuple[int, str] | None:
        self.client.page(f"/p/{self.slug}")
        status, headers, _data = self.timed("next document", "POST", f"/p/{self.slug}/next")
        location = headers.get("Location", "")
        found = re.search(r"/d/(\d+)", location)
        if status != 302 or not found:
            return None
        document_id = int(found.group(1))
        html = self.client.page(f"/p/{self.slug}/d/{document_id}")
        article = re.search(r'<article id="text"[^>]*>(.*?)</article>', html, re.S).group(1)
        from html import unescape

        return document_id, unescape(re.sub(r"<[^>]+>", "", article))

    def goes_on(self, done: int) -> bool:
        """Whether to take another action, ``done`` being taken: by count when --operations is
        given, else until the deadline."""
        if self.operations is not None:
            return done < self.operations
        return time.monotonic() < self.until

    def run(self) -> None:
        try:
            time.sleep(self.delay)  # annotators arrive over the ramp-up, not all in one second
            self.log_in()
            current = self.next_document()
            mine: list[str] = []
            done = 0
            while current and self.goes_on(done):
                done += 1
                if self.think:  # a person reads and selects between two actions
                    time.sleep(min(self.rng.expovariate(1 / self.think), 5 * self.think))
                document_id, body = current
                api = f"/api/projects/{self.slug}/documents/{document_id}/spans/"
                choice = self.rng.random()
                if choice < 0.6 or not mine:
                    span_id = str(uuid.uuid4())
                    taken = {self.acknowledged[other][1:] for other in mine}
                    while True:  # the server refuses a second span of the same label and range
                        start = self.rng.randrange(0, len(body) - 30)
                        end = start + self.rng.randrange(1, 30)
                        label = self.rng.choice(["claim", "evidence", "attribution"])
                        if (label, start, end) not in taken:
                            break
                    payload = {"label": label, "start": start, "end": end, "text": body[start:end]}
                    if self.put_json("create span", api + span_id, payload):
                        self.acknowledged[span_id] = (document_id, label, start, end)
                        mine.append(span_id)
                elif choice < 0.8:
                    span_id = self.rng.choice(mine)
                    _doc, label, start, end = self.acknowledged[span_id]
                    taken = {self.acknowledged[other][1:] for other in mine if other != span_id}
                    free = [
                        name
                        for name in ("claim", "evidence", "attribution")
                        if (name, start, end) not in taken
                    ]
                    label = self.rng.choice(free)  # never empty: the span's own label is free
                    payload = {"label": label, "start": start, "end": end}
                    if self.put_json("relabel span", api + span_id, payload):
                        self.acknowledged[span_id] = (document_id, label, start, end)
                elif choice < 0.93:
                    span_id = mine.pop(self.rng.randrange(len(mine)))
                    status, _h, _d = self.timed("delete span", "DELETE", api + span_id)
                    if status == 200:
                        self.acknowledged[span_id] = (document_id, None, 0, 0)
                else:
                    form = urlencode({"status": "done"}).encode()
                    status, _h, _d = self.timed(
                        "mark done",
                        "POST",
                        f"/p/{self.slug}/d/{document_id}/status",
                        form,
                        {"Content-Type": "application/x-www-form-urlencoded"},
                    )
                    mine = []
                    current = self.next_document()
        except Exception as error:  # noqa: BLE001
            self.results.error("session", repr(error))


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: list[tuple[str, str]] = []

    def add(self, action: str, ms: float, status: int) -> None:
        with self.lock:
            self.latencies[action].append(ms)
            self.statuses[action][status] += 1

    def error(self, action: str, message: str) -> None:
        with self.lock:
            self.errors.append((action, message))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def create_team(server, slug: str, names: list[str], overlap: int) -> None:
    """A fresh database holding the project ``slug``, its manager and annotators ``names``."""
    server.cli("init-db")
    server.cli("create-user", "boss", "--role", "admin", input=PASSWORD + "\n")
    server.cli("create-project", slug, "--manager", "boss", "--overlap", str(overlap))
    for name in names:
        server.cli("create-user", name, input=PASSWORD + "\n")
        server.cli("add-member", slug, name, "--role", "annotator")


def prepare(server, annotators: int, documents: int, folder: Path) -> str:
    slug = "load"
    create_team(server, slug, [f"annotator{n:02d}" for n in range(annotators)], overlap=2)
    rng = random.Random(7)
    path = folder / "load.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(documents):
            words = " ".join(rng.choice(WORDS) for _ in range(300))
            out.write(json.dumps({"id": f"doc-{n}", "text": words}, ensure_ascii=False) + "\n")
    server.cli("import", slug, str(path))
    return slug


def throwaway_postgres():
    """(URL, drop) of a fresh PostgreSQL database, or None (said) when no server answers."""
    from annotator import throwaway

    try:
        return throwaway.open_postgres_database("annotator_load")
    except throwaway.NoServer as error:
        print(f"PostgreSQL: {error}")
        return None


def audit(database_url: str, acknowledged: dict[str, tuple]) -> tuple[int, int, int]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                'SELECT span.id, label.name, span.start, span."end" FROM span '
                "JOIN label ON label.id = span.label_id"
            )
        ).all()
        duplicates = connection.execute(
            text(
                "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM span "
                'GROUP BY annotator_id, document_id, label_id, start, "end" '
                "HAVING COUNT(*) > 1) AS twins"
            )
        ).scalar()
    engine.dispose()
    stored = {row[0]: (row[1], row[2], row[3]) for row in rows}
    lost = 0
    for span_id, (_doc, label, start, end) in acknowledged.items():
        if label is None:
            lost += span_id in stored  # deleted but still there
        elif stored.get(span_id) != (label, start, end):
            lost += 1
    return lost, duplicates, len(stored)


def server_times(log: Path) -> dict[str, list[float]]:
    """Time spent inside the app per kind of request, from the server's JSON request logs: the
    difference to what the clients saw is queueing (gunicorn, the network, the load generator)."""
    kinds = [
        ("PUT", re.compile(r"/spans/"), "save span (PUT)"),
        ("DELETE", re.compile(r"/spans/"), "delete span"),
        ("POST", re.compile(r"/next$"), "next document"),
        ("POST", re.compile(r"/status$"), "mark done"),
        ("GET", re.compile(r"/d/\d+$"), "document page"),
    ]
    times: dict[str, list[float]] = defaultdict(list)
    if not log.exists():
        return times
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        for method, path, kind in kinds:
            if entry.get("method") == method and path.search(entry.get("path", "")):
                times[kind].append(entry["ms"])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--operations",
        type=int,
        default=None,
        help="actions per annotator, then stop (instead of --seconds): the same work anywhere",
    )
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--ramp", type=float, default=10.0, help="seconds over which the annotators log in"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds an annotator spends between two actions (0: as fast as possible)",
    )
    args = parser.parse_args()

    from tests.support.server import Gunicorn

    folder = Path(tempfile.mkdtemp(prefix="annotator-load-"))
    # set-up commands run in this process: what is measured is the server, not `annotator`'s start
    server = Gunicorn(folder, workers=args.workers, threads=args.threads, cli_in_process=True)
    drop = None
    if args.database == "postgresql":
        found = throwaway_postgres()
        if found is None:
            return
        server.env["ANNOTATOR_DATABASE_URL"], drop = found
    database_url = server.env["ANNOTATOR_DATABASE_URL"]
    slug = prepare(server, args.annotators, args.documents, folder)
    server.start()
    results = Results()
    until = time.monotonic() + args.seconds
    threads = [
        Annotator(
            f"annotator{n:02d}", server.port, slug, until, results, args.think, args.operations
        )
        for n in range(args.annotators)
    ]
    for number, thread in enumerate(threads):
        thread.delay = args.ramp * number / max(len(threads), 1)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=None if args.operations else args.seconds + 120)
    elapsed = time.monotonic() - started
    server.stop()
    acknowledged = {}
    for thread in threads:
        acknowledged.update(thread.acknowledged)
    lost, duplicates, stored = audit(database_url, acknowledged)
    if drop:
        drop()

    total = sum(len(v) for v in results.latencies.values())
    failures = sum(
        count for codes in results.statuses.values() for code, count in codes.items() if code >= 400
    )
    span = f"{args.operations} actions each" if args.operations else f"{args.seconds:.0f} s"
    print(
        f"database: {args.database}; {args.annotators} annotators for {span} "
        f"(logging in over {args.ramp:g} s, {args.think:g} s mean think time); "
        f"gunicorn {args.workers} workers x {args.threads} threads"
    )
    print(f"requests: {total} in {elapsed:.1f} s = {total / elapsed:.0f} per second")
    print(f"{'action':<15} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for action, values in sorted(results.latencies.items()):
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(results.statuses[action].items()))
        print(
            f"{action:<15} {len(values):>6} {statistics.median(values):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f}  {codes}"
        )
    print(
        f"errors: {len(results.errors) + failures} (exceptions {len(results.errors)}, "
        f"HTTP >= 400: {failures})"
    )
    for action, message in results.errors[:5]:
        print(f"  {action}: {message}")
    times = server_times(folder / "server.log")
    if times:
        print("time inside the app (request logs):")
        for kind, values in sorted(times.items()):
            p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
            print(
                f"  {kind:<17} {len(values):>6} p50 {p50:>6.1f} ms  p95 {p95:>6.1f} ms"
                f"  p99 {p99:>6.1f} ms"
            )
    print(f"acknowledged span changes audited: {len(acknowledged)}; spans stored: {stored}")
    print(f"lost: {lost}  duplicated: {duplicates}")


if __name__ == "__main__":
    main()
