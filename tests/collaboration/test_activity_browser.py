"""The activity log in a real Chromium at 320 px (a phone), in English: quick entry in one go,
My activity's charts with their tables; no axe violations and no sideways scroll."""

import pytest
from playwright.sync_api import expect

from collaboration.activity.models import ActivityEntry
from tests.browser.test_sign_in import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_activity(demo_committed):
    """The demo, committed (a copy of the process's demo: tests/conftest.py `_DemoCopy`)."""


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
    # Pre-filled, so one tap saves nothing: the values are shown to check first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the activity before saving")
    assert ActivityEntry.objects.count() == before
    _fits_and_passes_axe(page, "/en/me/activity/new/ (check)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/en/me/activity/")
    assert ActivityEntry.objects.count() == before + 1

    assert page.get_by_role("heading", level=1).inner_text() == "My activity"
    assert page.locator("figure table").count() == 2
    _fits_and_passes_axe(page, "/en/me/activity/")
    page.goto(f"{live_server.url}/en/me/activity/week/")
    _fits_and_passes_axe(page, "/en/me/activity/week/")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_manager_signs_in_with_two_step_verifies_and_declines(browser, live_server, demo_activity, width):
    """The demo manager, in a real Chromium at a desktop and a phone width: two-step sign-in, the
    organisation's activity page and its verification queue (axe finds nothing on either), one
    entry verified and another declined with a reason."""
    import pyotp

    from collaboration.activity.models import EntryStatus
    from peers.demo import DEMO_TOTP_SECRET, MANAGER_ORGANISATION_NAME
    from peers.models import Organisation

    organisation = Organisation.objects.get(name=MANAGER_ORGANISATION_NAME)
    waiting = list(
        ActivityEntry.objects.filter(organisation=organisation, status=EntryStatus.SUBMITTED)
        .exclude(author__email="manager@example.org").order_by("-date", "-id")[:2]
    )
    assert len(waiting) == 2, "the demo has entries waiting at the manager's organisation"
    to_verify, to_decline = waiting
    base = live_server.url

    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/en/accounts/login/")
    page.locator('input[name="login"]').fill("manager@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    page.locator("input[name=code]").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url(f"{base}/en/me/")

    page.goto(f"{base}/en/staff/activity/")
    page.get_by_role("link", name=MANAGER_ORGANISATION_NAME).click()
    page.wait_for_url(f"{base}/en/staff/activity/organisations/{organisation.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Team activity: {MANAGER_ORGANISATION_NAME}"
    assert page.locator("#supervisors-heading").count() == 1
    _fits_and_passes_axe_at(page, width)

    page.get_by_role("link", name="Verification queue").first.click()
    page.wait_for_url(f"{base}/en/staff/activity/organisations/{organisation.pk}/queue/")
    _fits_and_passes_axe_at(page, width)

    page.locator(f'form[action$="/entries/{to_verify.pk}/verify/"] button').click()
    page.wait_for_url(f"{base}/en/staff/activity/organisations/{organisation.pk}/queue/")
    assert "Verified." in page.content()
    page.locator(f"#reason-{to_decline.pk}").fill("The time overlaps another entry: please check it.")
    page.locator(f'form[action$="/entries/{to_decline.pk}/decline/"] button').click()
    page.wait_for_url(f"{base}/en/staff/activity/organisations/{organisation.pk}/queue/")
    assert "Declined." in page.content()
    _fits_and_passes_axe_at(page, width)  # the queue again, with the messages shown

    to_verify.refresh_from_db()
    to_decline.refresh_from_db()
    assert (to_verify.status, to_decline.status) == (EntryStatus.VERIFIED, EntryStatus.DECLINED)
    assert to_decline.history.last().reason == "The time overlaps another entry: please check it."
    assert page.locator(f'form[action$="/entries/{to_verify.pk}/verify/"]').count() == 0
    context.close()


def _fits_and_passes_axe_at(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px)"
    assert axe_violations(page) == [], page.url
