"""Agreement per week of finished work: weeks by the second finisher, each week's figures those
of compute_agreement on its documents alone, and the SVG chart of them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlmodel import select

from annotator import db
from annotator.agreement import inputs
from annotator.agreement.matching import Span
from annotator.agreement.over_time import chart, comparable_since, per_week, week_of
from annotator.models import Assignment, Document


def moment(day: int) -> datetime:
    return datetime(2026, 11, day, 12, tzinfo=UTC)


def test_a_document_counts_in_the_week_its_second_annotator_finished_it():
    assert week_of(moment(26)) == date(2026, 11, 23)  # a Thursday -> its Monday
    weeks = comparable_since(
        {"early": [moment(2), moment(26)], "late": [moment(27), moment(10), moment(30)]}
    )
    assert weeks == {"early": date(2026, 11, 23), "late": date(2026, 11, 23)}  # 10th, 27th: 2nd
    assert comparable_since({"alone": [moment(2)]}) == {}


def spans(doc: str, *items: tuple[str, int, int]) -> list[Span]:
    return [Span(doc, who, "claim", start, end) for who, start, end in items]


def test_each_weeks_figures_are_its_documents_alone():
    # week 1: identical spans (F1 1); week 2: a [0, 4) against b [2, 6): overlap 1, exact 0
    found = spans("d1", ("a", 0, 4), ("b", 0, 4)) + spans("d2", ("a", 0, 4), ("b", 2, 6))
    weeks = per_week(
        found,
        {"d1": 10, "d2": 10},
        {"d1": ["a", "b"], "d2": ["a", "b"]},
        ["claim"],
        None,
        {"d1": date(2026, 11, 2), "d2": date(2026, 11, 9)},
    )
    assert weeks == [
        {"week": "2026-11-02", "documents": 1, "overlap_f1": 1.0, "exact_f1": 1.0},
        {"week": "2026-11-09", "documents": 1, "overlap_f1": 1.0, "exact_f1": 0.0},
    ]
    svg = str(chart(weeks))
    assert svg.startswith("<svg") and svg.count("<polyline") == 2 and svg.count("<circle") == 4
    assert "<title" in svg and "<desc" in svg and "11-09" in svg
    assert str(chart([])) == ""


def test_the_page_the_csv_and_the_cli_give_the_weeks(world, app, runner):
    for name in ("lead", "ana", "ben"):
        world.user(name)
    world.project("news", manager="lead", annotators=["ana", "ben"], overlap=2)
    text = "abcdefghij"
    world.import_jsonl(
        "news",
        [
            {
                "id": f"d{k}",
                "text": text,
                "annotations": [
                    {
                        "annotator": who,
                        "label": "claim",
                        "start": 0,
                        "end": 4 if who == "ana" or k == 1 else 5,
                    }
                    for who in ("ana", "ben")
                ],
            }
            for k in (1, 2)
        ],
    )
    with app.app_context():
        session = db.session()
        second = session.exec(select(Document.id).where(Document.external_id == "d2")).one()
        session.execute(
            update(Assignment).where(Assignment.document_id == second).values(done_at=moment(2))
        )
        session.execute(
            update(Assignment).where(Assignment.document_id != second).values(done_at=moment(26))
        )
        session.commit()
    inputs.clear_cache()
    report = json.loads(
        runner.invoke(args=["agreement", "news", "--json", "--bootstrap", "0"]).output
    )
    assert report["over_time"] == [
        {"week": "2026-11-02", "documents": 1, "overlap_f1": 1.0, "exact_f1": 0.0},
        {"week": "2026-11-23", "documents": 1, "overlap_f1": 1.0, "exact_f1": 1.0},
    ]
    lead = world.client("lead")
    html = lead.get("/p/news/agreement").get_data(as_text=True)
    assert '<svg class="over-time"' in html and 'data-week="2026-11-02"' in html
    rows = lead.get("/p/news/agreement.csv").get_data(as_text=True).splitlines()
    assert any(r.startswith("over_time,,,(mean over pairs),2026-11-23,exact_f1,1.0") for r in rows)
