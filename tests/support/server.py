"""The one way tests, e2e and benchmarks run the real app: gunicorn on a free loopback port.

The server runs in its own process group, so :meth:`Gunicorn.kill` takes the master and every
worker at once (a crash, for the durability checks) and :meth:`Gunicorn.stop` ends them cleanly.
Its output goes to ``server.log`` in the instance folder (request logs, read by bench/load.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A port nobody listens on now (the OS picks it), on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``annotator:create_app()`` under gunicorn, on its own instance folder and database.

    ``database_url`` defaults to a SQLite file in the instance folder; ``env`` is the environment
    of the server and of :meth:`cli`, so a caller may change it before :meth:`start`.
    """

    def __init__(
        self,
        instance: Path,
        database_url: str | None = None,
        *,
        secret_key: str = "test-secret",
        workers: int = 2,
        threads: int = 4,
        log_requests: bool = True,
    ):
        self.instance = Path(instance)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.log = self.instance / "server.log"
        self.env = os.environ | {
            "ANNOTATOR_INSTANCE_PATH": str(self.instance),
            "ANNOTATOR_SECRET_KEY": secret_key,
            "ANNOTATOR_DATABASE_URL": database_url or f"sqlite:///{self.instance / 'annotator.db'}",
            "ANNOTATOR_LOG_REQUESTS": "true" if log_requests else "false",
        }
        self.process: subprocess.Popen | None = None

    @property
    def database_url(self) -> str:
        return self.env["ANNOTATOR_DATABASE_URL"]

    def cli(self, *args: str, input: str | None = None) -> str:
        """Run the ``annotator`` command against this server's database; its output."""
        done = subprocess.run(
            [str(BIN / "annotator"), *args],
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise AssertionError(f"annotator {' '.join(args)} failed: {done.stderr or done.stdout}")
        return done.stdout

    def start(self, within: float = 60) -> float:
        """Start and wait until /health answers; returns the seconds that took. ``within`` only
        bounds a server that never comes up (then the log is in the error), it times nothing."""
        started = time.monotonic()
        self.instance.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "annotator:create_app()",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        while time.monotonic() - started < within:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as answer:
                    if answer.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"gunicorn did not start; log:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        """End the server cleanly (SIGTERM to the group), as a deployment would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the master and every worker: no clean-up, transactions cut anywhere."""
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
