"""`make run` (``annotator demo``) runs background jobs in a thread of its own process: an import
from the Import page, a job, reaches "done" and its documents are on the project page.

The server is the real command on a free port; the browser is urllib with a cookie jar. The job
page is polled a bounded number of times, not for a stretch of time.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import time
import urllib.request
import uuid

import pytest

from tests.integration.test_readme import BIN, ROOT, environment
from tests.support.server import free_port as _free_port

# serial: `annotator demo` as a process (its job thread is what is tested), kept out of the
# CPU-bound parallel pass
pytestmark = pytest.mark.serial

POLLS = 3000
"""Progress fragments read at most (a tenth of a second apart) before the job must be done: a bound
on a hang (5 minutes at least), generous enough for a machine loaded by other work."""
TITLES = [f"Demo job article {n}" for n in range(3)]


class Browser:
    """Cookies, redirects followed, and the CSRF token of the last form read."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = ""

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as answer:
            html = answer.read().decode("utf-8")
            found = re.search(r'name="csrf_token" value="([^"]+)"', html)
            if found:
                self.csrf = found.group(1)
            return answer.geturl(), html

    def post(self, path: str, body: bytes, content_type: str) -> tuple[str, str]:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(request, timeout=60) as answer:
            return answer.geturl(), answer.read().decode("utf-8")


def multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/x-ndjson\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def demo_server(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "annotator"), "demo", "--port", str(port)],
        cwd=ROOT,
        # every import a job: a small one would otherwise run in its request, not in the thread
        env=environment(tmp_path) | {"ANNOTATOR_IMPORT_IN_REQUEST_KB": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(2000):  # a bound on a server that never starts, not a measure
            try:
                with urllib.request.urlopen(base + "/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.3)
        else:
            pytest.fail("annotator demo did not answer /health")
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)


def test_demo_server_runs_an_import_job_from_the_import_page_to_done(demo_server):
    browser = Browser(demo_server)
    browser.get("/login")
    login = f"username=lead&password=lead-password&csrf_token={browser.csrf}".encode()
    url, _html = browser.post("/login", login, "application/x-www-form-urlencoded")
    assert not url.endswith("/login"), "the log-in was refused"

    browser.get("/p/demo/import")
    lines = b"".join(
        json.dumps({"id": f"job-{n}", "title": title, "text": f"{title} says hello."}).encode()
        + b"\n"
        for n, title in enumerate(TITLES)
    )
    body, content_type = multipart({"csrf_token": browser.csrf}, "files", "few.jsonl", lines)
    url, page = browser.post("/p/demo/import", body, content_type)

    job = re.search(r"/p/demo/jobs/([0-9a-f]+)$", url)
    assert job, f"the import did not lead to a job page but to {url}"
    for _poll in range(POLLS):
        _url, fragment = browser.get(f"/p/demo/jobs/{job.group(1)}/progress")
        status = re.search(r'class="job-status">(\w+)<', fragment).group(1)
        if status not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert status == "done", fragment
    assert "3 of 3 documents" in fragment

    _url, project = browser.get("/p/demo")
    for title in TITLES:
        assert title in project
