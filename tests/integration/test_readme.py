"""The README stays true: its command-line session and its two make targets are run here."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.postgres import postgres_or_skip
from tests.support.server import free_port

#: The command-line session and the servers of `make run`/`make serve`: processes the parallel pass
#: would compete with for the cores, so they run in the serial pass (`make slow`).
serial = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text("utf-8")
BIN = Path(sys.executable).parent


def console_commands() -> list[str]:
    block = re.search(r"```console\n(.*?)```", README, re.S).group(1)
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        ANNOTATOR_INSTANCE_PATH=str(tmp_path / "instance"),
        **extra,
    )
    return env


def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1).splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == ["make run", "make test"]


@serial
def test_readme_command_line_session_runs_as_written(tmp_path):
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = environment(tmp_path)
    outputs = {}
    for command in console_commands():
        done = subprocess.run(
            command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
        outputs[command] = done.stdout
    assert "Imported 3 documents" in outputs[next(c for c in outputs if " import " in c)]
    exported = (tmp_path / "elections.jsonl").read_text("utf-8").splitlines()
    assert len(exported) == 3
    assert (tmp_path / "elections.jsonl.card.md").exists()
    assert '"pairwise"' in outputs["annotator agreement elections --json"]


def _serve_and_check(command: list[str], env: dict[str, str], expect_in_output: str | None) -> str:
    port = free_port()
    process = subprocess.Popen(
        [*command, f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600  # a server that never starts; generous on a busy machine
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.3)
        else:
            pytest.fail("server did not answer within 600 s")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
            assert b"Log in" in answer.read()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    if expect_in_output:
        assert expect_in_output in output, output
    return output


@serial
def test_make_run_serves_the_demo_and_prints_the_logins(tmp_path):
    output = _serve_and_check(["make", "run"], environment(tmp_path), "lead-password")
    # one log line per request: the app's JSON line, not Werkzeug's as well
    assert '"path":"/login","status":200' in output
    assert "GET /login HTTP/1.1" not in output


@serial
def test_make_serve_runs_gunicorn_on_postgresql(tmp_path):
    with postgres_or_skip() as url:
        _serve_and_check(["make", "serve"], environment(tmp_path, ANNOTATOR_DATABASE_URL=url), None)
