"""A script's access token, as a person makes one: from the account page, used by a script."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from e2e.conftest import login


def _get(url: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def test_lead_makes_a_token_on_the_account_page_a_script_uses_it_then_it_is_revoked(page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, server, "lead", "lead-password")
    page.click("a.who")
    page.fill("input[name=name]", "nightly export")
    page.select_option("select[name=scope]", "read")
    page.select_option("select[name=project]", "demo")
    page.click("text=Make token")
    secret = page.inner_text("code.secret")
    assert secret.startswith("ann_")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    status, answer = _get(f"{server.url}/api/projects", secret)
    assert status == 200 and [item["slug"] for item in answer["projects"]] == ["demo"]

    page.goto(f"{server.url}/account/tokens")
    assert secret not in page.content()
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=Token revoked")
    assert "revoked" in page.inner_text("ul.tokens")
    status, answer = _get(f"{server.url}/api/projects", secret)
    assert status == 401 and "revoked" in answer["error"]


def test_api_description_and_account_pages_fit_a_phone(page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, server, "lead", "lead-password")
    for path in ("/api/docs", "/account/tokens"):
        page.goto(server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 391, f"{path} is {width} px wide"
