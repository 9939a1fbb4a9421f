"""Active time per document: the workspace sends a visit's running total; the stored figure only
grows (a resend never counts twice), sums over visits, and reaches the dashboard, its CSV, the
native export and the dataset card."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlmodel import select

from annotator import db
from annotator.models import ActiveTime

SLUG = "news"


@pytest.fixture
def team(world):
    for name in ("mia", "ann", "bob"):
        world.user(name)
    world.project(SLUG, manager="mia", annotators=["ann", "bob"], overlap=2)
    world.import_jsonl(
        SLUG, [{"id": f"d{n}", "text": f"Mayor says bridge {n} is safe."} for n in range(3)]
    )
    return world


def first_document(client) -> int:
    answer = client.post(f"/p/{SLUG}/next")
    return int(re.search(r"/d/(\d+)$", answer.headers["Location"]).group(1))


def send(client, document_id: int, visit: str, seconds):
    return client.put(
        f"/api/projects/{SLUG}/documents/{document_id}/active-time/{visit}",
        json={"seconds": seconds},
    )


def test_resent_and_late_totals_never_count_twice(app, team):
    ann = team.client("ann")
    document = first_document(ann)

    totals = [
        send(ann, document, "visit-aaaa-0001", seconds).get_json()["total_seconds"]
        for seconds in (15, 30, 30, 20, 45)  # a resend of 30, a late 20
    ]

    assert totals == [15, 30, 30, 30, 45]
    with app.app_context():
        rows = db.session().exec(select(ActiveTime)).all()
        assert [(row.visit, row.seconds) for row in rows] == [("visit-aaaa-0001", 45)]


def test_visits_add_up_per_annotator_and_document(app, team):
    ann, bob = team.client("ann"), team.client("bob")
    document, theirs = first_document(ann), first_document(bob)

    send(ann, document, "visit-aaaa-0001", 60)
    assert send(ann, document, "visit-aaaa-0002", 40).get_json()["total_seconds"] == 100
    # the same visit id from another annotator is their own visit
    assert send(bob, theirs, "visit-aaaa-0001", 7).get_json()["total_seconds"] == 7


@pytest.mark.parametrize(
    ("visit", "body", "field"),
    [
        ("short", {"seconds": 5}, "visit"),
        ("visit-aaaa-0001", {"seconds": -1}, "seconds"),
        ("visit-aaaa-0001", {"seconds": 10**6}, "seconds"),
        ("visit-aaaa-0001", {"seconds": "12"}, "seconds"),
        ("visit-aaaa-0001", {"seconds": True}, "seconds"),
        ("visit-aaaa-0001", {}, "seconds"),
    ],
)
def test_bad_figures_are_refused_naming_the_field_and_change_nothing(app, team, visit, body, field):
    ann = team.client("ann")
    document = first_document(ann)

    answer = ann.put(f"/api/projects/{SLUG}/documents/{document}/active-time/{visit}", json=body)

    assert answer.status_code == 422
    assert answer.get_json()["field"] == field
    with app.app_context():
        assert db.session().exec(select(ActiveTime)).all() == []


def test_an_annotator_cannot_record_time_on_a_document_not_theirs(app, team):
    ann = team.client("ann")
    first_document(ann)
    with app.app_context():
        from annotator.models import Document

        ids = db.session().exec(select(Document.id).order_by(Document.id)).all()
    assert send(ann, ids[-1], "visit-aaaa-0001", 5).status_code == 404


def test_the_dashboard_shows_median_and_distribution_with_a_csv(app, team):
    ann, mia = team.client("ann"), team.client("mia")
    document = first_document(ann)
    send(ann, document, "visit-aaaa-0001", 200)

    page = mia.get(f"/p/{SLUG}/dashboard").get_data(as_text=True)
    chart = re.search(r'<svg class="chart" id="time".*?</svg>', page, re.S).group(0)
    assert "ann: 1 document, median 3 min 20 s" in chart
    assert "bob: no time measured yet" in chart
    assert "ann, 2–5 min: 1" in chart

    rows = list(csv.reader(io.StringIO(mia.get(f"/p/{SLUG}/dashboard/time.csv").data.decode())))
    assert rows[0] == [
        "annotator",
        "document",
        "active_seconds",
        "first_active_at",
        "last_active_at",
    ]
    assert rows[1][:3] == ["ann", "d0", "200"]
    assert rows[1][3].endswith("Z") and rows[1][4] >= rows[1][3]


def test_the_native_export_and_the_card_carry_active_time(app, team, runner, tmp_path):
    ann, bob = team.client("ann"), team.client("bob")
    document = first_document(ann)
    first_document(bob)  # bob has a document, with no time measured
    send(ann, document, "visit-aaaa-0001", 90)
    send(ann, document, "visit-aaaa-0002", 30)

    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["export", SLUG, "-o", str(out), "--card"])
    assert result.exit_code == 0, result.output

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    entry = next(line for line in lines if line["id"] == "d0")["annotators"]
    ann_entry = next(item for item in entry if item["annotator"] == "ann")
    assert ann_entry["active_seconds"] == 120
    assert ann_entry["first_active_at"] <= ann_entry["last_active_at"]
    bob_entries = [
        item for line in lines for item in line["annotators"] if item["annotator"] == "bob"
    ]
    assert bob_entries and all("active_seconds" not in item for item in bob_entries)
    card = next(tmp_path.glob("*.md")).read_text()
    assert "## Annotation time" in card
    assert re.search(r"\| ann \| 1 \| 120 \| 120 \|", card)
