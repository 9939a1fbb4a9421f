"""The native import restores source links: sources are found by name in the target project or
created, spans and gold spans point to them, and a bad source refuses the whole file."""

from __future__ import annotations

import orjson
import pytest
from sqlmodel import select

from annotator import db
from annotator.models import GoldSpan, Source, Span
from tests.support.sources import link_sources

TEXT = "Reuters said Zakharova denied it."


def _line(ident, source="Reuters", kind="outlet"):
    return {
        "id": ident,
        "text": TEXT,
        "annotations": [{"annotator": "ana", "label": "attribution", "start": 0, "end": 7,
                         "source": source}],
        "gold": [{"label": "attribution", "start": 0, "end": 7, "source": source}],
        "sources": [{"name": source, "kind": kind, "url": None, "wikidata": "Q130879"}],
    }  # fmt: skip


def _stored(app):
    with app.app_context():
        session = db.session()
        sources = {s.id: (s.name, s.kind, s.wikidata) for s in session.exec(select(Source))}
        named = [
            sources.get(row.named_source_id)
            for model in (Span, GoldSpan)
            for row in session.exec(select(model))
        ]
        return sorted(sources.values()), named


@pytest.fixture
def news(app, world):
    world.user("boss")
    world.project("news", manager="boss")


def test_import_creates_each_source_once_and_links_spans_and_gold(app, world, news):
    summary = world.import_jsonl("news", [_line("d1"), _line("d2")])
    assert summary.sources == 1 and "1 new source;" in str(summary)
    sources, named = _stored(app)
    assert sources == [("Reuters", "outlet", "Q130879")]
    assert named == [("Reuters", "outlet", "Q130879")] * 4


def test_import_reuses_the_projects_source_of_the_same_name_as_it_is(app, world, news):
    world.import_jsonl("news", [{"id": "d0", "text": TEXT, "annotations": [
        {"annotator": "ana", "label": "attribution", "start": 13, "end": 22}]}])  # fmt: skip
    link_sources(app, "news", {("ana", "d0", 13): "REUTERS"}, kind="organisation")
    summary = world.import_jsonl("news", [_line("d1", source="reuters ")])
    assert summary.sources == 0
    sources, named = _stored(app)
    assert sources == [("REUTERS", "organisation", None)]
    assert named == [("REUTERS", "organisation", None)] * 3


def test_a_bad_source_on_a_later_line_refuses_the_whole_file(app, world, news, runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        b"\n".join(orjson.dumps(line) for line in [_line("d1"), _line("d2", "X", "wire")])
    )
    result = runner.invoke(args=["import", "news", str(path)])
    assert result.exit_code != 0
    assert "bad.jsonl, line 2: field 'sources[0].kind': unknown kind 'wire'" in result.output
    assert _stored(app) == ([], [])


def test_every_json_export_and_the_card_carry_the_imported_source(world, news, runner, tmp_path):
    world.import_jsonl("news", [_line("d1")])

    def export(*args):
        out = tmp_path / "out.jsonl"
        result = runner.invoke(args=["export", "news", "-o", str(out), *args])
        assert result.exit_code == 0, result.output
        return [orjson.loads(line) for line in out.read_bytes().splitlines()], out

    (native,), out = export("--card")
    assert native["annotations"][0]["source"] == "Reuters"
    assert native["sources"][0]["wikidata"] == "Q130879"
    card = (tmp_path / "out.jsonl.card.md").read_text(encoding="utf-8")
    assert "- Sources: 1, named by 1 annotator span and 1 gold span" in card
    doccano, _ = export("--format", "doccano")
    assert [line["entities"][0]["source"] for line in doccano] == ["Reuters", "Reuters"]
    prodigy, _ = export("--format", "prodigy")
    assert [line["spans"][0]["source"] for line in prodigy] == ["Reuters", "Reuters"]
    w3c, _ = export("--format", "w3c")
    assert {"type": "SpecificResource", "purpose": "identifying",
            "source": "http://www.wikidata.org/entity/Q130879"} in w3c[0]["body"]  # fmt: skip
