"""Links and span attributes in every export format, and in the native import. Pure: records in,
lines out; import lines in, parsed documents (or a rejection naming the field) out."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from annotator.annotation.definitions import TypeRule
from annotator.data_export.formats import FORMATS
from annotator.data_export.formats.doccano import doccano_lines
from annotator.data_export.formats.native import native_lines
from annotator.data_export.formats.prodigy import prodigy_lines
from annotator.data_export.formats.record import dumps_line, filter_record
from annotator.data_export.formats.w3c import w3c_lines
from annotator.data_import.parsers import ImportRules, parse_document
from annotator.errors import ImportRejected
from annotator.models import DEFAULT_ATTRIBUTES, DEFAULT_RELATION_TYPES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "native.schema.json").read_text())
DOCS = ROOT / "docs" / "formats.md"
BASE = "https://annotator.example/projects/news"
TEXT = "Захарова: 👍 talks failed."  # 👍 is one code point, two UTF-16 units
T0, T1 = "2026-11-25T08:00:00Z", "2026-11-25T08:01:00Z"


def _span(n, start, end, label, stamp, note="", attributes=None, **who):
    prefix = "9a1d0c2e" if "curator" in who else "3f2b6c1e"
    span = {
        "id": f"{prefix}-0000-4000-8000-00000000000{n}",
        "label": label,
        "start": start,
        "end": end,
        "text": TEXT[start:end],
        "note": note,
        "created_at": f"2026-11-25T{stamp}:00Z",
        "updated_at": f"2026-11-25T{stamp}:00Z",
        **who,
    }
    if attributes:
        span["attributes"] = attributes
    return span


@pytest.fixture
def record():
    """The document of docs/formats.md's second examples: alice's attribution with a source type,
    her hedged claim linked attributed_to it; gold has the claim only."""
    attribution = _span(
        1,
        0,
        8,
        "attribution",
        "07:58",
        attributes={"source_type": "named person"},
        annotator="alice",
    )
    claim = _span(2, 12, 25, "claim", "07:59", "hedged", {"certainty": "hedged"}, annotator="alice")
    claim["updated_at"] = T0
    gold = _span(3, 12, 25, "claim", "09:00", curator="boss")
    return {
        "id": "doc-1",
        "title": "Talks",
        "url": "https://news.example/a/1",
        "meta": {"source": "wire"},
        "text": TEXT,
        "annotators": [{"annotator": "alice", "status": "done", "updated_at": T0}],
        "annotations": [attribution, claim],
        "relations": [
            {
                "id": "7c4e2a10-0000-4000-8000-000000000004",
                "annotator": "alice",
                "type": "attributed_to",
                "source": claim["id"],
                "target": attribution["id"],
                "value": None,
                "created_at": T1,
                "updated_at": T1,
            }
        ],
        "gold": [gold],
    }


@pytest.fixture
def with_gold_link(record):
    """The record with a gold attribution too, linked from the gold claim (with a value)."""
    gold_attribution = _span(4, 0, 8, "attribution", "09:01", curator="boss")
    gold_attribution["attributes"] = {"source_type": "media outlet"}
    record["gold"].append(gold_attribution)
    record["gold_relations"] = [
        {
            "id": "7c4e2a10-0000-4000-8000-000000000005",
            "type": "attributed_to",
            "source": record["gold"][0]["id"],
            "target": gold_attribution["id"],
            "value": "verbatim",
            "curator": "boss",
            "created_at": T1,
            "updated_at": T1,
        }
    ]
    return record


def _second_examples():
    """Each format section's second ```json block of docs/formats.md (the linked example)."""
    examples = {}
    for section in DOCS.read_text(encoding="utf-8").split("\n## ")[1:]:
        name, body = section.split("\n", 1)
        blocks = body.split("```json\n")[1:]
        if len(blocks) >= 2:
            examples[name.strip()] = blocks[1].split("\n```", 1)[0].splitlines()
    return examples


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_formats_doc_linked_example_lines_are_exactly_what_the_code_writes(name, record):
    options = {"base_uri": BASE} if name == "w3c" else {}
    written = [dumps_line(line).decode() for line in FORMATS[name](record, **options)]
    examples = _second_examples()[name]
    assert examples
    for line in examples:
        assert line + "\n" in written


# --- native --------------------------------------------------------------------------------------


