"""Links between spans and span attributes, as an annotator makes them and a manager exports them:
real mouse drags, the L key and the link menu, the popover's attribute fields, reload, and a
web download of every format."""

from __future__ import annotations

import json
import re

import pytest

from e2e.conftest import login
from e2e.workspace_helpers import (
    ATTRIBUTION,
    CLAIM,
    SENTENCE,
    drag_select,
    draw_attribution_and_claim,
    links_shown,
    make_project,
    mark,
    wait_saved,
)

FORMATS = ("native", "doccano", "prodigy", "w3c")


def at(phrase: str) -> tuple[int, int]:
    start = SENTENCE.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def linked_project(page, server, tmp_path):
    """ana's workspace on the seed-style sentence, with the attribution and the claim marked by
    real drags; returns (page, slug, document id, attribution span id, claim span id)."""
    slug = make_project(server, tmp_path, [{"id": "zakharova", "title": "Talks", "text": SENTENCE}])
    login(page, server, "ana", "ana-password")
    page.goto(f"{server.url}/p/{slug}")
    page.click("#next-document")
    page.wait_for_selector("#text")
    page.wait_for_load_state()  # htmx and the workspace scripts are ready: clicks work
    document_id = int(re.search(r"/d/(\d+)", page.url).group(1))

    ids = draw_attribution_and_claim(page, SENTENCE, ATTRIBUTION, CLAIM)
    return page, slug, document_id, ids["attribution"], ids["claim"]


def test_claim_attributed_to_its_source_with_a_source_type_is_in_every_export(
    linked_project, server, new_page
):
    page, slug, document_id, attribution, claim = linked_project

    # select the claim, press L, click the attribution, pick the type with its key
    mark(page, claim).click()
    page.wait_for_selector("#popover:not([hidden])")
    page.keyboard.press("l")
    page.wait_for_selector("#link-hint:not([hidden])")
    mark(page, attribution).click()
    page.wait_for_selector("#link-menu:not([hidden])")
    options = page.locator("#link-menu button").all_inner_texts()
    assert len(options) == 1 and "attributed_to" in options[0]  # only the type that fits
    page.keyboard.press("1")
    wait_saved(page)
    assert links_shown(page) == [(claim, "attributed_to", attribution)]

    # hovering the claim lights up the link and the attribution at its other end
    mark(page, claim).hover()
    assert "linked" in mark(page, attribution).get_attribute("class")
    assert page.locator("#relation-list li.link-hover").count() == 1

    # the attribution's source type, in its popover
    page.click(f'#span-list li[data-span="{attribution}"] button')
    page.wait_for_selector("#popover:not([hidden])")
    page.select_option(
        "#popover .attribute-group:not([hidden]) select[data-attribute=source_type]",
        "media outlet",
    )
    wait_saved(page)
    page.keyboard.press("Escape")

    # reload: the link and the attribute are still there, shown and stored
    page.reload()
    page.wait_for_selector("#text")
    assert links_shown(page) == [(claim, "attributed_to", attribution)]
    item = page.locator(f'#span-list li[data-span="{attribution}"]')
    assert json.loads(item.get_attribute("data-attributes")) == {"source_type": "media outlet"}
    assert "source_type: media outlet" in item.inner_text()
    api = page.request.get(f"{server.url}/api/projects/{slug}/documents/{document_id}/relations")
    assert [(r["source"], r["type"], r["target"]) for r in api.json()["relations"]] == [
        (claim, "attributed_to", attribution)
    ]

    # the manager downloads every format from the export page
    lead = new_page()
    login(lead, server, "lead", "lead-password")
    for name in FORMATS:
        lead.goto(f"{server.url}/p/{slug}/export")
        lead.select_option("select[name=format]", name)
        with lead.expect_download() as download:
            lead.click("form.card button.primary")
        lines = [
            json.loads(line)
            for line in open(download.value.path(), encoding="utf-8").read().splitlines()
        ]
        assert LINK_AND_ATTRIBUTE[name](lines) == (
            (CLAIM, "attributed_to", ATTRIBUTION),
            "media outlet",
        ), name


def _native(lines):
    (record,) = lines
    spans = {s["id"]: s for s in record["annotations"]}
    (link,) = record["relations"]
    source, target = spans[link["source"]], spans[link["target"]]
    return (source["text"], link["type"], target["text"]), target["attributes"]["source_type"]


def _doccano(lines):
    (line,) = lines
    entities = {e["id"]: e for e in line["entities"]}
    (link,) = line["relations"]
    text = line["text"]  # no character above U+FFFF: UTF-16 offsets are code points here
    source, target = entities[link["from_id"]], entities[link["to_id"]]
    quoted = [text[e["start_offset"] : e["end_offset"]] for e in (source, target)]
    return (quoted[0], link["type"], quoted[1]), target["attributes"]["source_type"]


