"""Export formats: every line is JSON, and every span's offsets select the span's text."""

import copy
import json
import random
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator

from annotator.data_export.formats import FORMATS
from annotator.data_export.formats.card import dataset_card
from annotator.data_export.formats.doccano import doccano_lines
from annotator.data_export.formats.native import native_lines
from annotator.data_export.formats.prodigy import prodigy_lines
from annotator.data_export.formats.record import dumps_line, filter_record
from annotator.data_export.formats.w3c import w3c_lines
from annotator.offsets import utf16_offsets

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "native.schema.json").read_text()
)
BASE = "https://annotator.example/p/news"

FAMILY_FLAG = "👩\u200d👩\u200d👧 🇺🇦"  # ZWJ sequence, space, flag: 8 code points, 13 UTF-16 units
TEXT = (
    'Захарова said: "The report is false."\n'
    f"Family: {FAMILY_FLAG} supports it.\n"
    'Cafe\u0301 owner quoted «مرحبا بالعالم» and "שלום עולם".\n'
    "End."
)
T0 = "2026-11-25T08:00:00Z"
T1 = "2026-11-25T09:30:00Z"


def _span(id_, label, fragment, *, annotator=None, note="", curator=None):
    start = TEXT.index(fragment)
    span = {
        "id": id_,
        "label": label,
        "start": start,
        "end": start + len(fragment),
        "text": fragment,
        "note": note,
        "created_at": T0,
        "updated_at": T1,
    }
    if curator:
        span["curator"] = curator
    else:
        span["annotator"] = annotator
    return span


@pytest.fixture
def record():
    """English, Cyrillic, emoji (ZWJ sequence and flag), a combining mark, RTL, newlines."""
    annotations = [
        _span("a1", "attribution", "Захарова", annotator="alice"),
        _span("a2", "claim", "The report is false.", annotator="alice", note="main claim"),
        _span("a3", "evidence", FAMILY_FLAG, annotator="alice"),
        _span("a4", "claim", "Cafe\u0301", annotator="alice"),
        _span("a5", "evidence", "مرحبا بالعالم", annotator="alice"),
        _span("b1", "attribution", "Захарова said", annotator="bob"),
        _span("b2", "claim", 'false."\nFamily', annotator="bob"),
        _span("b3", "evidence", "שלום עולם", annotator="bob"),
        _span("b4", "evidence", "End.", annotator="bob"),
    ]
    return {
        "id": "doc-1",
        "title": "Заголовок",
        "url": "https://news.example/a/1",
        "meta": {"source": "wire", "lang": ["ru", "en"]},
        "text": TEXT,
        "annotators": [
            {"annotator": "alice", "status": "done", "updated_at": T1},
            {"annotator": "bob", "status": "in_progress", "updated_at": T1},
        ],
        "annotations": annotations,
        "gold": [
            _span("g1", "attribution", "Захарова", curator="boss"),
            _span("g2", "claim", "The report is false.", curator="boss", note="agreed"),
            _span("g3", "evidence", FAMILY_FLAG, curator="boss"),
        ],
    }


def _lines(name, record, **options):
    if name == "w3c":
        options.setdefault("base_uri", BASE)
    return FORMATS[name](record, **options)


def _spans_with_offsets(name, line):
    """(start, end, text-or-None) for every span of one exported line, in its own units."""
    if name == "native":
        return [(s["start"], s["end"], s["text"]) for s in line["annotations"] + line["gold"]]
    if name == "prodigy":
        return [(s["start"], s["end"], s["text"]) for s in line["spans"]]
    if name == "doccano":
        return [(start, end, None) for start, end, _label in line["label"]]
    position, quote = line["target"]["selector"]
    return [(position["start"], position["end"], quote["exact"])]


def _utf16_slice(text, start, end):
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


# --- every format ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_line_is_one_json_line_that_json_and_orjson_read_back(name, record):
    lines = _lines(name, record)
    assert lines
    for line in lines:
        data = dumps_line(line)
        assert data.endswith(b"\n") and data.count(b"\n") == 1
        assert len(data.decode("utf-8").splitlines()) == 1
        assert json.loads(data) == line
        assert orjson.loads(data) == line


