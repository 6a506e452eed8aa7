"""A peer's own pages and the directories, in a real Chromium at 320 px, in English: no axe
violations and no sideways scroll."""

import pytest

from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_in_english(page, base_url):
    page.goto(f"{base_url}/en/accounts/login/")
    page.locator('input[name="login"]').fill("peer@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"{base_url}/en/me/")


def _fits_and_passes_axe(page, path):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} scrolls sideways at 320 px ({width} px)"
    assert axe_violations(page) == [], path


def test_peer_pages_and_directories_fit_320_px_in_english(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    page = context.new_page()
    _sign_in_in_english(page, live_server.url)
    expected = {
        "/en/me/profile/": "My profile",
        "/en/me/engagements/": "My engagements",
        "/en/organisations/": "Organisations",
        "/en/directory/": "Directory",
    }
    for path, heading in expected.items():
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", level=1).inner_text() == heading
        _fits_and_passes_axe(page, path)
    # The engagements table holds the demo peer's work.
    page.goto(f"{live_server.url}/en/me/engagements/")
    assert page.locator("table.records tbody tr").count() >= 1
    # A search in the organisation directory keeps the page usable.
    page.goto(f"{live_server.url}/en/organisations/?prefecture=14")
    _fits_and_passes_axe(page, "/en/organisations/?prefecture=14")

    # A form that fails leads: the summary at the top takes the focus, links to the field, and
    # what was typed is kept (GOV.UK's error summary; WCAG 3.3.1, 3.3.3).
    from playwright.sync_api import expect

    from collaboration.activity.models import ActivityEntry

    before = ActivityEntry.objects.count()
    page.goto(f"{live_server.url}/en/me/activity/new/")
    page.get_by_label("Duration (minutes)").fill("")
    page.get_by_label("How many people were supported").fill("3")
    page.get_by_role("button", name="Save").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nothing has been saved yet")
    summary.get_by_role("link", name="Duration (minutes)").click()
    expect(page.get_by_label("Duration (minutes)")).to_be_focused()
    expect(page.get_by_label("How many people were supported")).to_have_value("3")
    assert ActivityEntry.objects.count() == before
    _fits_and_passes_axe(page, "/en/me/activity/new/ (failed)")
    context.close()


def test_professional_home_at_390_px_leads_to_their_work(browser, live_server, demo):  # noqa: F811
    """The demo professional's own home on a phone: what waits for them, no axe violation, no
    sideways scroll; its supervision card leads to the page where they confirm; /staff/ answers
    them calmly and leads back home."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator('input[name="login"]').fill("pro@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"{live_server.url}/en/me/")
    for heading in ("Supervision you give", "Activity that names you", "Meetings you are invited to",
                    "People you work with"):
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.locator('[data-count="supervision_waiting_for_you"]')).to_have_text("1")
    assert page.get_by_role("heading", name="Certification renewal").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"/en/me/ scrolls sideways at 390 px ({width} px)"
    assert axe_violations(page) == [], "/en/me/ (professional)"
    page.get_by_role("link", name="Record or confirm supervision").click()
    page.wait_for_url(f"{live_server.url}/en/me/supervision/")
    expect(page.get_by_role("button", name="Confirm")).to_have_count(1)
    page.goto(f"{live_server.url}/en/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This area is for staff")
    assert axe_violations(page) == [], "/en/staff/ (not staff)"
    page.get_by_role("link", name="Go to my page").click()
    page.wait_for_url(f"{live_server.url}/en/me/")
    context.close()