def test_native_line_carries_attributes_and_links_by_span_id_and_validates(with_gold_link):
    (line,) = native_lines(with_gold_link)
    assert list(line) == [
        "id",
        "title",
        "url",
        "meta",
        "text",
        "annotators",
        "annotations",
        "relations",
        "gold",
        "gold_relations",
    ]
    assert line["annotations"][0]["attributes"] == {"source_type": "named person"}
    assert list(line["annotations"][0])[-4:] == [
        "attributes",
        "created_at",
        "updated_at",
        "origin",
    ]
    (link,) = line["relations"]
    spans = {span["id"]: span["text"] for span in line["annotations"]}
    assert (spans[link["source"]], link["type"], spans[link["target"]]) == (
        "talks failed.",
        "attributed_to",
        "Захарова",
    )
    (gold_link,) = line["gold_relations"]
    assert (gold_link["value"], gold_link["curator"]) == ("verbatim", "boss")
    assert list(Draft202012Validator(SCHEMA).iter_errors(json.loads(dumps_line(line)))) == []


def test_native_line_leaves_out_empty_links_and_attributes(record):
    record["relations"] = []
    for span in record["annotations"]:
        span["attributes"] = {}
    (line,) = native_lines(record)
    assert "relations" not in line and "gold_relations" not in line
    assert all("attributes" not in span for span in line["annotations"])


def test_native_links_are_byte_stable_whatever_the_input_order(with_gold_link):
    with_gold_link["relations"].append(
        {
            "id": "7c4e2a10-0000-4000-8000-000000000006",
            "annotator": "alice",
            "type": "supports",
            "source": with_gold_link["annotations"][0]["id"],
            "target": with_gold_link["annotations"][1]["id"],
            "value": None,
            "created_at": T1,
            "updated_at": T1,
        }
    )
    first = dumps_line(native_lines(with_gold_link)[0])
    shuffled = copy.deepcopy(with_gold_link)
    random.Random(3).shuffle(shuffled["relations"])
    shuffled["annotations"][0]["attributes"] = {"b": "2", "a": "1"}
    with_gold_link["annotations"][0]["attributes"] = {"a": "1", "b": "2"}
    assert dumps_line(native_lines(shuffled)[0]) == dumps_line(native_lines(with_gold_link)[0])
    assert first.index(b'"type":"supports"') < first.index(b'"type":"attributed_to"')  # by source


def test_native_schema_rejects_a_link_without_type_and_an_empty_attribute_value(record):
    (line,) = native_lines(record)
    broken = copy.deepcopy(line)
    del broken["relations"][0]["type"]
    broken["annotations"][0]["attributes"]["source_type"] = ""
    assert len(list(Draft202012Validator(SCHEMA).iter_errors(broken))) == 2


def test_a_link_to_a_span_the_record_lacks_is_a_bug_not_a_line(record):
    record["relations"][0]["target"] = "no-such-span"
    for name in sorted(FORMATS):
        options = {"base_uri": BASE} if name == "w3c" else {}
        with pytest.raises(ValueError, match="no-such-span"):
            FORMATS[name](record, **options)


def test_native_can_leave_gold_links_out_with_the_gold(with_gold_link):
    (line,) = native_lines(with_gold_link, include_gold=False)
    assert line["gold"] == [] and "gold_relations" not in line
    assert len(line["relations"]) == 1


# --- doccano, Prodigy, W3C -------------------------------------------------------------------


def test_doccano_lines_add_entities_and_relations_with_ids_of_the_line(with_gold_link):
    alice, gold = doccano_lines(with_gold_link)
    assert alice["entities"] == [
        {
            "id": 0,
            "start_offset": 0,
            "end_offset": 8,
            "label": "attribution",
            "attributes": {"source_type": "named person"},
        },
        # after 👍: one more UTF-16 unit, as in "label"
        {
            "id": 1,
            "start_offset": 13,
            "end_offset": 26,
            "label": "claim",
            "attributes": {"certainty": "hedged"},
        },
    ]
    assert [e[:2] for e in alice["label"]] == [
        [e["start_offset"], e["end_offset"]] for e in alice["entities"]
    ]
    assert alice["relations"] == [{"id": 0, "from_id": 1, "to_id": 0, "type": "attributed_to"}]
    by_id = {entity["id"]: entity["label"] for entity in gold["entities"]}
    (gold_link,) = gold["relations"]
    assert (by_id[gold_link["from_id"]], by_id[gold_link["to_id"]]) == ("claim", "attribution")
    assert gold_link["value"] == "verbatim"