@pytest.mark.parametrize("name", ["native", "prodigy", "w3c"])
def test_every_span_offsets_select_its_text_in_code_points(name, record):
    spans = [span for line in _lines(name, record) for span in _spans_with_offsets(name, line)]
    assert len(spans) >= 9
    for start, end, text in spans:
        assert TEXT[start:end] == text


def test_doccano_codepoint_offsets_select_the_span_in_python(record):
    expected = sorted((s["start"], s["end"]) for s in record["annotations"] + record["gold"])
    lines = doccano_lines(record, offsets="codepoint")
    got = sorted((start, end) for line in lines for start, end, _ in line["label"])
    assert got == expected
    assert TEXT[expected[0][0] : expected[0][1]] == "Захарова"


def test_doccano_offsets_count_utf16_units_by_default_as_doccano_does(record):
    by_label_and_text = {(s["label"], s["text"]) for s in record["annotations"] + record["gold"]}
    lines = doccano_lines(record)
    exported = {
        (label, _utf16_slice(line["text"], start, end))
        for line in lines
        for start, end, label in line["label"]
    }
    assert exported == by_label_and_text
    family = next(lab for lab in lines[0]["label"] if lab[2] == "evidence")
    assert (len(FAMILY_FLAG), family[1] - family[0]) == (8, 13)


def test_doccano_offsets_equal_code_points_before_the_first_emoji(record):
    to_utf16 = utf16_offsets(TEXT)
    emoji_at = TEXT.index(FAMILY_FLAG)
    assert all(to_utf16(i) == i for i in range(emoji_at + 1))
    assert to_utf16(len(TEXT)) == len(TEXT.encode("utf-16-le")) // 2


def test_doccano_rejects_an_unknown_offset_unit(record):
    with pytest.raises(ValueError, match="offsets"):
        doccano_lines(record, offsets="bytes")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_export_refuses_a_span_outside_the_text(name, record):
    record["annotations"][0]["end"] = len(TEXT) + 1
    with pytest.raises(ValueError, match="does not fit"):
        _lines(name, record)


@pytest.mark.parametrize("name", ["doccano", "prodigy", "w3c"])
def test_document_without_annotators_or_gold_gives_no_lines(name, record):
    record.update(annotators=[], annotations=[], gold=[])
    assert _lines(name, record) == []


def test_formats_registry_names_every_format():
    assert FORMATS == {
        "native": native_lines,
        "doccano": doccano_lines,
        "prodigy": prodigy_lines,
        "w3c": w3c_lines,
    }


# --- native ------------------------------------------------------------------------------------


def test_native_line_validates_against_the_json_schema(record):
    (line,) = native_lines(record)
    Draft202012Validator.check_schema(SCHEMA)
    errors = list(Draft202012Validator(SCHEMA).iter_errors(json.loads(dumps_line(line))))
    assert errors == []


def test_native_schema_rejects_a_line_with_a_missing_or_negative_offset(record):
    (line,) = native_lines(record)
    validator = Draft202012Validator(SCHEMA)
    broken = copy.deepcopy(line)
    broken["annotations"][0]["start"] = -1
    del broken["gold"][0]["end"]
    assert len(list(validator.iter_errors(broken))) == 2


def test_native_export_is_byte_stable_whatever_the_input_order(record):
    first = dumps_line(native_lines(record)[0])
    shuffled = copy.deepcopy(record)
    random.Random(7).shuffle(shuffled["annotations"])
    shuffled["gold"].reverse()
    shuffled["annotators"].reverse()
    shuffled["meta"] = dict(reversed(list(record["meta"].items())))
    assert dumps_line(native_lines(shuffled)[0]) == first
    assert dumps_line(native_lines(record)[0]) == first


def test_native_line_keeps_a_stable_key_order_and_sorted_annotations(record):
    (line,) = native_lines(record)
    assert list(line) == ["id", "title", "url", "meta", "text", "annotators", "annotations", "gold"]
    assert list(line["annotations"][0]) == [
        "id",
        "annotator",
        "label",
        "start",
        "end",
        "text",
        "note",
        "created_at",
        "updated_at",
        "origin",
    ]
    keys = [(s["annotator"], s["start"], s["end"], s["label"]) for s in line["annotations"]]
    assert keys == sorted(keys)


