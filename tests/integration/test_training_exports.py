"""Exports for training and other tools: CoNLL token tags (tokenisation stated, spans that cut a
token reported and left out), brat zips, Label Studio JSON, spaCy DocBin and Parquet for
Hugging Face datasets, each loaded with the real library and compared with the native export.
Pure: records in, bytes out."""

from __future__ import annotations

import io
import json
import sys
import zipfile

import pytest

from annotator.data_export.files import (
    FILE_FORMATS,
    conll_chunks,
    conll_tags,
    label_studio_chunks,
    parquet_chunks,
    spacy_chunks,
)
from annotator.data_export.formats.native import native_lines
from annotator.data_export.tokens import tokenize
from annotator.errors import Invalid

FAMILY = "👨\u200d👩\u200d👧"
TEXT = f"Захарова: {FAMILY} talks failed.\nوقال المتحدث de\u0301clare\u0301."


def _span(ident, annotator, label, start, end, **extra):
    span = {"id": ident, "label": label, "start": start, "end": end, "note": "",
            "created_at": "t", "updated_at": "t", **extra}  # fmt: skip
    if annotator is not None:
        span["annotator"] = annotator
    return span


def find(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.fixture
def record():
    claim = find(TEXT, "talks failed.")
    speaker = find(TEXT, "المتحدث")
    return {
        "id": "doc-1",
        "title": "Talks",
        "url": None,
        "meta": {"source": "wire"},
        "text": TEXT,
        "annotators": [{"annotator": "alice", "status": "done", "updated_at": "t"}],
        "annotations": [
            _span("a1", "alice", "attribution", 0, 8, attributes={"source_type": "named person"}),
            _span("a2", "alice", "claim", *claim),
            _span("b1", "bob", "attribution", *speaker),
            _span("b2", "bob", "claim", *find(TEXT, "de\u0301clare\u0301")),
        ],
        "relations": [
            {"id": "r1", "annotator": "alice", "type": "attributed_to", "source": "a2",
             "target": "a1", "value": None, "created_at": "t", "updated_at": "t"}
        ],
        "gold": [_span("g1", None, "claim", *claim, curator="boss")],
        "gold_relations": [],
    }  # fmt: skip


def native_layers(record) -> dict[tuple[str, str], list[tuple[int, int, str]]]:
    """(document id, annotator or 'gold') -> sorted (start, end, label), from the native export."""
    [line] = native_lines(record)
    out: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    for span in line["annotations"]:
        out.setdefault((line["id"], span["annotator"]), []).append(
            (span["start"], span["end"], span["label"])
        )
    if line["gold"]:
        out[(line["id"], "gold")] = [(s["start"], s["end"], s["label"]) for s in line["gold"]]
    return {key: sorted(value) for key, value in out.items()}


# --- tokens and CoNLL --------------------------------------------------------------------------


def test_tokens_keep_emoji_sequences_and_combining_marks_whole_and_lines_are_blocks():
    blocks = [[TEXT[a:b] for a, b in block] for block in tokenize(TEXT)]
    assert blocks == [
        ["Захарова", ":", FAMILY, "talks", "failed", "."],
        ["وقال", "المتحدث", "de\u0301clare\u0301", "."],
    ]


def test_conll_bio_and_bilou_tag_each_layer_and_state_the_tokenisation(record):
    bio = b"".join(conll_chunks([record])).decode()
    assert bio.startswith("# tokenisation: tokens are runs of letters")
    alice = bio.split("# annotator: alice\n\n")[1].split("-DOCSTART-")[0]
    assert alice.splitlines()[:6] == [
        "Захарова B-attribution",
        ": O",
        f"{FAMILY} O",
        "talks B-claim",
        "failed I-claim",
        ". I-claim",
    ]
    bilou = b"".join(conll_chunks([record], "bilou")).decode()
    assert "Захарова U-attribution" in bilou and ". L-claim" in bilou
    assert "# annotator: gold" in bio and "المتحدث B-attribution" in bio


def test_conll_reports_a_span_that_cuts_a_token_and_does_not_move_it(record):
    record["annotations"].append(_span("a3", "alice", "evidence", *find(TEXT, "alks fail")))
    text = b"".join(conll_chunks([record])).decode()
    start, end = find(TEXT, "alks fail")
    assert (
        f"# left out: alice evidence [{start}, {end}) 'alks fail': it starts or ends inside a token"
    ) in text
    assert "evidence" not in text.replace("# left out: alice evidence", "")


def test_conll_reports_overlapping_spans_it_cannot_hold():
    spans = [_span("x", "a", "claim", 0, 13), _span("y", "a", "evidence", 10, 13)]
    blocks, left_out = conll_tags("Захарова: yes", spans)
    assert [tag for _, tag in blocks[0]] == ["B-claim", "I-claim", "I-claim"]
    assert [(span["id"], why) for span, why in left_out] == [
        ("y", "it overlaps a span tagged before it")
    ]


# --- Label Studio ------------------------------------------------------------------------------


def test_label_studio_export_is_a_json_array_with_code_point_offsets_and_ground_truth(record):
    tasks = json.loads(b"".join(label_studio_chunks([record, record])))
    assert len(tasks) == 2
    first = tasks[0]
    assert first["data"]["text"] == TEXT and first["data"]["id"] == "doc-1"
    by_layer = {
        annotation.get("annotator", "gold"): annotation for annotation in first["annotations"]
    }
    assert by_layer["gold"]["ground_truth"] is True
    for result in by_layer["alice"]["result"]:
        if result["type"] == "labels":
            value = result["value"]
            assert TEXT[value["start"] : value["end"]] == value["text"]
    assert [r for r in by_layer["alice"]["result"] if r["type"] == "relation"] == [
        {"from_id": "a2", "to_id": "a1", "type": "relation", "direction": "right",
         "labels": ["attributed_to"]}
    ]  # fmt: skip


# --- brat --------------------------------------------------------------------------------------


def test_brat_zip_has_a_folder_per_annotator_and_gold_and_a_conf(record):
    data = b"".join(FILE_FORMATS["brat"].write([record]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        alice = archive.read("alice/doc-1.ann").decode()
        conf = archive.read("annotation.conf").decode()
        assert archive.read("gold/doc-1.txt").decode() == TEXT
    assert names == [
        "alice/doc-1.ann",
        "alice/doc-1.txt",
        "annotation.conf",
        "bob/doc-1.ann",
        "bob/doc-1.txt",
        "gold/doc-1.ann",
        "gold/doc-1.txt",
    ]
    assert alice.splitlines() == [
        "T1\tattribution 0 8\tЗахарова",
        "A1\tsource_type T1 named person",
        "T2\tclaim {} {}\ttalks failed.".format(*find(TEXT, "talks failed.")),
        "R1\tattributed_to Arg1:T2 Arg2:T1\t",
    ]
    assert "attributed_to\tArg1:claim, Arg2:attribution" in conf


# --- spaCy and Parquet, with the real libraries ------------------------------------------------


def test_spacy_docbin_loads_in_spacy_with_the_native_spans(record):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    data = b"".join(spacy_chunks([record]))
    docs = list(DocBin().from_bytes(data).get_docs(spacy.blank("xx").vocab))
    loaded = {
        (doc.user_data["id"], doc.user_data["annotator"]): sorted(
            (span.start_char, span.end_char, span.label_) for span in doc.spans["sc"]
        )
        for doc in docs
    }
    assert loaded == native_layers(record)
    alice = next(doc for doc in docs if doc.user_data["annotator"] == "alice")
    assert alice.text == TEXT
    assert [(ent.text, ent.label_) for ent in alice.ents] == [
        ("Захарова", "attribution"),
        ("talks failed.", "claim"),
    ]
    assert list(alice.user_data["relations"]) == [(1, 0, "attributed_to")]


def test_spacy_keeps_overlapping_spans_in_doc_spans_but_not_in_ents(record):
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    record["annotations"].append(_span("a3", "alice", "evidence", *find(TEXT, "failed.")))
    docs = DocBin().from_bytes(b"".join(spacy_chunks([record])))
    alice = next(
        doc
        for doc in docs.get_docs(spacy.blank("xx").vocab)
        if doc.user_data["annotator"] == "alice"
    )
    assert len(alice.spans["sc"]) == 3 and len(alice.ents) == 0


def test_parquet_loads_with_datasets_typed_one_row_per_annotator_and_a_gold_split(
    record, tmp_path, monkeypatch
):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    data = b"".join(parquet_chunks([record]))
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path / "out")
    splits = datasets.load_dataset(
        "parquet",
        data_files={
            "annotations": str(tmp_path / "out/data/annotations.parquet"),
            "gold": str(tmp_path / "out/data/gold.parquet"),
        },
        cache_dir=str(tmp_path / "cache"),
    )
    features = splits["annotations"].features

    def item(feature):  # a list feature: [inner] before datasets 4, List(inner) since
        return feature[0] if isinstance(feature, list) else feature.feature

    assert item(features["spans"])["start"].dtype == "int32"
    assert item(features["relations"])["type"].dtype == "string"
    loaded = {}
    for split in ("annotations", "gold"):
        for row in splits[split]:
            loaded[(row["id"], row["annotator"])] = sorted(
                (span["start"], span["end"], span["label"]) for span in row["spans"]
            )
            for span in row["spans"]:
                assert row["text"][span["start"] : span["end"]] == span["text"]
    assert loaded == native_layers(record)
    alice = next(row for row in splits["annotations"] if row["annotator"] == "alice")
    assert alice["relations"] == [
        {"source": 1, "target": 0, "type": "attributed_to", "value": None}
    ]
    assert {"name": "source_type", "value": "named person"} in alice["spans"][0]["attributes"]


@pytest.mark.parametrize(("format_name", "module"), [("spacy", "spacy"), ("parquet", "pyarrow")])
def test_training_export_without_its_library_says_how_to_install_the_extra(
    format_name, module, monkeypatch
):
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ImportError
    with pytest.raises(Invalid, match=r"pip install 'annotator\[nlp\]'"):
        FILE_FORMATS[format_name].check(format_name)
