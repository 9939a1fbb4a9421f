"""What a browser may keep: static files and a project's label colours are asked for by addresses
that name their content, so they are kept for good and a page load revalidates none of them; a
change of content is a new address. Pages themselves are never kept."""

from __future__ import annotations

import re

import pytest

TEXT = "Mayor says the bridge is safe, officials said."
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


@pytest.fixture
def ana(world):
    world.user("lead")
    world.user("ana")
    world.project("news", manager="lead", annotators=["ana"])
    world.import_jsonl("news", [{"id": "d1", "text": TEXT}])
    client = world.client("ana")
    assert client.post("/p/news/next").status_code == 302
    return client


def labels_css_of(page: str) -> str:
    return re.search(r'href="(/p/news/labels\.css\?v=[0-9a-f]+)"', page).group(1)


def test_every_static_file_of_the_workspace_is_named_by_the_folders_digest_and_kept(ana):
    page = ana.get("/p/news/d/1").get_data(as_text=True)
    assets = ASSET.findall(page)
    assert len(assets) >= 3, page  # styles, htmx, the workspace's module
    prefixes = {re.match(r"/static/[0-9a-f]{12}/", asset).group(0) for asset in assets}
    assert len(prefixes) == 1, prefixes
    for asset in assets:
        answer = ana.get(asset)
        assert answer.status_code == 200, asset
        cache = answer.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache, cache
        assert "no-cache" not in cache
    # a module's relative imports stay under the same digest
    main = next(asset for asset in assets if asset.endswith("/js/main.js"))
    assert ana.get(main.replace("main.js", "queue.js")).status_code == 200
    # an address without the digest names no content
    assert ana.get("/static/app.css").status_code == 404


def test_pages_are_not_kept(ana):
    answer = ana.get("/p/news/d/1")
    assert "immutable" not in answer.headers.get("Cache-Control", "")
    assert "max-age" not in answer.headers.get("Cache-Control", "")


def test_a_recoloured_label_gets_a_new_stylesheet_address_and_the_old_one_is_not_reused(ana, world):
    first = labels_css_of(ana.get("/p/news/d/1").get_data(as_text=True))
    answer = ana.get(first)
    assert answer.status_code == 200
    cache = answer.headers["Cache-Control"]
    # the colours are the project's: kept by this browser only
    assert "private" in cache and "immutable" in cache and "public" not in cache, cache
    lead = world.client("lead")
    changed = lead.post(
        "/p/news/settings",
        data={"action": "label_color", "label": "claim", "color": "#123abc"},
        follow_redirects=True,
    )
    assert changed.status_code == 200
    second = labels_css_of(ana.get("/p/news/d/1").get_data(as_text=True))
    assert second != first
    assert "#123abc" in ana.get(second).get_data(as_text=True)
    # unchanged labels keep the address: nothing is fetched again
    assert labels_css_of(ana.get("/p/news/d/1").get_data(as_text=True)) == second


def test_the_stylesheet_without_its_digest_is_asked_for_again_each_time(ana):
    answer = ana.get("/p/news/labels.css")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-cache"


def test_a_stranger_gets_no_label_colours_whatever_the_address(world, ana):
    page = ana.get("/p/news/d/1").get_data(as_text=True)
    anonymous = world.client()
    answer = anonymous.get(labels_css_of(page))
    assert answer.status_code in (302, 401)
    assert "immutable" not in answer.headers.get("Cache-Control", "")
