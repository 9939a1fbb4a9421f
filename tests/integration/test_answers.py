"""Document questions end to end on both databases: the manager defines them on the settings
page, annotators answer through the JSON API (idempotent, authorized, blind), and the native
export carries the answers and reads them back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import krippendorff
import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import text as sql

from annotator import db, store
from annotator.annotation.answers import questions_of
from annotator.assignments import handout
from annotator.models import Assignment

TEXT = "Officials said the bridge will reopen. Critics doubt it."
QUESTIONS = [
    {"name": "credibility", "kind": "scale", "minimum": "1", "maximum": "5",
     "low_label": "not at all", "high_label": "fully", "required": "on"},
    {"name": "genre", "kind": "single", "choices": "news, opinion, satire"},
    {"name": "topics", "kind": "multiple", "choices": "health, war, money"},
    {"name": "sources", "kind": "number", "minimum": "0"},
    {"name": "summary", "kind": "text", "prompt": "One line, please"},
]  # fmt: skip


def _define(client, slug: str = "news") -> None:
    for fields in QUESTIONS:
        response = client.post(f"/p/{slug}/settings", data={"action": "question", **fields})
        assert response.status_code == 302


@pytest.fixture
def news(app, world):
    world.user("boss")
    world.user("ana")
    world.user("ben")
    world.project("news", manager="boss", annotators=["ana", "ben"], overlap=2)
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}, {"id": "d2", "text": "Other."}])
    _define(world.client("boss"))
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        document = handout.next_document(session, project, store.user_by_name(session, "ana"))
        ben = store.user_by_name(session, "ben")
        session.add(Assignment(document_id=document.id, user_id=ben.id, project_id=project.id))
        session.commit()
        return document.id


def _url(document_id: int, question: str = "") -> str:
    return f"/api/projects/news/documents/{document_id}/answers" + (
        f"/{question}" if question else ""
    )


def _answers_in_database(app) -> list[tuple]:
    engine = app.extensions["annotator.engine"]
    sqlite = engine.dialect.name == "sqlite"  # JSON text there, numbers by column affinity

    def decode(value):
        return json.loads(value) if sqlite and isinstance(value, str) else value

    with engine.connect() as connection:
        return [  # JSON as plain SQL reads it: text on SQLite, decoded on PostgreSQL
            (name, question, decode(value))
            for name, question, value in connection.execute(
                sql(
                    'SELECT u.username, q.name, a.value FROM answer a JOIN "user" u '
                    "ON u.id = a.annotator_id JOIN question q ON q.id = a.question_id "
                    "ORDER BY u.username, q.name"
                )
            )
        ]


def test_manager_defines_questions_of_every_kind_on_the_settings_page(app, world, news):
    with app.app_context():
        session = db.session()
        questions = questions_of(session, store.project_by_slug(session, "news").id)
    assert [(q.name, q.kind, q.required) for q in questions] == [
        ("credibility", "scale", True),
        ("genre", "single", False),
        ("topics", "multiple", False),
        ("sources", "number", False),
        ("summary", "text", False),
    ]
    assert (questions[0].minimum, questions[0].maximum, questions[0].low_label) == (
        1,
        5,
        "not at all",
    )
    assert questions[1].choices == ["news", "opinion", "satire"]
    page = world.client("boss").get("/p/news/settings").get_data(as_text=True)
    assert 'data-question="credibility"' in page


def test_settings_refuse_a_bad_question_with_its_reason_and_change_nothing(app, world, news):
    boss = world.client("boss")
    response = boss.post(
        "/p/news/settings",
        data={"action": "question", "name": "reliability", "kind": "scale", "minimum": "5",
              "maximum": "1"},
        follow_redirects=True,
    )  # fmt: skip
    assert "minimum 5 must be below maximum 1" in response.get_data(as_text=True)
    duplicate = boss.post(
        "/p/news/settings",
        data={"action": "question", "name": "genre", "kind": "text"},
        follow_redirects=True,
    )
    assert "there is a question named" in duplicate.get_data(as_text=True)
    with app.app_context():
        session = db.session()
        names = [q.name for q in questions_of(session, store.project_by_slug(session, "news").id)]
    assert names == ["credibility", "genre", "topics", "sources", "summary"]


def test_annotator_cannot_define_questions(app, world, news):
    response = world.client("ana").post(
        "/p/news/settings", data={"action": "question", "name": "mine", "kind": "text"}
    )
    assert response.status_code == 403


def test_putting_the_same_answer_twice_stores_it_once(app, world, news):
    ana = world.client("ana")
    first = ana.put(_url(news, "credibility"), json={"value": 4})
    again = ana.put(_url(news, "credibility"), json={"value": 4})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == {"question": "credibility", "value": 4}
    assert _answers_in_database(app) == [("ana", "credibility", 4)]


def test_answers_of_every_kind_are_read_back_as_stored(app, world, news):
    ana = world.client("ana")
    values = {
        "credibility": 2,
        "genre": "opinion",
        "topics": ["money", "health"],
        "sources": 2.5,
        "summary": "Wire copy 👍",
    }
    for name, value in values.items():
        assert ana.put(_url(news, name), json={"value": value}).status_code == 201
    ana.put(_url(news, "credibility"), json={"value": 3})  # a change replaces the answer

    listed = ana.get(_url(news)).get_json()
    assert listed["answers"] == values | {"credibility": 3, "topics": ["health", "money"]}
    assert ana.get(_url(news, "genre")).get_json()["value"] == "opinion"


def test_deleting_an_answer_clears_it_and_deleting_again_succeeds(app, world, news):
    ana = world.client("ana")
    ana.put(_url(news, "genre"), json={"value": "news"})
    first = ana.delete(_url(news, "genre"))
    again = ana.delete(_url(news, "genre"))

    assert (first.get_json(), again.get_json()) == ({"deleted": True}, {"deleted": False})
    assert ana.get(_url(news, "genre")).get_json()["value"] is None
    assert _answers_in_database(app) == []


@pytest.mark.parametrize(
    ("question", "payload", "status", "field"),
    [
        ("credibility", {"value": 9}, 422, "value"),
        ("credibility", {"value": "4"}, 422, "value"),
        ("genre", {"value": "satire!"}, 422, "value"),
        ("topics", {"value": []}, 422, "value"),
        ("credibility", {"answer": 4}, 400, "value"),
        ("credibility", [4], 400, "value"),
        ("nonexistent", {"value": 1}, 404, "question"),
    ],
)
def test_a_bad_answer_is_refused_naming_the_field_and_changes_nothing(
    app, world, news, question, payload, status, field
):
    response = world.client("ana").put(_url(news, question), json=payload)

    assert response.status_code == status
    assert response.get_json()["field"] == field
    assert _answers_in_database(app) == []


def test_answers_are_blind_between_annotators_and_open_to_the_manager(app, world, news):
    world.client("ana").put(_url(news, "credibility"), json={"value": 5})
    world.client("ben").put(_url(news, "credibility"), json={"value": 1})

    assert world.client("ben").get(_url(news)).get_json()["answers"] == {"credibility": 1}
    assert world.client("ben").get(_url(news) + "?annotator=ana").status_code == 404
    manager_view = world.client("boss").get(_url(news) + "?annotator=ana").get_json()
    assert manager_view["answers"] == {"credibility": 5}


def test_an_annotator_cannot_answer_on_a_document_not_handed_to_them(app, world, news):
    world.user("cy")
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        store.set_member(session, project, store.user_by_name(session, "cy"), "annotator")
        session.commit()
    response = world.client("cy").put(_url(news, "credibility"), json={"value": 3})

    assert response.status_code == 404
    assert _answers_in_database(app) == []


def test_changing_a_question_so_stored_answers_no_longer_fit_is_refused(app, world, news):
    world.client("ana").put(_url(news, "credibility"), json={"value": 5})
    response = world.client("boss").post(
        "/p/news/settings",
        data={"action": "question", "original": "credibility", "name": "credibility",
              "kind": "scale", "minimum": "1", "maximum": "4"},
        follow_redirects=True,
    )  # fmt: skip
    assert "1 stored answer does not fit" in response.get_data(as_text=True)
    renamed = world.client("boss").post(
        "/p/news/settings",
        data={"action": "question", "original": "credibility", "name": "trust",
              "kind": "scale", "minimum": "1", "maximum": "7"},
    )  # fmt: skip
    assert renamed.status_code == 302
    assert _answers_in_database(app) == [("ana", "trust", 5)]


def test_deleting_a_question_with_answers_needs_confirmation(app, world, news):
    world.client("ana").put(_url(news, "genre"), json={"value": "news"})
    boss = world.client("boss")
    refused = boss.post(
        "/p/news/settings",
        data={"action": "question_delete", "name": "genre"},
        follow_redirects=True,
    )
    assert "tick the box" in refused.get_data(as_text=True)
    assert _answers_in_database(app) == [("ana", "genre", "news")]
    boss.post(
        "/p/news/settings", data={"action": "question_delete", "name": "genre", "confirm": "on"}
    )
    assert _answers_in_database(app) == []


# --- export and import ---------------------------------------------------------------------------


def _export(runner, slug: str) -> list[dict]:
    result = runner.invoke(args=["export", slug])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout_bytes.decode("utf-8").split("\n") if line]


def test_native_export_carries_each_annotators_answers_and_imports_them_back_exactly(
    app, world, news, runner
):
    ana, ben = world.client("ana"), world.client("ben")
    for name, value in {"credibility": 4, "topics": ["war", "health"], "sources": 0.25}.items():
        ana.put(_url(news, name), json={"value": value})
    ben.put(_url(news, "credibility"), json={"value": 2})
    ben.put(_url(news, "summary"), json={"value": "Line\none «quoted»"})

    first = _export(runner, "news")
    world.project("copy", manager="boss")
    _define(world.client("boss"), "copy")
    world.import_jsonl("copy", first, name="news-native.jsonl")
    second = _export(runner, "copy")

    def answers(records):
        return [
            (r["id"], [(a["annotator"], a["question"], a["value"]) for a in r.get("answers", [])])
            for r in records
        ]

    assert answers(first) == [
        (
            "d1",
            [
                ("ana", "credibility", 4),
                ("ana", "topics", ["health", "war"]),
                ("ana", "sources", 0.25),
                ("ben", "credibility", 2),
                ("ben", "summary", "Line\none «quoted»"),
            ],
        ),
        ("d2", []),
    ]
    assert "answers" not in first[1]  # left out when empty, as relations are
    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/native.schema.json").read_text()
    )
    for record in first:
        assert not list(Draft202012Validator(schema).iter_errors(record))
    assert answers(second) == answers(first)
    assert first[0]["answers"][0]["created_at"].endswith("Z")


def test_import_refuses_an_answer_to_an_unknown_question_naming_it(app, world, news):
    world.project("bare", manager="boss")
    with pytest.raises(Exception) as refused:
        world.import_jsonl(
            "bare",
            [{"id": "x", "text": "Text.", "answers": [
                {"annotator": "ana", "question": "credibility", "value": 3}]}],
        )  # fmt: skip
    assert "answers[0].question" in str(refused.value)
    assert "unknown question 'credibility'" in str(refused.value)


def test_import_refuses_an_answer_that_does_not_fit_its_question(app, world, news):
    with pytest.raises(Exception) as refused:
        world.import_jsonl(
            "news",
            [{"id": "x", "text": "Text.", "answers": [
                {"annotator": "ana", "question": "credibility", "value": 6}]}],
        )  # fmt: skip
    assert "answers[0].value" in str(refused.value) and "outside 1 to 5" in str(refused.value)


# --- agreement ----------------------------------------------------------------------------------


def test_agreement_per_question_at_its_level_in_the_cli_json_and_on_the_page(
    app, world, news, runner
):
    world.import_jsonl(
        "news",
        [
            {"id": f"done-{n}", "text": "Imported and finished.", "answers": [
                {"annotator": "ana", "question": "credibility", "value": a},
                {"annotator": "ben", "question": "credibility", "value": b},
                {"annotator": "ana", "question": "topics", "value": ["war"]},
                {"annotator": "ben", "question": "topics", "value": topics},
            ]}
            for n, (a, b, topics) in enumerate(
                [(1, 2, ["war"]), (4, 5, ["war", "money"]), (3, 3, ["health"])]
            )
        ],
    )  # fmt: skip
    world.client("ana").put(_url(news, "credibility"), json={"value": 5})  # not done: left out

    result = runner.invoke(args=["agreement", "news", "--json", "--bootstrap", "100"])

    assert result.exit_code == 0, result.output
    questions = json.loads(result.output)["questions"]
    credibility = questions["credibility"]
    assert (credibility["level"], credibility["units"]) == ("ordinal", 3)
    expected = krippendorff.alpha(
        reliability_data=[[1, 4, 3], [2, 5, 3]], level_of_measurement="ordinal"
    )
    assert credibility["alpha"] == pytest.approx(expected)
    low, high = credibility["alpha_interval"]  # documents resampled: a defined draw at least
    assert low <= high
    assert credibility["kappa"][0]["annotators"] == ["ana", "ben"]
    assert questions["topics"]["level"] == "nominal" and questions["topics"]["units"] == 9
    assert questions["summary"]["level"] is None
    text = runner.invoke(args=["agreement", "news", "--bootstrap", "0"]).output
    assert "Document questions" in text and "credibility  ordinal" in text
    page = world.client("boss").get("/p/news/agreement").get_data(as_text=True)
    assert 'id="question-agreement"' in page and f"{expected:.3f}" in page
    # the documents answered differently, linked to their comparison; free text lists none
    assert [ref["name"] for ref in credibility["disagreeing"]] == ["done-0", "done-1"]
    assert [ref["name"] for ref in questions["topics"]["disagreeing"]] == ["done-1", "done-2"]
    assert questions["summary"]["disagreeing"] == []
    first = credibility["disagreeing"][0]["id"]
    assert f'href="/p/news/compare/{first}">done-0</a>' in page
