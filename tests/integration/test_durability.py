"""Durability: a server killed with SIGKILL in the middle of a stream of saves loses nothing that it
acknowledged, and the client's retries after the restart never duplicate a span."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid

import pytest
from sqlmodel import select

from annotator import db
from annotator.models import Span
from tests.support.server import Gunicorn

# serial: gunicorn SIGKILLed and restarted, as processes; kept out of the CPU-bound parallel pass
pytestmark = pytest.mark.serial

TEXT = "Zakharova wrote that Kyiv was sabotaging the talks, RIA reported. " * 20


class Annotator:
    """Saves spans one after another, retrying each until the server acknowledges it."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.acknowledged: list[str] = []
        self.stop = threading.Event()
        self.csrf = self._csrf_token()

    def _csrf_token(self) -> str:
        """Open a page as the browser would: the session now holds a CSRF token."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        connection.request("GET", "/p/news", headers={"Cookie": self.cookie})
        response = connection.getresponse()
        page = response.read().decode()
        fresh = response.getheader("Set-Cookie")
        if fresh:
            self.cookie = fresh.split(";", 1)[0]
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def put(self, span_id: str, start: int) -> bool:
        body = json.dumps(
            {"label": "claim", "start": start, "end": start + 9, "text": TEXT[start : start + 9]}
        )
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request(
                "PUT",
                f"/api/projects/news/documents/1/spans/{span_id}",
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "Cookie": self.cookie,
                    "X-CSRFToken": self.csrf,
                },
            )
            status = connection.getresponse().status
            assert status in (200, 201, 502, 503), f"save answered {status}"
            return status in (200, 201)
        except OSError:
            return False

    def run(self, count: int) -> None:
        for number in range(count):
            span_id = str(uuid.uuid4())
            start = (number * 7) % (len(TEXT) - 10)
            while not self.put(span_id, start):  # retried with the same id until acknowledged
                if self.stop.is_set():
                    return
                time.sleep(0.05)
            self.acknowledged.append(span_id)


def test_sigkill_during_saves_loses_no_acknowledged_span_and_duplicates_none(
    app, world, database_url, tmp_path
):
    world.user("ana")
    world.project("news", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    client = world.client("ana")
    assert client.post("/p/news/next").status_code == 302
    cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())

    # one worker: what is killed is the process group, however many workers it has
    server = Gunicorn(tmp_path, database_url, workers=1, threads=2, log_requests=False)
    server.start()
    annotator = None
    try:
        annotator = Annotator(server.port, cookie)
        worker = threading.Thread(target=annotator.run, args=(150,), daemon=True)
        worker.start()
        while len(annotator.acknowledged) < 40 and worker.is_alive():  # by count, not by time
            time.sleep(0.01)
        server.kill()
        killed_after = len(annotator.acknowledged)
        server.start()  # the client keeps retrying its in-flight save against the new server
        worker.join(timeout=120)
    finally:
        if annotator:
            annotator.stop.set()
        server.kill()  # never leave a server behind, whatever failed

    assert killed_after >= 40 and len(annotator.acknowledged) == 150
    with app.app_context():
        stored = db.session().exec(select(Span.id)).all()
    assert sorted(stored) == sorted(annotator.acknowledged)  # none lost, none twice
