"""The README's Python example for the token API runs as written against a real server: gunicorn
and the job runner (``annotator jobs``), with only the address and the token filled in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import api_tokens, create_app, db, store
from tests.support.server import Gunicorn

# serial: gunicorn and the job runner as processes, kept out of the CPU-bound parallel pass
pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")


def python_example() -> str:
    return re.search(r"```python\n(.*?)```", README, re.S).group(1)


def command_example() -> str:
    """The one line of the block that follows the Python example."""
    after = README[README.index(python_example()) :]
    (line,) = re.search(r"```sh\n(.*?)```", after, re.S).group(1).strip().splitlines()
    return line


def read_write_token(database_url: str) -> str:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test"})
    try:
        with app.app_context():
            session = db.session()
            maria = store.user_by_name(session, "maria")
            project = store.project_by_slug(session, "elections")
            made = api_tokens.create(
                session, maria, name="readme", scope="read-write", days=1, project=project
            )
            session.commit()
            return made.secret
    finally:
        app.extensions["annotator.engine"].dispose()


@pytest.fixture
def server(tmp_path):
    # the set-up commands run in this process; the server and the job runner are processes
    server = Gunicorn(tmp_path / "instance", workers=1, threads=2, cli_in_process=True)
    server.cli("init-db")
    server.cli("create-user", "maria", "--role", "admin", input="a-long-password\n")
    server.cli("create-project", "elections", "--labels", "claim,evidence,attribution",
               "--manager", "maria")  # fmt: skip
    server.start()
    runner = subprocess.Popen(
        [str(Path(sys.executable).parent / "annotator"), "jobs", "--workers", "1"],
        env=server.env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield server
    finally:
        runner.terminate()
        runner.wait(timeout=30)
        server.stop()


def test_readme_python_example_imports_waits_for_the_job_and_downloads_an_export(server, tmp_path):
    assert "articles.jsonl" in python_example()
    secret = read_write_token(server.database_url)
    script = (
        python_example()
        .replace("http://localhost:5000/api", f"{server.url}/api")
        .replace("ann_...", secret)
    )
    shutil.copy(ROOT / "docs" / "examples" / "articles.jsonl", tmp_path / "articles.jsonl")
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "'documents': 2" in done.stdout
    conll = (tmp_path / "elections.conll").read_text("utf-8")
    assert "B-claim" in conll
    with_server = server.cli("export", "elections", "--format", "conll", "-o", "-")
    assert conll == with_server

    # the command line's import to a running server, as the README writes it
    command = (
        command_example().replace("http://localhost:5000", server.url).replace("ann_...", secret)
    )
    shutil.copy(ROOT / "docs" / "examples" / "op-ed.txt", tmp_path / "op-ed.txt")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        command,
        shell=True,
        cwd=tmp_path,
        env={"PATH": path},  # nothing of the server's settings
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "Imported 1 document, 0 spans.\n"
    listed = server.cli("export", "elections", "--format", "native", "-o", "-")
    assert '"id":"op-ed"' in listed.replace(" ", "")