def test_doccano_lines_without_links_or_attributes_keep_the_plain_shape(record):
    record["relations"] = []
    for span in record["annotations"]:
        del span["attributes"]
    for line in doccano_lines(record):
        assert set(line) == {"text", "label", "id", "annotator", "meta"}


def test_prodigy_lines_carry_attributes_and_rel_manual_style_relations(with_gold_link):
    alice, gold = prodigy_lines(with_gold_link)
    assert alice["spans"][0]["attributes"] == {"source_type": "named person"}
    assert alice["relations"] == [
        {
            "head_span": {"start": 12, "end": 25, "label": "claim"},
            "child_span": {"start": 0, "end": 8, "label": "attribution"},
            "label": "attributed_to",
        }
    ]
    assert gold["relations"][0]["value"] == "verbatim"


def test_w3c_link_is_a_linking_annotation_targeting_both_span_annotations_in_order(
    with_gold_link,
):
    lines = w3c_lines(with_gold_link, BASE)
    by_id = {line["id"].rsplit("/", 1)[1]: line for line in lines}
    assert len(lines) == 2 + 2 + 2  # spans, gold spans, then links
    link = by_id["7c4e2a10-0000-4000-8000-000000000004"]
    assert link["motivation"] == "linking"
    assert link["body"] == [{"type": "TextualBody", "purpose": "tagging", "value": "attributed_to"}]
    source, target = link["target"]["items"]
    assert link["target"]["type"] == "List"
    assert by_id[source.rsplit("/", 1)[1]]["target"]["selector"][1]["exact"] == "talks failed."
    assert by_id[target.rsplit("/", 1)[1]]["target"]["selector"][1]["exact"] == "Захарова"
    assert link["creator"]["nickname"] == "alice"
    gold_link = by_id["7c4e2a10-0000-4000-8000-000000000005"]
    assert gold_link["creator"]["type"] == "Software"
    assert gold_link["body"][1] == {
        "type": "TextualBody",
        "purpose": "describing",
        "value": "verbatim",
    }
    attribution = by_id[target.rsplit("/", 1)[1]]
    assert {
        "type": "TextualBody",
        "purpose": "classifying",
        "value": "source_type: named person",
    } in (attribution["body"])


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({}, 1),
        ({"labels": ["claim", "attribution"]}, 1),
        ({"labels": ["claim"]}, 0),  # the link's target is filtered out
        ({"annotators": ["bob"]}, 0),
        ({"gold_only": True}, 0),
    ],
)
def test_filter_keeps_a_link_only_with_both_its_spans(record, options, kept):
    filtered = filter_record(record, **options)
    assert len(filtered.get("relations", [])) == kept
    if not kept:
        assert "relations" not in filtered


# --- native import ---------------------------------------------------------------------------

RULES = ImportRules(
    labels={"claim", "evidence", "attribution"},
    attributes={name: list(items) for name, items in DEFAULT_ATTRIBUTES.items()},
    relation_types={
        name: TypeRule(
            name, sources, targets, ("verbatim", "paraphrase") if name == "attributed_to" else ()
        )
        for name, sources, targets, _choices in DEFAULT_RELATION_TYPES
    },
)


def _line(**changes):
    value = {
        "id": "d1",
        "text": "Reuters quoted Zakharova as writing that Kyiv was sabotaging the talks",
        "annotations": [
            {"id": "s1", "annotator": "ana", "label": "attribution", "start": 0, "end": 35},
            {"id": "s2", "annotator": "ana", "label": "claim", "start": 41, "end": 70},
            {"id": "s3", "annotator": "ben", "label": "attribution", "start": 0, "end": 35},
        ],
        "relations": [
            {"annotator": "ana", "type": "attributed_to", "source": "s2", "target": "s1"}
        ],
    }
    value.update(changes)
    return value


