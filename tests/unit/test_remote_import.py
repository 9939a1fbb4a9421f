"""``annotator import --server``'s client without a server: the body it sends, the folder it
zips, how it follows the job and words what went wrong (tests/integration/test_remote_import.py
sends to a real one)."""

from __future__ import annotations

import io
import socket
import threading
import zipfile

import pytest
from werkzeug.formparser import parse_form_data
from werkzeug.test import create_environ

from annotator.cli import remote
from annotator.cli.remote import Answer, RemoteFailed, Upload


def parsed(body: bytes, kind: str):
    """The body as Flask reads a form: (fields, files)."""
    environ = create_environ(
        method="POST", input_stream=io.BytesIO(body), content_type=kind, content_length=len(body)
    )
    _stream, form, files = parse_form_data(environ)
    return form, files


def test_the_body_is_read_back_as_the_fields_and_files_sent():
    content = b'{"text": "\xd0\x9c\xd0\xb8\xd1\x80"}\r\n--not-the-boundary\r\n\x00\xff'
    body, kind = remote.multipart(
        {"format": "native", "annotator": "Zoë"},
        [Upload('a "quoted"\nname.jsonl', content), Upload("статьи.txt", b"")],
        "files",
    )
    form, files = parsed(body, kind)
    assert form.to_dict() == {"format": "native", "annotator": "Zoë"}
    sent = files.getlist("files")
    # quotes come back as sent (the HTML escaping); a line break stays escaped
    assert [f.filename for f in sent] == ['a "quoted"%0Aname.jsonl', "статьи.txt"]
    assert [f.read() for f in sent] == [content, b""]


def test_a_folder_is_sent_as_a_zip_of_its_files_by_their_paths_within_it(tmp_path):
    folder = tmp_path / "brat"
    (folder / "part").mkdir(parents=True)
    (folder / "a.txt").write_text("Text.")
    (folder / "part" / "a.ann").write_text("T1\tclaim 0 4\tText\n")
    (folder / ".DS_Store").write_bytes(b"\x00")
    single = tmp_path / "one.jsonl"
    single.write_bytes(b'{"text": "x"}\n')

    found = remote.uploads([str(folder) + "/", str(single)])

    assert [upload.name for upload in found] == ["brat.zip", "one.jsonl"]
    with zipfile.ZipFile(io.BytesIO(found[0].content)) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == {
            "a.txt": b"Text.",
            "part/a.ann": b"T1\tclaim 0 4\tText\n",
        }
    assert found[1].content == b'{"text": "x"}\n'


class FakeServer:
    """Answers in turn; ``None`` stands for a server that cannot be reached that time."""

    url = "https://annotator.example.org"

    def __init__(self, answers):
        self.answers = list(answers)
        self.asked: list[tuple[str, str]] = []

    def request(self, method, path, body=None, kind=""):
        self.asked.append((method, path))
        answer = self.answers.pop(0)
        if answer is None:
            raise RemoteFailed(f"cannot reach {self.url}: [Errno 111] Connection refused")
        return answer


def no_wait(seconds: float) -> None:
    pass


JOB_URL = "http://10.0.0.5:8000/api/projects/news/jobs/j1"


def job(status: str, done: int, total: int, **more) -> Answer:
    finished = status not in ("queued", "running")
    body = {"status": status, "finished": finished, "done": done, "total": total} | more
    return Answer(200, body)


def send(server, tmp_path, **options):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b'{"text": "x"}\n')
    slept: list[float] = []
    seen: list[tuple[int, int]] = []
    message = remote.send_import(
        server,
        "news",
        [str(path)],
        progress=lambda done, total: seen.append((done, total)),
        sleep=slept.append,
        **options,
    )
    return message, seen, slept


def test_the_job_is_followed_to_its_end_less_and_less_often_through_a_lost_connection(tmp_path):
    queued = Answer(202, {"job": "j1", "status": "queued", "url": JOB_URL})
    looks = [job("queued", 0, 0), job("running", 100, 300), None, None]
    looks += [job("running", 200, 300)] * 6
    done = job("done", 300, 300, message="Imported 300 documents, 0 spans.")
    server = FakeServer([queued, *looks, done])

    message, seen, slept = send(server, tmp_path)

    assert message == "Imported 300 documents, 0 spans."
    assert server.asked[0] == ("POST", "/api/projects/news/documents")
    assert set(server.asked[1:]) == {("GET", JOB_URL)}
    assert seen == [(0, 0), (100, 300)] + [(200, 300)] * 6 + [(300, 300)]
    assert slept == [0.02, 0.04, 0.08, 0.16, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]


