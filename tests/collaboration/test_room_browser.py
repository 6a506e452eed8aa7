"""The live room in a real Chromium: accessible, fits a 320 px phone, and works without the
websocket (Django's live server speaks no websocket): history is in the page, the offline notice
is announced, and a message can still be sent."""

import pytest
from playwright.sync_api import expect

from collaboration.models import Meeting
from tests.browser.axe import inject_axe

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page) -> list[str]:
    inject_axe(page)  # pinned, from npm; not an inline <script> (our CSP refuses those)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


@pytest.fixture
def demo(demo_committed):
    """The demo, committed (a copy of the process's demo: tests/conftest.py `_DemoCopy`)."""


def test_room_without_websocket_shows_history_offline_notice_and_still_sends(browser, live_server, demo):
    live = Meeting.objects.get(status="open")
    context = browser.new_context(viewport={"width": 320, "height": 700}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("メールアドレス").fill("peer@example.org")
    page.get_by_label("パスワード").fill("kakehashi-demo")
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/en/meetings/{live.pk}/room/")
    assert "ピアの立場から発言します" in page.content()
    status = page.locator("#room-status")
    assert status.get_attribute("aria-live") == "polite"
    # A locator's wait, not wait_for_function: its polling evaluates a string, which the page's
    # CSP (no 'unsafe-eval') refuses when the first check does not already pass.
    expect(page.locator("#room-status")).to_contain_text("Offline", timeout=10000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    page.get_by_label("Your message").fill("ブラウザから送信")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert "ブラウザから送信" in page.locator("#messages").inner_text()
    context.close()
