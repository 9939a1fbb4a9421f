"""A project exported to each peer format that can hold our data (Label Studio JSON, brat,
doccano with relations) and imported into a new project comes back with the same texts, spans,
labels, links, gold and annotators, on multilingual text: Cyrillic, Arabic, emoji with
zero-width joiners, combining marks and CRLF line endings. Through the command line, on SQLite
and on PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator

FAMILY = "👨\u200d👩\u200d👧"
DOCUMENTS = [
    (
        "ru-1",
        f"Захарова заявила:\r\n{FAMILY} «переговоры провалились».\r\nКонец.",
        "Захарова",
        "«переговоры провалились».",
    ),
    ("ar-1", "وقال المتحدث باسم الوزارة إن التحقيق جار.", "المتحدث باسم الوزارة", "التحقيق جار"),
    (
        "fr-1",
        f"Le ministre {FAMILY}🇺🇦 a de\u0301clare\u0301 que l'e\u0301tude sortira.",
        "Le ministre",
        "l'e\u0301tude sortira",
    ),
]


def _native_file(tmp_path):
    lines = []
    for ident, text, who, what in DOCUMENTS:
        who_at, what_at = text.index(who), text.index(what)
        spans = []
        for annotator in ("alice", "bob"):
            spans += [
                {"id": f"{annotator}-a", "annotator": annotator, "label": "attribution",
                 "start": who_at, "end": who_at + len(who)},
                {"id": f"{annotator}-c", "annotator": annotator, "label": "claim",
                 "start": what_at, "end": what_at + len(what)},
            ]  # fmt: skip
        spans.append(
            {"id": "alice-e", "annotator": "alice", "label": "evidence",
             "start": what_at, "end": what_at + 3}
        )  # fmt: skip
        lines.append(
            {
                "id": ident,
                "text": text,
                "annotations": spans,
                "relations": [
                    {"annotator": "alice", "type": "attributed_to", "source": "alice-c",
                     "target": "alice-a"},
                    {"annotator": "bob", "type": "attributed_to", "source": "bob-c",
                     "target": "bob-a"},
                    {"annotator": "alice", "type": "supports", "source": "alice-e",
                     "target": "alice-c"},
                ],
                "gold": [
                    {"id": "g-a", "label": "attribution", "start": who_at,
                     "end": who_at + len(who)},
                    {"id": "g-c", "label": "claim", "start": what_at, "end": what_at + len(what)},
                ],
                "gold_relations": [{"type": "attributed_to", "source": "g-c", "target": "g-a"}],
                "annotators": [{"annotator": "carol", "status": "in_progress"}],
            }
        )  # fmt: skip
    path = tmp_path / "source.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    return path


def _content(runner, slug: str, tmp_path) -> dict:
    """What must survive, per document: text, annotators, spans, links, gold, gold links."""
    out = tmp_path / f"{slug}-native.jsonl"
    result = runner.invoke(args=["export", slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    content = {}
    for raw in out.read_bytes().splitlines():
        line = orjson.loads(raw)
        spans = {span["id"]: span for span in [*line["annotations"], *line["gold"]]}

        def key(span_id, spans=spans):
            span = spans[span_id]
            return (span["start"], span["end"], span["label"])

        content[line["id"]] = {
            "text": line["text"],
            "annotators": sorted(
                {span["annotator"] for span in line["annotations"]}
                | {entry["annotator"] for entry in line["annotators"]}
            ),
            "spans": sorted(
                (span["annotator"], span["start"], span["end"], span["label"], span["text"])
                for span in line["annotations"]
            ),
            "links": sorted(
                (link["annotator"], link["type"], key(link["source"]), key(link["target"]))
                for link in line.get("relations", [])
            ),
            "gold": sorted((s["start"], s["end"], s["label"], s["text"]) for s in line["gold"]),
            "gold_links": sorted(
                (link["type"], key(link["source"]), key(link["target"]))
                for link in line.get("gold_relations", [])
            ),
        }
    return content


@pytest.mark.parametrize(
    ("format_name", "file_name"),
    [("label-studio", "tasks.json"), ("brat", "brat.zip"), ("doccano", "doccano.jsonl")],
)
def test_round_trip_keeps_spans_labels_links_gold_and_annotators_on_multilingual_text(
    app, world, runner, tmp_path, format_name, file_name
):
    world.project("source")
    world.project("copy")
    imported = runner.invoke(args=["import", "source", str(_native_file(tmp_path))])
    assert imported.exit_code == 0, imported.output
    before = _content(runner, "source", tmp_path)
    assert before["ru-1"]["text"].count("\r") == 0 and len(before["ru-1"]["links"]) == 3
    assert before["ar-1"]["annotators"] == ["alice", "bob", "carol"]

    exported = tmp_path / file_name
    result = runner.invoke(args=["export", "source", "--format", format_name, "-o", str(exported)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["import", "copy", str(exported)])
    assert result.exit_code == 0, result.output

    after = _content(runner, "copy", tmp_path)
    assert after == before


@pytest.mark.parametrize(
    ("format_name", "mimetype", "extension"),
    [
        ("conll", "text/plain", "conll"),
        ("brat", "application/zip", "zip"),
        ("label-studio", "application/json", "json"),
        ("spacy", "application/octet-stream", "spacy"),
        ("parquet", "application/zip", "zip"),
    ],
)
def test_export_page_downloads_each_training_format_with_its_type_and_name(
    app, world, runner, tmp_path, format_name, mimetype, extension
):
    world.user("mia")
    world.project("source", manager="mia")
    assert runner.invoke(args=["import", "source", str(_native_file(tmp_path))]).exit_code == 0

    response = world.client("mia").get(f"/p/source/export/download?format={format_name}")

    assert response.status_code == 200
    assert response.mimetype == mimetype.split(";")[0]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="source-') and disposition.endswith(
        f'.{extension}"'
    )
    assert response.get_data()


def test_cli_conll_export_takes_the_bilou_scheme_and_the_page_refuses_an_unknown_one(
    app, world, runner, tmp_path
):
    world.user("mia")
    world.project("source", manager="mia")
    assert runner.invoke(args=["import", "source", str(_native_file(tmp_path))]).exit_code == 0
    out = tmp_path / "tags.conll"

    result = runner.invoke(
        args=["export", "source", "--format", "conll", "--scheme", "bilou", "-o", str(out)]
    )

    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "# scheme: BILOU" in text and "Захарова U-attribution" in text
    response = world.client("mia").get("/p/source/export/download?format=conll&scheme=xml")
    assert response.status_code == 400
    assert "scheme must be one of bio, bilou" in response.get_data(as_text=True)


ATTRIBUTES = """source_type: named person, official body, media outlet
source_reliability (scale 1..5, required): unreliable | reliable
verifiable (boolean)
topics (multiple): politics, health"""
SOURCES = [  # as a line lists them: by name
    {"name": "Reuters", "kind": "outlet", "url": "https://www.reuters.com/", "wikidata": None},
    {"name": "Захарова", "kind": "person", "url": None, "wikidata": "Q4345814"},
]
#: the import's own ids (uuid4) and times, which a second import makes anew
MADE_ANEW = re.compile(
    rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    rb"|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"
)


def _with_sources_attributes_and_answers(tmp_path):
    """Two documents whose attributions name sources (one listed by both lines), with typed
    attribute values, answers, links and gold naming a source."""
    lines = []
    for ident, text, who, what in DOCUMENTS[:2]:
        who_at, what_at = text.index(who), text.index(what)
        named = "Захарова" if ident == "ru-1" else "Reuters"
        values = {"source_reliability": 4, "verifiable": True, "topics": ["politics"]}
        spans = [
            {"id": "alice-a", "annotator": "alice", "label": "attribution", "start": who_at,
             "end": who_at + len(who), "attributes": values, "source": named},
            {"id": "bob-a", "annotator": "bob", "label": "attribution", "start": who_at,
             "end": who_at + len(who), "attributes": {"source_reliability": 2},
             "source": "Reuters"},
            {"id": "alice-c", "annotator": "alice", "label": "claim", "start": what_at,
             "end": what_at + len(what)},
        ]  # fmt: skip
        lines.append(
            {
                "id": ident,
                "text": text,
                "annotations": spans,
                "relations": [{"annotator": "alice", "type": "attributed_to",
                               "source": "alice-c", "target": "alice-a"}],
                "answers": [
                    {"annotator": "alice", "question": "credibility", "value": 2},
                    {"annotator": "alice", "question": "topics", "value": ["health", "war"]},
                    {"annotator": "bob", "question": "summary", "value": "Ça va 👍"},
                ],
                "gold": [{"id": "g-a", "label": "attribution", "start": who_at,
                          "end": who_at + len(who), "attributes": {"source_reliability": 3},
                          "source": named}],
                "sources": [entry for entry in SOURCES
                            if entry["name"] in (named, "Reuters")],
            }
        )  # fmt: skip
    path = tmp_path / "sources.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    return path


def _two_projects_with_attributes(world) -> None:
    from tests.integration.test_answers import _define

    world.user("boss")
    for slug in ("source", "copy"):
        world.project(slug, manager="boss")
        boss = world.client("boss")
        _define(boss, slug)
        response = boss.post(
            f"/p/{slug}/settings",
            data={"action": "attributes", "label": "attribution", "attributes": ATTRIBUTES},
            follow_redirects=True,
        )
        assert "Saved." in response.get_data(as_text=True)


def test_native_round_trip_with_sources_typed_attributes_and_answers_is_byte_exact(
    app, world, runner, tmp_path
):
    _two_projects_with_attributes(world)
    imported = runner.invoke(
        args=["import", "source", str(_with_sources_attributes_and_answers(tmp_path))]
    )
    assert imported.exit_code == 0, imported.output
    assert "2 new sources" in imported.output

    first = tmp_path / "first.jsonl"
    assert runner.invoke(args=["export", "source", "-o", str(first)]).exit_code == 0
    assert runner.invoke(args=["import", "copy", str(first)]).exit_code == 0
    second = tmp_path / "second.jsonl"
    assert runner.invoke(args=["export", "copy", "-o", str(second)]).exit_code == 0

    exported = [orjson.loads(line) for line in first.read_bytes().splitlines()]
    schema = orjson.loads(
        (Path(__file__).resolve().parents[2] / "docs/native.schema.json").read_bytes()
    )
    assert not [
        error for line in exported for error in Draft202012Validator(schema).iter_errors(line)
    ]
    ru = exported[0]
    assert ru["sources"] == SOURCES
    assert [span.get("source") for span in ru["annotations"]] == ["Захарова", None, "Reuters"]
    assert ru["gold"][0]["source"] == "Захарова" and ru["answers"][0]["value"] == 2
    assert exported[1]["sources"] == [SOURCES[0]]
    assert MADE_ANEW.sub(b"~", second.read_bytes()) == MADE_ANEW.sub(b"~", first.read_bytes())


def _named(runner, slug: str, tmp_path) -> dict:
    """Per document: the sources listed, and which span names which (annotators and gold)."""
    out = tmp_path / f"{slug}-named.jsonl"
    assert runner.invoke(args=["export", slug, "-o", str(out)]).exit_code == 0
    found = {}
    for raw in out.read_bytes().splitlines():
        line = orjson.loads(raw)
        found[line["id"]] = {
            "sources": line.get("sources", []),
            "spans": sorted(
                (
                    s["annotator"],
                    s["label"],
                    s["start"],
                    s["end"],
                    s.get("source") or "",
                    orjson.dumps(s.get("attributes") or {}, option=orjson.OPT_SORT_KEYS),
                )
                for s in line["annotations"]
            ),  # fmt: skip
            "gold": sorted(
                (s["label"], s["start"], s["end"], s.get("source") or "") for s in line["gold"]
            ),
        }
    return found


@pytest.mark.parametrize(
    ("format_name", "file_name"), [("doccano", "d.jsonl"), ("prodigy", "p.jsonl")]
)
def test_doccano_and_prodigy_round_trips_keep_the_sources_spans_name(
    app, world, runner, tmp_path, format_name, file_name
):
    _two_projects_with_attributes(world)
    source_file = _with_sources_attributes_and_answers(tmp_path)
    assert runner.invoke(args=["import", "source", str(source_file)]).exit_code == 0
    before = _named(runner, "source", tmp_path)
    assert before["ru-1"]["sources"] == SOURCES and before["ru-1"]["gold"][0][3] == "Захарова"

    exported = tmp_path / file_name
    result = runner.invoke(args=["export", "source", "--format", format_name, "-o", str(exported)])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(raw) for raw in exported.read_bytes().splitlines()]
    assert all(line.get("sources") for line in lines)  # every line here names a source
    result = runner.invoke(args=["import", "copy", "--format", format_name, str(exported)])
    assert result.exit_code == 0, result.output

    assert _named(runner, "copy", tmp_path) == before


def test_a_peer_line_naming_a_source_it_does_not_list_is_refused_naming_the_field(
    app, world, runner, tmp_path
):
    _two_projects_with_attributes(world)
    line = {"text": "Reuters said so.", "annotator": "alice", "id": "x",
            "entities": [{"id": 0, "start_offset": 0, "end_offset": 7, "label": "attribution",
                          "source": "Reuters"}],
            "relations": []}  # fmt: skip
    path = tmp_path / "bad.jsonl"
    path.write_bytes(orjson.dumps(line))
    result = runner.invoke(args=["import", "copy", "--format", "doccano", str(path)])
    assert result.exit_code != 0
    assert "'Reuters' is not one of this line's sources" in result.output
