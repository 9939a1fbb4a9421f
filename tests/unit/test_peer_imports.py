"""Imports from the peer tools (Label Studio, doccano, brat, Prodigy) and of our W3C export: files
written the way each tool writes them become the same documents, spans and links as the native
import makes, offsets are checked against the text, and a broken file is refused naming the line
(or the file and line). Pure: files in, parsed documents (or a rejection) out."""

from __future__ import annotations

import io
import json
import zipfile

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.annotation.definitions import TypeRule, parse_attribute_lines
from annotator.data_export.formats.w3c import w3c_lines
from annotator.data_import.detect import FORMATS, Bundle, detect, parse_import
from annotator.data_import.parsers import ImportedDocument, ImportRules
from annotator.data_import.peers import PeerOptions
from annotator.errors import ImportRejected
from annotator.models import DEFAULT_ATTRIBUTES, DEFAULT_RELATION_TYPES

TEXT = "Захарова: 👍 talks failed."  # 👍 is one code point and two UTF-16 units
# code points: attribution [0, 8), claim [12, 25); UTF-16 units: claim [13, 26)

RULES = ImportRules(
    labels={"claim", "evidence", "attribution"},
    attributes={name: list(items) for name, items in DEFAULT_ATTRIBUTES.items()},
    relation_types={
        name: TypeRule(name, sources, targets, ())
        for name, sources, targets, _choices in DEFAULT_RELATION_TYPES
    },
)


def parse(files, format=None, annotator=None) -> list[ImportedDocument]:
    return list(parse_import(files, RULES, format=format, options=PeerOptions(annotator=annotator)))


def spans(document: ImportedDocument) -> list[tuple]:
    """(annotator or 'gold', label, the span's text, note, attributes) sorted."""
    out = [
        (span.annotator, span.label, document.text[span.start : span.end], span.note)
        for span in document.annotations
    ]
    out += [
        ("gold", span.label, document.text[span.start : span.end], span.note)
        for span in document.gold
    ]
    return sorted(out)


def links(document: ImportedDocument) -> list[tuple]:
    """(annotator or 'gold', type, source text, target text) sorted."""

    def text(span):
        return document.text[span.start : span.end]

    out = [
        (
            link.annotator,
            link.type,
            text(document.annotations[link.source]),
            text(document.annotations[link.target]),
        )
        for link in document.relations
    ]
    out += [
        ("gold", link.type, text(document.gold[link.source]), text(document.gold[link.target]))
        for link in document.gold_relations
    ]
    return sorted(out)


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content if isinstance(content, bytes) else content.encode())
    return buffer.getvalue()


def refusal(files, **options) -> str:
    with pytest.raises(ImportRejected) as caught:
        parse(files, **options)
    return str(caught.value)


EXPECTED_SPANS = [
    ("alice", "attribution", "Захарова", ""),
    ("alice", "claim", "talks failed.", ""),
]
EXPECTED_LINK = [("alice", "attributed_to", "talks failed.", "Захарова")]


# --- Label Studio ------------------------------------------------------------------------------


def ls_task(result, completed_by=1, **annotation) -> dict:
    """A task as Label Studio's JSON export writes it (fields of a real export, ids included)."""
    return {
        "id": 17,
        "annotations": [
            {
                "id": 9,
                "completed_by": completed_by,
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2026-11-25T08:00:00.000000Z",
                "updated_at": "2026-11-25T08:00:00.000000Z",
                "lead_time": 12.5,
                "prediction": {},
                "result_count": 0,
                "task": 17,
                "project": 3,
                "parent_prediction": None,
                "parent_annotation": None,
                **annotation,
            }
        ],
        "file_upload": "0a1b2c3d-news.json",
        "drafts": [],
        "predictions": [],
        "data": {"text": TEXT},
        "meta": {},
        "created_at": "2026-11-25T07:00:00.000000Z",
        "updated_at": "2026-11-25T08:00:00.000000Z",
        "inner_id": 1,
        "total_annotations": 1,
        "cancelled_annotations": 0,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 3,
        "updated_by": 1,
        "comment_authors": [],
    }


