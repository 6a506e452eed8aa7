"""A visitor without an account applies as a pair from the website's course listing, confirms from
the emailed link, and the application reaches the training body; the form has no accessibility
violations and no puzzle to solve."""

import re

import pytest
from django.core import mail

from training.models import Application

from .test_sign_in import axe_violations, demo  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_applies_as_a_pair_and_confirms_by_email(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/courses/")
    page.get_by_role("link", name="Apply to 2026年度 基礎研修 仙台 without an account").click()
    page.wait_for_url("**/apply/public/")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("Your name (required)", exact=True).fill("鈴木 葵")
    page.get_by_label("Reading of your name (kana) (required)", exact=True).fill("すずき あおい")
    page.get_by_label("Your email address (required)", exact=True).fill("aoi@example.test")
    page.get_by_label("Office you apply from (required)", exact=True).select_option(label="ピアサポートセンターかけはし")
    page.locator('input[name="role"][value="peer"]').check()
    page.locator('input[name="eligibility"][value="employed"]').check()
    page.get_by_label("Your partner's name (required)", exact=True).fill("高橋 誠")
    page.get_by_label("Reading of your partner's name (kana) (required)", exact=True).fill("たかはし まこと")
    page.get_by_label("Your partner's email address (required)", exact=True).fill("makoto@example.test")
    page.locator('input[name="partner_eligibility"][value="coworker"]').check()
    page.locator('input[name="consent"]').check()
    page.get_by_role("button", name="Send application").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert set(Application.objects.filter(applicant_email__in=["aoi@example.test", "makoto@example.test"])
               .values_list("state", flat=True)) == {"unconfirmed"}

    message = next(m for m in mail.outbox if m.to == ["aoi@example.test"])
    link = re.search(r"https?://\S+\?key=\S+", message.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Confirm and send the application").click()
    page.get_by_text("has been sent to the training body").first.wait_for()
    assert set(Application.objects.filter(applicant_email__in=["aoi@example.test", "makoto@example.test"])
               .values_list("state", flat=True)) == {"submitted"}
    context.close()


def test_the_staff_applications_table_is_cards_on_a_phone_with_the_pair_together(browser, live_server, demo):  # noqa: F811
    import pyotp

    from peers.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from training.models import Cohort

    cohort = Cohort.objects.get(name="2026年度 基礎研修 仙台")
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.locator('input[name="login"]').fill("trainer@example.org")
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    page.locator("input[name=code]").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url("**/me/")
    page.goto(f"{live_server.url}/en/staff/training/{cohort.course.body_id}/cohorts/{cohort.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pair = page.locator("tbody.pair").first
    # A card: the rows of the pair stack inside one box as wide as the screen allows.
    assert pair.evaluate("el => getComputedStyle(el).display") == "block"
    assert pair.locator("tr").count() == 3  # the pair's heading with its actions, then both people
    assert pair.get_by_role("button", name=re.compile("^Select the pair")).count() == 1
    assert pair.get_by_role("button", name=re.compile("^Enrol")).count() == 0
    assert axe_violations(page) == []
    context.close()
