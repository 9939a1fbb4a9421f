"""Gold answers on both databases: the curator sees every annotator's answer to each document
question in the curation view, makes one the gold answer with a click or enters one (checked like
an answer), clears it; every export format carries the gold answers and the native one reads
them back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlmodel import select

from annotator import db
from annotator.adjudication.state import state_of
from annotator.models import GoldAnswer, Question
from tests.integration.test_answers import _define, _url, news  # noqa: F401 - fixture

PAGE = "/p/news/curate/{}"
POST = "/p/news/curate/{}/gold-answer"
HTMX = {"HX-Request": "true"}


def _answer(world, document: int, who: str, values: dict) -> None:
    client = world.client(who)
    for name, value in values.items():
        assert client.put(_url(document, name), json={"value": value}).status_code in (200, 201)


def _gold(app) -> dict:
    with app.app_context():
        rows = db.session().exec(
            select(Question.name, GoldAnswer.value).join(
                GoldAnswer, GoldAnswer.question_id == Question.id
            )
        )
        return dict(rows.all())


def _export(runner, slug: str, *args: str) -> list[dict]:
    result = runner.invoke(args=["export", slug, *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout_bytes.decode("utf-8").split("\n") if line]


@pytest.fixture
def answered(world, news):  # noqa: F811
    _answer(world, news, "ana", {"credibility": 4, "genre": "opinion", "topics": ["war"]})
    _answer(world, news, "ben", {"credibility": 2, "genre": "opinion"})
    return news


def test_curation_shows_every_annotators_answer_and_a_click_makes_it_gold(app, world, answered):
    boss = world.client("boss")
    page = boss.get(PAGE.format(answered)).get_data(as_text=True)
    assert 'id="gold-answers"' in page
    assert "ana: 4" in page and "ben: 2" in page and "all agree" in page  # genre: both opinion

    response = boss.post(
        POST.format(answered),
        data={"question": "credibility", "action": "take", "annotator": "ben"},
        headers=HTMX,
    )

    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert "✓ ben: 2" in shown and "set by boss" in shown
    assert _gold(app) == {"credibility": 2}
    with app.app_context():
        assert state_of(db.session(), answered).status == "in_progress"


def test_taking_the_same_answer_again_stores_one_gold_answer_unchanged(app, world, answered):
    boss = world.client("boss")
    form = {"question": "credibility", "action": "take", "annotator": "ana"}
    assert boss.post(POST.format(answered), data=form).status_code == 302
    with app.app_context():
        first = db.session().exec(select(GoldAnswer)).one().updated_at
    assert boss.post(POST.format(answered), data=form).status_code == 302
    with app.app_context():
        rows = db.session().exec(select(GoldAnswer)).all()
    assert len(rows) == 1 and rows[0].value == 4 and rows[0].updated_at == first


@pytest.mark.parametrize(
    ("question", "typed", "stored"),
    [
        ("credibility", ["3"], 3),
        ("genre", ["satire"], "satire"),
        ("topics", ["war", "health"], ["health", "war"]),
        ("sources", ["2.5"], 2.5),
        ("summary", ["Two lines\nof «text»"], "Two lines\nof «text»"),
    ],
)
def test_curator_enters_a_gold_answer_of_each_kind(app, world, answered, question, typed, stored):
    response = world.client("boss").post(
        POST.format(answered), data={"question": question, "action": "set", "value": typed}
    )
    assert response.status_code == 302
    assert _gold(app) == {question: stored}


@pytest.mark.parametrize(
    ("question", "typed", "reason"),
    [
        ("credibility", ["9"], "outside 1 to 5"),
        ("credibility", ["many"], "expected a number"),
        ("genre", ["poem"], "must be one of"),
        ("summary", [""], "no value given"),
    ],
)
def test_a_gold_answer_that_does_not_fit_is_refused_naming_why_and_changes_nothing(
    app, world, answered, question, typed, reason
):
    boss = world.client("boss")
    form = {"question": question, "action": "set", "value": typed}
    refused = boss.post(POST.format(answered), data=form)
    assert refused.status_code == 422 and reason in refused.get_data(as_text=True)

    shown = boss.post(POST.format(answered), data=form, headers=HTMX)
    assert shown.status_code == 200  # htmx swaps the fragment with the reason beside the question
    assert 'role="alert"' in shown.get_data(as_text=True)
    assert reason in shown.get_data(as_text=True)
    assert _gold(app) == {}


def test_clearing_a_gold_answer_removes_it_and_clearing_again_succeeds(app, world, answered):
    boss = world.client("boss")
    boss.post(POST.format(answered), data={"question": "genre", "action": "set", "value": "news"})
    assert _gold(app) == {"genre": "news"}
    for _ in range(2):
        response = boss.post(
            POST.format(answered), data={"question": "genre", "action": "clear"}, headers=HTMX
        )
        assert response.status_code == 200 and _gold(app) == {}


def test_taking_an_answer_nobody_gave_or_an_unknown_question_is_refused(app, world, answered):
    boss = world.client("boss")
    nobody = boss.post(
        POST.format(answered), data={"question": "summary", "action": "take", "annotator": "ana"}
    )
    assert nobody.status_code == 404 and "has not answered summary" in nobody.get_data(as_text=True)
    unknown = boss.post(POST.format(answered), data={"question": "mood", "value": "ok"})
    assert unknown.status_code == 404 and "no question &#39;mood&#39;" in unknown.get_data(
        as_text=True
    )
    assert _gold(app) == {}


def test_an_annotator_can_neither_see_nor_set_gold_answers(app, world, answered):
    ana = world.client("ana")
    assert ana.get(PAGE.format(answered)).status_code == 403
    form = {"question": "credibility", "action": "take", "annotator": "ana"}
    assert ana.post(POST.format(answered), data=form).status_code == 403
    assert _gold(app) == {}


def test_a_question_change_that_a_gold_answer_would_not_fit_is_refused(app, world, answered):
    boss = world.client("boss")
    boss.post(POST.format(answered), data={"question": "sources", "action": "set", "value": "7"})
    response = boss.post(
        "/p/news/settings",
        data={"action": "question", "original": "sources", "name": "sources", "kind": "scale",
              "minimum": "0", "maximum": "5"},
        follow_redirects=True,
    )  # fmt: skip
    assert "1 stored answer does not fit" in response.get_data(as_text=True)
    assert _gold(app) == {"sources": 7}


def _set_gold(world, document: int) -> None:
    boss = world.client("boss")
    for question, typed in {
        "credibility": ["3"],
        "genre": ["satire"],
        "topics": ["health"],
    }.items():
        form = {"question": question, "action": "set", "value": typed}
        assert boss.post(POST.format(document), data=form).status_code == 302


def test_every_export_format_carries_the_gold_answers(world, runner, answered):
    _set_gold(world, answered)

    (native,) = [line for line in _export(runner, "news") if line["id"] == "d1"]
    assert [(a["question"], a["value"], a["curator"]) for a in native["gold_answers"]] == [
        ("credibility", 3, "boss"),
        ("genre", "satire", "boss"),
        ("topics", ["health"], "boss"),
    ]
    doccano = [
        line for line in _export(runner, "news", "--format", "doccano") if line["id"] == "d1"
    ]
    gold = next(line for line in doccano if line["annotator"] == "gold")
    assert gold["cats"] == {"genre": "satire", "topics": ["health"]}
    assert gold["answers"]["credibility"] == 3
    prodigy = [
        line
        for line in _export(runner, "news", "--format", "prodigy")
        if line["meta"]["id"] == "d1" and line["meta"]["annotator"] == "gold"
    ]
    assert prodigy[0]["accept"] == ["genre:satire", "topics:health"]
    assert "genre:news" in [option["id"] for option in prodigy[0]["options"]]
    w3c = [
        line
        for line in _export(runner, "news", "--format", "w3c")
        if line.get("motivation") == "classifying" and line["creator"]["type"] == "Software"
    ]
    assert [body["value"] for body in w3c[0]["body"]] == [
        "credibility: 3",
        "genre: satire",
        'topics: ["health"]',
    ]
    assert w3c[0]["id"].endswith("/answers/d1/gold") and "boss" in w3c[0]["creator"]["name"]


def test_a_document_with_gold_answers_only_is_in_a_gold_only_export(world, runner, answered):
    _set_gold(world, answered)
    lines = _export(runner, "news", "--gold-only")
    assert [line["id"] for line in lines] == ["d1"] and lines[0]["annotations"] == []


def test_native_round_trip_restores_the_gold_answers_exactly(app, world, runner, answered):
    _set_gold(world, answered)
    first = _export(runner, "news")
    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/native.schema.json").read_text()
    )
    for record in first:
        assert not list(Draft202012Validator(schema).iter_errors(record))
    world.project("copy", manager="boss")
    _define(world.client("boss"), "copy")
    world.import_jsonl("copy", first, name="news-native.jsonl")
    second = _export(runner, "copy")

    def gold(records):
        return [
            (record["id"], [(item["question"], item["value"]) for item in record.get(key, [])])
            for record in records
        ]

    key = "gold_answers"

    assert gold(second) == gold(first)
    assert gold(first)[0][1] == [("credibility", 3), ("genre", "satire"), ("topics", ["health"])]
    assert all(a["curator"] is None for a in second[0]["gold_answers"])  # imported, as gold spans


def test_import_refuses_a_gold_answer_that_does_not_fit_naming_it(app, world, news):  # noqa: F811
    from annotator.errors import ImportRejected

    line = {"id": "g1", "text": "Text.", "gold_answers": [{"question": "credibility", "value": 7}]}
    with pytest.raises(ImportRejected) as refused:
        world.import_jsonl("news", [line])
    assert "gold_answers[0].value" in str(refused.value)
    twice = {
        "id": "g2",
        "text": "Text.",
        "gold_answers": [{"question": "genre", "value": "news"}] * 2,
    }
    with pytest.raises(ImportRejected, match="twice"):
        world.import_jsonl("news", [twice])
    assert _gold(app) == {}


def test_deleting_a_question_with_a_gold_answer_only_needs_confirmation(app, world, news):  # noqa: F811
    boss = world.client("boss")
    boss.post(POST.format(news), data={"question": "summary", "action": "set", "value": "Fine."})
    refused = boss.post(
        "/p/news/settings",
        data={"action": "question_delete", "name": "summary"},
        follow_redirects=True,
    )
    assert "summary has 1 answer" in refused.get_data(as_text=True)
    assert _gold(app) == {"summary": "Fine."}


def _gold_then_adjudicated(world, document: int) -> None:
    boss = world.client("boss")
    for question, annotator in (("credibility", "ben"), ("genre", "ana"), ("topics", "ana")):
        form = {"question": question, "action": "take", "annotator": annotator}
        assert boss.post(POST.format(document), data=form).status_code == 302
    assert "answers-vs-gold" not in boss.get("/p/news/agreement").get_data(as_text=True)
    marked = boss.post(f"/p/news/compare/{document}/adjudication", data={"status": "adjudicated"})
    assert marked.status_code in (200, 302)


def test_answers_are_scored_against_the_gold_answers_of_adjudicated_documents(
    world, runner, answered
):
    # ana answered credibility 4, genre opinion, topics [war]; ben credibility 2, genre opinion
    for who in ("ana", "ben"):
        done = world.client(who).post(f"/p/news/d/{answered}/status", data={"status": "done"})
        assert done.status_code == 302
    _gold_then_adjudicated(world, answered)  # gold: 2, opinion, [war]; not scored before

    boss = world.client("boss")
    page = boss.get("/p/news/agreement").get_data(as_text=True)
    assert 'id="answers-vs-gold"' in page
    api = boss.get("/api/projects/news/agreement").json["answers_vs_gold"]
    assert api["credibility"] == {
        "ana": {"documents": 1, "agreed": 0, "share": 0.0, "mean_difference": 2.0},
        "ben": {"documents": 1, "agreed": 1, "share": 1.0, "mean_difference": 0.0},
    }
    assert api["genre"] == {
        "ana": {"documents": 1, "agreed": 1, "share": 1.0, "mean_difference": None},
        "ben": {"documents": 1, "agreed": 1, "share": 1.0, "mean_difference": None},
    }
    assert api["topics"] == {  # ben gave no topics: only ana is scored
        "ana": {"documents": 1, "agreed": 1, "share": 1.0, "mean_difference": None},
    }
    rows = boss.get("/p/news/agreement.csv").get_data(as_text=True).splitlines()
    assert "vs_gold,ana,gold,credibility,,answers_mean_difference,2.0,,,1" in rows
    assert "vs_gold,ben,gold,credibility,,answers_share,1.0,,,1" in rows
    shown = runner.invoke(args=["agreement", "news"])
    assert shown.exit_code == 0, shown.output
    assert "credibility" in shown.output.split("Answers against gold")[1]
