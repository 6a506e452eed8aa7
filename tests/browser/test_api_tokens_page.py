"""The API tokens pages in a real Chromium at 320 px (Japanese and English): the list, the form,
the secret shown once, the revoke confirmation; no sideways scroll and no axe violations."""

import pyotp
import pytest

from peers.demo import DEMO_TOTP_SECRET

from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, what):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{what} scrolls sideways at 320 px ({width} px)"
    assert axe_violations(page) == [], what


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_token_pages_fit_320_px(browser, live_server, demo, prefix):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP" if not prefix else "en-GB")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}{prefix}/accounts/login/")
    page.locator('input[name="login"]').fill("manager@example.org")
    page.locator('input[name="password"]').fill("kakehashi-demo")
    page.locator('input[name="password"]').press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    page.locator('input[name="code"]').fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.locator('input[name="code"]').press("Enter")
    page.wait_for_url(f"{base}{prefix}/me/")
    page.goto(f"{base}{prefix}/me/tokens/")
    _fits(page, "token list, empty")
    assert page.locator('input[name="scope"][value="read_only"]').is_checked()
    page.locator('input[name="name"]').fill("とても長い名前のスクリプト用トークン・月次報告とバックアップの両方に使います")
    page.locator(".card form button[type=submit]").click()
    page.wait_for_selector("#token-secret")
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("kk_") and len(secret) == 80
    _fits(page, "secret shown once")
    page.goto(f"{base}{prefix}/me/tokens/")
    assert secret not in page.content()
    _fits(page, "token list, one token")
    page.locator(".token-item a.button").first.click()
    page.wait_for_url("**/revoke/")
    _fits(page, "revoke confirmation")
    page.locator(".card form button[type=submit]").click()
    page.wait_for_url(f"{base}{prefix}/me/tokens/")
    assert page.locator(".token-item a.button").count() == 0
    context.close()
