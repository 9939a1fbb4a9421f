from playwright.sync_api import expect

from e2e.conftest import login


def test_demo_lead_logs_in_and_sees_the_demo_documents(page, server):
    login(page, server, "lead", "lead-password")
    page.click("text=Demo: who claims what")
    rows = page.locator("#documents tbody tr")
    # waits for the project page: a count read at once may still see the home page (0 rows)
    expect(rows).to_have_count(4)
    assert "Port authority blames faulty wiring" in page.inner_text("#documents")
