"""annotator beside Label Studio and doccano: the same work on one generated corpus, side by side.

Installs each peer from the package registry, at a pinned version, into a virtual environment of
its own under a cache folder (``~/.cache/annotator-peers`` or ``--cache DIR``; installed once and
reused), starts each on 127.0.0.1 on a free port with a fresh data folder, and measures on each
tool, round after round (``--rounds``, the tools interleaved within a round so that a change in the
machine's load touches all of them alike):

- import of D documents (``--documents``, default 2,000 of about 3 KB) through the tool's normal
  paths: annotator's ``annotator import`` and its API's import job through the running server
  (``POST /api/projects/SLUG/documents``, taken up by ``annotator jobs``, waited for until it has
  finished); Label Studio's ``POST /api/projects/ID/import``; doccano's file upload and its import
  task (Celery worker), waited for until it has finished;
- saving one span through the tool's API (the median of ``--saves`` saves);
- exporting the project (annotator: ``annotator export`` and the API's download from the running
  server, ``GET /api/projects/SLUG/export``; Label Studio: ``GET .../export``; doccano: the
  export task and its download);
- installed size (the virtual environment on disk) and idle memory of the server (resident memory
  of its processes, summed, after the work and a pause; annotator's with its job runner);
- a 50,000-character document with 1,000 spans opened in Chromium by a logged-in user: the
  median of ``--long-loads`` loads of the time from navigation to the frame that shows its last
  highlight, after two loads not timed (a server's and a browser's first loads compile what
  later ones reuse), on annotator and Label Studio alike (see long_document.py).

It prints, per row, each tool's median with its spread (min-max), and the ratio of each peer's
median to annotator's (above 1: annotator is ahead). Where annotator has two paths the row shows
the faster one's, and a line below the table shows both. Not part of ``make test``;
tests/integration/test_peers_bench.py runs ``--help`` and ``--dry-run``, which generates the
corpus, measures annotator and says what it would install and start, without installing or
starting the peers.

    .venv/bin/python bench/peers/run.py [--cache DIR] [--documents D] [--rounds R] [--saves S]
        [--long-loads L] [--tools annotator,label-studio,doccano] [--dry-run]

The first full run downloads about 1.7 GB of packages.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from annotator.cli.remote import Upload  # noqa: E402
from annotator.cli.remote import multipart as form_body  # noqa: E402
from annotator.offsets import code_points_to_utf16  # noqa: E402
from bench.peers.long_document import (  # noqa: E402
    LONG_PASSWORD,
    LONG_PROJECT,
    LONG_USER,
    LongDocument,
    annotator_script,
    init_script,
    log_in,
    make_in_annotator,
    time_loads,
    time_peer_loads,
    with_page,
)
from tests.support.server import Gunicorn, free_port  # noqa: E402

PINS = {"label-studio": "label-studio==1.23.2", "doccano": "doccano==1.8.4"}
#: Held back beside a peer: doccano 1.8.4 pins pandas 1.x, built against numpy 1 (numpy 2 fails its
#: import), and its environs reads ``marshmallow.__version_info__``,
#: which marshmallow 4 no longer has (``doccano init`` fails with an AttributeError).
ALSO = {"label-studio": [], "doccano": ["marshmallow<4", "numpy<2"]}
LABELS = ("claim", "evidence", "attribution")
#: annotator's second project, imported into through the running server
WEB_PROJECT = "peers-web"
#: and its third, imported into by the command sending the file to the running server
SENT_PROJECT = "peers-sent"
PASSWORD = "peers-bench-password"
WORDS = (
    "the minister said on tuesday that figures would be published in spring after an inquiry "
    "into port contracts found records missing according to auditors who declined to comment"
).split()


# --- the corpus ---------------------------------------------------------------------------------


def corpus(documents: int, seed: int = 19) -> list[dict[str, str]]:
    """``documents`` articles of about 3 KB of plain words, the same for every tool."""
    rng = random.Random(seed)
    return [
        {"id": f"doc-{n}", "title": f"Article {n}", "text": " ".join(rng.choices(WORDS, k=480))}
        for n in range(documents)
    ]


# --- measuring ----------------------------------------------------------------------------------


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def distribution_bytes(name: str) -> int:
    """Bytes on disk of the installed distribution ``name`` and of everything it requires to run
    (extras left out), found through the installed packages' metadata."""
    from importlib import metadata

    seen: set[str] = set()
    todo, total, package_listed = [name], 0, False
    while todo:
        current = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if current in seen:
            continue
        seen.add(current)
        try:
            distribution = metadata.distribution(current)
        except metadata.PackageNotFoundError:
            continue
        for file in distribution.files or ():
            package_listed |= str(file) == f"{name}/__init__.py"
            located = Path(distribution.locate_file(file))
            if located.is_file():
                total += located.stat().st_size
        for requirement in distribution.requires or ():
            if "extra ==" not in requirement:
                todo.append(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0))
    if name == "annotator" and not package_listed:  # editable: count the checkout's package
        total += folder_bytes(ROOT / "annotator") + folder_bytes(ROOT / "templates")
        total += folder_bytes(ROOT / "static") + folder_bytes(ROOT / "migrations")
    return total


