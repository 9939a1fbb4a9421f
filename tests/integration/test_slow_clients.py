"""Slow clients cannot starve the server: while 8 connections each dribble a partial request a
byte at a time, the real `make serve` gunicorn command still answers /health.

Bounded by counts: the bytes of one request line per slow connection, 5 tries of /health with a
generous timeout each (a bound on a hang only: a machine loaded by other work never fails it).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

# serial: the `make serve` gunicorn (4 workers) as a process, out of the CPU-bound parallel pass
pytestmark = pytest.mark.serial

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SLOW_CONNECTIONS = 8
#: A slow client sends a byte of its request line every PAUSE seconds, until the test has its
#: answers (the connections stay open however long /health takes on a busy machine), and gives
#: up after the bytes of the line: the test is bounded by a count, not by a clock. The line stays
#: under `make serve`'s --limit-request-line (8190) and outlasts any wait for /health (30 min).
LINE = b"GET /login?" + b"x" * 3600
PAUSE = 0.5


def gunicorn_command() -> list[str]:
    """The gunicorn command line of `make serve`, as the Makefile spells it."""
    done = subprocess.run(
        ["make", "-s", "-n", "serve", "PORT=0"], cwd=ROOT, capture_output=True, text=True
    )
    line = next(part for part in done.stdout.split(";") if "gunicorn" in part)
    line = line.replace("\\\n", " ")
    words = [w.strip("'") for w in re.split(r"\s+", line.strip()) if w]
    return [str(BIN / "gunicorn"), *words[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dribble(port: int, opened: threading.Barrier, answered: threading.Event) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        opened.wait()
        for byte in LINE:
            if answered.is_set():
                break
            connection.sendall(bytes([byte]))
            time.sleep(PAUSE)


def test_health_answers_while_slow_clients_hold_connections(tmp_path):
    command = gunicorn_command()
    assert "gthread" in command
    port = free_port()
    command = [w if "127.0.0.1:" not in w else f"127.0.0.1:{port}" for w in command]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNOTATOR_")}
    env.update(ANNOTATOR_INSTANCE_PATH=str(tmp_path / "instance"), ANNOTATOR_LOG_REQUESTS="false")
    subprocess.run([str(BIN / "annotator"), "init-db"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(1500):  # a bound on a server that never starts
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        opened = threading.Barrier(SLOW_CONNECTIONS + 1)
        answered = threading.Event()
        slow = [
            threading.Thread(target=dribble, args=(port, opened, answered))
            for _ in range(SLOW_CONNECTIONS)
        ]
        for thread in slow:
            thread.start()
        opened.wait()
        answers = []
        for _ in range(5):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=60) as answer:
                answers.append(answer.status)
        still_dribbling = sum(thread.is_alive() for thread in slow)
        answered.set()
        for thread in slow:
            thread.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert answers == [200] * 5
    assert still_dribbling == SLOW_CONNECTIONS  # /health answered while all were still open