def test_native_line_carries_everything_the_importer_reads(record):
    (line,) = native_lines(record)
    for key in ("id", "title", "url", "meta", "text", "annotations", "gold"):
        assert key in line
    for span in line["annotations"]:
        assert {"annotator", "label", "start", "end", "note", "text"} <= set(span)
    assert line["annotations"][1]["note"] == "main claim"


def test_native_span_text_comes_from_the_offsets_not_the_stored_copy(record):
    record["annotations"][0]["text"] = "stale"
    (line,) = native_lines(record)
    assert line["annotations"][0]["text"] == "Захарова"


def test_native_can_leave_gold_out(record):
    assert native_lines(record, include_gold=False)[0]["gold"] == []


# --- doccano -----------------------------------------------------------------------------------


def test_doccano_lines_have_the_documented_shape_one_per_annotator_then_gold(record):
    lines = doccano_lines(record)
    assert [line["annotator"] for line in lines] == ["alice", "bob", "gold"]
    for line in lines:
        assert set(line) == {"text", "label", "id", "annotator", "meta"}
        assert line["text"] == TEXT and line["id"] == "doc-1"
        assert line["meta"] == {"lang": ["ru", "en"], "source": "wire"}
        for entry in line["label"]:
            start, end, label = entry
            assert isinstance(entry, list) and len(entry) == 3
            assert isinstance(start, int) and isinstance(end, int) and start < end
            assert isinstance(label, str)
    assert len(lines[0]["label"]) == 5 and len(lines[2]["label"]) == 3


def test_doccano_lists_an_assigned_annotator_without_spans_and_can_leave_gold_out(record):
    record["annotators"].append({"annotator": "carol", "status": "done", "updated_at": T1})
    lines = doccano_lines(record, include_gold=False)
    assert [(line["annotator"], line["label"]) for line in lines][-1] == ("carol", [])
    assert "gold" not in [line["annotator"] for line in lines]


# --- Prodigy -----------------------------------------------------------------------------------


def test_prodigy_lines_have_the_documented_task_shape(record):
    lines = prodigy_lines(record)
    assert [line["meta"]["annotator"] for line in lines] == ["alice", "bob", "gold"]
    for line in lines:
        assert set(line) == {"text", "spans", "meta", "answer"}
        assert line["answer"] == "accept"
        assert line["meta"] == {
            "lang": ["ru", "en"],
            "source": "wire",
            "id": "doc-1",
            "annotator": line["meta"]["annotator"],
        }
        for span in line["spans"]:
            assert set(span) == {"start", "end", "label", "text"}
            assert isinstance(span["start"], int) and isinstance(span["end"], int)


def test_prodigy_can_leave_gold_out(record):
    lines = prodigy_lines(record, include_gold=False)
    assert [line["meta"]["annotator"] for line in lines] == ["alice", "bob"]


# --- W3C Web Annotation ------------------------------------------------------------------------


def _w3c_by_id(record, **options):
    return {line["id"].rsplit("/", 1)[1]: line for line in w3c_lines(record, BASE, **options)}


def test_w3c_annotations_have_the_required_keys_one_per_span(record):
    lines = w3c_lines(record, BASE + "/")
    assert len(lines) == len(record["annotations"]) + len(record["gold"])
    for line in lines:
        assert line["@context"] == "http://www.w3.org/ns/anno.jsonld"
        assert line["type"] == "Annotation"
        assert line["id"].startswith(f"{BASE}/annotations/")
        assert line["target"]["source"] == f"{BASE}/documents/doc-1"
        assert (line["created"], line["modified"]) == (T0, T1)
        assert line["body"][0]["type"] == "TextualBody"
        assert line["body"][0]["purpose"] == "tagging"
        position, quote = line["target"]["selector"]
        assert position["type"] == "TextPositionSelector"
        assert quote["type"] == "TextQuoteSelector"


def test_w3c_creator_is_the_annotator_and_gold_is_marked_as_software(record):
    lines = _w3c_by_id(record)
    assert lines["a1"]["creator"] == {
        "id": f"{BASE}/annotators/alice",
        "type": "Person",
        "nickname": "alice",
    }
    gold = lines["g1"]["creator"]
    assert gold["type"] == "Software" and gold["nickname"] == "gold"
    assert "boss" in gold["name"]


