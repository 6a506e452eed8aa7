"""Every page each demo role can reach from its own menus, in a real Chromium on a phone: it
opens, axe-core finds no WCAG 2.2 AA violation, and it fits (tests/browser/phone_checks.js):
nothing scrolls sideways, no table cell or button is narrower than its longest word, no text
overflows its box, and no control is smaller than 24 x 24 px (WCAG 2.5.8).

Where: every kind of page at 390 px in Japanese and in English; one page of each kind (whichever
role reaches it first) at 320 px in each display mode (the `text_size` and `theme` cookies).
A crawl rather than a list, so a page added later is checked without anyone remembering to.
For CI's time: one browser for the module, one sign-in per role, each kind of page once per
setting.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pyotp
import pytest

from peers.models import User

from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where a signed-in person's own pages live; everything else (the public site, the editors'
# admin, downloads, sign-out) is checked elsewhere or is not a page.
AREAS = ("/me/", "/staff/", "/organisations/", "/directory/", "/meetings/", "/training/", "/account/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".json", ".txt", ".zip", ".png")
PAGES_PER_ROLE = 50
PHONE, SMALL_PHONE = 390, 320
# The display modes (text size, low-stimulus theme) as the cookies that choose them; the first is
# the default. Each is checked at 320 px.
MODES = (
    {"text_size": "standard", "theme": "standard"},
    {"text_size": "large", "theme": "standard"},
    {"text_size": "larger", "theme": "standard"},
    {"text_size": "standard", "theme": "calm"},
)
PHONE_CHECKS = (Path(__file__).parent / "phone_checks.js").read_text(encoding="utf-8")

# Kinds of page already checked at 320 px in each mode, by an earlier role of this module.
_small_phone_checked: dict[int, set[str]] = {}


def _shape(path: str) -> str:
    """One page per kind: /organisations/15/ and /organisations/16/ are the same page."""
    parts = urlparse(path)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def _sign_in(page, base: str, email: str, staff: bool) -> None:
    from peers.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    page.locator('input[name="password"]').press("Enter")
    if staff:
        page.wait_for_url("**/2fa/authenticate/**")
        page.locator("input[name=code]").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.locator("input[name=code]").press("Enter")
    page.wait_for_url(f"{base}/me/")


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href], nav a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        href, _fragment = urldefrag(href)
        parts = urlparse(href)
        if f"{parts.scheme}://{parts.netloc}" != base:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not parts.path.startswith(AREAS) or parts.path.endswith(SKIP_SUFFIXES):
            continue
        if "/evidence/" in parts.path or "calendar" in parts.path and "feed" in parts.path:
            continue  # file downloads
        found.append(path)
    return found


def _check(page, base: str, path: str, setting: str, *, axe: bool = True,
           mode: dict[str, str] | None = None) -> tuple[bool, list[str]]:
    """Opens the page and checks it; (whether it opened, the problems, each naming the page).
    With `mode`, the page must also carry that display mode on <html> (so a mode that stopped
    applying fails here rather than crawling the standard look again)."""
    where = f"{path} ({setting})"
    response = page.goto(f"{base}{path}")
    if response is None or response.status >= 400:
        return False, [f"{where}: HTTP {response.status if response else 'none'}"]
    if "/accounts/" in urlparse(page.url).path:
        return False, [f"{where}: sent to {page.url}"]
    problems = []
    for name, value in (mode or {}).items():
        shown = page.get_attribute("html", "data-" + name.replace("_", "-"))
        if shown != value:
            problems.append(f"{where}: <html> carries {name}={shown!r}, not the chosen {value!r}")
    problems += [f"{where}: {problem}" for problem in page.evaluate(PHONE_CHECKS)]
    if axe:
        problems += [f"{where}: {violation}" for violation in axe_violations(page)]
    return True, problems


@pytest.mark.parametrize(
    ("email", "staff"),
    [
        ("peer@example.org", False),
        ("pro@example.org", False),
        ("manager@example.org", True),
        ("trainer@example.org", True),
        ("coordinator@example.org", True),
        ("admin@example.org", True),
    ],
)
def test_every_page_a_role_reaches_passes_axe_and_fits_a_phone(browser, live_server, demo, email, staff):  # noqa: F811
    base = live_server.url
    context = browser.new_context(viewport={"width": PHONE, "height": 800}, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, base, email, staff)

    # Every kind of page the role reaches, at 390 px in Japanese (no prefix), crawled.
    queue, seen, pages, problems = ["/me/", "/staff/"] if staff else ["/me/"], set(), [], []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        opened, found = _check(page, base, path, f"ja, {PHONE} px")
        problems += found
        if opened:
            pages.append(path)
            queue.extend(link for link in _links(page, base) if _shape(link) not in seen)

    # The same pages in English (under /en/): the phone checks (English words are longer); axe
    # ran on these templates in Japanese just now and runs again in each mode below.
    for path in pages:
        problems += _check(page, base, f"/en{path}", f"en, {PHONE} px", axe=False)[1]

    # One page of each kind at 320 px in each display mode, in Japanese. A signed-in person's
    # mode is their account's (it wins over the cookies), so the mode is saved there.
    page.set_viewport_size({"width": SMALL_PHONE, "height": 640})
    for number, mode in enumerate(MODES):
        User.objects.filter(email=email).update(**mode)
        checked = _small_phone_checked.setdefault(number, set())
        setting = f"ja, {SMALL_PHONE} px, " + ", ".join(f"{name}={value}" for name, value in mode.items())
        for path in pages:
            if _shape(path) not in checked:
                checked.add(_shape(path))
                problems += _check(page, base, path, setting, mode=mode)[1]
    User.objects.filter(email=email).update(**MODES[0])
    context.close()
    assert len(seen) >= 5, seen
    assert problems == [], f"{len(problems)} problems for {email}:\n" + "\n".join(problems)

