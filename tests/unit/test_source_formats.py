"""Sources in every export format and in the native import: spans name their source by name,
each native line lists the sources it names, doccano, Prodigy and W3C carry the link, the card
counts sources, and a bad source is refused naming line, field and reason."""

from __future__ import annotations

import orjson
import pytest

from annotator.data_export.formats import FORMATS
from annotator.data_export.formats.card import dataset_card
from annotator.data_export.formats.record import filter_record
from annotator.data_import.detect import parse_import
from annotator.data_import.parsers import ImportedSource, ImportRules, parse_document
from annotator.errors import ImportRejected

TEXT = "Reuters said Zakharova denied it."
T = "2026-11-28T10:00:00Z"
REUTERS = {"name": "Reuters", "kind": "outlet", "url": "https://www.reuters.com/", "wikidata": None}
ZAKHAROVA = {"name": "Zakharova", "kind": "person", "url": None, "wikidata": "Q4345814"}
ANONYMOUS = {"name": "a source close to the talks", "kind": "other", "url": None, "wikidata": None}


def _span(span_id, start, end, label="attribution", source=None, **who):
    return {"id": span_id, "label": label, "start": start, "end": end, "note": "",
            "attributes": {}, "created_at": T, "updated_at": T, "origin": "manual",
            "source": source, **who}  # fmt: skip


@pytest.fixture
def record():
    return {
        "id": "d1",
        "title": None,
        "url": None,
        "meta": {},
        "text": TEXT,
        "annotators": [{"annotator": "ana", "status": "done", "updated_at": T}],
        "annotations": [
            _span("a1", 0, 7, source="Reuters", annotator="ana"),
            _span("a2", 13, 22, source="Zakharova", annotator="ana"),
            _span("a3", 23, 32, label="claim", annotator="ana"),
        ],
        "gold": [_span("g1", 13, 22, source="a source close to the talks", curator="boss")],
        "sources": [ZAKHAROVA, ANONYMOUS, REUTERS],
    }


def test_native_spans_name_their_source_and_the_line_lists_those_sources_by_name(record):
    (line,) = FORMATS["native"](record)
    assert [span.get("source") for span in line["annotations"]] == ["Reuters", "Zakharova", None]
    assert (
        list(line["annotations"][0]).index("source")
        == list(line["annotations"][0]).index("created_at") - 1
    )
    assert line["gold"][0]["source"] == "a source close to the talks"
    assert line["sources"] == [REUTERS, ZAKHAROVA, ANONYMOUS]
    assert list(line)[-1] == "sources"


def test_native_lists_only_the_sources_of_the_spans_it_writes(record):
    (without_gold,) = FORMATS["native"](record, include_gold=False)
    assert without_gold["sources"] == [REUTERS, ZAKHAROVA]
    (claims,) = FORMATS["native"](filter_record(record, labels=["claim"]))
    assert "sources" not in claims and "source" not in claims["annotations"][0]


def test_doccano_entities_and_prodigy_spans_carry_the_source_name(record):
    ana, gold = FORMATS["doccano"](record)
    assert [entity.get("source") for entity in ana["entities"]] == ["Reuters", "Zakharova", None]
    assert gold["entities"][0]["source"] == "a source close to the talks"
    ana, gold = FORMATS["prodigy"](record)
    assert [span.get("source") for span in ana["spans"]] == ["Reuters", "Zakharova", None]
    assert gold["spans"][0]["source"] == "a source close to the talks"


def test_w3c_identifies_a_source_by_wikidata_else_url_else_a_project_iri(record):
    lines = FORMATS["w3c"](record, base_uri="urn:annotator:news")

    def identifying(line):
        return [body for body in line["body"] if body["purpose"] == "identifying"]

    reuters, zakharova, claim, gold = lines
    assert identifying(reuters) == [
        {
            "type": "SpecificResource",
            "purpose": "identifying",
            "source": "https://www.reuters.com/",
        },
        {"type": "TextualBody", "purpose": "identifying", "value": "Reuters"},
    ]
    assert identifying(zakharova)[0]["source"] == "http://www.wikidata.org/entity/Q4345814"
    assert identifying(claim) == []
    assert identifying(gold)[0]["source"] == (
        "urn:annotator:news/sources/a%20source%20close%20to%20the%20talks"
    )


