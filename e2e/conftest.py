"""End-to-end harness: the real app under gunicorn on a free port, driven in Debian's Chromium.

Each test session gets a fresh instance folder (SQLite database with the demo project). Tests set
up their projects with ``server.cli(...)``: the ``annotator`` commands, run in this process (the
commands themselves are tested as executables in tests/). A failing test leaves a screenshot in
e2e/artifacts/<test name>.png.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect, sync_playwright

from annotator import store
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.server import Gunicorn

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Playwright waits until the page shows what a test expects; these bounds only end a hang, so they
# are generous enough that a busy machine never fails a test that would pass.
expect.set_options(timeout=30_000)


@contextmanager
def cheap_password_hashes():
    """The demo accounts' passwords hashed with Argon2id at tiny costs (the hash carries its
    costs, so the server checks them at those): the e2e tests log in about a hundred times, and
    the real costs are checked by tests/ (the wheel and demo servers) and bench/."""
    real = store._hasher
    store._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        store._hasher = real


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.exit(f"no Chromium at {CHROMIUM}: run `make chromium` (scripts/ensure-chromium)", 2)
    instance = tmp_path_factory.mktemp("instance")
    app_server = Gunicorn(instance, secret_key="e2e-secret", cli_in_process=True)
    with cheap_password_hashes():
        app_server.cli("demo", "--no-serve")
    app_server.start()
    yield app_server
    app_server.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def new_page(browser, request, server):
    """Open pages in fresh browser contexts (separate cookies: separate users)."""
    contexts = []

    def make(viewport=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        context.set_default_timeout(30_000)  # waits for a page to react; a bound on a hang only
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "report_call", None) and request.node.report_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}-{number}.png"))
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, server, username: str, password: str) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(server.url + "/")
