"""Peer-tool files through the command line and the import page: stored whole with their links and
annotators, or refused with the file and line and nothing stored. Every test runs on SQLite and
on PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import html
import io
import json

import pytest

from tests.integration.test_import import counts, stored
from tests.unit.test_peer_imports import ANN, TEXT, doccano_line, ls_task, zipped


@pytest.fixture
def news(world):
    world.user("mia")
    world.project("news", manager="mia")
    return "news"


def _link_count(app) -> int:
    from sqlalchemy import text as sql

    from annotator import db

    with app.app_context():
        return db.session().execute(sql("SELECT count(*) FROM relation")).scalar()


def test_cli_imports_a_brat_folder_and_a_label_studio_file_with_links(app, news, runner, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "doc-1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "doc-1.ann").write_text(ANN, encoding="utf-8")
    tasks = tmp_path / "ls.json"
    result = [
        {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 12, "end": 25, "text": "talks failed.", "labels": ["claim"]}},
    ]  # fmt: skip
    task = ls_task(result)
    task["data"] = {"text": TEXT, "id": "ls-1"}
    tasks.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")

    outcome = runner.invoke(
        args=["import", "news", str(folder), str(tasks), "--annotator", "alice"]
    )

    assert outcome.exit_code == 0, outcome.output
    assert "Imported 2 documents, 3 spans, 1 link" in outcome.output
    documents = stored(app)
    assert documents["doc-1"]["spans"] == [
        ("alice", "attribution", "Захарова"),
        ("alice", "claim", "talks failed."),
    ]
    assert documents["ls-1"]["spans"] == [("label-studio-1", "claim", "talks failed.")]
    assert _link_count(app) == 1


def test_cli_format_option_forces_the_reader(app, news, runner, tmp_path):
    lines = tmp_path / "x.jsonl"
    lines.write_bytes(doccano_line(id=1, text=TEXT, label=[[13, 26, "claim"]]))

    outcome = runner.invoke(args=["import", "news", str(lines), "--format", "native"])

    assert outcome.exit_code == 1
    assert "field 'label': unknown field" in outcome.output


def test_page_imports_a_doccano_zip_with_the_format_chosen(app, news, world):
    alice = doccano_line(id=3, text=TEXT, label=[[0, 8, "attribution"]])
    bob = doccano_line(id=3, text=TEXT, label=[[13, 26, "claim"]])
    response = world.client("mia").post(
        "/p/news/import",
        data={
            "files": [(io.BytesIO(zipped({"alice.jsonl": alice, "bob.jsonl": bob})), "d.zip")],
            "format": "doccano",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    assert stored(app)["3"]["spans"] == [
        ("alice", "attribution", "Захарова"),
        ("bob", "claim", "talks failed."),
    ]


def test_page_refuses_a_discontinuous_brat_span_naming_file_and_line_and_stores_nothing(
    app, news, world
):
    before = counts(app)
    ann = "T1\tattribution 0 8\tЗахарова\nT2\tclaim 12 17;18 25\ttalks failed.\n"
    response = world.client("mia").post(
        "/p/news/import",
        data={
            "files": [(io.BytesIO(zipped({"alice/a.txt": TEXT, "alice/a.ann": ann})), "b.zip")],
            "annotator": "",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Nothing was imported. b.zip/alice/a.ann, line 2: field 'T2': discontinuous" in page
    assert counts(app) == before


def test_page_refuses_an_unknown_format_name(app, news, world):
    response = world.client("mia").post(
        "/p/news/import",
        data={"files": [(io.BytesIO(b"{}"), "a.jsonl")], "format": "conll"},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "Unknown format" in html.unescape(response.get_data(as_text=True))