def ls_region(region_id, start, end, label, text=None) -> dict:
    value = {"start": start, "end": end, "text": TEXT[start:end] if text is None else text}
    return {
        "value": value | {"labels": [label]},
        "id": region_id,
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
    }


LS_RESULT = [
    ls_region("gew3t9fgkg", 0, 8, "attribution"),
    ls_region("0gpIsb7s27", 12, 25, "claim"),
    {
        "from_id": "0gpIsb7s27",
        "to_id": "gew3t9fgkg",
        "type": "relation",
        "direction": "right",
        "labels": ["attributed_to"],
    },
]


def test_label_studio_export_becomes_spans_links_and_an_account_per_user_id():
    data = json.dumps([ls_task(LS_RESULT)], ensure_ascii=False).encode()
    [document] = parse([("project-3-at-2026-11-25.json", data)])
    assert document.external_id == "17"
    assert document.text == TEXT
    renamed = [("label-studio-1", *span[1:]) for span in EXPECTED_SPANS]
    assert spans(document) == renamed
    assert links(document) == [("label-studio-1", "attributed_to", "talks failed.", "Захарова")]


def test_label_studio_user_object_left_direction_and_ground_truth_are_understood():
    left = dict(LS_RESULT[2], from_id="gew3t9fgkg", to_id="0gpIsb7s27", direction="left")
    task = ls_task([*LS_RESULT[:2], left], completed_by={"id": 4, "email": "alice@example.org"})
    gold = dict(task["annotations"][0], id=10, ground_truth=True, result=LS_RESULT[1:2])
    skipped = dict(task["annotations"][0], id=11, was_cancelled=True, completed_by=7, result=[])
    task["annotations"] += [gold, skipped]
    [document] = parse([("export.json", json.dumps([task]).encode())])
    assert spans(document) == [
        ("alice@example.org", "attribution", "Захарова", ""),
        ("alice@example.org", "claim", "talks failed.", ""),
        ("gold", "claim", "talks failed.", ""),
    ]
    assert links(document) == [("alice@example.org", "attributed_to", "talks failed.", "Захарова")]
    assert set(document.statuses) == {"alice@example.org"}


def test_label_studio_utf16_offsets_of_old_versions_are_read_by_their_quoted_text():
    result = [ls_region("a", 13, 26, "claim", text="talks failed.")]  # UTF-16 units
    [document] = parse([("old.json", json.dumps([ls_task(result)]).encode())])
    assert spans(document) == [("label-studio-1", "claim", "talks failed.", "")]


def test_label_studio_refusal_names_the_line_where_the_task_starts_and_the_field():
    bad = ls_task([ls_region("a", 12, 25, "opinion")])
    data = json.dumps([ls_task(LS_RESULT), bad], indent=2, ensure_ascii=False).encode()
    starts = [n for n, text in enumerate(data.decode().splitlines(), 1) if text == "  {"]
    line = starts[1]  # the second task's first line
    message = refusal([("export.json", data)])
    assert f"export.json, line {line}" in message
    assert "annotations[0].result[0].value.labels[0]" in message
    assert "unknown label 'opinion'" in message


def test_label_studio_span_whose_text_does_not_match_is_refused():
    data = json.dumps([ls_task([ls_region("a", 0, 8, "claim", text="Путин")])]).encode()
    message = refusal([("export.json", data)])
    assert "line 1" in message and "value.text" in message and "'Путин'" in message


def test_label_studio_choices_result_is_refused_naming_its_type():
    choice = {"type": "choices", "value": {"choices": ["news"]}, "from_name": "c", "id": "x"}
    message = refusal([("export.json", json.dumps([ls_task([choice])]).encode())])
    assert "result[0].type" in message and "'choices'" in message


# --- doccano -----------------------------------------------------------------------------------


