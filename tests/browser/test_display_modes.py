"""The calmer mode in a real Chromium: chosen from the link on every page, remembered, and every
mode (text size × theme) stays at 0 axe-core violations and fits a 320 px phone."""

from __future__ import annotations

import re

import pytest

from .test_crawl import _sign_in
from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each text size and each theme at least once, the largest text with both themes.
MODES = [("standard", "calm"), ("large", "standard"), ("larger", "standard"), ("larger", "calm")]
PUBLIC_PAGES = ("/", "/accounts/login/", "/display/", "/en/")
PEER_PAGES = ("/me/", "/me/profile/", "/account/preferences/")
TEXT_LABELS = {"standard": "標準", "large": "大きい", "larger": "さらに大きい"}
THEME_LABELS = {"standard": "標準", "calm": "おだやか（動きなし、やわらかい配色）"}


def _check(page, base: str, path: str, text_size: str, theme: str) -> None:
    page.goto(f"{base}{path}")
    html = page.locator("html")
    assert html.get_attribute("data-text-size") == text_size, path
    assert html.get_attribute("data-theme") == theme, path
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} in {text_size}/{theme} scrolls sideways at 320 px ({width} px)"
    assert axe_violations(page) == [], f"{path} in {text_size}/{theme}"


def _choose(page, base: str, text_size: str, theme: str, back_to: str) -> None:
    """Open the display settings from the header link, choose, save: back on the same page."""
    page.goto(f"{base}{back_to}")
    page.locator(".display-link").click()
    page.wait_for_url(re.compile(r"/display/\?next="))
    page.get_by_role("group", name="文字の大きさ").get_by_label(TEXT_LABELS[text_size], exact=True).check()
    page.get_by_role("group", name="画面の配色").get_by_label(THEME_LABELS[theme], exact=True).check()
    page.get_by_role("button", name="表示の設定を保存する").click()
    page.wait_for_url(f"{base}{back_to}")


def test_visitor_modes_are_accessible_and_fit_a_phone(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    base = live_server.url
    for text_size, theme in MODES:
        _choose(page, base, text_size, theme, back_to="/accounts/login/")
        assert {c["name"]: c["value"] for c in context.cookies() if c["name"] in ("text_size", "theme")} == {
            "text_size": text_size, "theme": theme}
        for path in PUBLIC_PAGES:
            _check(page, base, path, text_size, theme)
        if theme == "calm":
            # No motion: transitions and smooth scrolling are off.
            styles = page.evaluate(
                "() => [getComputedStyle(document.querySelector('a')).transitionDuration,"
                " getComputedStyle(document.documentElement).scrollBehavior]")
            assert styles == ["0s", "auto"]
    context.close()


def test_signed_in_peer_modes_are_accessible_and_fit_a_phone(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    base = live_server.url
    _sign_in(page, base, "peer@example.org", staff=False)
    for text_size, theme in MODES:
        _choose(page, base, text_size, theme, back_to="/me/")
        for path in PEER_PAGES:
            _check(page, base, path, text_size, theme)
    # Remembered on the account: a new browser signs in and gets the last choice.
    other = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    fresh = other.new_page()
    _sign_in(fresh, base, "peer@example.org", staff=False)
    assert fresh.locator("html").get_attribute("data-text-size") == MODES[-1][0]
    assert fresh.locator("html").get_attribute("data-theme") == MODES[-1][1]
    other.close()
    context.close()
