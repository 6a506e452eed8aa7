"""What was typed survives an ended session, in a real Chromium (issue 15, forms lead): the
person fills their profile, the session cookie goes, the form is sent, the sign-in page says what
happened, and after signing in the form holds the typed values again with a notice; once saved,
the draft is gone."""

import re

import pytest
from playwright.sync_api import expect

from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "日本語、English、日本手話（下書きの確認）"


def _sign_in(page):
    page.locator('input[name="login"]').fill("peer@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")


def _drafts(page) -> list[str]:
    return page.evaluate(
        "Object.keys(sessionStorage).filter((k) => k.startsWith('kakehashi-draft'))"
    )


def test_an_ended_session_keeps_what_was_typed_and_says_what_happened(browser, live_server, demo):  # noqa: F811
    from peers.models import Profile

    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="ja-JP")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    _sign_in(page)
    page.wait_for_url(f"{base}/me/")

    page.goto(f"{base}/me/profile/")
    page.locator('[name="languages"]').fill(TYPED)
    page.locator('[name="display_name"]').fill("ピア 陽子（下書き）")
    # The session ends while the page is open (as after a long pause).
    context.clear_cookies(name="sessionid")
    page.locator("main form[method=post] button[type=submit]").first.click()

    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    status = page.locator("[data-messages]")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text(
        "一定時間操作がなかったため、ログインが切れました。もう一度ログインしてください。"
        "入力した内容はこの端末に残っています。"
    )
    expect(status).to_be_focused()
    assert axe_violations(page) == []
    assert not Profile.objects.filter(languages=TYPED).exists()

    _sign_in(page)
    page.wait_for_url(f"{base}/me/profile/")
    notice = page.locator("[data-draft-notice]")
    expect(notice).to_contain_text("前回入力した内容を戻しました。")
    expect(notice.get_by_role("button", name="戻した内容を消す")).to_be_visible()
    expect(page.locator('[name="languages"]')).to_have_value(TYPED)
    expect(page.locator('[name="display_name"]')).to_have_value("ピア 陽子（下書き）")
    assert axe_violations(page) == []

    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url(f"{base}/me/profile/")
    expect(page.locator('[data-message="success"]')).to_be_visible()
    assert Profile.objects.filter(languages=TYPED).exists()
    assert _drafts(page) == []
    page.reload()
    expect(page.locator("[data-draft-notice]")).to_have_count(0)
    context.close()


def test_a_restored_draft_can_be_discarded_and_sign_out_forgets_drafts(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/en/accounts/login/")
    _sign_in(page)
    page.wait_for_url(f"{base}/en/me/")

    page.goto(f"{base}/en/me/profile/")
    field = page.locator('[name="languages"]')
    saved = field.input_value()
    field.fill("typed, then the tab was reloaded")
    page.reload()
    expect(field).to_have_value("typed, then the tab was reloaded")
    notice = page.locator("[data-draft-notice]")
    expect(notice).to_contain_text("What you typed last time has been put back.")
    notice.get_by_role("button", name="Discard what was put back").click()
    expect(field).to_have_value(saved)
    expect(notice).to_contain_text("What was put back has been discarded.")
    assert _drafts(page) == []

    field.fill("typed before signing out")
    assert _drafts(page) != []
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert _drafts(page) == []
    context.close()