def doccano_line(**fields) -> bytes:
    """As pandas' to_json(orient="records", lines=True, force_ascii=False) writes it."""
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def test_doccano_sequence_labels_count_utf16_units_and_become_code_points():
    line = doccano_line(id=7, text=TEXT, label=[[0, 8, "attribution"], [13, 26, "claim"]])
    [document] = parse([("admin.jsonl", line + b"\n")], annotator="alice")
    assert document.external_id == "7"
    assert spans(document) == EXPECTED_SPANS


def test_doccano_relation_export_keeps_links_between_entities():
    line = doccano_line(
        id=6400,
        text=TEXT,
        Comments=[],
        entities=[
            {"id": 1662, "label": "attribution", "start_offset": 0, "end_offset": 8},
            {"id": 1663, "label": "claim", "start_offset": 13, "end_offset": 26},
        ],
        relations=[{"id": 273, "from_id": 1663, "to_id": 1662, "type": "attributed_to"}],
    )
    [document] = parse([("alice.jsonl", line)], annotator="alice")
    assert spans(document) == EXPECTED_SPANS
    assert links(document) == EXPECTED_LINK


def test_doccano_export_zip_names_each_annotator_by_file():
    alice = doccano_line(id=1, text=TEXT, label=[[0, 8, "attribution"]], Comments=[])
    bob = doccano_line(id=1, text=TEXT, label=[[13, 26, "claim"]], Comments=[])
    data = zipped({"alice.jsonl": alice + b"\n", "bob.jsonl": bob + b"\n"})
    [document] = parse([("doccano-export.zip", data)])
    assert spans(document) == [
        ("alice", "attribution", "Захарова", ""),
        ("bob", "claim", "talks failed.", ""),
    ]


def test_doccano_offset_inside_an_emoji_is_refused_naming_the_line():
    good = doccano_line(id=1, text=TEXT, label=[[0, 8, "attribution"]])
    bad = doccano_line(id=2, text=TEXT, label=[[11, 26, "claim"]])  # 11 splits 👍
    message = refusal([("ner.jsonl", good + b"\n" + bad + b"\n")], annotator="alice")
    assert "ner.jsonl, line 2" in message and "label[0]" in message
    assert "surrogate pair" in message


def test_doccano_without_any_annotator_is_refused_saying_how_to_name_one():
    line = doccano_line(id=1, text=TEXT, label=[[0, 8, "attribution"]])
    message = refusal([("ner.jsonl", line)])
    assert "line 1" in message and "--annotator" in message


def test_doccano_lines_of_one_id_with_different_texts_are_refused():
    first = doccano_line(id=1, text=TEXT, label=[], annotator="alice")
    second = doccano_line(id=1, text=TEXT + "!", label=[], annotator="bob")
    message = refusal([("ner.jsonl", first + b"\n" + second)])
    assert "line 2" in message and "another text" in message


# --- brat --------------------------------------------------------------------------------------

ANN = (
    "T1\tattribution 0 8\tЗахарова\n"
    "T2\tclaim 12 25\ttalks failed.\n"
    "R1\tattributed_to Arg1:T2 Arg2:T1\t\n"
    "A1\tcertainty T2 hedged\n"
    "#1\tAnnotatorNotes T2\tsaid on TV\n"
)


def test_brat_pairs_in_annotator_folders_keep_spans_links_attributes_and_notes():
    data = zipped(
        {
            "alice/doc-1.txt": TEXT,
            "alice/doc-1.ann": ANN,
            "gold/doc-1.txt": TEXT,
            "gold/doc-1.ann": "T1\tclaim 12 25\ttalks failed.\n",
            "annotation.conf": "[entities]\nclaim\n",
        }
    )
    [document] = parse([("brat.zip", data)])
    assert document.external_id == "doc-1"
    assert spans(document) == [
        ("alice", "attribution", "Захарова", ""),
        ("alice", "claim", "talks failed.", "said on TV"),
        ("gold", "claim", "talks failed.", ""),
    ]
    assert links(document) == EXPECTED_LINK
    claim = next(span for span in document.annotations if span.label == "claim")
    assert claim.attributes == {"certainty": "hedged"}


