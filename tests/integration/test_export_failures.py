"""An export that fails midway says so where the reader looks; what import takes, export writes."""

from __future__ import annotations

import io

import orjson
import pytest

from annotator.data_export import formats, records


@pytest.fixture
def news(world):
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.project("copy", manager="lead")
    world.import_jsonl(
        "news",
        [{"id": f"d{n}", "text": f"Article {n} says the water is safe."} for n in range(3)],
    )
    return world


@pytest.fixture
def breaks_after_one_document(monkeypatch):
    real = records.export_lines

    def failing(*args, **kwargs):
        lines = real(*args, **kwargs)
        yield next(lines)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(records, "export_lines", failing)


def test_a_download_that_fails_midway_ends_with_a_line_the_importer_refuses(
    news, breaks_after_one_document
):
    lead = news.client("lead")
    answer = lead.get("/p/news/export/download?format=native")
    assert answer.status_code == 200  # sent before the failure: the file itself must say it
    assert b"export_failed" in answer.data.splitlines()[-1]
    again = lead.post(
        "/p/copy/import",
        data={"files": (io.BytesIO(answer.data), "news.jsonl")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 400
    assert "failed midway" in again.get_data(as_text=True)


def test_the_command_exits_non_zero_and_marks_standard_output(
    runner, news, breaks_after_one_document
):
    result = runner.invoke(args=["export", "news"])
    assert result.exit_code != 0
    assert "export_failed" in result.stdout.splitlines()[-1]
    assert "failed midway" in result.output


def test_the_command_leaves_no_file_when_it_fails(
    runner, news, breaks_after_one_document, tmp_path
):
    target = tmp_path / "news.jsonl"
    result = runner.invoke(args=["export", "news", "-o", str(target)])
    assert result.exit_code != 0 and "was not written" in result.output
    assert not target.exists() and not (tmp_path / "news.jsonl.part").exists()


def deep(levels: int) -> dict:
    value: dict = {"n": 2**64 - 1, "f": 1e300, "s": "Захарова 👩\u200d👩\u200d👧"}
    for _ in range(levels - 1):
        value = {"a": value, "list": [[1, [2]]]}
    return value


@pytest.mark.parametrize("format_name", list(formats.FORMATS))
def test_every_format_exports_the_largest_meta_import_accepts(runner, news, format_name):
    meta = deep(18)
    news.import_jsonl("news", [{"id": "deep", "text": "Deep meta.", "meta": meta}])
    result = runner.invoke(args=["export", "news", "--format", format_name])
    assert result.exit_code == 0, result.output
    if format_name == "native":
        rows = [orjson.loads(line) for line in result.stdout.splitlines()]
        assert next(row for row in rows if row["id"] == "deep")["meta"] == meta
