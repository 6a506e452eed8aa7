"""The volunteer's one-tap check-in in a real Chromium on a 390 px phone, in English (issue 18):
check in with its own button, undo it, check in again, say what was done and check out; the
thank-you summaries; no axe violations and no sideways scroll."""

import pytest
from playwright.sync_api import expect

from collaboration.activity.models import ActivityEntry, VolunteerSession
from tests.browser.test_sign_in import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_work(demo_committed):
    """The demo, committed (tests/conftest.py `_DemoCopy`)."""


def _fits_and_passes_axe(page, path):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} scrolls sideways at 390 px ({width} px)"
    assert axe_violations(page) == [], path


def test_one_tap_check_in_undo_and_check_out_on_a_phone(browser, live_server, demo_work):
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator('input[name="login"]').fill("peer@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"{live_server.url}/en/me/")
    entries = ActivityEntry.objects.count()

    page.goto(f"{live_server.url}/en/me/activity/volunteer/")
    expect(page.locator("#check-in .status-now")).to_have_text("You are not checked in.")
    _fits_and_passes_axe(page, "/en/me/activity/volunteer/")
    page.get_by_role("button", name="Check in now at ピアサロン よこはま").click()
    expect(page.locator("#check-in .status-now")).to_contain_text("Checked in since")
    assert VolunteerSession.objects.filter(checked_out_at__isnull=True).count() == 1
    assert ActivityEntry.objects.count() == entries  # a check-in saves only the moment
    _fits_and_passes_axe(page, "/en/me/activity/volunteer/ (checked in)")

    page.get_by_role("button", name="Undo check-in").click()
    expect(page.locator("#check-in .status-now")).to_have_text("You are not checked in.")
    assert not VolunteerSession.objects.filter(checked_out_at__isnull=True).exists()

    page.get_by_role("button", name="Check in now at ピアサロン よこはま").click()
    # Check out without saying what was done: refused, nothing saved.
    page.get_by_role("button", name="Check out now").click()
    assert ActivityEntry.objects.count() == entries
    page.get_by_label("What did you do?").select_option(label="Being a role model of recovery")
    page.get_by_label("Stage of the people supported").select_option("community")
    page.get_by_role("button", name="Check out now").click()
    expect(page.locator("#check-in .status-now")).to_have_text("You are not checked in.")
    entry = ActivityEntry.objects.order_by("-id").first()
    assert ActivityEntry.objects.count() == entries + 1 and entry.activity.code == "role-model"
    assert entry.verification_waived  # the salon does not ask to verify volunteer hours

    page.goto(f"{live_server.url}/en/me/activity/volunteer/thanks/")
    expect(page.get_by_role("heading", name="ピアサロン よこはま")).to_be_visible()
    _fits_and_passes_axe(page, "/en/me/activity/volunteer/thanks/")
    context.close()