def test_brat_discontinuous_span_is_refused_naming_file_and_line():
    ann = "T1\tattribution 0 8\tЗахарова\nT2\tclaim 12 17;18 25\ttalks failed.\n"
    message = refusal([("brat.zip", zipped({"a.txt": TEXT, "a.ann": ann}))], annotator="alice")
    assert "brat.zip/a.ann, line 2" in message
    assert "discontinuous" in message and "12 17;18 25" in message


def test_brat_pair_at_the_top_needs_an_annotator_and_takes_the_one_named():
    files = {"doc-1.txt": TEXT, "doc-1.ann": ANN}
    assert "--annotator" in refusal([("brat.zip", zipped(files))])
    [document] = parse([("brat.zip", zipped(files))], annotator="alice")
    assert [span[:3] for span in spans(document)] == [span[:3] for span in EXPECTED_SPANS]


def test_brat_span_outside_the_text_and_ann_without_txt_are_refused():
    ann = "T1\tclaim 12 99\ttalks failed.\n"
    message = refusal([("b.zip", zipped({"x/a.txt": TEXT, "x/a.ann": ann}))])
    assert "b.zip/x/a.ann, line 1" in message and "outside the text" in message
    message = refusal([("b.zip", zipped({"x/a.ann": ann}))])
    assert "x/a.ann" in message and "no a.txt" in message


def test_brat_folder_on_the_command_line_reads_like_its_zip():
    files = {"alice/doc-1.txt": TEXT.encode(), "alice/doc-1.ann": ANN.encode()}
    [document] = parse([("corpus", Bundle(files))])
    assert links(document) == EXPECTED_LINK


# --- Prodigy -----------------------------------------------------------------------------------


def prodigy_task(answer="accept", annotator="news-alice") -> dict:
    """A rel.manual answer as ``prodigy db-out`` writes it (tokens left out for brevity)."""
    attribution = {"start": 0, "end": 8, "token_start": 0, "token_end": 0, "label": "attribution"}
    claim = {"start": 12, "end": 25, "token_start": 3, "token_end": 5, "label": "claim"}
    return {
        "text": TEXT,
        "_input_hash": -1720339546,
        "_task_hash": 1458320473,
        "spans": [attribution, claim],
        "relations": [
            {
                "head": 3,
                "child": 0,
                "head_span": claim,
                "child_span": attribution,
                "color": "#c5bdf4",
                "label": "attributed_to",
            }
        ],
        "_view_id": "relations",
        "answer": answer,
        "_timestamp": 1764057600,
        "_annotator_id": annotator,
        "_session_id": annotator,
    }


def test_prodigy_accepted_answers_become_spans_and_links_and_rejected_ones_are_skipped():
    lines = b"\n".join(
        orjson.dumps(task)
        for task in (prodigy_task(), prodigy_task("reject", "news-bob"), prodigy_task("ignore"))
    )
    [document] = parse([("news.jsonl", lines)])
    assert document.external_id == "-1720339546"
    assert spans(document) == [("news-alice", *span[1:]) for span in EXPECTED_SPANS]
    assert links(document) == [("news-alice", "attributed_to", "talks failed.", "Захарова")]


def test_prodigy_relation_to_a_span_not_in_the_task_is_refused_naming_the_line():
    task = prodigy_task()
    task["relations"][0]["child_span"] = {"start": 0, "end": 7, "label": "attribution"}
    bob = orjson.dumps(prodigy_task(annotator="news-bob"))
    message = refusal([("news.jsonl", bob + b"\n" + orjson.dumps(task))])
    assert "news.jsonl, line 2" in message and "relations[0].child_span" in message


def test_prodigy_span_text_must_match():
    task = prodigy_task()
    task["spans"][1]["text"] = "talks"
    message = refusal([("news.jsonl", orjson.dumps(task))])
    assert "line 1" in message and "spans[1].text" in message


# --- W3C ---------------------------------------------------------------------------------------


