"""Links in the gold (adjudication) workspace, made as a manager makes them: from the project page
to the comparison to the gold workspace, real mouse drags for the spans, the L key and the link
menu for the link, reload, and the native export. The gold workspace shares static/js/ with the
annotator's workspace but saves to the gold API: these tests check the link lands in the gold layer
(``gold_relations``), not in the manager's own annotations."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from e2e.conftest import login
from e2e.workspace_helpers import (
    ATTRIBUTION,
    CLAIM,
    SENTENCE,
    draw_attribution_and_claim,
    links_shown,
    make_project,
    mark,
    wait_saved,
)


def at(phrase: str) -> tuple[int, int]:
    start = SENTENCE.index(phrase)
    return start, start + len(phrase)


def native_record(server, slug: str) -> dict:
    """The document's native export line (empty ``relations``/``gold_relations`` are left out)."""
    (line,) = server.cli("export", slug, "--format", "native", "-o", "-").splitlines()
    return json.loads(line)


def reload_workspace(page) -> None:
    page.reload()
    expect(page.locator("#text")).to_have_text(SENTENCE)


@pytest.fixture
def gold_workspace(page, server, tmp_path):
    """lead's gold workspace on one sentence, reached by clicks from the project page, with a gold
    attribution and a gold claim marked by real drags; returns (page, slug, attribution id, claim
    id)."""
    slug = make_project(server, tmp_path, [{"id": "zakharova", "title": "Talks", "text": SENTENCE}])
    login(page, server, "lead", "lead-password")
    page.goto(f"{server.url}/p/{slug}")
    page.click("#documents a[href*='/compare/']")
    page.click("text=edit gold with the selection tools")
    expect(page.locator(".doc-head")).to_contain_text("editing the gold layer")
    expect(page.locator("#text")).to_have_text(SENTENCE)

    ids = draw_attribution_and_claim(page, SENTENCE, ATTRIBUTION, CLAIM)
    expect(page.locator("#span-list li[data-span]")).to_have_count(2)
    return page, slug, ids["attribution"], ids["claim"]


def link_claim_to_attribution(page, claim: str, attribution: str) -> None:
    """Select the claim, press L, click the attribution, pick the only type that fits."""
    mark(page, claim).click()
    expect(page.locator("#popover")).to_be_visible()
    page.keyboard.press("l")
    expect(page.locator("#link-hint")).to_be_visible()
    mark(page, attribution).click()
    options = page.locator("#link-menu button")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("attributed_to")
    page.keyboard.press("1")
    wait_saved(page)


def test_gold_link_made_with_the_l_key_survives_reload_is_exported_as_gold_and_can_be_deleted(
    gold_workspace, server
):
    page, slug, attribution, claim = gold_workspace
    link_claim_to_attribution(page, claim, attribution)
    assert links_shown(page) == [(claim, "attributed_to", attribution)]

    reload_workspace(page)
    assert links_shown(page) == [(claim, "attributed_to", attribution)]
    expect(page.locator("#link-count")).to_have_text("1")

    record = native_record(server, slug)
    gold = {span["id"]: span for span in record["gold"]}
    assert {(span["label"], span["text"]) for span in gold.values()} == {
        ("attribution", ATTRIBUTION),
        ("claim", CLAIM),
    }
    (link,) = record["gold_relations"]
    assert (link["source"], link["type"], link["target"]) == (claim, "attributed_to", attribution)
    assert (gold[link["source"]]["text"], gold[link["target"]]["text"]) == (CLAIM, ATTRIBUTION)
    assert link["curator"] == "lead"
    assert record["annotations"] == [] and "relations" not in record  # not in lead's own layer

    # the link's × in the side panel deletes it; the spans stay
    page.click("#relation-list li[data-relation] .link-delete")
    wait_saved(page)
    assert links_shown(page) == []
    reload_workspace(page)
    assert links_shown(page) == []
    expect(page.locator("#span-list li[data-span]")).to_have_count(2)
    record = native_record(server, slug)
    assert "gold_relations" not in record and len(record["gold"]) == 2


def test_ctrl_z_undoes_a_gold_link_and_it_stays_gone_after_reload(gold_workspace, server):
    page, slug, attribution, claim = gold_workspace
    link_claim_to_attribution(page, claim, attribution)
    assert links_shown(page) == [(claim, "attributed_to", attribution)]

    page.keyboard.press("Control+z")
    wait_saved(page)
    assert links_shown(page) == []
    reload_workspace(page)
    assert links_shown(page) == []
    expect(page.locator("#span-list li[data-span]")).to_have_count(2)
    assert "gold_relations" not in native_record(server, slug)
