"""The one way tests, e2e and benchmarks run the real app: gunicorn on a free loopback port.

The server runs in its own process group, so :meth:`Gunicorn.kill` takes the master and every
worker at once (a crash, for the durability checks) and :meth:`Gunicorn.stop` ends them cleanly.
Its output goes to ``server.log`` in the instance folder (request logs, read by bench/load.py).

Commands (:meth:`Gunicorn.cli`) run as the ``annotator`` executable, or, with ``cli_in_process``,
through click's runner in this process: for tests that only set up data with them (e2e), which
then pay neither an interpreter start nor the app's imports per command.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
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
        cli_in_process: bool = False,
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
        self.cli_in_process = cli_in_process
        self._command_app = None

    @property
    def database_url(self) -> str:
        return self.env["ANNOTATOR_DATABASE_URL"]

    def cli(self, *args: str, input: str | None = None, in_process: bool | None = None) -> str:
        """Run the ``annotator`` command against this server's database; its output. In this
        process or as the executable, as ``in_process`` says (by default, as the server was
        made: ``cli_in_process``)."""
        if self.cli_in_process if in_process is None else in_process:
            return self._cli_here(args, input)
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

    def _cli_here(self, args: tuple[str, ...], input: str | None) -> str:
        """The command through click's runner, on an app of this server's settings built once
        (as the executable would build it: no pages, settings from :attr:`env`)."""
        from annotator import create_app, db
        from annotator.cli import cli

        if self._command_app is None:
            saved = dict(os.environ)
            os.environ.update(self.env)
            try:
                self._command_app = create_app(pages=False)
            finally:
                os.environ.clear()
                os.environ.update(saved)
        # a command marks its thread as writing, which in its own process ended with it
        writing = db.writing.set(False)
        try:
            done = self._command_app.test_cli_runner().invoke(cli, list(args), input=input)
        finally:
            db.writing.reset(writing)
        if done.exit_code != 0:
            raise AssertionError(
                f"annotator {' '.join(args)} failed: {done.output}"
            ) from done.exception
        return done.stdout

    def start(self, within: float = 300) -> float:
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
        if self._command_app is not None:
            self._command_app.extensions["annotator.engine"].dispose()
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


#: How often a server served from a thread looks whether it should stop: ``shutdown()`` waits up
#: to this long (the standard library's half a second, at each test's end, added up to seconds).
POLL_SECONDS = 0.02


def in_thread(server) -> Callable[[], None]:
    """Serve ``server`` (an ``http.server`` or werkzeug server) from a daemon thread of this
    process; returns the function that stops and closes it."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop
