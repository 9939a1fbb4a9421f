"""``annotator import --server URL`` sends the files to a running annotator with a token and stores
there exactly what the command stores into its own database, or nothing, saying why.

The server is the test's app, served by a thread of this process on a port the OS picks (so the
tests run under xdist with the rest); small imports run inside the request, as they do by default.
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from annotator import api_tokens, db, store
from annotator.models import Document, Label, Span, User
from tests.support.server import in_thread

ARTICLES = [
    {
        "id": "doc-1",
        "title": "Talks",
        "text": "Захарова: 👍 talks failed.",
        "annotations": [
            {"annotator": "ana", "label": "attribution", "start": 0, "end": 8},
            {"annotator": "ana", "label": "claim", "start": 12, "end": 25},
        ],
    },
    {
        "id": "doc-2",
        "text": "Line one.\r\nThe family 👨‍👩‍👧 said: رفض الاتفاق\u0301.",
        "annotations": [{"annotator": "mia", "label": "claim", "start": 11, "end": 38}],
    },
]


@pytest.fixture
def served(app):
    """The app at a real address; the URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    stop = in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}"
    stop()


@pytest.fixture
def projects(world):
    world.user("mia")
    world.user("ana")
    for slug in ("sent", "here", "other"):
        world.project(slug, manager="mia", annotators=["ana"])


def token(app, user: str, scope: str = "read-write", project: str | None = None) -> str:
    with app.app_context():
        session = db.session()
        made = api_tokens.create(
            session,
            store.user_by_name(session, user),
            name="command line",
            scope=scope,
            days=1,
            project=None if project is None else store.project_by_slug(session, project),
        )
        session.commit()
        return made.secret


def stored(app, slug: str) -> list[tuple]:
    """The project's documents and spans, as an import leaves them (ids left out)."""
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, slug)
        documents = session.exec(
            select(Document.external_id, Document.title, Document.text)
            .where(Document.project_id == project.id)
            .order_by(Document.external_id)
        ).all()
        spans = session.exec(
            select(Document.external_id, User.username, Label.name, Span.start, Span.end)
            .join(Span, Span.document_id == Document.id)
            .join(User, User.id == Span.annotator_id)
            .join(Label, Label.id == Span.label_id)
            .where(Document.project_id == project.id)
            .order_by(Document.external_id, Span.start)
        ).all()
        return [tuple(row) for row in documents] + [tuple(row) for row in spans]


def write_articles(tmp_path) -> str:
    path = tmp_path / "articles.jsonl"
    path.write_bytes(
        b"\n".join(json.dumps(article, ensure_ascii=False).encode() for article in ARTICLES)
    )
    return str(path)


def test_a_server_stores_what_the_command_stores_in_its_own_database(
    app, runner, served, projects, tmp_path
):
    path = write_articles(tmp_path)
    secret = token(app, "mia")

    sent = runner.invoke(
        args=["import", "sent", path, "--server", served + "/"], env={"ANNOTATOR_TOKEN": secret}
    )
    here = runner.invoke(args=["import", "here", path])

    assert sent.exit_code == 0, sent.output
    assert sent.output == here.output == "Imported 2 documents, 3 spans.\n"
    assert stored(app, "sent") == stored(app, "here")
    # CRLF became LF, and the offsets moved with it, on both paths
    assert ("doc-2", "mia", "claim", 10, 37) in stored(app, "sent")


def test_a_folder_of_brat_pairs_arrives_as_the_command_reads_it(
    app, runner, served, projects, tmp_path
):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Zoë said the vote was rigged.", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tattribution 0 3\tZoë\nT2\tclaim 9 28\tthe vote was rigged\n")
    secret = token(app, "mia")
    options = ["--annotator", "ana", "--format", "brat"]

    sent = runner.invoke(
        args=["import", "sent", str(folder), "--server", served, *options],
        env={"ANNOTATOR_TOKEN": secret},
    )
    here = runner.invoke(args=["import", "here", str(folder), *options])

    assert sent.exit_code == 0, sent.output
    assert sent.output == here.output
    assert stored(app, "sent") == stored(app, "here")
    assert ("a", "ana", "claim", 9, 28) in stored(app, "sent")


def test_a_refused_file_stores_nothing_and_is_named_as_the_command_names_it(
    app, runner, served, projects, tmp_path
):
    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "a", "text": "Fine."}\n{"id": "b", "txt": "Wrong key."}\n')
    secret = token(app, "mia")

    sent = runner.invoke(
        args=["import", "sent", str(path), "--server", served], env={"ANNOTATOR_TOKEN": secret}
    )
    here = runner.invoke(args=["import", "here", str(path)])

    assert sent.exit_code == here.exit_code == 1
    assert sent.output == here.output
    said = f"Error: nothing was imported: {path}, line 2: field 'txt': unknown field"
    assert sent.output.startswith(said)
    assert stored(app, "sent") == stored(app, "here") == []


@pytest.mark.parametrize(
    ("whose", "said"),
    [
        (None, "--server needs a read-write token in ANNOTATOR_TOKEN"),
        ("not-a-token", "the server does not accept the token in ANNOTATOR_TOKEN (401)"),
        (("mia", "read", None), "this access token may only read (scope read)"),
        (("mia", "read-write", "other"), "no project 'sent' that the token may use"),
        (("ana", "read-write", None), "nothing was imported: "),
    ],
)
def test_a_token_that_may_not_import_there_is_told_so_and_stores_nothing(
    app, runner, served, projects, tmp_path, whose, said
):
    path = write_articles(tmp_path)
    env = {"ANNOTATOR_TOKEN": ""}
    if isinstance(whose, str):
        env["ANNOTATOR_TOKEN"] = whose
    elif whose is not None:
        user, scope, project = whose
        env["ANNOTATOR_TOKEN"] = token(app, user, scope, project)

    sent = runner.invoke(args=["import", "sent", path, "--server", served], env=env)

    assert sent.exit_code == 1
    assert said in sent.output
    assert stored(app, "sent") == []


def test_a_server_that_does_not_answer_is_named(app, runner, projects, tmp_path):
    path = write_articles(tmp_path)
    closed = make_server("127.0.0.1", 0, app)
    url = f"http://127.0.0.1:{closed.server_port}"
    closed.server_close()

    sent = runner.invoke(
        args=["import", "sent", path, "--server", url], env={"ANNOTATOR_TOKEN": "ann_x"}
    )

    assert sent.exit_code == 1
    assert sent.output.startswith(f"Error: cannot reach {url}: ")