def tree_rss(pid: int) -> int:
    """Resident bytes of process ``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Http:
    """A keep-alive JSON client with cookies, a CSRF header and an optional token."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, content_type="application/json"):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # the server closed the kept-alive connection while the client was idle: once more
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def json(self, method: str, path: str, body=None, expect=(200, 201)):
        status, _headers, data = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: {status} {data[:300]!r}")
        return json.loads(data) if data else None


def wait_until_up(port: int, path: str, process: subprocess.Popen, log: Path, within=900) -> None:
    """Poll until ``path`` answers (any status below 500); ``within`` only bounds a failure."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server on port {port} did not start; log:\n{log.read_text()[-3000:]}")


def end(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def multipart(field: str, name: str, content: bytes) -> tuple[bytes, str]:
    """One file as a form upload, encoded as ``annotator import --server`` sends it."""
    return form_body({}, [Upload(name, content)], field)


# --- the tools ----------------------------------------------------------------------------------


class Tool:
    """One tool: start fresh, then import, save one span, export, measure itself."""

    name = ""
    saves = -1

    def __init__(self, work: Path):
        self.work = work

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def import_documents(self, documents: list[dict[str, str]], path: Path) -> None: ...

    def imports(self, documents, path: Path) -> dict[str, Callable[[], object]]:
        """The tool's normal paths of import, by row: one, unless a tool has two."""
        return {"import": lambda: self.import_documents(documents, path)}

    def prepare_saving(self) -> None:
        """What a user does before saving (log in, open a document): not timed."""

    def next_start(self) -> int:
        """Where the next 12-character span starts: apart from the earlier ones (doccano refuses
        overlapping spans), inside the 3 KB text for up to 140 saves."""
        self.saves += 1
        return 20 * (self.saves % 140)

    def save_span(self) -> None: ...

    def export(self, path: Path) -> None: ...

    def exports(self, path: Path) -> dict[str, Callable[[], object]]:
        """The tool's normal paths of export, by row."""
        return {"export": lambda: self.export(path)}

    def long_document(self, browser, document: LongDocument | None, loads: int) -> float | None:
        """Make ``document`` in the tool (not timed) and open it ``loads`` times in ``browser``,
        logged in; the median seconds from navigation to its last highlight shown (None: not
        measured on this tool)."""
        return None

    def installed_bytes(self) -> int: ...

    def idle_rss(self) -> int: ...


