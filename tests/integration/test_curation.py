"""The curation view: each annotator's spans in a lane aligned line by line with gold; accept a
span from any lane, a region's majority; reject a region (recorded, shown as decided); comment
to an annotator, who sees it on their document."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from annotator import db
from annotator.adjudication.curation import clip, lanes, lines_of
from annotator.annotation.highlight import Highlight
from annotator.models import GoldSpan, Rejection, Span

TEXT = "Officials said the bridge was closed.\n\nThe inspection found cracks in two piers."
PAGE = "/p/news/curate/1"


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def span(annotator, label, phrase):
    start, end = at(phrase)
    return {"annotator": annotator, "label": label, "start": start, "end": end}


# --- pure: lanes aligned line by line ------------------------------------------------------------


def test_lines_skip_blank_ones_and_keep_code_point_offsets():
    assert lines_of("ab\n\n👩c\n") == [(0, 2), (4, 6)]


def test_a_span_across_a_line_break_is_drawn_in_each_line_with_its_id():
    crossing = Highlight("s1", 1, "claim", 1, 5)
    assert clip([crossing], 4, 6) == [Highlight("s1", 1, "claim", 0, 1)]
    (first, second) = lanes("ab\n\ncd", {"ana": [crossing], "gold": []})
    assert first.cells["ana"].count('data-span="s1"') == 1
    assert second.cells["ana"].count('data-span="s1"') == 1
    assert second.cells["gold"] == "cd"


# --- the view ------------------------------------------------------------------------------------


@pytest.fixture
def curator(world):
    world.user("lead")
    for name in ("ana", "ben", "cleo"):
        world.user(name)
    world.project("news", manager="lead", annotators=["ana", "ben", "cleo"], overlap=3)
    world.import_jsonl(
        "news",
        [
            {
                "id": "d1",
                "text": TEXT,
                "annotations": [
                    span("ana", "claim", "the bridge was closed"),
                    span("ben", "claim", "the bridge was closed"),
                    span("cleo", "claim", "bridge was closed"),
                    span("ana", "evidence", "cracks in two piers"),
                ],
            }
        ],
    )
    return world


def gold(app) -> list[tuple[int, int]]:
    with app.app_context():
        return [(g.start, g.end) for g in db.session().exec(select(GoldSpan)).all()]


def test_each_annotator_has_a_lane_aligned_line_by_line_next_to_gold(curator):
    html = curator.client("lead").get(PAGE).get_data(as_text=True)
    heads = re.findall(r'<th scope="col" class="lane-head[^"]*">(\w+)', html)
    assert heads == ["ana", "ben", "cleo", "Gold"]
    rows = re.findall(r'<tr data-start="(\d+)" data-end="(\d+)">', html)
    assert [(int(s), int(e)) for s, e in rows] == lines_of(TEXT)
    lane = html[html.index('data-lane="ana"') :].split("</td>")[0]
    assert "the bridge was closed</mark>" in lane


def test_clicking_a_span_in_a_lane_accepts_it(app, curator):
    lead = curator.client("lead")
    with app.app_context():
        cleo = db.session().exec(select(Span).where(Span.end - Span.start == 17)).one()
    answer = lead.post(f"{PAGE}/accept", data={"span_id": cleo.id}, headers={"HX-Request": "1"})
    assert answer.status_code == 200
    assert gold(app) == [at("bridge was closed")]
    gold_lane = answer.get_data(as_text=True).split('data-lane="gold"')[1].split("</td>")[0]
    assert "bridge was closed</mark>" in gold_lane


def test_accepting_a_regions_majority_takes_what_more_than_half_marked(app, curator):
    lead = curator.client("lead")
    start, end = at("the bridge was closed")
    assert (
        lead.post(f"{PAGE}/accept-majority", data={"start": start, "end": end}).status_code == 302
    )
    assert gold(app) == [(start, end)]  # ana and ben, 2 of 3; not cleo's
    lone = at("cracks in two piers")
    refused = lead.post(f"{PAGE}/accept-majority", data={"start": lone[0], "end": lone[1]})
    assert refused.status_code == 409 and gold(app) == [(start, end)]


def test_rejecting_a_region_is_recorded_and_shown_as_decided(app, curator):
    lead = curator.client("lead")
    start, end = at("cracks in two piers")
    answer = lead.post(
        f"{PAGE}/reject", data={"start": start, "end": end}, headers={"HX-Request": "1"}
    )
    row = answer.get_data(as_text=True).split(f'data-start="{start}" data-end="{end}"')[1]
    assert "✗ rejected by lead" in row.split("</tr>")[0]
    with app.app_context():
        assert len(db.session().exec(select(Rejection)).all()) == 1
    assert gold(app) == []
    page = lead.get("/p/news/compare/1").get_data(as_text=True)
    assert "in progress" in page[page.index('id="adjudication-state"') :].split("</p>")[0]
    lead.post(f"{PAGE}/reject", data={"start": start, "end": end, "action": "undo"})
    with app.app_context():
        assert db.session().exec(select(Rejection)).all() == []


@pytest.mark.parametrize(
    "form",
    [{"start": "5", "end": "5"}, {"start": "-1", "end": "3"}, {"start": "a", "end": "3"}],
)
def test_a_rejection_outside_the_text_is_refused(app, curator, form):
    answer = curator.client("lead").post(f"{PAGE}/reject", data=form)
    assert answer.status_code == 422
    with app.app_context():
        assert db.session().exec(select(Rejection)).all() == []


def test_a_comment_reaches_only_the_annotator_it_is_for(curator):
    lead = curator.client("lead")
    start, end = at("cracks in two piers")
    answer = lead.post(
        f"{PAGE}/comment",
        data={"annotator": "ana", "region": f"{start}:{end}", "text": "Evidence or claim?"},
    )
    assert answer.status_code == 302
    ana = curator.client("ana").get("/p/news/d/1").get_data(as_text=True)
    comments = ana[ana.index('id="curator-comments"') :].split("</section>")[0]
    assert (
        "Evidence or claim?" in comments
        and "— lead" in comments
        and "cracks in two piers" in comments
    )
    assert 'id="curator-comments"' not in curator.client("ben").get("/p/news/d/1").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "form, field",
    [
        ({"annotator": "otto", "text": "hi"}, "annotator"),
        ({"annotator": "ana", "text": "   "}, "text"),
        ({"annotator": "ana", "text": "x" * 2001}, "text"),
        ({"annotator": "ana", "text": "hi", "region": "9:2"}, "region"),
    ],
)
def test_a_comment_to_nobody_or_of_nothing_is_refused(curator, form, field):
    answer = curator.client("lead").post(f"{PAGE}/comment", data=form)
    assert answer.status_code == 422 and field in answer.get_data(as_text=True)
    assert "curator-comments" not in curator.client("ana").get("/p/news/d/1").get_data(as_text=True)


def test_annotators_cannot_open_or_use_the_curation_view(curator):
    ana = curator.client("ana")
    assert ana.get(PAGE).status_code == 403
    assert ana.post(f"{PAGE}/reject", data={"start": 0, "end": 5}).status_code == 403


def test_a_span_of_the_agreement_page_opens_the_curation_view_at_its_region(curator):
    lead = curator.client("lead")
    listed = lead.get("/p/news/agreement/spans?kind=all").get_data(as_text=True)
    claim = at("the bridge was closed")
    assert re.search(rf'href="/p/news/curate/1\?at={claim[0]}(:|%3A){claim[1]}#focus"', listed)
    start, end = at("bridge was closed")  # cleo's span, inside the claim region
    page = lead.get(f"{PAGE}?at={start}:{end}").get_data(as_text=True)
    region = at("the bridge was closed")
    focused = f'focus" id="focus" data-start="{region[0]}" data-end="{region[1]}"'
    assert re.search(rf'class="decision [a-z]+ {focused}', page)
    assert page.count('class="focus"') == 1  # the one line of the lanes that holds it
    assert 'id="focus"' not in lead.get(f"{PAGE}?at=oops").get_data(as_text=True)