def test_w3c_quote_selector_has_empty_prefix_at_text_start_and_empty_suffix_at_text_end(record):
    lines = _w3c_by_id(record)
    start_quote = lines["a1"]["target"]["selector"][1]
    assert start_quote == {
        "type": "TextQuoteSelector",
        "exact": "Захарова",
        "prefix": "",
        "suffix": TEXT[len("Захарова") : len("Захарова") + 32],
    }
    end_quote = lines["b4"]["target"]["selector"][1]
    assert (end_quote["exact"], end_quote["suffix"]) == ("End.", "")
    assert end_quote["prefix"] == TEXT[-4 - 32 : -4]


def test_w3c_prefix_and_suffix_are_32_code_points_around_the_span(record):
    quote = _w3c_by_id(record)["a3"]["target"]["selector"][1]
    at = TEXT.index(FAMILY_FLAG)
    assert quote["exact"] == FAMILY_FLAG
    assert len(quote["prefix"]) == 32 and len(quote["suffix"]) == 32
    assert (
        quote["prefix"] + quote["exact"] + quote["suffix"]
        == TEXT[at - 32 : at + len(FAMILY_FLAG) + 32]
    )


def test_w3c_note_becomes_a_commenting_body(record):
    lines = _w3c_by_id(record)
    assert lines["a2"]["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
        {"type": "TextualBody", "purpose": "commenting", "value": "main claim"},
    ]
    assert len(lines["a1"]["body"]) == 1


def test_w3c_percent_encodes_ids_and_names_in_iris(record):
    record["id"] = "doc 1/б"
    record["annotations"][0]["annotator"] = "ann bob"
    line = _w3c_by_id(record)["a1"]
    assert line["target"]["source"] == f"{BASE}/documents/doc%201%2F%D0%B1"
    assert line["creator"]["id"] == f"{BASE}/annotators/ann%20bob"
    assert line["creator"]["nickname"] == "ann bob"


def test_w3c_can_leave_gold_out(record):
    assert set(_w3c_by_id(record, include_gold=False)) == {s["id"] for s in record["annotations"]}


# --- filters -----------------------------------------------------------------------------------


def test_filter_by_annotator_keeps_only_their_spans_and_all_gold(record):
    kept = filter_record(record, annotators=["bob"])
    assert [entry["annotator"] for entry in kept["annotators"]] == ["bob"]
    assert {span["annotator"] for span in kept["annotations"]} == {"bob"}
    assert len(kept["gold"]) == 3


def test_filter_by_label_applies_to_annotations_and_gold_but_keeps_annotators(record):
    kept = filter_record(record, labels={"claim"})
    assert {span["label"] for span in kept["annotations"] + kept["gold"]} == {"claim"}
    assert len(kept["annotators"]) == 2
    assert [line["annotator"] for line in doccano_lines(kept)] == ["alice", "bob", "gold"]


def test_filter_gold_only_drops_annotations_and_annotators(record):
    kept = filter_record(record, gold_only=True, labels=["claim", "evidence"])
    assert kept["annotations"] == [] and kept["annotators"] == []
    assert [span["id"] for span in kept["gold"]] == ["g2", "g3"]
    assert [line["annotator"] for line in doccano_lines(kept)] == ["gold"]


def test_filter_with_an_empty_list_keeps_nothing_and_none_keeps_everything(record):
    assert filter_record(record, annotators=[])["annotations"] == []
    assert filter_record(record) == record


def test_filter_leaves_the_input_record_untouched(record):
    before = copy.deepcopy(record)
    kept = filter_record(record, annotators=["alice"], labels=["claim"])
    kept["meta"]["source"] = "changed"
    assert record == before


# --- output ------------------------------------------------------------------------------------


def test_dumps_line_keeps_non_ascii_as_utf8_not_escapes():
    data = dumps_line({"text": "Захарова 👩\u200d👧 שלום"})
    assert "Захарова 👩\u200d👧 שלום".encode() in data
    assert b"\\u" not in data