class Annotator(Tool):
    name = "annotator"

    def start(self) -> None:
        # set-up commands in this process; the timed ones run as the executable (in_process=False)
        self.server = Gunicorn(
            self.work / f"annotator-{uuid.uuid4().hex[:8]}", log_requests=False, cli_in_process=True
        )
        # 20,000 documents are a 61 MB file: above the default upload limit (50 MB), as a team
        # importing a corpus that size would set it
        self.server.env["ANNOTATOR_MAX_UPLOAD_MB"] = "500"
        self.server.cli("init-db")
        self.server.cli("create-user", "boss", "--role", "admin", input=PASSWORD + "\n")
        self.server.cli("create-project", "peers", "--manager", "boss")
        self.server.cli("add-member", "peers", "boss", "--role", "annotator")
        self.server.cli("create-project", WEB_PROJECT, "--manager", "boss")
        self.server.cli("create-project", SENT_PROJECT, "--manager", "boss")
        self.server.start()
        # the job runner beside the server, as `make serve` and a deployment run it
        log = self.server.instance / "jobs.log"
        self.jobs = subprocess.Popen(
            [str(Path(sys.executable).parent / "annotator"), "jobs"],
            env=self.server.env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client = Http(self.server.port)
        self.log_in()
        self.token = self.make_token()

    def stop(self) -> None:
        end(self.jobs)
        self.server.stop()

    def make_token(self) -> str:
        """A read-write token, made on the account page as a user makes one (not timed)."""
        form = urllib.parse.urlencode(
            {"name": "bench", "scope": "read-write", "days": "1", "project": SENT_PROJECT}
        ).encode()
        status, _h, data = self.client.request(
            "POST", "/account/tokens", form, "application/x-www-form-urlencoded"
        )
        found = re.search(rb"ann_[\w-]+", data)
        if status != 201 or found is None:
            raise RuntimeError(f"annotator token: {status}")
        return found.group().decode()

    def imports(self, documents, path: Path) -> dict[str, Callable[[], object]]:
        """The command, the API's import job through the running server, and the command sending
        the file to that server (each into a project of its own)."""
        return {
            "import (command)": lambda: self.server.cli(
                "import", "peers", str(path), "--no-progress", in_process=False
            ),
            "import (server)": lambda: self.import_through_server(path),
            "import (command --server)": lambda: self.import_with_command_to_server(path),
        }

    def import_with_command_to_server(self, path: Path) -> None:
        """``annotator import --server``, as from another machine: none of the server's
        settings, only its address and a token."""
        subprocess.run(
            [str(Path(sys.executable).parent / "annotator"), "import", SENT_PROJECT, str(path)]
            + ["--no-progress", "--server", self.server.url],
            env={"PATH": os.environ.get("PATH", ""), "ANNOTATOR_TOKEN": self.token},
            check=True,
            capture_output=True,
            timeout=300,
        )

    def import_through_server(self, path: Path) -> None:
        """``POST /api/projects/SLUG/documents`` queues a job; poll its status until it is done."""
        body, content_type = multipart("files", path.name, path.read_bytes())
        status, _h, data = self.client.request(
            "POST", f"/api/projects/{WEB_PROJECT}/documents", body, content_type
        )
        if status != 202:
            raise RuntimeError(f"annotator web import: {status} {data[:300]!r}")
        url = urllib.parse.urlsplit(json.loads(data)["url"]).path
        while not (job := self.client.json("GET", url))["finished"]:
            time.sleep(0.02)
        if job["status"] != "done":
            raise RuntimeError(f"annotator web import: {job}")

    def log_in(self) -> None:
        """Log in as a browser does (not timed)."""
        form = urllib.parse.urlencode(
            {
                "username": "boss",
                "password": PASSWORD,
                "csrf_token": _csrf_meta(self.client, "/login"),
            }
        ).encode()
        status, _h, _d = self.client.request(
            "POST", "/login", form, "application/x-www-form-urlencoded"
        )
        if status != 302:
            raise RuntimeError(f"annotator log-in: {status}")
        self.client.headers["X-CSRFToken"] = _csrf_meta(self.client, "/p/peers")

    def prepare_saving(self) -> None:
        """Be handed a document (not timed)."""
        status, headers, _ = self.client.request("POST", "/p/peers/next")
        if status != 302:
            raise RuntimeError(f"annotator next document: {status}")
        self.document_id = int(headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def save_span(self) -> None:
        start = self.next_start()
        body = {"label": "claim", "start": start, "end": start + 12}
        path = f"/api/projects/peers/documents/{self.document_id}/spans/{uuid.uuid4()}"
        status, _h, data = self.client.request("PUT", path, body)
        if status not in (200, 201):
            raise RuntimeError(f"annotator save: {status} {data[:200]!r}")

    def exports(self, path: Path) -> dict[str, Callable[[], object]]:
        """The command, and the API's download from the running server."""
        return {
            "export (command)": lambda: self.server.cli(
                "export", "peers", "-o", str(path), "--no-progress", in_process=False
            ),
            "export (server)": lambda: self.export_through_server(path),
        }

    def export_through_server(self, path: Path) -> None:
        status, _h, data = self.client.request("GET", "/api/projects/peers/export")
        if status != 200:
            raise RuntimeError(f"annotator export: {status} {data[:200]!r}")
        path.write_bytes(data)

    def long_document(self, browser, document: LongDocument | None, loads: int) -> float:
        """workspace_bench's document made in this server's database (not timed), then opened."""
        document_id, made = make_in_annotator(self.server.database_url)
        self.made_long_document = made
        url = self.server.url

        def load(page) -> float:
            log_in(
                page,
                url + "/login",
                {"input[name=username]": LONG_USER, "input[name=password]": LONG_PASSWORD},
                "button.primary",
            )
            return time_loads(page, f"{url}/p/{LONG_PROJECT}/d/{document_id}", loads)

        return with_page(browser, annotator_script(), load)

    def installed_bytes(self) -> int:
        """annotator and what it requires to run (not the test tools of this checkout's venv)."""
        return distribution_bytes("annotator")

    def idle_rss(self) -> int:
        """The server's processes and the job runner's."""
        return tree_rss(self.server.process.pid) + tree_rss(self.jobs.pid)


def _csrf_meta(client: Http, page: str) -> str:
    _status, _headers, data = client.request("GET", page)
    html = data.decode(errors="replace")
    marker = 'name="csrf-token" content="'
    if marker not in html:
        raise RuntimeError(f"no CSRF token in {page}")
    return html.split(marker, 1)[1].split('"', 1)[0]


class Peer(Tool):
    """A tool installed from the registry into ``cache/<pin>``."""

    package = ""

    def __init__(self, work: Path, cache: Path):
        super().__init__(work)
        self.venv = cache / PINS[self.package].replace("==", "-")

    def install(self) -> None:
        marker = self.venv / ".installed"
        if marker.exists():
            return
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        pip = [str(self.venv / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, PINS[self.package], *ALSO[self.package]], check=True)
        marker.touch()

    def installed_bytes(self) -> int:
        return folder_bytes(self.venv)

    def idle_rss(self) -> int:
        return sum(tree_rss(process.pid) for process in self.processes)

    def spawn(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            env=os.environ | {"PATH": f"{self.venv / 'bin'}:{os.environ['PATH']}"} | env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.work,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            end(process)


LABEL_CONFIG = (
    '<View><Labels name="label" toName="text">'
    + "".join(f'<Label value="{label}"/>' for label in LABELS)
    + '</Labels><Text name="text" value="$text"/></View>'
)


#: What Label Studio 1.23 draws for a span in the text (one element or more, split where spans
#: overlap); the class naming the span an element belongs to (its newer drawing), or the class
#: of each span's last element (its older one).
LS_HIGHLIGHT = ".htx-highlight"
LS_HIGHLIGHT_KEY = r"htx-highlight-(?!last\b)\S+"
LS_HIGHLIGHT_LAST = "htx-highlight-last"


class LabelStudio(Peer):
    name = package = "label-studio"

    def start(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.port = free_port()
        data = self.work / f"label-studio-{uuid.uuid4().hex[:8]}"
        data.mkdir(parents=True)
        token = uuid.uuid4().hex
        log = data / "server.log"
        process = self.spawn(
            [
                str(self.venv / "bin" / "label-studio"),
                "start",
                "--no-browser",
                "--internal-host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(data),
                "--username",
                "boss@example.com",
                "--password",
                PASSWORD,
                "--user-token",
                token,
            ],
            {"LABEL_STUDIO_BASE_DATA_DIR": str(data), "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "1"},
            log,
        )
        wait_until_up(self.port, "/health", process, log)
        self.client = Http(self.port)
        self.client.headers["Authorization"] = f"Token {token}"
        status, _h, _d = self.client.request("GET", "/api/projects")
        if status == 401:  # legacy tokens switched off: log in as the browser does
            del self.client.headers["Authorization"]
            self.client.request("GET", "/user/login/")
            form = urllib.parse.urlencode(
                {
                    "email": "boss@example.com",
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
                }
            ).encode()
            self.client.request("POST", "/user/login/", form, "application/x-www-form-urlencoded")
        project = self.client.json(
            "POST", "/api/projects", {"title": "peers", "label_config": LABEL_CONFIG}
        )
        self.project = project["id"]

    def import_documents(self, documents, path: Path) -> None:
        tasks = [{"text": d["text"], "title": d["title"], "ref": d["id"]} for d in documents]
        self.client.json("POST", f"/api/projects/{self.project}/import", tasks)

    def prepare_saving(self) -> None:
        found = self.client.json("GET", f"/api/tasks?project={self.project}&page_size=1")
        tasks = found["tasks"] if isinstance(found, dict) else found
        self.task = tasks[0]["id"]

    def save_span(self) -> None:
        start = self.next_start()
        result = {
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": start, "end": start + 12, "labels": ["claim"]},
        }
        self.client.json(
            "POST",
            f"/api/tasks/{self.task}/annotations?project={self.project}",
            {"result": [result], "project": self.project},
        )

    def long_document_url(self, document: LongDocument) -> str:
        """A project holding ``document`` as one task with one annotation of its spans (LS's
        offsets are those of JavaScript strings: UTF-16); the task's labeling page."""
        project = self.client.json(
            "POST", "/api/projects", {"title": "long", "label_config": LABEL_CONFIG}
        )["id"]
        result = [
            {
                "id": f"span{number}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": code_points_to_utf16(document.text, start),
                    "end": code_points_to_utf16(document.text, end),
                    "text": document.text[start:end],
                    "labels": [label],
                },
            }
            for number, (start, end, label) in enumerate(document.spans)
        ]
        task = {"data": {"text": document.text}, "annotations": [{"result": result}]}
        self.client.json("POST", f"/api/projects/{project}/import", [task])
        found = self.client.json("GET", f"/api/tasks?project={project}&page_size=1")
        task_id = (found["tasks"] if isinstance(found, dict) else found)[0]["id"]
        return f"http://127.0.0.1:{self.port}/projects/{project}/data?task={task_id}"

    def long_document(self, browser, document: LongDocument | None, loads: int) -> float:
        assert document is not None, "annotator's round makes the document first"
        url = self.long_document_url(document)
        script = init_script(LS_HIGHLIGHT, LS_HIGHLIGHT_KEY, LS_HIGHLIGHT_LAST, len(document.spans))

        def load(page) -> float:
            log_in(
                page,
                f"http://127.0.0.1:{self.port}/user/login/",
                {"input[name=email]": "boss@example.com", "input[name=password]": PASSWORD},
                "button[type=submit]",
            )
            return time_peer_loads(page, url, loads)

        return with_page(browser, script, load)

    def export(self, path: Path) -> None:
        status, _h, data = self.client.request(
            # every task, as the other tools export: by default only those with annotations
            "GET",
            f"/api/projects/{self.project}/export?exportType=JSON&download_all_tasks=true",
        )
        if status != 200:
            raise RuntimeError(f"Label Studio export: {status} {data[:200]!r}")
        path.write_bytes(data)


class Doccano(Peer):
    name = package = "doccano"

    def start(self) -> None:
        self.processes = []
        self.port = free_port()
        home = self.work / f"doccano-{uuid.uuid4().hex[:8]}"
        home.mkdir(parents=True)
        log = home / "server.log"
        env = {
            "DOCCANO_HOME": str(home),
            "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}",
            "MEDIA_ROOT": str(home / "media"),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "STANDALONE": "True",
            "DEBUG": "False",
            "SECRET_KEY": uuid.uuid4().hex,
        }
        doccano = str(self.venv / "bin" / "doccano")
        for step in (["init"], ["createuser", "--username", "boss", "--password", PASSWORD]):
            subprocess.run(
                [doccano, *step],
                env=os.environ | env,
                check=True,
                capture_output=True,
                cwd=self.work,
            )
        # `doccano webserver` binds 0.0.0.0; its own gunicorn is started here on 127.0.0.1.
        backend = self._backend()
        process = self.spawn(
            [
                str(self.venv / "bin" / "python"),
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--chdir",
                str(backend),
                "config.wsgi",
            ],
            env | {"PYTHONPATH": str(backend)},
            log,
        )
        self.spawn([doccano, "task", "--concurrency", "1"], env, home / "task.log")
        wait_until_up(self.port, "/v1/health/", process, log)
        self.client = Http(self.port)
        key = self.client.json(
            "POST", "/v1/auth/login/", {"username": "boss", "password": PASSWORD}
        )["key"]
        self.client.headers["Authorization"] = f"Token {key}"
        self.client.cookies.clear()  # the token, not the session (which would want CSRF)
        project = self.client.json(
            "POST",
            "/v1/projects",
            {
                "name": "peers",
                "description": "peers bench",
                "guideline": "",
                "project_type": "SequenceLabeling",
                "resourcetype": "SequenceLabelingProject",
            },
        )
        self.project = project["id"]
        for number, label in enumerate(LABELS):
            self.client.json(
                "POST",
                f"/v1/projects/{self.project}/span-types",
                {"text": label, "suffix_key": str(number + 1), "background_color": "#4c78a8"},
            )

    def _backend(self) -> Path:
        found = list(self.venv.glob("lib/python*/site-packages/backend"))
        if not found:
            raise RuntimeError(f"doccano's backend package not found in {self.venv}")
        return found[0]

    def _wait_task(self, task_id: str) -> dict:
        while True:
            status = self.client.json("GET", f"/v1/tasks/status/{task_id}")
            if status.get("ready"):
                if status.get("error"):
                    raise RuntimeError(f"doccano task failed: {status['error']}")
                return status
            time.sleep(0.1)

    def import_documents(self, documents, path: Path) -> None:
        body, content_type = multipart("filepond", path.name, path.read_bytes())
        status, _h, data = self.client.request("POST", "/v1/fp/process/", body, content_type)
        if status != 200:
            raise RuntimeError(f"doccano upload: {status} {data[:200]!r}")
        task = self.client.json(
            "POST",
            f"/v1/projects/{self.project}/upload",
            {
                "uploadIds": [data.decode().strip()],
                "format": "JSONL",
                "task": "SequenceLabeling",
                "column_data": "text",
                "column_label": "label",
                "encoding": "utf_8",
            },
        )
        self._wait_task(task["task_id"])

    def prepare_saving(self) -> None:
        found = self.client.json("GET", f"/v1/projects/{self.project}/examples?limit=1")
        self.example = found["results"][0]["id"]
        types = self.client.json("GET", f"/v1/projects/{self.project}/span-types")
        self.label = types[0]["id"]

    def save_span(self) -> None:
        start = self.next_start()
        self.client.json(
            "POST",
            f"/v1/projects/{self.project}/examples/{self.example}/spans",
            {"label": self.label, "start_offset": start, "end_offset": start + 12},
        )

    def export(self, path: Path) -> None:
        task = self.client.json(
            "POST", f"/v1/projects/{self.project}/download", {"format": "JSONL"}
        )
        self._wait_task(task["task_id"])
        status, _h, data = self.client.request(
            "GET", f"/v1/projects/{self.project}/download?taskId={task['task_id']}"
        )
        if status != 200:
            raise RuntimeError(f"doccano download: {status} {data[:200]!r}")
        path.write_bytes(data)


# --- the run ------------------------------------------------------------------------------------


def measure_round(
    tool: Tool, documents, corpus_file: Path, saves: int, out: Path, browser, loads: int, long
) -> dict:
    """One round on a fresh instance of ``tool``: every figure of the table once (the long
    document when ``browser`` is given: ``loads`` loads of it, their median)."""
    tool.start()
    try:
        figures = {row: timed(work) for row, work in tool.imports(documents, corpus_file).items()}
        tool.prepare_saving()
        tool.saves = -1  # a fresh document each round: the spans start from its beginning
        figures["save one span"] = statistics.median(timed(tool.save_span) for _ in range(saves))
        exports = tool.exports(out / f"{tool.name}-export")
        figures |= {row: timed(work) for row, work in exports.items()}
        time.sleep(5)  # idle: background work of the import and export has settled
        figures["idle memory"] = tool.idle_rss()
        if browser is not None:
            try:
                shown = tool.long_document(browser, long, loads)
            except Exception as error:  # a page that never shows every span: no figure, why
                print(f"{tool.name}: long document not measured: {error}", flush=True)
                shown = None
            if shown is not None:
                figures["long document"] = shown
        return figures
    finally:
        tool.stop()


def spread(values: list[float], unit: str) -> str:
    scale, suffix = (1, "s") if unit == "s" else (1000, "ms") if unit == "ms" else (2**20, "MiB")
    median = statistics.median(values)
    shown = [value * scale if unit != "MiB" else value / scale for value in values]
    middle = median * scale if unit != "MiB" else median / scale
    return f"{middle:,.2f} {suffix} ({min(shown):,.2f}-{max(shown):,.2f})"


UNITS = {
    "import": "s",
    "save one span": "ms",
    "export": "s",
    "idle memory": "MiB",
    "long document": "s",
}
TITLES = {
    "long document": "50,000-character document, 1,000 spans: navigation to last highlight shown",
}


def paths_of(rounds: list[dict], row: str) -> dict[str, list[float]]:
    """A row's figures by path: ``{"": [...]}`` for one path, ``{"command": [...], "server":
    [...]}`` for a tool measured on two (rows named ``import (command)`` and so on)."""
    found = {
        key[len(row) :].strip(" ()"): [figures[key] for figures in rounds]
        for key in rounds[0]
        if key == row or key.startswith(row + " (")
    }
    return found


def report(results: dict[str, list[dict]], sizes: dict[str, int], documents: int) -> str:
    """The table: per row each tool's median (min-max) and the peers' ratios. Where annotator
    has two normal paths (command and running server) the faster one's median is the row's, named
    in its cell; :func:`paths_line` shows both."""
    tools = list(results)
    lines = [
        "| " + " | ".join(["work", *tools, *(f"{t} / annotator" for t in tools[1:])]) + " |",
        "|---" * (2 * len(tools)) + "|",
    ]
    for row, unit in UNITS.items():
        chosen: dict[str, tuple[str, list[float]]] = {}
        for tool in tools:
            paths = paths_of(results[tool], row)
            if paths:
                chosen[tool] = min(paths.items(), key=lambda item: statistics.median(item[1]))
        if tools[0] not in chosen:
            continue
        medians = {t: statistics.median(values) for t, (_p, values) in chosen.items()}
        cells = [
            spread(chosen[t][1], unit) + (f", {chosen[t][0]}" if chosen[t][0] else "")
            if t in chosen
            else "-"
            for t in tools
        ]
        base = medians[tools[0]]
        ratios = [f"{medians[t] / base:.2f}x" if t in medians and base else "-" for t in tools[1:]]
        title = f"import {documents:,} documents" if row == "import" else TITLES.get(row, row)
        lines.append(f"| {title} | " + " | ".join(cells + ratios) + " |")
    size_cells = [f"{sizes[t] / 2**20:,.0f} MiB" for t in tools]
    size_ratios = [f"{sizes[t] / sizes[tools[0]]:.2f}x" for t in tools[1:]]
    lines.append("| installed size | " + " | ".join(size_cells + size_ratios) + " |")
    return "\n".join(lines)


def paths_line(rounds: list[dict]) -> str:
    """annotator's two paths of import and export, each with its median (min-max)."""
    parts = []
    for row in ("import", "export"):
        paths = paths_of(rounds, row)
        if len(paths) > 1:
            shown = ", ".join(f"{path} {spread(values, 's')}" for path, values in paths.items())
            parts.append(f"{row}: {shown}")
    return "annotator by path: " + "; ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache/annotator-peers")
    parser.add_argument("--documents", type=int, default=2000, help="documents imported")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, tools interleaved")
    parser.add_argument("--saves", type=int, default=20, help="spans saved per round")
    parser.add_argument("--tools", default="annotator,label-studio,doccano")
    parser.add_argument(
        "--long-loads",
        type=int,
        default=3,
        help="loads of the long document in Chromium per round (their median); 0: not measured",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="everything but installing and starting the peers: corpus, annotator's figures, plan",
    )
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.tools.split(",") if name.strip()]
    unknown = set(names) - {"annotator", "label-studio", "doccano"}
    if unknown or not names or names[0] != "annotator":
        parser.error("--tools: annotator first, then label-studio and/or doccano")
    if min(args.documents, args.rounds, args.saves) < 1:
        parser.error("--documents, --rounds and --saves must be at least 1")
    if args.long_loads < 0:
        parser.error("--long-loads must be 0 or more")

    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="annotator-peers-")))
        browser = stack.enter_context(chromium()) if args.long_loads else None
        documents = corpus(args.documents)
        corpus_file = work / "corpus.jsonl"
        with corpus_file.open("w", encoding="utf-8") as out:
            for document in documents:
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
        print(f"corpus: {len(documents):,} documents, {corpus_file.stat().st_size:,} bytes")
        tools: list[Tool] = [Annotator(work)]
        for name in names[1:]:
            peer = (LabelStudio if name == "label-studio" else Doccano)(work, args.cache)
            if args.dry_run:
                print(f"would install {PINS[name]} into {peer.venv} and start it on 127.0.0.1")
            else:
                print(f"installing {PINS[name]} into {peer.venv} (once)", flush=True)
                peer.install()
                tools.append(peer)
        results: dict[str, list[dict]] = {tool.name: [] for tool in tools}
        for number in range(args.rounds):
            for tool in tools:
                long = getattr(tools[0], "made_long_document", None)
                figures = measure_round(
                    tool, documents, corpus_file, args.saves, work, browser, args.long_loads, long
                )
                results[tool.name].append(figures)
                print(f"round {number + 1} {tool.name}: {figures}", flush=True)
        sizes = {tool.name: tool.installed_bytes() for tool in tools}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average {load}")
    print(f"medians of {args.rounds} rounds (min-max); ratios: peer median / annotator median\n")
    print(report(results, sizes, args.documents))
    print("\n" + paths_line(results["annotator"]))


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium through Playwright (the e2e tests' settings)."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


if __name__ == "__main__":
    main()
