"""Numbers, notes and meta have limits, the same through pages, the API and import files."""

from __future__ import annotations

import io

import orjson
import pytest
from sqlalchemy import select

from annotator import db
from annotator.models import Document

HUGE = str(10**30)


@pytest.fixture
def lead(world):
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": "The mayor said the water is safe."}])
    return world.client("lead")


@pytest.mark.parametrize(
    "path",
    [
        f"/p/news?page={HUGE}",
        f"/p/news?page={'9' * 5000}",
        f"/p/news/agreement/spans?page={HUGE}",
        f"/p/news/export/download?min_done={HUGE}",
        "/p/news/export/download?min_done=%C2%B2",  # a superscript two: a digit, not a number
    ],
)
def test_overflowing_numbers_in_the_address_answer_400(lead, path):
    assert lead.get(path).status_code == 400


@pytest.mark.parametrize("page", ["2", "abc", "0", ""])
def test_ordinary_or_junk_page_numbers_still_show_a_page(lead, page):
    assert lead.get(f"/p/news?page={page}").status_code == 200


def upload(client, name: str, data: bytes):
    return client.post(
        "/p/news/import",
        data={"files": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def documents(app) -> list[str]:
    with app.app_context():
        return list(db.session().execute(select(Document.external_id)).scalars())


def deep(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        (
            {
                "id": "d2",
                "text": "Some text.",
                "annotations": [
                    {
                        "annotator": "ana",
                        "label": "claim",
                        "start": 0,
                        "end": 4,
                        "note": "n" * 10_001,
                    }
                ],
            },
            "annotations[0].note",
            "longer than 10,000 characters",
        ),
        ({"id": "d2", "text": "Some text.", "meta": deep(21)}, "meta", "21 levels deep"),
        ({"id": "d2", "text": "Some text.", "meta": {"big": "x" * 70_000}}, "meta", "bytes"),
    ],
    ids=["note", "deep-meta", "big-meta"],
)
def test_import_applies_the_api_limits_naming_line_and_field(app, lead, line, field, words):
    data = b'{"id": "ok", "text": "Fine."}\n' + orjson.dumps(line)
    answer = upload(lead, "docs.jsonl", data)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f"docs.jsonl, line 2: field &#39;{field}&#39;" in page and words in page
    assert documents(app) == ["d1"]


def test_meta_at_the_limits_is_imported(app, lead):
    answer = upload(lead, "docs.jsonl", orjson.dumps({"id": "d2", "text": "x", "meta": deep(20)}))
    assert answer.status_code == 302
    assert sorted(documents(app)) == ["d1", "d2"]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n"], ids=["empty", "blank-lines"])
def test_an_empty_file_says_it_held_no_documents(app, lead, data):
    answer = upload(lead, "empty.jsonl", data)
    assert answer.status_code == 400
    assert "empty.jsonl held no documents" in answer.get_data(as_text=True)


def test_an_empty_file_beside_others_is_named_in_the_summary(app, lead):
    answer = lead.post(
        "/p/news/import",
        data={
            "files": [
                (io.BytesIO(b'{"id": "d2", "text": "Fine."}'), "good.jsonl"),
                (io.BytesIO(b""), "empty.jsonl"),
            ]
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert "empty.jsonl held no documents" in answer.get_data(as_text=True)
    assert sorted(documents(app)) == ["d1", "d2"]


def test_noscript_text_is_dropped_from_html_imports(app, lead):
    html = (
        b"<html><head><title>Water</title></head><body><article>"
        b"<p>The mayor said on Monday that the city's water is safe to drink again.</p>"
        b"<noscript><p>Please enable JavaScript to read the comments below.</p></noscript>"
        b"<p>Engineers tested samples from forty sites across the city last week.</p>"
        b"</article></body></html>"
    )
    assert upload(lead, "water.html", html).status_code == 302
    with app.app_context():
        text = (
            db.session()
            .execute(select(Document.text).where(Document.external_id == "water"))
            .scalar_one()
        )
    assert "water is safe" in text and "JavaScript" not in text


@pytest.mark.parametrize(
    "path",
    [
        f"/p/news/d/{2**63}",
        f"/api/projects/news/documents/{10**30}/spans",
        f"/p/news/compare/{2**31}",
    ],
)
def test_ids_beyond_a_database_integer_are_not_found(lead, path):
    assert lead.get(path).status_code == 404