def test_our_w3c_export_zipped_with_the_texts_reads_back_spans_links_notes_and_gold():
    record = {
        "id": "doc 1",
        "text": TEXT,
        "annotations": [
            {"id": "s1", "annotator": "alice", "label": "attribution", "start": 0, "end": 8,
             "note": "", "attributes": {"source_type": "named person"},
             "created_at": "t", "updated_at": "t"},
            {"id": "s2", "annotator": "alice", "label": "claim", "start": 12, "end": 25,
             "note": "hedged", "created_at": "t", "updated_at": "t"},
        ],
        "relations": [
            {"id": "r1", "annotator": "alice", "type": "attributed_to", "source": "s2",
             "target": "s1", "value": None, "created_at": "t", "updated_at": "t"}
        ],
        "gold": [
            {"id": "g1", "label": "claim", "start": 12, "end": 25, "note": "", "curator": "boss",
             "created_at": "t", "updated_at": "t"}
        ],
    }  # fmt: skip
    lines = b"".join(orjson.dumps(line) + b"\n" for line in w3c_lines(record, "urn:x"))
    data = zipped({"news-w3c.jsonl": lines, "doc 1.txt": TEXT, "doc-2.txt": "Other text."})
    first, second = parse([("w3c.zip", data)])
    assert first.external_id == "doc 1"
    assert spans(first) == [
        ("alice", "attribution", "Захарова", ""),
        ("alice", "claim", "talks failed.", "hedged"),
        ("gold", "claim", "talks failed.", ""),
    ]
    assert links(first) == EXPECTED_LINK
    assert first.annotations[0].attributes == {"source_type": "named person"}
    assert (second.external_id, second.annotations) == ("doc-2", [])


def test_w3c_annotation_without_its_text_is_refused_naming_the_line():
    record = {
        "id": "doc-1",
        "text": TEXT,
        "annotations": [
            {"id": "s1", "annotator": "alice", "label": "claim", "start": 12, "end": 25,
             "created_at": "t", "updated_at": "t"}
        ],
    }  # fmt: skip
    lines = b"".join(orjson.dumps(line) + b"\n" for line in w3c_lines(record, "urn:x"))
    message = refusal([("w3c.zip", zipped({"a.jsonl": lines}))])
    assert "w3c.zip/a.jsonl, line 1" in message and "doc-1.txt" in message
    assert "zip" in refusal([("a.jsonl", lines)])


# --- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        (b'[{"id": 1, "data": {"text": "x"}}', "label-studio"),
        (b"[", "label-studio"),
        (b'{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation"}', "w3c"),
        (b'{"data": {"text": "x"}, "annotations": []}', "label-studio"),
        (b'{"text": "x", "spans": [], "answer": "accept"}', "prodigy"),
        (b'{"text": "x", "label": [[0, 1, "claim"]]}', "doccano"),
        (b'{"text": "x", "entities": [], "relations": []}', "doccano"),
        (b'{"id": "d", "text": "x", "annotations": []}', "native"),
        (b'{"text": "x"}', "native"),
        (b"not json", "native"),
    ],
)
def test_format_is_detected_from_the_first_line(first_line, expected):
    assert detect(first_line) == expected


def test_format_option_overrides_detection():
    # A native line that looks like doccano to the guess: an explicit format decides.
    line = orjson.dumps({"id": "d", "text": TEXT, "label": "x"})
    assert "field 'label': unknown field" in refusal([("a.jsonl", line)], format="native")
    with pytest.raises(ImportRejected, match="expected a list"):
        parse([("a.jsonl", line)], annotator="alice")


def test_ids_repeated_across_files_of_different_formats_are_refused():
    native = orjson.dumps({"id": "7", "text": TEXT})
    doccano = doccano_line(id=7, text=TEXT, label=[])
    message = refusal([("a.jsonl", native), ("b.jsonl", doccano)], annotator="alice")
    assert "b.jsonl" in message and "duplicate id '7'" in message


# --- any input -----------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.sampled_from(["claim", "alice", TEXT]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(
            ["text", "label", "labels", "entities", "relations", "start", "end", "start_offset",
             "end_offset", "from_id", "to_id", "type", "id", "spans", "answer", "head_span",
             "child_span", "data", "annotations", "result", "value", "completed_by", "target",
             "selector", "body", "creator", "annotator", "meta", "direction"]
        ),
        inner,
        max_size=6,
    ),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(values=st.lists(JSON, min_size=1, max_size=3), format=st.sampled_from(FORMATS))
