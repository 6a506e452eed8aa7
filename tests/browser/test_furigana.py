"""Furigana in a real Chromium: the header's button turns it on, the page carries ruby, axe-core
finds nothing, and the accessibility tree (what a screen reader reads) has each text once,
without the readings' brackets."""

from __future__ import annotations

import pytest

from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accessible_names(page) -> list[str]:
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    return [n["name"]["value"] for n in nodes if n.get("name", {}).get("value")]


def test_furigana_from_the_header_is_ruby_that_reads_once_and_passes_axe(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    assert page.locator("ruby").count() == 0
    page.get_by_role("button", name="ふりがなをつける").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert {c["name"]: c["value"] for c in context.cookies()}.get("furigana") == "on"
    assert page.locator("main ruby").count() > 3
    invitation = page.locator("main ruby", has_text="招待").first
    assert invitation.locator("rt").inner_text() == "しょうたい"
    # Form fields are as they were: no markup can be inside a value, and the values are intact.
    assert page.locator("input[name=login]").input_value() == ""
    assert axe_violations(page) == []
    # Each link's name reaches assistive technology once: base text, no "(ひょうじ)" after it.
    assert page.locator("a.display-link ruby").count() == 2  # 表示 and 設定 carry readings
    names = _accessible_names(page)
    assert "表示の設定" in names and "本文へ移動" in names
    assert not [name for name in names if "ひょうじ" in name or "ほんぶん" in name or "(せってい)" in name]
    # Fits a 320 px phone with the readings.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.get_by_role("button", name="ふりがなをはずす").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert page.locator("ruby").count() == 0
    context.close()


def test_a_pages_plain_japanese_version_is_one_press_away_fits_a_phone_and_passes_axe(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    url = f"{live_server.url}/about-peer-support/"
    page.goto(url)
    assert page.locator("main").get_by_text("やさしい日本語の版もあります").count() == 1
    assert axe_violations(page) == []
    page.get_by_role("button", name="やさしい日本語で読む").click()
    page.wait_for_url(url)
    assert {c["name"]: c["value"] for c in context.cookies()}.get("wording") == "plain"
    assert page.locator("main h2", has_text="しごと").count() == 1  # the plain body's heading
    assert page.locator("main ruby").count() > 3  # plain Japanese comes with furigana
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.locator("main .plain-version button").click()  # back to the standard text
    page.wait_for_url(url)
    assert page.locator("main").get_by_text("やさしい日本語の版もあります").count() == 1
    context.close()
