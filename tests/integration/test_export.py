"""Dataset export from the database: ``annotator export`` and the download, on both databases.

The fixture project holds a document that makes offsets hard (Cyrillic, a ZWJ emoji sequence,
a flag, a combining mark, right-to-left scripts, CRLF line endings written in the import file),
annotated by alice and bob, with gold spans, links between spans (annotators' and gold) and span
attributes. Every test reads the export back with the standard library's JSON parser, not the
orjson that wrote it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import text as sql

from annotator import db
from annotator.data_export import records as export_records
from annotator.data_export.formats.record import filter_record

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "native.schema.json").read_text()
)

FAMILY = "👩\u200d👩\u200d👧"  # ZWJ sequence: 5 code points, 8 UTF-16 units
FLAG = "🇺🇦"  # two regional indicators: 2 code points, 4 UTF-16 units
WRITTEN = (  # as written in the import file, with Windows line endings
    'Захарова said: "The report is false."\r\n'
    f"Family: {FAMILY} {FLAG} supports it.\r\n"
    'Cafe\u0301 owner quoted «مرحبا بالعالم» and "שלום עולם".\r\n'
    "End."
)


def _span(fragment, label, annotator=None, note="", text=WRITTEN, id=None, attributes=None):
    start = text.index(fragment)
    span = {"label": label, "start": start, "end": start + len(fragment), "text": fragment}
    if note:
        span["note"] = note
    if annotator:
        span["annotator"] = annotator
    if id:
        span["id"] = id
    if attributes:
        span["attributes"] = attributes
    return span


def _link(type_, source, target, annotator=None):
    link = {"type": type_, "source": source, "target": target}
    if annotator:
        link["annotator"] = annotator
    return link


MULTILINGUAL = {
    "id": "doc-ru",
    "title": "Заголовок 👍",
    "url": "https://news.example/a/1",
    "meta": {"source": "wire", "lang": ["ru", "en"], "odd": "line\u2028separator"},
    "text": WRITTEN,
    "annotators": [
        {"annotator": "alice", "status": "done"},
        {"annotator": "bob", "status": "done"},
    ],
    "annotations": [
        _span(
            "Захарова", "attribution", "alice", id="a1", attributes={"source_type": "named person"}
        ),
        _span(
            "The report is false.",
            "claim",
            "alice",
            note="hedged 🤔",
            id="a2",
            attributes={"certainty": "hedged"},
        ),
        _span(f"{FAMILY} {FLAG}", "evidence", "alice", id="a3"),
        _span("Cafe\u0301", "claim", "alice"),
        _span("مرحبا بالعالم", "evidence", "alice"),
        _span(
            "Захарова said",
            "attribution",
            "bob",
            id="b1",
            attributes={"source_type": "media outlet"},
        ),
        _span('false."\r\nFamily', "claim", "bob", id="b2"),  # crosses a CRLF
        _span("שלום עולם", "evidence", "bob"),
        _span("End.", "evidence", "bob", id="b4"),
    ],
    "relations": [
        _link("attributed_to", "a2", "a1", "alice"),
        _link("supports", "a3", "a2", "alice"),
        _link("attributed_to", "b2", "b1", "bob"),
        _link("refutes", "b4", "b2", "bob"),
    ],
    "gold": [
        _span("Захарова", "attribution", id="g1", attributes={"source_type": "named person"}),
        _span("The report is false.", "claim", note="agreed", id="g2"),
        _span(FLAG, "evidence"),
    ],
    "gold_relations": [_link("attributed_to", "g2", "g1")],
}
PLAIN = "Officials said the bridge will reopen. Critics doubt it."
HALF_DONE = {
    "id": "doc-en",
    "title": "Bridge",
    "text": PLAIN,
    "annotators": [
        {"annotator": "alice", "status": "done"},
        {"annotator": "bob", "status": "in_progress"},
    ],
    "annotations": [
        _span("Officials", "attribution", "alice", text=PLAIN),
        _span("the bridge will reopen", "claim", "alice", text=PLAIN),
        _span("Critics doubt it.", "claim", "bob", text=PLAIN),
    ],
}
UNTOUCHED = {"id": "doc-new", "text": "Nobody has read this one yet."}
DOCUMENTS = [MULTILINGUAL, HALF_DONE, UNTOUCHED]


def _expected_spans(documents=DOCUMENTS):
    """(document, annotator or "gold", label, text) of every span, with CRLF as stored (LF)."""
    return sorted(
        (
            document["id"],
            span.get("annotator", "gold"),
            span["label"],
            span["text"].replace("\r\n", "\n"),
        )
        for document in documents
        for span in document.get("annotations", []) + document.get("gold", [])
    )


@pytest.fixture
def news(world):
    world.user("boss")
    world.user("alice")
    world.user("bob")
    world.user("stranger")
    world.project("news", manager="boss", annotators=["alice", "bob"])
    world.import_jsonl("news", DOCUMENTS)
    return world


def _export(runner, *args):
    """Run ``annotator export`` to standard output; the lines, parsed with the stdlib parser."""
    result = runner.invoke(args=["export", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout_bytes.decode("utf-8").split("\n") if line]


def _texts(app):
    with app.app_context():
        rows = db.session().execute(sql("SELECT external_id, text FROM document"))
        return dict(rows.all())


def _key(fragment, label):
    """(label, start, end) of a fragment of the stored (LF) text of doc-ru."""
    stored = WRITTEN.replace("\r\n", "\n")
    return (label, stored.index(fragment), stored.index(fragment) + len(fragment))


def _comparable(record):
    """What must survive a round trip: everything but ids and timestamps the database makes.
    Relations name their spans by (label, start, end), since span ids change."""
    keys = {
        s["id"]: (s["label"], s["start"], s["end"]) for s in record["annotations"] + record["gold"]
    }
    return {
        "id": record["id"],
        "title": record["title"],
        "url": record["url"],
        "meta": record["meta"],
        "text": record["text"],
        "annotators": [(a["annotator"], a["status"]) for a in record["annotators"]],
        "annotations": [
            (s["annotator"], s["label"], s["start"], s["end"], s["text"], s["note"])
            + tuple(sorted(s.get("attributes", {}).items()))
            for s in record["annotations"]
        ],
        "relations": [
            (r["annotator"], r["type"], keys[r["source"]], keys[r["target"]], r["value"])
            for r in record.get("relations", [])
        ],
        "gold": [
            (s["label"], s["start"], s["end"], s["text"], s["note"])
            + tuple(sorted(s.get("attributes", {}).items()))
            for s in record["gold"]
        ],
        "gold_relations": [
            (r["type"], keys[r["source"]], keys[r["target"]], r["value"])
            for r in record.get("gold_relations", [])
        ],
    }


# --- round trip ----------------------------------------------------------------------------------


def test_native_export_imported_into_a_new_project_exports_the_same_documents_spans_and_gold(
    news, runner
):
    first = _export(runner, "news")
    news.project("copy", manager="boss")
    news.import_jsonl("copy", first, name="news-native.jsonl")
    second = _export(runner, "copy")

    assert [_comparable(r) for r in second] == [_comparable(r) for r in first]
    linked = _comparable(first[0])
    report, zakharova = _key("The report is false.", "claim"), _key("Захарова", "attribution")
    bobs_claim = _key('false."\nFamily', "claim")
    assert linked["relations"] == [  # sorted by annotator, then source and target position
        ("alice", "attributed_to", report, zakharova, None),
        ("alice", "supports", _key(f"{FAMILY} {FLAG}", "evidence"), report, None),
        ("bob", "attributed_to", bobs_claim, _key("Захарова said", "attribution"), None),
        ("bob", "refutes", _key("End.", "evidence"), bobs_claim, None),
    ]
    assert linked["gold_relations"] == [("attributed_to", report, zakharova, None)]
    assert (*zakharova, "Захарова", "", ("source_type", "named person")) in linked["gold"]
    assert (
        "bob",
        *_key("Захарова said", "attribution"),
        "Захарова said",
        "",
        ("source_type", "media outlet"),
    ) in linked["annotations"]
    assert [r["id"] for r in first] == ["doc-ru", "doc-en", "doc-new"]
    assert first[0]["text"] == WRITTEN.replace("\r\n", "\n")
    assert first[0]["meta"] == MULTILINGUAL["meta"]
    got = sorted(
        (r["id"], s.get("annotator", "gold"), s["label"], s["text"])
        for r in first
        for s in r["annotations"] + r["gold"]
    )
    assert got == _expected_spans()
    notes = {s["text"]: s["note"] for s in first[0]["annotations"] + first[0]["gold"]}
    assert notes["The report is false."] in {"hedged 🤔", "agreed"}


def test_native_export_lists_each_annotators_status_and_timestamps_in_utc(news, runner):
    records = {r["id"]: r for r in _export(runner, "news")}
    assert [(a["annotator"], a["status"]) for a in records["doc-en"]["annotators"]] == [
        ("alice", "done"),
        ("bob", "in_progress"),
    ]
    assert records["doc-new"]["annotators"] == records["doc-new"]["annotations"] == []
    stamps = [a["updated_at"] for a in records["doc-en"]["annotators"]] + [
        s[key] for s in records["doc-ru"]["gold"] for key in ("created_at", "updated_at")
    ]
    for stamp in stamps:
        assert stamp.endswith("Z")
        moment = datetime.fromisoformat(stamp.removesuffix("Z")).replace(tzinfo=UTC)
        assert abs((datetime.now(UTC) - moment).total_seconds()) < 600


def test_native_export_validates_against_the_published_schema(news, app, runner):
    with app.app_context():  # imports do not say who curated gold; a curator's page would
        session = db.session()
        session.execute(
            sql('UPDATE gold_span SET curator_id = (SELECT id FROM "user" WHERE username = :n)'),
            {"n": "boss"},
        )
        session.commit()
    validator = Draft202012Validator(SCHEMA)
    records = _export(runner, "news")
    for record in records:
        assert list(validator.iter_errors(record)) == []
    assert {s["curator"] for s in records[0]["gold"]} == {"boss"}


# --- every format: read back, and every span's text checked against its document ---------------


def _utf16(text, start, end):
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def _read_native(lines, texts):
    spans = []
    for line in lines:
        for span in line["annotations"] + line["gold"]:
            assert texts[line["id"]][span["start"] : span["end"]] == span["text"]
            spans.append((line["id"], span.get("annotator", "gold"), span["label"], span["text"]))
    return spans


def _read_doccano(lines, texts, slice_=_utf16):
    spans = []
    for line in lines:
        linked = {"entities", "relations"} if line["id"] == "doc-ru" else set()
        assert set(line) == {"text", "label", "id", "annotator", "meta"} | linked
        assert line["text"] == texts[line["id"]]
        for start, end, label in line["label"]:
            spans.append((line["id"], line["annotator"], label, slice_(line["text"], start, end)))
    return spans


def _read_prodigy(lines, texts):
    spans = []
    for line in lines:
        assert line["answer"] == "accept" and line["text"] == texts[line["meta"]["id"]]
        for span in line["spans"]:
            assert line["text"][span["start"] : span["end"]] == span["text"]
            spans.append(
                (line["meta"]["id"], line["meta"]["annotator"], span["label"], span["text"])
            )
    return spans


def _read_w3c(lines, texts, base="urn:annotator:news"):
    spans = []
    for line in lines:
        assert (
            line["@context"] == "http://www.w3.org/ns/anno.jsonld" and line["type"] == "Annotation"
        )
        if line.get("motivation") == "linking":
            continue  # a relation, read by _w3c_links
        source = line["target"]["source"]
        assert source.startswith(f"{base}/documents/")
        text = texts[source.rsplit("/", 1)[1]]
        position, quote = line["target"]["selector"]
        assert (position["type"], quote["type"]) == ("TextPositionSelector", "TextQuoteSelector")
        start, end = position["start"], position["end"]
        assert text[start:end] == quote["exact"]
        assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
        who = "gold" if line["creator"]["type"] == "Software" else line["creator"]["nickname"]
        label = next(body["value"] for body in line["body"] if body["purpose"] == "tagging")
        spans.append((source.rsplit("/", 1)[1], who, label, quote["exact"]))
    return spans


READERS = {
    "native": _read_native,
    "doccano": _read_doccano,
    "prodigy": _read_prodigy,
    "w3c": _read_w3c,
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_format_reads_back_as_json_with_every_span_text_matching_its_document(
    name, news, app, runner
):
    lines = _export(runner, "news", "--format", name)
    assert sorted(READERS[name](lines, _texts(app))) == _expected_spans()


def _links_and_values(name, lines):
    """(annotator or "gold", link type) of every link, and every attribute value, of a format."""
    links, values = [], []
    for line in lines:
        if name == "native":
            links += [(r["annotator"], r["type"]) for r in line.get("relations", [])]
            links += [("gold", r["type"]) for r in line.get("gold_relations", [])]
            spans = line["annotations"] + line["gold"]
            values += [v for s in spans for v in s.get("attributes", {}).values()]
        elif name == "doccano":
            links += [(line["annotator"], r["type"]) for r in line.get("relations", [])]
            values += [
                v for e in line.get("entities", []) for v in e.get("attributes", {}).values()
            ]
        elif name == "prodigy":
            links += [(line["meta"]["annotator"], r["label"]) for r in line.get("relations", [])]
            values += [v for s in line["spans"] for v in s.get("attributes", {}).values()]
        else:
            who = "gold" if line["creator"]["type"] == "Software" else line["creator"]["nickname"]
            tags = [body["value"] for body in line["body"] if body["purpose"] == "tagging"]
            if line.get("motivation") == "linking":
                links += [(who, tags[0])]
            values += [
                body["value"].split(": ", 1)[1]
                for body in line["body"]
                if body["purpose"] == "classifying"
            ]
    return sorted(links), sorted(values)


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_format_carries_every_link_and_attribute_value(name, news, runner):
    links, values = _links_and_values(name, _export(runner, "news", "--format", name))
    assert links == [
        ("alice", "attributed_to"),
        ("alice", "supports"),
        ("bob", "attributed_to"),
        ("bob", "refutes"),
        ("gold", "attributed_to"),
    ]
    assert values == ["hedged", "media outlet", "named person", "named person"]


def test_doccano_offsets_count_utf16_units_by_default_and_code_points_on_request(news, app, runner):
    texts = _texts(app)
    utf16 = _export(runner, "news", "--format", "doccano")
    points = _export(runner, "news", "--format", "doccano", "--offsets", "codepoint")

    def python_slice(text, start, end):
        return text[start:end]

    assert sorted(_read_doccano(points, texts, python_slice)) == _expected_spans()
    alice = next(line for line in utf16 if line["id"] == "doc-ru" and line["annotator"] == "alice")
    flag_and_family = next(span for span in alice["label"] if span[2] == "evidence")
    # After the ZWJ family (5 code points, 8 units) the two counts part.
    assert (
        flag_and_family[1] - flag_and_family[0] == len(f"{FAMILY} {FLAG}".encode("utf-16-le")) // 2
    )


def test_w3c_base_uri_can_be_chosen(news, app, runner):
    lines = _export(runner, "news", "--format", "w3c", "--base-uri", "https://data.example/news/")
    assert sorted(_read_w3c(lines, _texts(app), "https://data.example/news")) == _expected_spans()
    assert lines[0]["id"].startswith("https://data.example/news/annotations/")


def test_every_record_stays_on_one_line_even_with_unicode_line_separators(news, runner):
    result = runner.invoke(args=["export", "news"])
    body = result.stdout_bytes.decode("utf-8")
    assert len(body.splitlines()) == 3  # str.splitlines breaks at U+2028 too
    assert "\\u2028" in body


# --- filters -------------------------------------------------------------------------------------


def _ids(records):
    return [r["id"] for r in records]


@pytest.mark.parametrize(
    ("k", "ids"),
    [(0, ["doc-ru", "doc-en", "doc-new"]), (1, ["doc-ru", "doc-en"]), (2, ["doc-ru"]), (3, [])],
)
def test_min_done_keeps_documents_finished_by_at_least_k_annotators(k, ids, news, runner):
    assert _ids(_export(runner, "news", "--min-done", str(k))) == ids


def test_min_done_counts_only_the_chosen_annotators(news, runner):
    assert _ids(_export(runner, "news", "--min-done", "1", "--annotators", "bob")) == ["doc-ru"]


@pytest.mark.parametrize(
    ("args", "annotators", "labels"),
    [
        (["--annotators", "alice"], {"alice"}, None),
        (["--annotators", "alice,bob"], {"alice", "bob"}, None),
        (["--labels", "claim"], None, {"claim"}),
        (["--labels", "claim,evidence", "--annotators", "bob"], {"bob"}, {"claim", "evidence"}),
    ],
)
def test_annotator_and_label_filters_mean_what_filter_record_means(
    args, annotators, labels, news, runner
):
    everything = _export(runner, "news")
    filtered = _export(runner, "news", *args)
    assert filtered == [filter_record(r, annotators, labels) for r in everything]
    assert any(r["annotations"] for r in filtered)


def test_gold_only_keeps_the_gold_of_documents_that_have_gold(news, runner):
    everything = _export(runner, "news")
    gold = _export(runner, "news", "--gold-only")
    assert gold == [filter_record(everything[0], gold_only=True)]
    assert len(gold[0]["gold"]) == 3 and gold[0]["annotations"] == []
    assert (
        _export(runner, "news", "--gold-only", "--labels", "evidence")[0]["gold"][0]["text"] == FLAG
    )


def test_gold_only_in_doccano_gives_only_gold_lines(news, runner):
    lines = _export(runner, "news", "--format", "doccano", "--gold-only")
    assert [(line["id"], line["annotator"]) for line in lines] == [("doc-ru", "gold")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--labels", "claim,rumour"], "unknown label 'rumour'"),
        (["--annotators", "alice,mallory"], "unknown annotator 'mallory'"),
        (["--format", "csv"], "'csv' is not one of"),
        (["--min-done", "-1"], "-1 is not in the range"),
    ],
)
def test_export_refuses_options_it_cannot_meet_and_says_why(args, message, news, runner):
    result = runner.invoke(args=["export", "news", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert result.stdout_bytes.count(b"{") == 0


def test_export_of_an_unknown_project_says_so(news, runner):
    result = runner.invoke(args=["export", "nope"])
    assert result.exit_code != 0 and "no project 'nope'" in result.output


# --- streaming in batches ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "value", "sizes"),
    [("BATCH", 2, [2, 2, 2, 1]), ("TEXT_BUDGET", 10, [1] * 7), ("TEXT_BUDGET", 100, [1, 4, 2])],
)
def test_export_reads_in_batches_and_keeps_project_order_across_them(
    limit, value, sizes, news, app, runner, monkeypatch
):
    news.import_jsonl(
        "news", [{"id": f"more-{k}", "text": f"Text {k}."} for k in range(4)], "more.jsonl"
    )
    whole = _export(runner, "news")
    with app.app_context():  # equal positions: the document id breaks the tie
        session = db.session()
        session.execute(sql("UPDATE document SET position = 7 WHERE external_id LIKE 'more-%'"))
        session.commit()
    batches = []
    text_query = export_records._text_query
    monkeypatch.setattr(
        export_records, "_text_query", lambda ids: batches.append(len(ids)) or text_query(ids)
    )
    monkeypatch.setattr(export_records, limit, value)
    assert _export(runner, "news") == whole
    assert batches == sizes
    assert _ids(whole) == ["doc-ru", "doc-en", "doc-new", "more-0", "more-1", "more-2", "more-3"]


# --- CLI output ----------------------------------------------------------------------------------


def test_cli_writes_to_a_file_and_reports_what_it_wrote(news, runner, tmp_path):
    target = tmp_path / "news.jsonl"
    result = runner.invoke(args=["export", "news", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b""
    assert (
        "Exported 3 documents, 12 spans, 3 gold spans, 4 links, 1 gold link of news"
        in result.stderr
    )
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines == _export(runner, "news")
    assert not (tmp_path / "news.jsonl.part").exists()
    assert not (tmp_path / "news.jsonl.card.md").exists()


def test_card_is_written_next_to_the_file_with_counts_and_filters(news, runner, tmp_path):
    target = tmp_path / "news.jsonl"
    result = runner.invoke(
        args=["export", "news", "-o", str(target), "--card", "--labels", "claim,evidence"]
    )
    assert result.exit_code == 0, result.output
    card = (tmp_path / "news.jsonl.card.md").read_text(encoding="utf-8")
    assert card.startswith("# news: annotated spans")
    for line in (
        "- Format: native",
        "- Documents: 3",
        "- Annotators (2): alice, bob",
        "- Annotator spans: 9",
        "- Gold spans: 2",
        "- Links: 2 (gold: 0)",  # supports and refutes; attributed_to ends at an attribution
        "| claim | 5 |",
        "| evidence | 4 |",
        "- labels: claim, evidence",
    ):
        assert line in card
    assert "attribution |" not in card


def test_card_goes_to_standard_error_when_the_export_goes_to_standard_output(news, runner):
    result = runner.invoke(args=["export", "news", "--format", "doccano", "--card"])
    assert result.exit_code == 0, result.output
    assert "- Offsets: UTF-16 code units" in result.stderr
    assert all(json.loads(line) for line in result.stdout_bytes.decode("utf-8").splitlines())
    assert b"# news" not in result.stdout_bytes


# --- web download --------------------------------------------------------------------------------


def test_manager_downloads_the_export_streamed_with_a_dated_file_name(news, runner):
    boss = news.client("boss")
    response = boss.get("/p/news/export/download?format=native")
    today = datetime.now(UTC).date().isoformat()
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="news-native-{today}.jsonl"'
    )
    assert [json.loads(line) for line in response.get_data().splitlines()] == _export(
        runner, "news"
    )


def test_download_takes_the_form_options_and_uses_the_host_as_w3c_base(news, app, runner):
    boss = news.client("boss")
    query = "format=w3c&min_done=2&annotators=alice&annotators=bob&labels=claim,evidence"
    response = boss.get(f"/p/news/export/download?{query}")
    assert response.status_code == 200
    assert "news-w3c-" in response.headers["Content-Disposition"]
    lines = [json.loads(line) for line in response.get_data().splitlines()]
    spans = _read_w3c(lines, _texts(app), "http://localhost/p/news")
    assert sorted(spans) == [
        s for s in _expected_spans() if s[0] == "doc-ru" and s[2] in ("claim", "evidence")
    ]
    gold_only = boss.get("/p/news/export/download?format=prodigy&gold_only=1")
    assert [
        json.loads(line)["meta"]["annotator"] for line in gold_only.get_data().splitlines()
    ] == ["gold"]


def test_download_streams_on_its_own_connection_and_gives_it_back(news, app):
    boss = news.client("boss")
    pool = app.extensions["annotator.engine"].pool
    response = boss.get("/p/news/export/download", buffered=False)
    chunks = iter(response.response)
    first = next(chunks)
    assert first.startswith(b'{"id":"doc-ru"')
    assert pool.checkedout() == 1  # the export's own; the request's session gave its back
    rest = b"".join(chunks)
    response.close()
    assert len((first + rest).splitlines()) == 3
    assert pool.checkedout() == 0


def test_export_form_offers_formats_labels_and_annotators_to_the_manager(news):
    page = news.client("boss").get("/p/news/export")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/p/news/export/download"' in html
    for value in ("native", "doccano", "prodigy", "w3c", "claim", "attribution", "alice", "bob"):
        assert f'value="{value}"' in html
    assert 'href="/p/news/export"' in news.client("boss").get("/p/news").get_data(as_text=True)


def test_download_with_a_wrong_option_shows_the_form_with_the_reason(news):
    response = news.client("boss").get("/p/news/export/download?labels=rumour")
    assert response.status_code == 400
    assert "unknown label &#39;rumour&#39;" in response.get_data(as_text=True)
    response = news.client("boss").get("/p/news/export/download?min_done=two")
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/p/news/export", "/p/news/export/download"])
@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("stranger", 404), (None, 302)])
def test_only_the_projects_managers_may_export(path, who, status, news):
    response = news.client(who).get(path)
    assert response.status_code == status
    if who is None:
        assert response.headers["Location"].startswith("/login")
    else:
        assert b'{"id"' not in response.get_data()


def test_dataset_card_carries_the_agreement_summary(world, runner, tmp_path):
    world.user("lead")
    world.project("carded", manager="lead")
    text = "The mayor said the water is safe to drink."
    world.import_jsonl(
        "carded",
        [
            {
                "id": "c1",
                "text": text,
                "annotations": [
                    {"annotator": "ana", "label": "claim", "start": 16, "end": 42},
                    {"annotator": "ben", "label": "claim", "start": 16, "end": 42},
                    {"annotator": "ana", "label": "attribution", "start": 0, "end": 14},
                ],
            }
        ],
    )
    output = tmp_path / "carded.jsonl"
    result = runner.invoke(args=["export", "carded", "-o", str(output), "--card"])
    assert result.exit_code == 0, result.output
    card = (tmp_path / "carded.jsonl.card.md").read_text("utf-8")
    assert "documents compared" in card and "mean pairwise exact span F1" in card
    assert "0.667" in card  # 1 exact match of 2 + 1 spans: F1 = 2/3
    assert "not computed" not in card


@pytest.mark.parametrize("output", [[], ["-o", "-"]])
def test_cli_progress_goes_to_standard_error_and_leaves_the_export_unchanged(news, runner, output):
    plain = runner.invoke(args=["export", "news", "--no-progress", *output])
    shown = runner.invoke(args=["export", "news", "--progress", *output])

    assert shown.exit_code == 0, shown.output
    assert shown.stdout_bytes == plain.stdout_bytes and b"Exporting" not in shown.stdout_bytes
    assert "Exporting: 0 of 3 documents" in shown.stderr
    assert shown.stderr.rstrip().endswith("Exporting: 3 of 3 documents")
    assert "Exporting" not in plain.stderr


def test_cli_progress_counts_the_documents_the_filters_keep(news, runner, tmp_path):
    result = runner.invoke(
        args=["export", "news", "--progress", "--gold-only", "-o", str(tmp_path / "gold.jsonl")]
    )

    assert result.exit_code == 0, result.output
    written = len((tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines())
    assert f"Exporting: {written} of {written} documents" in result.stderr


def test_cli_shows_no_progress_when_standard_error_is_not_a_terminal(news, runner):
    result = runner.invoke(args=["export", "news"])

    assert result.exit_code == 0 and "Exporting" not in result.stderr