def test_a_job_the_server_cannot_be_asked_about_is_named_so_it_can_be_looked_up(tmp_path):
    queued = Answer(202, {"job": "j1", "status": "queued", "url": JOB_URL})
    server = FakeServer([queued] + [None] * (remote.RETRIES + 1))

    with pytest.raises(RemoteFailed) as refused:
        send(server, tmp_path)

    assert str(refused.value) == (
        "cannot reach https://annotator.example.org: [Errno 111] Connection refused; "
        f"the import goes on there: {JOB_URL}"
    )


def test_a_refused_import_is_worded_as_the_command_words_its_own(tmp_path):
    queued = Answer(202, {"job": "j1", "status": "queued", "url": JOB_URL})
    error = {"file": "docs.jsonl", "line": 2, "field": "text", "reason": "missing"}
    failed = job("failed", 0, 2, message="Nothing was imported. ...", errors=[error])
    with pytest.raises(RemoteFailed) as refused:
        send(FakeServer([queued, failed]), tmp_path, format="native", annotator="ana")
    # named as the user named it, not as the server was told
    said = f"nothing was imported: {tmp_path / 'docs.jsonl'}, line 2: field 'text': missing"
    assert str(refused.value) == said

    cancelled = job("cancelled", 0, 2, message="Cancelled: nothing was stored.", errors=[])
    with pytest.raises(RemoteFailed, match=r"^Cancelled: nothing was stored\.$"):
        send(FakeServer([queued, cancelled]), tmp_path)


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (Answer(401, {"error": "unknown"}), "does not accept the token in ANNOTATOR_TOKEN"),
        (Answer(404, None), "no project 'news' that the token may use"),
        (Answer(403, {"error": "this access token may only read"}), "may only read"),
        (Answer(400, {"error": "unknown format 'x'", "field": "format"}), "(field 'format')"),
        (Answer(502, None), "the server answered 502"),
    ],
)
def test_a_refused_upload_says_why_and_asks_for_no_job(tmp_path, answer, said):
    server = FakeServer([answer])
    with pytest.raises(RemoteFailed) as refused:
        send(server, tmp_path)
    assert str(refused.value).startswith("nothing was imported: ")
    assert said in str(refused.value)
    assert len(server.asked) == 1


@pytest.mark.parametrize("url", ["ftp://host", "localhost:5000", "http://", ""])
def test_only_a_web_address_is_a_server(url):
    with pytest.raises(RemoteFailed, match="http:// or https://"):
        remote.Server(url, "ann_x")


def test_an_error_in_a_folder_names_the_file_within_the_folder_the_user_gave(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.ann").write_text("T1\tclaim 0 99\tText\n")
    queued = Answer(202, {"job": "j1", "status": "queued", "url": JOB_URL})
    error = {"file": "brat.zip/a.ann", "line": 1, "field": None, "reason": "ends after the text"}
    failed = job("failed", 0, 1, message="Nothing was imported. ...", errors=[error])

    with pytest.raises(RemoteFailed) as refused:
        remote.send_import(FakeServer([queued, failed]), "news", [str(folder)], sleep=no_wait)

    said = f"nothing was imported: {folder}/a.ann, line 1: ends after the text"
    assert str(refused.value) == said


def test_files_sent_whole_without_an_answer_may_be_there_and_the_user_is_told_to_look(tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))

    def take_and_hang_up():  # reads the whole request, then closes without answering
        connection, _ = listener.accept()
        with connection:
            received = b""
            while b"--\r\n" not in received[-64:]:
                received += connection.recv(65536)

    threading.Thread(target=take_and_hang_up, daemon=True).start()
    server = remote.Server(f"http://127.0.0.1:{listener.getsockname()[1]}", "ann_x")
    try:
        with pytest.raises(RemoteFailed) as failed:
            send(server, tmp_path)
    finally:
        listener.close()
    assert failed.value.after_sending
    assert str(failed.value).endswith(
        "the server may have taken the files: look at the project's import jobs "
        "before sending them again"
    )


def test_a_server_that_is_not_there_was_sent_nothing():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(RemoteFailed) as failed:
        remote.Server(f"http://127.0.0.1:{port}", "ann_x").request("GET", "/health")
    assert not failed.value.after_sending
    assert "cannot reach" in str(failed.value)
