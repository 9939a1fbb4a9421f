"""Adjudication state per document: not started, in progress, adjudicated, with who and when;
shown on the dashboard and the comparison, and an export filter (``--adjudicated-only``)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect
from sqlalchemy import text as sql

from annotator import db
from tests.integration.test_migrations import (
    TEXT as OLD_TEXT,
)
from tests.integration.test_migrations import (
    _insert_first_schema_rows,
    empty_database_url,  # noqa: F401 - fixture
)

TEXT = "Officials said the bridge was closed because the inspection found cracks."


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def span(annotator, label, phrase):
    start, end = at(phrase)
    return {"annotator": annotator, "label": label, "start": start, "end": end}


@pytest.fixture
def project(world):
    """d1 finished by ana and ben (not started), d2 likewise, d3 came with gold (imported)."""
    world.user("lead")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    both = [span("ana", "claim", "the bridge was closed"), span("ben", "claim", "the bridge")]
    world.import_jsonl(
        "news",
        [
            {"id": "d1", "title": "First", "text": TEXT, "annotations": both},
            {"id": "d2", "title": "Second", "text": TEXT, "annotations": both},
            {
                "id": "d3",
                "title": "Imported",
                "text": TEXT,
                "annotations": both,
                "gold": [
                    {"label": "claim", "start": at("the bridge")[0], "end": at("the bridge")[1]}
                ],
            },
        ],
    )
    return world.client("lead")


def _adjudication(page: str) -> str:
    return page[page.index('id="adjudication-state"') :].split("</p>")[0]


def test_a_document_goes_from_not_started_to_in_progress_to_adjudicated(app, project):
    assert "not started" in _adjudication(project.get("/p/news/compare/1").get_data(as_text=True))
    html = project.get("/p/news/compare/1").get_data(as_text=True)
    span_id = html.split('data-span="')[1].split('"')[0]
    project.post("/p/news/compare/1/accept", data={"span_id": span_id})
    shown = _adjudication(project.get("/p/news/compare/1").get_data(as_text=True))
    assert "in progress" in shown and "by lead" in shown
    assert project.post("/p/news/compare/1/adjudication", data={"status": "adjudicated"})
    shown = _adjudication(project.get("/p/news/compare/1").get_data(as_text=True))
    assert '<strong class="adjudication adjudicated">adjudicated</strong>' in shown
    assert "by lead" in shown and "Reopen adjudication" in shown
    project.post("/p/news/compare/1/adjudication", data={"status": "in_progress"})
    assert "in progress" in _adjudication(project.get("/p/news/compare/1").get_data(as_text=True))


def test_gold_that_came_with_an_import_counts_as_adjudicated(project):
    shown = _adjudication(project.get("/p/news/compare/3").get_data(as_text=True))
    assert "adjudicated" in shown and "gold imported" in shown


def test_an_unknown_status_is_refused_and_changes_nothing(project):
    answer = project.post("/p/news/compare/1/adjudication", data={"status": "done"})
    assert answer.status_code == 422 and "status" in answer.get_data(as_text=True)
    assert "not started" in _adjudication(project.get("/p/news/compare/1").get_data(as_text=True))


def test_the_dashboard_counts_documents_in_each_state_with_who_and_when(project):
    html = project.get("/p/news/compare/2").get_data(as_text=True)
    span_id = html.split('data-span="')[1].split('"')[0]
    project.post("/p/news/compare/2/accept", data={"span_id": span_id})
    page = project.get("/p/news/dashboard").get_data(as_text=True)
    counts = page[page.index('id="adjudication-counts"') :].split("</p>")[0]
    assert "2 not started" not in counts
    assert "1 not started" in counts and "1 in progress" in counts and "1 adjudicated" in counts
    table = page[page.index('id="adjudications"') :].split("</table>")[0]
    second = table[table.index('data-document="d2"') :].split("</tr>")[0]
    assert "in progress" in second and "<td>lead</td>" in second
    imported = table[table.index('data-document="d3"') :].split("</tr>")[0]
    assert "adjudicated" in imported and "<td>imported</td>" in imported


def test_export_of_adjudicated_documents_only_on_the_command_line_and_the_page(project, runner):
    project.post("/p/news/compare/1/adjudication", data={"status": "adjudicated"})
    result = runner.invoke(args=["export", "news", "--adjudicated-only", "--output", "-"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines() if line.startswith("{")]
    assert ids == ["d1", "d3"]
    page = project.get("/p/news/export/download?format=native&adjudicated_only=1")
    assert [json.loads(line)["id"] for line in page.get_data(as_text=True).splitlines()] == [
        "d1",
        "d3",
    ]
    assert 'name="adjudicated_only"' in project.get("/p/news/export").get_data(as_text=True)


def test_database_of_the_previous_schema_gains_adjudication_state(empty_database_url):  # noqa: F811
    """Gold made by a curator (w-gold, document 2) is in progress; gold without a curator (an
    import, document 1) is adjudicated; a document without gold has no row (not started)."""
    engine = db.make_engine(empty_database_url)
    try:
        db.upgrade(engine, "0001")
        _insert_first_schema_rows(engine)
        db.upgrade(engine, "0040")
        with engine.begin() as connection:
            connection.execute(
                sql(
                    "INSERT INTO gold_span (id, project_id, document_id, document_length, "
                    'label_id, start, "end", note, curator_id, source_span_id, created_at, '
                    "updated_at) VALUES ('imported', 1, 1, :length, 1, 0, 4, '', NULL, NULL, "
                    "'2024-05-01 10:00:00', '2024-05-01 10:00:00')"
                ),
                {"length": len(OLD_TEXT)},
            )
        assert not inspect(engine).has_table("adjudication")

        db.upgrade(engine, "0041")  # that revision, whatever later ones add

        assert db.current_revision(engine) == "0041"
        assert inspect(engine).has_table("rejection")
        assert inspect(engine).has_table("curator_comment")
        with engine.connect() as connection:
            rows = connection.execute(
                sql(
                    "SELECT document_id, status, curator_id, imported FROM adjudication "
                    "ORDER BY document_id"
                )
            ).all()
            assert connection.execute(sql("SELECT count(*) FROM gold_span")).scalar() == 2
        assert [(r[0], r[1], r[2], bool(r[3])) for r in rows] == [
            (1, "adjudicated", None, True),
            (2, "in_progress", 1, False),
        ]
    finally:
        engine.dispose()
