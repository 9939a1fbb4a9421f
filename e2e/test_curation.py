"""From two annotators' browsers to exported gold (issue 14): ana and ben annotate one sentence in
their own browsers and finish it; the comparison shows their exact agreement next to ana's extra
span, with the agreement page's counts; the curator accepts a span from a lane, rejects a region,
accepts ana's link after confirming the span it adds, and comments to ana, who sees it; the native
export holds exactly the gold the curation view shows. Leaves docs/screenshots/curation.png."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from e2e.conftest import login
from e2e.workspace_helpers import (
    ATTRIBUTION,
    CLAIM,
    SENTENCE,
    drag_select,
    make_project,
    mark,
    wait_saved,
)

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "curation.png"
EVIDENCE = "sabotaging the talks"  # inside the claim: ana's extra span
LONE = "that"  # ben's evidence, on its own: the region the curator rejects


def at(phrase: str) -> tuple[int, int]:
    start = SENTENCE.index(phrase)
    return start, start + len(phrase)


def draw(page, phrase: str, key: str) -> str:
    """Drag over ``phrase``, press the label's key; the new span's id."""
    before = set(
        page.locator("#span-list li[data-span]").evaluate_all(
            "items => items.map(item => item.dataset.span)"
        )
    )
    drag_select(page, SENTENCE, *at(phrase))
    page.keyboard.press(key)
    wait_saved(page)
    after = page.locator("#span-list li[data-span]").evaluate_all(
        "items => items.map(item => item.dataset.span)"
    )
    (new,) = set(after) - before
    return new


def open_document(page, server, slug: str) -> None:
    page.goto(f"{server.url}/p/{slug}")
    page.click("ul.queue a[href*='/d/']")
    expect(page.locator("#text")).to_have_text(SENTENCE)


def pair_counts(text: str) -> dict[str, int]:
    found = dict(re.findall(r"(\d+) (agreed|different boundary|different label)", text))
    return {kind: int(n) for n, kind in found.items()} | {
        who: int(n) for n, who in re.findall(r"(\d+) only (\w+)", text)
    }


def test_two_annotators_to_exported_gold_through_the_curation_view(new_page, server, tmp_path):
    slug = make_project(
        server,
        tmp_path,
        [
            {
                "id": "talks",
                "title": "Talks",
                "text": SENTENCE,
                "annotators": [
                    {"annotator": "ana", "status": "in_progress"},
                    {"annotator": "ben", "status": "in_progress"},
                ],
            }
        ],
        annotators=("ana", "ben"),
    )

    # --- two annotators, two browsers
    ana, ben = new_page(), new_page()
    login(ana, server, "ana", "ana-password")
    login(ben, server, "ben", "ben-password")
    open_document(ana, server, slug)
    open_document(ben, server, slug)
    attribution = draw(ana, ATTRIBUTION, "3")
    claim = draw(ana, CLAIM, "1")
    draw(ana, EVIDENCE, "2")
    mark(ana, claim).click()
    ana.keyboard.press("l")
    mark(ana, attribution).click()
    ana.keyboard.press("1")  # the only link type that fits: attributed_to
    wait_saved(ana)
    draw(ben, CLAIM, "1")
    draw(ben, LONE, "2")
    for page in (ana, ben):
        page.click("#mark-done")
        page.wait_for_load_state()

    # --- the comparison: an exact agreement next to an extra span, counted as the agreement page
    lead = new_page()
    login(lead, server, "lead", "lead-password")
    lead.goto(f"{server.url}/p/{slug}/agreement")
    breakdown = lead.locator('#breakdown tr[data-a="ana"][data-b="ben"]')
    on_page = {"agreed": 0, "ana": 0, "ben": 0}
    for row in breakdown.all():
        on_page["agreed"] += int(row.locator('[data-kind="exact"]').inner_text())
        on_page["ana"] += int(row.locator('[data-kind="missing_b"]').inner_text())
        on_page["ben"] += int(row.locator('[data-kind="missing_a"]').inner_text())
    lead.click("#documents tbody tr a")
    region = lead.locator("tr.region.agree.extra")
    expect(region).to_have_count(1)
    expect(region).to_contain_text(CLAIM)
    counts = pair_counts(lead.inner_text('.pair-counts[data-a="ana"][data-b="ben"]'))
    assert (
        (counts["agreed"], counts["ana"], counts["ben"])
        == (
            on_page["agreed"],
            on_page["ana"],
            on_page["ben"],
        )
        == (1, 2, 1)
    )

    # --- the curation view: accept ben's claim from his lane, reject ben's lone evidence
    lead.click("#curate-link")
    expect(lead.locator("#lanes thead th")).to_have_count(3)
    lead.locator('td.lane[data-lane="ben"] mark').filter(has_text=CLAIM).first.click()
    expect(lead.locator('td.lane[data-lane="gold"] mark')).to_have_count(1)
    lone_start, lone_end = at(LONE)
    lone_row = lead.locator(f'tr.decision[data-start="{lone_start}"][data-end="{lone_end}"]')
    lone_row.locator("button.reject").click()
    expect(lone_row).to_contain_text("rejected by lead")
    expect(lone_row).to_have_class(re.compile(r"\bdecided\b"))

    # --- accept ana's link on the comparison page, after confirming the span it adds
    lead.goto(f"{server.url}{lead.url.split(server.url)[1].replace('/curate/', '/compare/')}")
    asked: list[str] = []
    lead.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    lead.click("#link-rows button.accept-link")
    expect(lead.locator("#link-rows")).to_contain_text("✓ in gold")
    (question,) = asked
    assert f"attribution [{at(ATTRIBUTION)[0]}, {at(ATTRIBUTION)[1]})" in question
    assert "claim" not in question  # the claim is in gold already

    # --- a comment to ana, which she sees on her document
    lead.click("#curate-link")
    form = lead.locator("#comment-form")
    form.locator("select[name=annotator]").select_option("ana")
    form.locator("select[name=region]").select_option(f"{at(CLAIM)[0]}:{at(CLAIM)[1]}")
    form.locator("textarea[name=text]").fill("Is «sabotaging the talks» evidence of the claim?")
    form.locator("button.primary").click()
    expect(lead.locator("#comments li[data-annotator=ana]")).to_contain_text(
        "evidence of the claim"
    )
    document_id = lead.url.rstrip("/").split("/")[-1]
    ana.goto(f"{server.url}/p/{slug}/d/{document_id}")
    expect(ana.locator("#curator-comments")).to_contain_text("evidence of the claim")
    expect(ana.locator("#curator-comments")).to_contain_text("lead")
    lead.set_viewport_size({"width": 1280, "height": 820})
    lead.screenshot(path=str(SCREENSHOT), full_page=True)

    # --- the export holds exactly the gold the view shows
    shown = {
        (m.get_attribute("title").split(":")[0].split(" (")[0], m.inner_text())
        for m in lead.locator('td.lane[data-lane="gold"] mark').all()
    }
    (line,) = server.cli("export", slug, "--format", "native", "-o", "-").splitlines()
    record = json.loads(line)
    exported = {(span["label"], span["text"]) for span in record["gold"]}
    assert exported == shown == {("claim", CLAIM), ("attribution", ATTRIBUTION)}
    (link,) = record["gold_relations"]
    gold = {span["id"]: span["text"] for span in record["gold"]}
    assert (gold[link["source"]], link["type"], gold[link["target"]]) == (
        CLAIM,
        "attributed_to",
        ATTRIBUTION,
    )
