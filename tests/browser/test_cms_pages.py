"""Every page type of the public website passes axe-core in Japanese and English, and fits a
390 px phone (tests/browser/phone_checks.js: no sideways scroll, nothing squeezed or overflowing,
no control under 24 x 24 px)."""

import pytest

from .test_crawl import PHONE, PHONE_CHECKS
from .test_sign_in import axe_violations, demo  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/about-peer-support/",  # content page: summary, heading, text, quote, call to action
    "/faq/",  # content page: FAQ
    "/news/",
    "/news/site-opened/",
    "/courses/",
    "/accessibility/",
    "/privacy/",
    "/certificate-check/",
    "/specialists/",  # the directory as a visitor sees it (signed in: below)
    "/minutes/",
    "/search/?q=news",
    "/search/?q=ニュース",
    "/search/?q=ピアサポート",  # results as cards
    "/verify/credential/",  # checking a digital credential (issue 19)
]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_type_passes_axe(browser, live_server, demo, language):  # noqa: F811
    context = browser.new_context(viewport={"width": PHONE, "height": 800},
                                  locale="ja-JP" if language == "ja" else "en-GB")
    page = context.new_page()
    prefix = "" if language == "ja" else "/en"
    failures = {}
    from training.models import Certification

    number = Certification.objects.filter(holder__email="peer@example.org").first().number
    paths = [*PAGES, f"/certificate-check/?number={number}"]
    for path in paths:
        response = page.goto(f"{live_server.url}{prefix}{path}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        violations = axe_violations(page) + page.evaluate(PHONE_CHECKS)
        if violations:
            failures[path] = violations
    # The directory and verification result as a signed-in member sees them.
    page.goto(f"{live_server.url}{prefix}/accounts/login/")
    page.locator('input[name="login"]').fill("peer@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url(f"{live_server.url}{prefix}/me/")
    for path in ("/specialists/", "/specialists/?prefecture=13"):
        page.goto(f"{live_server.url}{prefix}{path}")
        assert page.locator(".directory li").count() >= 1 or path.endswith("13"), path
        violations = axe_violations(page)
        if violations:
            failures[f"{path} (signed in)"] = violations
    assert failures == {}
    context.close()


def test_switch_on_a_content_page_lands_on_its_english_version(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/about-peer-support/")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{live_server.url}/en/about-peer-support/")
    assert page.get_by_role("heading", level=1).inner_text() == "What is peer support?"
    context.close()
