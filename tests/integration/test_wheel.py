"""A wheel built from the project, installed (not editable) into a fresh virtual environment,
serves the demo: the templates, static files and migrations travel inside the package.

Slow (it builds a wheel and installs its dependencies from the package index or pip's cache), so
it is marked ``serial`` and runs once, on SQLite: what it checks does not depend on the database.
Both tests share one wheel (a module fixture), so under xdist they stay on one worker.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# serial: a wheel build, a venv install and a server as processes, kept out of the CPU-bound
# parallel pass; both tests share the wheel, so they stay on one worker
pytestmark = [pytest.mark.serial, pytest.mark.xdist_group("wheel")]

PAGES = [
    "/",
    "/p/demo",
    "/p/demo/guidelines",
    "/p/demo/settings",
    "/p/demo/dashboard",
    "/p/demo/import",
    "/p/demo/export",
    "/p/demo/agreement",
    "/p/demo/d/1",
    "/p/demo/compare/1",
    "/p/demo/d/1/gold",
    "/admin/users",
    "/account/tokens",
    "/api/docs",
    "/health",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("annotator-*.whl")
    return built


def test_the_wheel_carries_templates_static_files_and_migrations(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "annotator/templates/base.html" in names
    assert "annotator/templates/workspace/document.html" in names
    assert any(name.startswith("annotator/static/vendor/htmx") for name in names)
    assert "annotator/static/app.css" in names
    assert "annotator/migrations/env.py" in names
    assert "annotator/migrations/versions/0001_initial_schema.py" in names
    assert "annotator/demo_data/articles.jsonl" in names


def test_a_non_editable_install_serves_every_page_of_the_demo(wheel, tmp_path):
    venv = tmp_path / "venv"
    # Without a pip of its own (copying one in took 3 s of the test's 22): this pip installs into
    # it (--python). --no-compile: pip would byte-compile every dependency (SciPy's thousands of
    # files), a quarter of this test's time; what is imported compiles as it is imported.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")),
            *("install", "-q", "--no-compile", str(wheel)),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"  # not the checkout: nothing may be found by relative path
    elsewhere.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANNOTATOR_", "PYTHON"))}
    env["ANNOTATOR_INSTANCE_PATH"] = str(tmp_path / "instance")
    server = subprocess.Popen(
        [str(venv / "bin" / "annotator"), "demo", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/health", server)
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        login = opener.open(f"{base}/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        form = {"username": "lead", "password": "lead-password", "csrf_token": token}
        opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30)
        for path in PAGES:
            try:
                answer = opener.open(base + path, timeout=30)
            except urllib.error.HTTPError as error:
                raise AssertionError(f"{path} answered {error.code}") from None
            assert "/login" not in answer.geturl(), f"{path}: not logged in"
        page = opener.open(f"{base}/p/demo/d/1", timeout=30).read().decode()
        for asset in re.findall(r'(?:src|href)="(/static/[^"?]+)', page):
            with opener.open(base + asset, timeout=30) as answer:
                assert answer.status == 200, asset
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def _wait_for(url: str, server: subprocess.Popen, tries: int = 1500) -> None:
    """Poll until the server answers; a bounded number of tries, failing early if it exits."""
    for _ in range(tries):
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
