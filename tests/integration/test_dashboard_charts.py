"""Dashboard charts: documents done per day and spans per label per annotator, as SVG that reads
without colour (names and numbers written out) and as CSV downloads of the same figures."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from annotator import db, store
from annotator.charts import label_chart, progress_chart
from annotator.models import Assignment, Document, User

# --- pure -----------------------------------------------------------------------------------------


def test_the_progress_chart_writes_every_annotator_day_and_count_as_text():
    svg = progress_chart(
        ["2026-11-27", "2026-11-28"], {"ann": {"2026-11-28": 3}, "bob": {"2026-11-27": 1}}
    )
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts[:6] == ["ann (3 done)", "2026-11-27", "0", "2026-11-28", "3", "bob (1 done)"]
    assert 'role="img"' in svg and "<title" in svg
    assert "ann: 2026-11-27 0, 2026-11-28 3; bob: 2026-11-27 1, 2026-11-28 0" in svg


def test_the_label_chart_shows_each_labels_share_of_an_annotators_spans():
    svg = label_chart(
        [("claim", "#e45756"), ("evidence", "#4c78a8")],
        {"ann": {"claim": 6, "evidence": 2}, "bob": {"claim": 2, "evidence": 2}},
    )
    titles = re.findall(r"<rect[^>]*><title>([^<]*)</title>", svg)
    assert titles == [
        "ann, claim: 6 (75%)",
        "ann, evidence: 2 (25%)",
        "bob, claim: 2 (50%)",
        "bob, evidence: 2 (50%)",
    ]


def test_chart_text_is_escaped():
    svg = label_chart([("<b>claim</b>", "#e45756")], {"<script>x</script>": {"<b>claim</b>": 1}})
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt; (1 spans)" in svg


def test_charts_without_data_say_so():
    assert "Nothing finished yet." in progress_chart([], {})
    assert "No annotators yet." in label_chart([], {})


# --- on both databases ----------------------------------------------------------------------------


@pytest.fixture
def worked(world, app):
    world.user("mia")
    for name in ("ann", "bob"):
        world.user(name)
    world.project("news", manager="mia", annotators=["ann", "bob"], overlap=1)
    world.import_jsonl(
        "news", [{"id": f"d{n}", "text": f"Mayor says bridge {n} is safe."} for n in range(4)]
    )
    with app.app_context():
        session = db.session()
        project = store.project_by_slug(session, "news")
        users = dict(session.exec(select(User.username, User.id)).all())
        documents = list(session.exec(select(Document.id).order_by(Document.id)))
        for document_id, name, day in (
            (documents[0], "ann", 26),
            (documents[1], "ann", 28),
            (documents[2], "bob", 28),
        ):
            at = datetime(2026, 11, day, 15, tzinfo=UTC)
            session.add(
                Assignment(document_id=document_id, user_id=users[name], project_id=project.id,
                           status="in_progress", updated_at=at)
            )  # fmt: skip
        session.commit()
    ann = world.client("ann")
    spans = f"/api/projects/news/documents/{documents[0]}/spans/0d7f6c1e-1111-4a4a-9e9e-00000000000"
    marks = ((0, 5, "claim"), (6, 10, "claim"), (0, 5, "evidence"))
    for number, (start, end, label) in enumerate(marks):
        saved = ann.put(f"{spans}{number}", json={"label": label, "start": start, "end": end})
        assert saved.status_code == 201, saved.json
    with app.app_context():  # marked done afterwards: done work is read-only
        session = db.session()
        for item in session.exec(select(Assignment)):
            item.status, item.done_at = "done", item.updated_at
            session.add(item)
        session.commit()
    return world.client("mia")


def rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_progress_csv_has_every_day_and_annotator(app, worked):
    assert rows(worked.get("/p/news/dashboard/progress.csv")) == [
        ["day", "annotator", "documents_done"],
        ["2026-11-26", "ann", "1"],
        ["2026-11-26", "bob", "0"],
        ["2026-11-27", "ann", "0"],
        ["2026-11-27", "bob", "0"],
        ["2026-11-28", "ann", "1"],
        ["2026-11-28", "bob", "1"],
    ]


def test_the_labels_csv_has_counts_and_shares(app, worked):
    assert rows(worked.get("/p/news/dashboard/labels.csv")) == [
        ["annotator", "label", "spans", "share_of_annotator_spans"],
        ["ann", "claim", "2", "0.6667"],
        ["ann", "evidence", "1", "0.3333"],
        ["ann", "attribution", "0", "0.0000"],
        ["bob", "claim", "0", "0"],
        ["bob", "evidence", "0", "0"],
        ["bob", "attribution", "0", "0"],
    ]


def test_the_dashboard_shows_both_charts_with_their_downloads(app, worked):
    page = worked.get("/p/news/dashboard").get_data(as_text=True)

    assert '<svg class="chart" id="progress"' in page and '<svg class="chart" id="labels"' in page
    assert "ann (2 done)" in page and "bob (1 done)" in page
    assert "ann, claim: 2 (67%)" in page
    assert 'href="/p/news/dashboard/progress.csv"' in page
    assert 'href="/p/news/dashboard/labels.csv"' in page


def test_an_unknown_chart_is_not_found(app, worked):
    assert worked.get("/p/news/dashboard/secrets.csv").status_code == 404
