"""Training pages in a real Chromium: accessible (axe) and usable on a 320 px phone."""

from __future__ import annotations

import pyotp
import pytest

from peers.demo import DEMO_TOTP_SECRET
from tests.browser.axe import inject_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def demo(demo_committed):
    from training.models import Certification

    return Certification.objects.get(holder__email="peer@example.org")


def axe_violations(page) -> list[str]:
    inject_axe(page)  # pinned, from npm; not an inline <script> (our CSP refuses those)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})" for v in result["violations"]]


def _check(page, url):
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
    assert axe_violations(page) == [], url


def _sign_in(page, base, email, totp=False):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill("kakehashi-demo")
    page.get_by_role("button", name="ログイン", exact=True).click()
    if totp:
        page.wait_for_url("**/2fa/authenticate/**")
        page.locator("input[name=code]").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{base}/me/")


def test_public_and_personal_training_pages_are_accessible_at_320_px(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    _check(page, f"{live_server.url}/verify/{demo.number}/")
    assert "ピア 陽子" in page.content()
    _check(page, f"{live_server.url}/verify/PSS-2020-0001-AAA/")
    _check(page, f"{live_server.url}/training/cohorts/")
    _sign_in(page, live_server.url, "peer@example.org")
    assert page.locator("#renewal-reminders-heading").count() == 1
    _check(page, f"{live_server.url}/me/training/")
    context.close()


def test_staff_cohort_and_certification_pages_are_accessible(browser, live_server, demo):
    from training.models import Cohort

    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, live_server.url, "trainer@example.org", totp=True)
    body_id = demo.body_id
    cohort = Cohort.objects.filter(name__contains="募集中").first()
    for path in (f"cohorts/{cohort.pk}/", f"certifications/{demo.pk}/", "certifications/", "reports/yearly/"):
        page.goto(f"{live_server.url}/staff/training/{body_id}/{path}")
        assert axe_violations(page) == [], path
    context.close()


def test_staff_register_is_cards_at_390_px_and_a_ticked_row_gets_a_reminder_after_the_confirm(
        browser, live_server, demo):
    from training.models import Certification, ReminderSent

    grace = Certification.objects.get(holder__email="holder-grace@example.org")
    ReminderSent.objects.filter(certification=grace, kind="manual").delete()  # the demo's own, sent "today"
    context = browser.new_context(viewport={"width": 390, "height": 780}, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, live_server.url, "trainer@example.org", totp=True)
    home = f"{live_server.url}/staff/training/{demo.body_id}/"
    page.goto(home)
    assert axe_violations(page) == [], home
    page.locator("[data-count=in_grace] a").click()  # the body's home leads to the filtered register
    page.wait_for_url("**/certifications/?status=grace")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator("table.records tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"  # a card, not a squeezed row
    assert axe_violations(page) == []
    row.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="更新のお知らせを送る").click()
    assert "1 人に、更新に足りないもの" in page.locator("main").inner_text()
    assert not ReminderSent.objects.filter(certification=grace, kind="manual").exists()
    page.get_by_role("button", name="1 人にお知らせを送る").click()
    page.wait_for_url("**/certifications/?status=grace")
    assert "1 人に更新のお知らせを送りました" in page.locator(".messages").inner_text()
    assert ReminderSent.objects.filter(certification=grace, kind="manual").count() == 1


def test_holder_asks_for_renewal_from_their_training_page(browser, live_server, demo):
    """Requirements met: the holder clicks “Ask for renewal” and the request reaches the queue."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from training.models import CECategory, ContinuingEducation, Course, CourseKind, RenewalRequest
    from training.services import completion_issue

    day = timezone.localdate() - datetime.timedelta(days=3)
    for name, hours in (("倫理", "3"), ("実践", "14")):
        ContinuingEducation.objects.create(body=demo.body, person=demo.holder, date=day, provider="研究会",
                                           hours=Decimal(hours), category=CECategory.objects.get(body=demo.body, name=name))
    completion_issue(person=demo.holder, course=Course.objects.get(body=demo.body, kind=CourseKind.RENEWAL),
                     completed_on=day, actor=None, notify=False)
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, live_server.url, "peer@example.org")
    page.goto(f"{live_server.url}/me/training/")
    page.get_by_role("button", name="更新を申請する").click()
    page.wait_for_url(f"{live_server.url}/me/training/")
    assert "更新の申請を研修機関に送りました。" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    assert RenewalRequest.objects.filter(certification=demo, outcome="").exists()
    context.close()
