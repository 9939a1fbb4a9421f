"""Answers to document questions and typed span attribute values in the doccano, Prodigy and W3C
exports; the W3C export of typed values imports back as it was."""

from __future__ import annotations

import json

from tests.integration.test_answers import _url, news  # noqa: F401 - fixture

SPANS = "/api/projects/news/documents/{}/spans/a0000000-0000-4000-8000-000000000001"


def _export(runner, *args) -> list[dict]:
    result = runner.invoke(args=["export", "news", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout_bytes.decode("utf-8").split("\n") if line]


def _answer(world, document, values):
    ana = world.client("ana")
    for name, value in values.items():
        assert ana.put(_url(document, name), json={"value": value}).status_code in (200, 201)


def test_doccano_lines_carry_choice_answers_as_cats_and_every_answer(world, runner, news):  # noqa: F811
    _answer(world, news, {"genre": "opinion", "topics": ["war", "health"], "credibility": 2})
    lines = [line for line in _export(runner, "--format", "doccano") if line["id"] == "d1"]
    ana = next(line for line in lines if line["annotator"] == "ana")
    assert ana["cats"] == {"genre": "opinion", "topics": ["health", "war"]}
    assert ana["answers"] == {"credibility": 2, "genre": "opinion", "topics": ["health", "war"]}
    ben = next(line for line in lines if line["annotator"] == "ben")
    assert "cats" not in ben and "answers" not in ben


def test_prodigy_lines_offer_each_choice_and_accept_the_chosen_ones(world, runner, news):  # noqa: F811
    _answer(world, news, {"genre": "satire", "topics": ["money"], "sources": 3})
    task = next(
        line
        for line in _export(runner, "--format", "prodigy")
        if line["meta"]["id"] == "d1" and line["meta"]["annotator"] == "ana"
    )
    assert [option["id"] for option in task["options"]] == [
        "genre:news",
        "genre:opinion",
        "genre:satire",
        "topics:health",
        "topics:war",
        "topics:money",
    ]
    assert task["accept"] == ["genre:satire", "topics:money"]
    assert task["answers"]["sources"] == 3


def test_w3c_export_has_a_body_per_answer_and_typed_attribute_values_as_json(
    world,
    runner,
    news,  # noqa: F811
):
    _answer(world, news, {"credibility": 5, "summary": "Fine."})
    boss = world.client("boss")
    boss.post(
        "/p/news/settings",
        data={
            "action": "attributes",
            "label": "attribution",
            "attributes": "reliability (scale 1..5)\nverifiable (boolean)",
        },
    )
    text = "Officials said"
    span = {
        "label": "attribution",
        "start": 0,
        "end": len(text),
        "text": text,
        "attributes": {"reliability": 4, "verifiable": False},
    }
    assert world.client("ana").put(SPANS.format(news), json=span).status_code == 201

    lines = _export(runner, "--format", "w3c")
    answers = [line for line in lines if line.get("motivation") == "classifying"]
    assert len(answers) == 1 and answers[0]["creator"]["nickname"] == "ana"
    assert [body["value"] for body in answers[0]["body"]] == ["credibility: 5", "summary: Fine."]
    assert answers[0]["target"].endswith("/documents/d1")
    (annotation,) = [line for line in lines if "selector" in str(line.get("target"))]
    assert {body["value"] for body in annotation["body"] if body["purpose"] == "classifying"} == {
        "reliability: 4",
        "verifiable: false",
    }