def test_import_reads_links_by_span_index_and_attribute_values():
    line = _line()
    line["annotations"][0]["attributes"] = {"source_type": "media outlet"}
    line["gold"] = [
        {"id": 7, "label": "claim", "start": 41, "end": 70},
        {"id": "g2", "label": "attribution", "start": 0, "end": 35},
    ]
    line["gold_relations"] = [
        {"type": "attributed_to", "source": 7, "target": "g2", "value": "paraphrase"}
    ]
    document = parse_document(line, "f.jsonl", 1, RULES, "x")
    (relation,) = document.relations
    assert (relation.type, relation.source, relation.target, relation.annotator) == (
        "attributed_to",
        1,
        0,
        "ana",
    )
    assert document.annotations[0].attributes == {"source_type": "media outlet"}
    (gold,) = document.gold_relations
    assert (gold.source, gold.target, gold.value, gold.annotator) == (0, 1, "paraphrase", None)


REFUSED_LINKS = [
    pytest.param({"type": "cites"}, "relations[0].type", "unknown relation type", id="type"),
    pytest.param({"source": "s9"}, "relations[0].source", "not the id of a span", id="no span"),
    pytest.param({"target": "s3"}, "relations[0].target", "another annotator", id="other's span"),
    pytest.param({"source": "s1", "target": "s2"}, "relations[0].source", "starts at", id="rule"),
    pytest.param({"target": "s2"}, "relations[0]", "itself", id="self link"),
    pytest.param({"value": "loud"}, "relations[0].value", "verbatim, paraphrase", id="value"),
    pytest.param({"annotator": None}, "relations[0].annotator", "user name", id="no annotator"),
]


@pytest.mark.parametrize(("change", "field", "reason"), REFUSED_LINKS)
def test_import_rejects_a_link_that_breaks_the_rules_and_names_the_field(change, field, reason):
    line = _line()
    line["relations"][0].update(change)
    with pytest.raises(ImportRejected) as rejected:
        parse_document(line, "f.jsonl", 3, RULES, "x")
    assert rejected.value.field == field and reason in rejected.value.reason
    assert "f.jsonl, line 3" in str(rejected.value)


def test_import_rejects_a_link_to_an_ambiguous_span_id_and_a_link_given_twice():
    twice = _line()
    twice["relations"] *= 2
    with pytest.raises(ImportRejected, match="linked twice"):
        parse_document(twice, "f.jsonl", 1, RULES, "x")
    ambiguous = _line()
    ambiguous["annotations"][2]["id"] = "s1"
    with pytest.raises(ImportRejected, match="several spans have the id 's1'"):
        parse_document(ambiguous, "f.jsonl", 1, RULES, "x")


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"source_type": "rumour mill"}, "must be one of named person"),
        ({"certainty": "hedged"}, "unknown attribute 'certainty'"),
        ("media outlet", "must be an object"),
    ],
)
def test_import_rejects_attribute_values_the_label_does_not_offer(attributes, reason):
    line = _line()
    line["annotations"][0]["attributes"] = attributes
    with pytest.raises(ImportRejected) as rejected:
        parse_document(line, "f.jsonl", 1, RULES, "x")
    assert rejected.value.field == "annotations[0].attributes" and reason in rejected.value.reason


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["s1", "s2", "s3", "attributed_to", "supports", "media outlet", "ana"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
_links = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "annotator": st.sampled_from(["ana", "ben"]) | _json,
            "type": st.sampled_from(["attributed_to", "supports", "cites"]) | _json,
            "source": st.sampled_from(["s1", "s2", "s3", 7]) | _json,
            "target": st.sampled_from(["s1", "s2", "s3", 7]) | _json,
            "value": st.sampled_from([None, "verbatim", "loud"]) | _json,
        },
    ),
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(
    links=_links | _json,
    attributes=st.sampled_from([{"source_type": "media outlet"}, {"certainty": "x"}]) | _json,
    span_id=st.sampled_from(["s1", "s2", None, 7]) | _json,
)
def test_any_json_in_links_attributes_or_span_ids_is_read_or_rejected_with_a_reason(
    links, attributes, span_id
):
    line = _line(relations=links)
    line["annotations"][0]["attributes"] = attributes
    line["annotations"][1]["id"] = span_id
    try:
        document = parse_document(line, "f.jsonl", 1, RULES, "x")
    except ImportRejected as rejected:
        assert rejected.field and rejected.reason
        return
    for relation in document.relations:
        source, target = (
            document.annotations[relation.source],
            document.annotations[relation.target],
        )
        assert source.annotator == target.annotator == relation.annotator
        assert RULES.relation_types[relation.type].allows(source.label, target.label)
