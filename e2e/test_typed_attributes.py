"""Typed span attributes as a manager defines them and an annotator gives them in the span
popover, with the mouse and with the keys: saved at once, still there after a reload."""

from __future__ import annotations

import json

from e2e.conftest import login
from e2e.workspace_helpers import (
    ATTRIBUTION,
    CLAIM,
    SENTENCE,
    api_spans,
    draw_attribution_and_claim,
    make_project,
    open_next_document,
    wait_saved,
)

TYPED = """source_type: named person, official body, media outlet, anonymous, document
source_reliability (scale 1..5, required): unreliable | reliable
verifiable (boolean)
topics (multiple): politics, health
paraphrase (text)"""


def define_attributes(page, server, slug: str, label: str, text: str) -> None:
    page.goto(f"{server.url}/p/{slug}/settings")
    form = page.locator(f'form.attribute-form[data-label="{label}"]')
    form.locator("textarea").fill(text)
    form.locator("button").click()
    page.wait_for_selector("text=Saved.")


def attributes_shown(page, span_id: str) -> dict:
    item = page.locator(f'#span-list li[data-span="{span_id}"]')
    return json.loads(item.get_attribute("data-attributes"))


def wait_shown(page, span_id: str, values: dict) -> None:
    """Wait until the side panel shows ``values`` for the span (a refresh of the panel asked for
    by an earlier save may land after the last save)."""
    page.wait_for_function(
        """([id, want]) => {
          const item = document.querySelector(`#span-list li[data-span="${id}"]`);
          if (!item) return false;
          const shown = JSON.parse(item.dataset.attributes || "{}");
          const keys = Object.keys(want);
          return keys.length === Object.keys(shown).length
            && keys.every((key) => JSON.stringify(shown[key]) === JSON.stringify(want[key]));
        }""",
        arg=[span_id, values],
    )


def test_annotator_gives_typed_attribute_values_with_the_mouse_and_the_keys(
    page, server, tmp_path, new_page
):
    slug = make_project(server, tmp_path, [{"id": "z", "title": "Talks", "text": SENTENCE}])
    lead = new_page()
    login(lead, server, "lead", "lead-password")
    define_attributes(lead, server, slug, "attribution", TYPED)

    login(page, server, "ana", "ana-password")
    document_id = open_next_document(page, server, slug)
    page.wait_for_load_state()
    spans = draw_attribution_and_claim(page, SENTENCE, ATTRIBUTION, CLAIM)
    attribution = spans["attribution"]
    item = page.locator(f'#span-list li[data-span="{attribution}"]')
    assert "missing: source_reliability" in item.inner_text()
    page.click("#mark-done")  # the first click warns instead of finishing
    page.wait_for_selector("#attributes-warning:not([hidden])")
    assert "1 span lacks a required attribute" in page.inner_text("#attributes-warning")
    assert page.locator("#mark-done").count() == 1

    # the mouse: a point of the scale, a boolean, two of several choices, free text
    item.locator("button").click()
    page.wait_for_selector("#popover:not([hidden])")
    group = page.locator("#popover .attribute-group:not([hidden])")
    group.locator('[data-field="source_reliability"] label:has-text("4")').click()
    wait_saved(page)
    group.locator('[data-field="verifiable"] select').select_option("false")
    wait_saved(page)
    group.locator('[data-field="topics"] label:has-text("health")').click()
    group.locator('[data-field="topics"] label:has-text("politics")').click()
    wait_saved(page)
    group.locator('[data-field="paraphrase"] input').fill("Moscow accuses Kyiv")
    group.locator('[data-field="paraphrase"] input').press("Enter")
    wait_saved(page)
    expected = {
        "source_reliability": 4,
        "verifiable": False,
        "topics": ["politics", "health"],
        "paraphrase": "Moscow accuses Kyiv",
    }
    wait_shown(page, attribution, expected)
    assert attributes_shown(page, attribution) == expected
    assert "missing" not in item.inner_text()

    # the keys: open the span from the side panel, A to the fields, Tab and arrows to change
    page.keyboard.press("Escape")
    page.reload()
    page.wait_for_selector("#text")
    page.wait_for_load_state()
    page.locator(f'#span-list li[data-span="{attribution}"] button').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#popover:not([hidden])")
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.dataset.attribute") == "source_type"
    page.keyboard.press("Tab")  # into the scale, at its checked point
    page.keyboard.press("ArrowRight")
    wait_saved(page)
    wait_shown(page, attribution, expected | {"source_reliability": 5})

    page.reload()
    page.wait_for_selector("#text")
    stored = {span["id"]: span["attributes"] for span in api_spans(page, server, slug, document_id)}
    assert stored[attribution] == expected | {"source_reliability": 5}
    assert "source_reliability: 5" in page.locator("#span-list").inner_text()
