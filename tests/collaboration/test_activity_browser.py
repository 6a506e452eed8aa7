"""The activity log in a real Chromium at 320 px (a phone), in English: quick entry in one go,
My activity's charts with their tables; no axe violations and no sideways scroll."""

import pytest
from django.core.management import call_command

from collaboration.activity.models import ActivityEntry
from tests.browser.test_sign_in import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_activity(transactional_db):
    call_command("load_demo", "--quiet-summary")


def _fits_and_passes_axe(page, path):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} scrolls sideways at 320 px ({width} px)"
    assert axe_violations(page) == [], path


def test_quick_entry_on_a_phone_and_my_activity(browser, live_server, demo_activity):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator('input[name="login"]').fill("peer@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"{live_server.url}/en/me/")
    before = ActivityEntry.objects.count()

    page.goto(f"{live_server.url}/en/me/activity/new/")
    _fits_and_passes_axe(page, "/en/me/activity/new/")
    # The last engagement and activity are remembered: only minutes and stage are needed.
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/en/me/activity/")
    assert ActivityEntry.objects.count() == before + 1

    assert page.get_by_role("heading", level=1).inner_text() == "My activity"
    assert page.locator("figure table").count() == 2
    _fits_and_passes_axe(page, "/en/me/activity/")
    page.goto(f"{live_server.url}/en/me/activity/week/")
    _fits_and_passes_axe(page, "/en/me/activity/week/")
    context.close()