def test_any_json_is_imported_or_refused_with_a_reason_never_a_crash(values, format):
    lines = b"\n".join(orjson.dumps(value) for value in values)
    files = [("any.jsonl", lines)]
    if format in ("brat", "w3c"):
        files = [("any.zip", zipped({"a/x.jsonl": lines, "a/x.ann": lines, "a/x.txt": TEXT}))]
    try:
        parse(files, format=format, annotator="alice")
    except ImportRejected as rejected:
        assert str(rejected)


def test_our_brat_zip_reads_back_ids_that_need_encoding_and_attribute_values_with_spaces():
    from annotator.data_export.files import FILE_FORMATS

    record = {
        "id": "../wire/2026 #1",
        "text": TEXT,
        "annotations": [
            {"id": "s1", "annotator": "o.brien", "label": "attribution", "start": 0, "end": 8,
             "note": "line one\nline two", "attributes": {"source_type": "named person"}},
        ],
        "gold": [],
    }  # fmt: skip
    data = b"".join(FILE_FORMATS["brat"].write([record]))
    [document] = parse([("brat.zip", data)])
    assert document.external_id == "../wire/2026 #1"
    [span] = document.annotations
    assert (span.annotator, span.attributes) == ("o.brien", {"source_type": "named person"})
    assert span.note == "line one line two"  # a brat note is one line


def test_our_prodigy_export_reads_back_spans_links_and_gold():
    from annotator.data_export.formats.prodigy import prodigy_lines

    record = {
        "id": "doc-1",
        "text": TEXT,
        "meta": {"source": "wire"},
        "annotators": [],
        "annotations": [
            {"id": "s1", "annotator": "alice", "label": "attribution", "start": 0, "end": 8},
            {"id": "s2", "annotator": "alice", "label": "claim", "start": 12, "end": 25},
        ],
        "relations": [
            {"id": "r1", "annotator": "alice", "type": "attributed_to", "source": "s2",
             "target": "s1", "value": None}
        ],
        "gold": [{"id": "g1", "label": "claim", "start": 12, "end": 25, "curator": "boss"}],
    }  # fmt: skip
    lines = b"\n".join(orjson.dumps(line) for line in prodigy_lines(record))
    [document] = parse([("prodigy.jsonl", lines)])
    assert (document.external_id, document.meta) == ("doc-1", {"source": "wire"})
    assert spans(document) == [*EXPECTED_SPANS, ("gold", "claim", "talks failed.", "")]
    assert links(document) == EXPECTED_LINK


def test_our_w3c_export_of_typed_attribute_values_and_answers_reads_back_the_values():
    typed = parse_attribute_lines(
        "source_type: named person, outlet\nreliability (scale 1..5)\nverifiable (boolean)\n"
        "topics (multiple): war, health"
    )
    rules = ImportRules(labels={"attribution"}, attributes={"attribution": typed})
    values = {"source_type": "outlet", "reliability": 4, "verifiable": False, "topics": ["war"]}
    record = {
        "id": "doc-1",
        "text": TEXT,
        "annotators": [{"annotator": "alice", "status": "done", "updated_at": "t"}],
        "annotations": [
            {"id": "s1", "annotator": "alice", "label": "attribution", "start": 0, "end": 8,
             "note": "", "attributes": values, "created_at": "t", "updated_at": "t"},
        ],
        "answers": [
            {"annotator": "alice", "question": "credibility", "kind": "scale", "choices": [],
             "value": 3, "created_at": "t", "updated_at": "t"},
        ],
    }  # fmt: skip
    lines = b"".join(orjson.dumps(line) + b"\n" for line in w3c_lines(record, "urn:x"))
    data = zipped({"news-w3c.jsonl": lines, "doc-1.txt": TEXT})
    (document,) = parse_import([("w3c.zip", data)], rules, options=PeerOptions())
    assert document.annotations[0].attributes == values