def test_the_card_counts_sources_only_when_some_are_named():
    card = dataset_card({"sources": 3, "source_links": 5, "gold_source_links": 1})
    assert "- Sources: 3, named by 5 annotator spans and 1 gold span" in card
    assert "Sources:" not in dataset_card({"sources": 0})


# --- native import ----------------------------------------------------------------------------

RULES = ImportRules(labels={"attribution", "claim"}, source_labels={"attribution"})


def _line(**changes):
    value = {
        "id": "d1",
        "text": TEXT,
        "annotations": [
            {"annotator": "ana", "label": "attribution", "start": 0, "end": 7, "source": "reuters"}
        ],
        "gold": [{"label": "attribution", "start": 13, "end": 22, "source": "Zakharova"}],
        "sources": [{"name": " Reuters ", "kind": "outlet"}, {"name": "Zakharova"}],
    }
    return value | changes


def test_import_reads_sources_and_links_spans_by_name_ignoring_case_and_spaces():
    document = parse_document(_line(), "f.jsonl", 1, RULES, "d")
    assert document.sources == {
        "reuters": ImportedSource("Reuters", "outlet"),
        "zakharova": ImportedSource("Zakharova", "person"),
    }
    assert document.annotations[0].source == "reuters"
    assert document.gold[0].source == "zakharova"


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"sources": [{"name": "Reuters", "kind": "wire"}, {"name": "Zakharova"}]},
         "sources[0].kind", "unknown kind 'wire'"),
        ({"sources": [{"name": "  "}, {"name": "Zakharova"}]}, "sources[0].name", "empty"),
        ({"sources": [{"name": "Reuters"}, {"name": "Zakharova"}, {"name": "REUTERS"}]},
         "sources[2].name", "listed twice"),
        ({"sources": [{"name": "Reuters"}, {"name": "Zakharova", "id": 3}]},
         "sources[1].id", "unknown field"),
        ({"sources": ["Reuters"]}, "sources[0]", "expected an object"),
        ({"sources": [{"name": "ß" * 101}, {"name": "Zakharova"}]},
         "sources[0].name", "longer than 200"),
        ({"sources": [{"name": "Reuters", "wikidata": "Q" * 21}, {"name": "Zakharova"}]},
         "sources[0].wikidata", "longer than 20"),
        ({"sources": [{"name": "Reuters"}]}, "gold[0].source", "'Zakharova' is not one of"),
        ({"annotations": [{"annotator": "ana", "label": "claim", "start": 0, "end": 7,
                           "source": "Reuters"}]},
         "annotations[0].source", "spans of label 'claim' do not name sources"),
        ({"gold": [{"label": "attribution", "start": 13, "end": 22, "source": 7}]},
         "gold[0].source", "expected a source's name"),
    ],
)  # fmt: skip
def test_import_refuses_a_bad_source_naming_line_field_and_reason(changes, field, reason):
    with pytest.raises(ImportRejected) as refused:
        parse_document(_line(**changes), "f.jsonl", 4, RULES, "d")
    assert refused.value.field == field
    assert str(refused.value).startswith(f"f.jsonl, line 4: field '{field}': ")
    assert reason in str(refused.value)


def test_import_refuses_a_source_listed_differently_by_two_lines():
    second = _line(id="d2", sources=[{"name": "Reuters", "kind": "person"}, {"name": "Zakharova"}])
    data = b"\n".join(orjson.dumps(line) for line in (_line(), second))
    with pytest.raises(ImportRejected) as refused:
        list(parse_import([("f.jsonl", data)], RULES))
    assert str(refused.value) == (
        "f.jsonl, line 2: field 'sources[0]': 'Reuters' differs from the same source in "
        "f.jsonl, line 1 (its name, kind, url and wikidata must agree)"
    )