def _prodigy(lines):
    (line,) = lines
    (link,) = line["relations"]
    text = line["text"]
    head, child = link["head_span"], link["child_span"]
    (attribution,) = [s for s in line["spans"] if s["label"] == "attribution"]
    return (
        (text[head["start"] : head["end"]], link["label"], text[child["start"] : child["end"]]),
        attribution["attributes"]["source_type"],
    )


def _w3c(lines):
    by_id = {line["id"]: line for line in lines}
    (link,) = [line for line in lines if line.get("motivation") == "linking"]
    source, target = (by_id[iri] for iri in link["target"]["items"])

    def exact(annotation):
        return annotation["target"]["selector"][1]["exact"]

    (kind,) = [body["value"] for body in link["body"] if body["purpose"] == "tagging"]
    (value,) = [body["value"] for body in target["body"] if body["purpose"] == "classifying"]
    return (exact(source), kind, exact(target)), value.removeprefix("source_type: ")


LINK_AND_ATTRIBUTE = {"native": _native, "doccano": _doccano, "prodigy": _prodigy, "w3c": _w3c}


def test_deleting_a_linked_span_asks_first_takes_its_links_and_undo_brings_both_back(
    linked_project,
):
    page, _slug, _document_id, attribution, claim = linked_project
    # link with the mouse this time: the popover's Link button, then the menu option
    page.click(f'#span-list li[data-span="{claim}"] button')
    page.click("#span-link")
    mark(page, attribution).click()
    page.click("#link-menu button >> text=attributed_to")
    wait_saved(page)
    assert links_shown(page) == [(claim, "attributed_to", attribution)]

    # declining the confirmation keeps everything
    page.click(f'#span-list li[data-span="{attribution}"] button')
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#span-delete")
    assert page.locator("#span-list li[data-span]").count() == 2
    assert links_shown(page) == [(claim, "attributed_to", attribution)]

    # accepting deletes the span and its link
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.click("#span-delete")
    wait_saved(page)
    assert "1 link" in messages[0]
    assert page.locator("#span-list li[data-span]").count() == 1
    assert links_shown(page) == []

    # Ctrl+Z puts the span back, then its link
    page.keyboard.press("Control+z")
    wait_saved(page)
    assert page.locator("#span-list li[data-span]").count() == 2
    assert links_shown(page) == [(claim, "attributed_to", attribution)]


def test_escape_cancels_linking_and_a_span_that_fits_no_type_is_refused_with_a_hint(
    linked_project,
):
    page, _slug, _document_id, attribution, _claim = linked_project
    mark(page, attribution).click()
    page.keyboard.press("l")
    page.keyboard.press("Escape")
    assert page.locator("#link-hint").is_hidden()
    # attribution → attribution: no type joins two attributions
    drag_select(page, SENTENCE, *at("the talks"))
    page.keyboard.press("3")
    wait_saved(page)
    other = next(
        item.get_attribute("data-span")
        for item in page.locator("#span-list li[data-label=attribution]").all()
        if item.get_attribute("data-span") != attribution
    )
    page.click(f'#span-list li[data-span="{attribution}"] button')
    page.keyboard.press("l")
    page.click(f'#span-list li[data-span="{other}"] button')
    assert "No link type joins" in page.inner_text("#link-hint")
    assert page.locator("#link-menu").is_hidden()
    page.keyboard.press("Escape")
    assert page.locator("#link-hint").is_hidden()
    assert links_shown(page) == []


def test_relabelling_a_span_out_of_its_links_rules_asks_deletes_them_and_undo_restores(
    linked_project,
):
    page, _slug, _document_id, attribution, claim = linked_project
    mark(page, claim).click()
    page.keyboard.press("l")
    mark(page, attribution).click()
    page.keyboard.press("1")
    wait_saved(page)

    # an attributed_to link must end at an attribution: relabelling it to evidence breaks it
    mark(page, attribution).click()
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.click("#popover button[data-relabel=evidence]")
    wait_saved(page)
    assert "attributed_to" in messages[0]
    label = page.locator(f'#span-list li[data-span="{attribution}"]').get_attribute("data-label")
    assert label == "evidence" and links_shown(page) == []

    page.keyboard.press("Control+z")
    wait_saved(page)
    label = page.locator(f'#span-list li[data-span="{attribution}"]').get_attribute("data-label")
    assert label == "attribution"
    assert links_shown(page) == [(claim, "attributed_to", attribution)]
