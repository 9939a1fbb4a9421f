"""``annotator import --server URL``: send the files to a running annotator through its JSON API
and follow the import job there, instead of writing to this machine's database.

For a team whose annotator runs on a server, this is how a laptop loads a corpus into it. It is
also the quick way for a small import: this module uses only the standard library, so the command
starts in tens of milliseconds, and the server, whose libraries are loaded already, does the work
as it does for the web import. The import stays all-or-nothing: the server's job stores every
document or none, and its refusal names the file, line, field and reason.

The token is read from ``ANNOTATOR_TOKEN`` (never from the command line, where other users of the
machine and the shell's history would see it): a read-write token made on the account page.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import time
import urllib.parse
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

TOKEN_VARIABLE = "ANNOTATOR_TOKEN"
FIRST_POLL, LONGEST_POLL = 0.02, 0.25
"""Seconds between two looks at the job: at once for a small import, then less often, but never
so seldom that the summary waits long after the job is done (a look is one small GET)."""
RETRIES = 5
"""Failed looks at a running job (a server restarting) tolerated in a row before giving up."""


class RemoteFailed(Exception):
    """The server could not be reached or refused; the message says what to do next.
    ``after_sending``: the request had gone out whole when the answer failed to come, so the
    server may have acted on it."""

    def __init__(self, message: str, after_sending: bool = False):
        super().__init__(message)
        self.after_sending = after_sending


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    path: str = ""
    """Where it was read, to name it in errors as the user named it (the server knows ``name``)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    """The JSON the server answered, or None."""


def uploads(paths: Iterable[str]) -> list[Upload]:
    """Each file as it is; a folder (brat pairs, our W3C export) as a zip of its files, which the
    server reads as the command reads the folder."""
    found = []
    for path in paths:
        name = os.path.basename(os.path.normpath(path))
        if os.path.isdir(path):
            found.append(Upload(f"{name}.zip", _zipped(path), path))
        else:
            with open(path, "rb") as handle:
                found.append(Upload(name, handle.read(), path))
    return found


def _zipped(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for root, _dirs, names in os.walk(folder):
            for name in sorted(names):
                if not name.startswith("."):
                    full = os.path.join(root, name)
                    archive.write(full, os.path.relpath(full, folder).replace(os.sep, "/"))
    return buffer.getvalue()


def multipart(fields: dict[str, str], files: list[Upload], field: str) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body (fields, then each file under ``field``) and its type."""
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for upload in files:
        # as browsers send a name: UTF-8, with quotes and line breaks escaped
        name = upload.name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + upload.content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Server:
    """A running annotator, spoken to with a bearer token."""

    def __init__(self, url: str, token: str):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteFailed(f"--server must be an http:// or https:// address, not {url!r}")
        self.url = url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: bytes | None = None, kind: str = "") -> Answer:
        """``path`` below the server's address, or a URL the server gave (asked at the address
        the user gave: behind a proxy, the server may name itself by an inner one)."""
        base = urllib.parse.urlsplit(self.url)
        given = urllib.parse.urlsplit(path)
        target = (given.path if given.scheme else base.path + path) or "/"
        if given.query:
            target += "?" + given.query
        kind_of_connection = (
            http.client.HTTPSConnection if base.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind_of_connection(base.hostname or "", base.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if kind:
            headers["Content-Type"] = kind
        sent = False
        try:
            try:
                connection.request(method, target, body, headers)
                sent = True
            except (BrokenPipeError, ConnectionResetError):
                # the server answered before taking the whole body (a refusal, such as a token
                # it does not accept) and closed: its answer is still there to read
                pass
            response = connection.getresponse()
            return Answer(response.status, _json(response.read()))
        except (OSError, http.client.HTTPException) as error:
            raise RemoteFailed(f"cannot reach {self.url}: {error}", after_sending=sent) from None
        finally:
            connection.close()


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def refusal(answer: Answer) -> str:
    """What the server said was wrong, as the API words it (``error`` and ``field``)."""
    if answer.status == 401:
        return f"the server does not accept the token in {TOKEN_VARIABLE} (401)"
    body = answer.body if isinstance(answer.body, dict) else {}
    message = body.get("error") or f"the server answered {answer.status}"
    field = f" (field '{body['field']}')" if body.get("field") else ""
    return f"{message}{field}"


Progress = Callable[[int, int], None]
"""Told ``(done, total)`` documents each time the job is looked at."""


def send_import(
    server: Server,
    slug: str,
    paths: Iterable[str],
    *,
    format: str | None = None,  # noqa: A002 - the command's and the API's name
    annotator: str | None = None,
    progress: Progress = lambda done, total: None,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Send the files as one import job and wait for it to finish; the job's summary
    ("Imported 2000 documents, 0 spans.") or :class:`RemoteFailed` naming what was refused."""
    fields = {key: value for key, value in (("format", format), ("annotator", annotator)) if value}
    files = uploads(paths)
    body, kind = multipart(fields, files, "files")
    quoted = urllib.parse.quote(slug, safe="")
    try:
        answer = server.request("POST", f"/api/projects/{quoted}/documents", body, kind)
    except RemoteFailed as problem:
        if not problem.after_sending:
            raise
        # the files went out and no answer came: an import may be under way there, and sending
        # them again could store documents without ids twice
        raise RemoteFailed(
            f"{problem}; the server may have taken the files: look at the project's import jobs "
            "before sending them again",
            after_sending=True,
        ) from None
    if answer.status == 404:
        raise RemoteFailed(f"nothing was imported: no project {slug!r} that the token may use")
    if answer.status != 202 or not isinstance(answer.body, dict):
        raise RemoteFailed(f"nothing was imported: {refusal(answer)}")
    job_url = answer.body["url"]
    job = _follow(server, job_url, progress, sleep)
    if job["status"] != "done":
        errors = job.get("errors") or []
        if errors:  # worded as the command words a refusal of its own
            said = "; ".join(_where(error, files) for error in errors)
            raise RemoteFailed(f"nothing was imported: {said}")
        raise RemoteFailed(job["message"])  # cancelled, interrupted
    return job["message"]


def _follow(server: Server, job_url: str, progress: Progress, sleep: Callable[[float], None]):
    """Look at the job until it is finished, less and less often."""
    wait, failures = FIRST_POLL, 0
    while True:
        try:
            answer = server.request("GET", job_url)
        except RemoteFailed as problem:
            failures += 1
            if failures > RETRIES:
                raise RemoteFailed(f"{problem}; the import goes on there: {job_url}") from None
            answer = None
        if answer is not None:
            if answer.status != 200 or not isinstance(answer.body, dict):
                raise RemoteFailed(f"{refusal(answer)}; the import's job: {job_url}")
            failures = 0
            job = answer.body
            progress(job["done"], job["total"])
            if job["finished"]:
                return job
        sleep(wait)
        wait = min(wait * 2, LONGEST_POLL)


def _where(error: dict, files: list[Upload]) -> str:
    """One of the job's errors as the local command words it: the file as the user named it
    (a folder's member below the folder), line, field: reason."""
    where = error.get("file") or "the upload"
    for upload in files:
        if where == upload.name or where.startswith(upload.name + "/"):
            where = upload.path.rstrip("/") + where[len(upload.name) :]
            break
    if error.get("line") is not None:
        where += f", line {error['line']}"
    field = f"field '{error['field']}': " if error.get("field") else ""
    return f"{where}: {field}{error.get('reason', '')}"
