"""A person signs in through a real Chromium, in Japanese, and meets an accessible page."""

import pytest
from playwright.sync_api import expect

from .axe import AxeUnavailable, axe_script, inject_axe

# Live-server tests flush the database between tests; the demo loader restores what it needs.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def demo(demo_committed):
    """The demo, committed (a copy of the process's demo: tests/conftest.py `_DemoCopy`)."""


def axe_violations(page) -> list[str]:
    """axe-core (pinned, from the npm registry: tests/browser/axe.py) on the page as it is."""
    try:
        axe_script()
    except AxeUnavailable as error:
        pytest.fail(f"axe-core is not available: {error}")
    inject_axe(page)  # pinned, from npm; not an inline <script> (our CSP refuses those)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


def test_peer_signs_in_in_japanese_and_sees_their_home_page(browser, live_server, demo):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert axe_violations(page) == []

    page.get_by_label("メールアドレス").fill("peer@example.org")
    page.get_by_label("パスワード").fill("kakehashi-demo")
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.wait_for_url(f"{live_server.url}/me/")
    assert page.get_by_role("heading", level=1).inner_text() == "マイページ"
    assert "ピア 陽子" in page.content()
    assert "ピアサポーター" in page.locator("#roles-heading + ul").inner_text()
    assert axe_violations(page) == []
    context.close()


def test_skip_link_comes_first_and_pages_fit_a_320_px_phone(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    for path in ("/", "/accounts/login/", "/en/", "/en/accounts/login/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} scrolls sideways at 320 px ({width} px)"
        assert axe_violations(page) == [], path
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    context.close()


def test_language_switch_in_the_browser_lands_on_the_same_page(browser, live_server, demo):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{live_server.url}/en/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    # Remembered: the Japanese address now brings the English page.
    page.goto(f"{live_server.url}/accounts/password/reset/")
    assert page.url == f"{live_server.url}/en/accounts/password/reset/"
    context.close()


def test_main_menu_folds_behind_a_button_on_a_phone_and_opens_by_keyboard(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(page.locator("#main-menu")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-menu")).to_be_visible()
    expect(page.locator("#main-menu a").first).to_be_focused()
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(page.locator("#main-menu")).to_be_hidden()
    expect(toggle).to_be_focused()
    # On a wide screen the menu is simply there, with no button.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("#main-menu")).to_be_visible()
    expect(toggle).to_be_hidden()
    context.close()
