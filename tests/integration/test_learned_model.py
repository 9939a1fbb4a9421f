"""The suggestion model learned from a project's gold (issue 18, recommender 2): what it learns
from, ``annotator train``, switching a model on, learning again in the background when enough
new gold exists, and the migration that adds it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sql
from sqlmodel import select

from annotator import db, store
from annotator.cli import cli
from annotator.models import Job, LearnedModel
from annotator.suggestions import training
from tests.integration.test_migrations import (
    FIRST_SCHEMA,
    _insert_first_schema_rows,
    empty_database_url,  # noqa: F401 - fixture
)
from tests.support.news_corpus import corpus
from tests.support.pages import csrf_token


def gold_lines(examples, prefix: str = "g") -> list[dict]:
    return [
        {
            "id": f"{prefix}{index}",
            "title": f"Article {index}",
            "text": example.text,
            "gold": [{"label": label, "start": s, "end": e} for label, s, e in example.spans],
        }
        for index, example in enumerate(examples)
    ]


@pytest.fixture
def project(world):
    world.user("lead")
    world.user("ana")
    world.user("ben")
    world.project(
        "news",
        manager="lead",
        annotators=["ana", "ben"],
        overlap=2,
        labels="claim,evidence,attribution",
    )
    return world


def test_train_learns_from_adjudicated_gold_and_reports_held_out_figures(project, runner):
    project.import_jsonl("news", gold_lines(corpus(30, seed=5)))
    result = runner.invoke(cli, ["train", "news", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["documents"], shown["held_out"], shown["enabled"]) == (24, 6, False)
    assert set(shown["scores"]) == {"attribution", "claim", "evidence"}
    assert all(row["gold"] > 0 and row["f1"] > 0.5 for row in shown["scores"].values())
    with project.app.app_context():
        session = db.session()
        (row,) = session.exec(select(LearnedModel)).all()
        assert row.scores == shown["scores"] and row.model and not row.enabled
        project_row = store.project_by_slug(session, "news")
        assert training.suggest(session, project_row.id, "Prices rose, the union said.") == []


def test_train_with_enable_switches_the_model_on_and_it_suggests(project, runner):
    project.import_jsonl("news", gold_lines(corpus(30, seed=5)))
    result = runner.invoke(cli, ["train", "news", "--enable"])
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "Switched on" in result.output
    text = "The bridge will reopen on Monday, the mayor's office said."
    with project.app.app_context():
        session = db.session()
        project_row = store.project_by_slug(session, "news")
        found = {(s.label, text[s.start : s.end]) for s in training.suggest(session, 1, text)}
        assert project_row.id == 1
        assert ("attribution", "the mayor's office said") in found


def test_too_little_gold_is_refused_and_stores_nothing(project, runner):
    project.import_jsonl("news", gold_lines(corpus(4, seed=5)))
    result = runner.invoke(cli, ["train", "news"])
    assert result.exit_code != 0
    assert "4 documents have finished gold or agreed spans" in result.output
    assert "at least 10" in result.output
    with project.app.app_context():
        assert db.session().exec(select(LearnedModel)).all() == []


def test_agreed_spans_of_two_finished_annotators_count_and_differing_ones_do_not(project):
    docs = corpus(3, seed=9)

    def marked(example, who, drop: int = 0):
        spans = example.spans[drop:]
        return [{"annotator": who, "label": name, "start": s, "end": e} for name, s, e in spans]

    done = [{"annotator": "ana", "status": "done"}, {"annotator": "ben", "status": "done"}]
    project.import_jsonl(
        "news",
        [
            {
                "id": "same",
                "text": docs[0].text,
                "annotators": done,
                "annotations": marked(docs[0], "ana") + marked(docs[0], "ben"),
            },
            {
                "id": "differ",
                "text": docs[1].text,
                "annotators": done,
                "annotations": marked(docs[1], "ana") + marked(docs[1], "ben", drop=1),
            },
            {
                "id": "one",
                "text": docs[2].text,
                "annotators": done[:1],
                "annotations": marked(docs[2], "ana"),
            },
        ],
    )
    with project.app.app_context():
        session = db.session()
        found = training.examples(session, store.project_by_slug(session, "news"))
    assert [example.text for example in found] == [docs[0].text]
    assert sorted(found[0].spans) == sorted(docs[0].spans)


def test_enough_new_gold_queues_learning_again_and_a_model_not_worse_takes_over(project, runner):
    project.import_jsonl("news", gold_lines(corpus(30, seed=5)))
    assert runner.invoke(cli, ["train", "news", "--enable"]).exit_code == 0
    app = project.app
    with app.app_context():
        session = db.session()
        news = store.project_by_slug(session, "news")
        lead = store.user_by_name(session, "lead")
        assert not training.due(session, news)  # no new gold yet
    project.import_jsonl("news", gold_lines(corpus(25, seed=6), prefix="n"))
    with app.app_context():
        session = db.session()
        assert training.due(session, news)
        job_id = training.queue_if_due(session, news, lead, app)  # runs now (tests: immediate)
        session.expire_all()
        job = session.get(Job, job_id)
        assert job.status == "done", job.message
        first, second = sorted(session.exec(select(LearnedModel)).all(), key=lambda m: m.id)
        assert second.documents == 44 and job.result["model_id"] == second.id
        assert second.enabled == (training.mean_f1(second.scores) >= training.mean_f1(first.scores))
        assert first.enabled != second.enabled
        assert not training.due(session, news)
        # a worse model stays off; the gold it learned from still counts as learned from
        training.switch(session, news.id, first.id, True)
        training.switch(session, news.id, second.id, False)
        assert not training.due(session, news)


def test_switching_a_model_of_another_project_is_refused(project, world):
    project.import_jsonl("news", gold_lines(corpus(12, seed=5)))
    world.project("other", manager="lead")
    with project.app.app_context():
        session = db.session()
        row = training.learn(session, store.project_by_slug(session, "news"), None)
        session.commit()
        other = store.project_by_slug(session, "other")
        with pytest.raises(Exception, match="no such model"):
            training.switch(session, other.id, row.id, True)


def test_the_learned_model_revision_keeps_jobs_and_accepts_training_jobs(empty_database_url):  # noqa: F811
    engine = db.make_engine(empty_database_url)
    db.upgrade(engine, FIRST_SCHEMA)
    _insert_first_schema_rows(engine)
    db.upgrade(engine, "0060")
    now = datetime(2024, 5, 4, tzinfo=UTC)
    insert = (
        "INSERT INTO job (id, project_id, kind, status, done, total, message, params, result, "
        "created_at, updated_at) VALUES (:id, 1, :kind, 'done', 1, 1, '', '{}', '{}', :at, :at)"
    )
    try:
        with engine.begin() as connection:
            connection.execute(sql(insert), {"id": "before", "kind": "export", "at": now})
        db.upgrade(engine, "0062")
        with engine.begin() as connection:
            connection.execute(sql(insert), {"id": "after", "kind": "train", "at": now})
            kinds = connection.execute(sql("SELECT id, kind FROM job ORDER BY id")).all()
            assert [tuple(row) for row in kinds] == [("after", "train"), ("before", "export")]
            assert connection.execute(sql("SELECT count(*) FROM learned_model")).scalar() == 0
    finally:
        engine.dispose()


def test_a_curator_finishing_a_document_starts_learning_again_when_enough_gold_is_new(
    project, runner
):
    project.import_jsonl("news", gold_lines(corpus(30, seed=5)))
    assert runner.invoke(cli, ["train", "news", "--enable"]).exit_code == 0
    project.import_jsonl("news", gold_lines(corpus(25, seed=6), prefix="n"))
    lead = project.client("lead")
    response = lead.post(
        "/p/news/compare/1/adjudication",
        data={"status": "adjudicated"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    with project.app.app_context():
        (job,) = db.session().exec(select(Job).where(Job.kind == "train")).all()
        assert job.status == "done" and job.user_id is not None
        assert len(db.session().exec(select(LearnedModel)).all()) == 2
    # the next one finds nothing new to learn from
    lead.post("/p/news/compare/2/adjudication", data={"status": "adjudicated"})
    with project.app.app_context():
        assert len(db.session().exec(select(Job).where(Job.kind == "train")).all()) == 1


def test_the_switched_on_model_suggests_in_the_workspace_and_an_accepted_span_names_it(
    project, runner
):
    """The manager learns a model on the settings page (a job), reads its figures, switches it
    on; ana's workspace then gets its suggestions, and accepting one makes a span whose origin
    is the suggestion and whose recommender is the learned model."""
    from annotator.assignments import matrix
    from annotator.models import Document

    project.import_jsonl("news", gold_lines(corpus(30, seed=5)))
    text = "The bridge will reopen on Monday, the mayor's office said."
    project.import_jsonl("news", [{"id": "open", "title": "Open", "text": text}])
    lead = project.client("lead")
    assert "No model learned yet" in lead.get("/p/news/suggestions").get_data(as_text=True)
    learned = lead.post("/p/news/suggestions/learn")
    assert learned.status_code == 303 and "/jobs/" in learned.headers["Location"]
    page = lead.get("/p/news/suggestions").get_data(as_text=True)
    assert "Model 1" in page and "held-out documents" in page and "Switch on" in page
    assert lead.post("/p/news/suggestions/models/1", data={"enabled": "1"}).status_code == 302
    assert "switched on" in lead.get("/p/news/suggestions").get_data(as_text=True)

    with project.app.app_context():
        session = db.session()
        news = store.project_by_slug(session, "news")
        document_id = session.exec(select(Document.id).where(Document.external_id == "open")).one()
        ana_id = store.user_by_name(session, "ana").id
        matrix.assign(session, news, [(document_id, ana_id)])
        session.commit()
    ana = project.client("ana")
    url = f"/api/projects/news/documents/{document_id}/suggestions"
    answer = ana.post(url, headers={"X-CSRFToken": csrf_token(ana)}).get_json()
    assert answer["state"] == "ready"
    found = {(item["label"], item["text"], item["recommender"]) for item in answer["suggestions"]}
    assert ("attribution", "the mayor's office said", "learned") in found
    chosen = next(item for item in answer["suggestions"] if item["label"] == "attribution")
    accepted = ana.put(
        f"{url}/{chosen['id']}/accept/span-learned-1", headers={"X-CSRFToken": csrf_token(ana)}
    )
    assert accepted.status_code == 201
    assert (accepted.get_json()["origin"], accepted.get_json()["recommender"]) == (
        "suggestion",
        "learned",
    )

    # switched off: the workspace gets no learned suggestions any more
    lead.post("/p/news/suggestions/models/1", data={"enabled": "0"})
    assert ana.post(url, headers={"X-CSRFToken": csrf_token(ana)}).get_json()["state"] == "off"


def test_switching_asks_for_one_or_zero(project):
    lead = project.client("lead")
    response = lead.post("/p/news/suggestions/models/1", data={"enabled": "yes"})
    assert response.status_code == 422