def test_dumps_line_escapes_unicode_line_separators_so_a_record_stays_on_one_line():
    obj = {"text": "a\u2028b\u2029c\x85d\ne"}
    data = dumps_line(obj)
    assert len(data.decode("utf-8").splitlines()) == 1
    assert json.loads(data) == obj and orjson.loads(data) == obj


# --- dataset card ------------------------------------------------------------------------------


@pytest.fixture
def stats():
    return {
        "project": "News claims",
        "format": "prodigy",
        "exported_at": "2026-11-25T10:00:00Z",
        "documents": 12,
        "annotators": ["alice", "bob"],
        "spans_per_label": {"claim": 30, "evidence": 21, "attribution": 9},
        "gold_spans": 17,
        "filters": {"annotators": None, "labels": ["claim", "evidence"], "gold_only": False},
        "agreement": {
            "mean_pairwise_f1": 0.8123,
            "krippendorff_alpha": {"claim": 0.71, "evidence": 0.645},
        },
    }


def test_dataset_card_states_the_counts_filters_and_offset_unit(stats):
    card = dataset_card(stats)
    assert card.startswith("# News claims")
    for expected in (
        "Documents: 12",
        "Annotators (2): alice, bob",
        "Annotator spans: 60",
        "Gold spans: 17",
        "| claim | 30 |",
        "| evidence | 21 |",
        "| attribution | 9 |",
        "labels: claim, evidence",
        "annotators: all",
        "gold_only: no",
        "code points",
    ):
        assert expected in card


def test_dataset_card_summarises_agreement(stats):
    card = dataset_card(stats)
    assert "mean_pairwise_f1: 0.812" in card
    assert "| claim | 0.710 |" in card and "| evidence | 0.645 |" in card


def test_dataset_card_says_when_agreement_was_not_computed(stats):
    stats["agreement"] = None
    assert "Agreement was not computed" in dataset_card(stats)


def test_dataset_card_for_doccano_says_offsets_are_utf16_units(stats):
    stats["format"] = "doccano"
    assert "UTF-16 code units" in dataset_card(stats)
    stats["offsets"] = "codepoint"
    assert "code points" in dataset_card(stats)


# --- docs/formats.md ---------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
DOCS_TEXT = "Захарова: 👍 talks failed."


def _docs_span(n, start, end, label, note, created, updated, **who):
    prefix = "9a1d0c2e" if "curator" in who else "3f2b6c1e"
    return {
        "id": f"{prefix}-0000-4000-8000-00000000000{n}",
        "label": label,
        "start": start,
        "end": end,
        "text": DOCS_TEXT[start:end],
        "note": note,
        "created_at": f"2026-11-25T{created}:00Z",
        "updated_at": f"2026-11-25T{updated}:00Z",
        **who,
    }


@pytest.fixture
def docs_record():
    """The record behind the examples in docs/formats.md."""
    return {
        "id": "doc-1",
        "title": "Talks",
        "url": "https://news.example/a/1",
        "meta": {"source": "wire"},
        "text": DOCS_TEXT,
        "annotators": [{"annotator": "alice", "status": "done", "updated_at": T0}],
        "annotations": [
            _docs_span(1, 0, 8, "attribution", "", "07:58", "07:58", annotator="alice"),
            _docs_span(2, 12, 25, "claim", "hedged", "07:59", "08:00", annotator="alice"),
        ],
        "gold": [_docs_span(3, 12, 25, "claim", "", "09:00", "09:00", curator="boss")],
    }


def _docs_examples():
    examples = {}
    for section in DOCS.read_text(encoding="utf-8").split("\n## ")[1:]:
        name, body = section.split("\n", 1)
        if "```json\n" in body:
            examples[name.strip()] = body.split("```json\n", 1)[1].split("\n```", 1)[0]
    return examples


def test_formats_doc_shows_an_example_line_for_every_format():
    assert set(_docs_examples()) == set(FORMATS)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_formats_doc_example_line_is_exactly_what_the_code_writes(name, docs_record):
    options = {"base_uri": "https://annotator.example/projects/news"} if name == "w3c" else {}
    written = [dumps_line(line).decode() for line in FORMATS[name](docs_record, **options)]
    assert _docs_examples()[name] + "\n" in written
