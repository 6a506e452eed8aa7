"""Every page each demo role can reach from its own menus, in a real Chromium on a 320 px
phone: it opens, axe-core finds no WCAG 2.2 AA violation, and nothing scrolls sideways.

A crawl rather than a list, so a page added later is checked without anyone remembering to.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlparse

import pyotp
import pytest

from .test_sign_in import axe_violations, demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where a signed-in person's own pages live; everything else (the public site, the editors'
# admin, downloads, sign-out) is checked elsewhere or is not a page.
AREAS = ("/me/", "/staff/", "/organisations/", "/directory/", "/meetings/", "/training/", "/account/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".json", ".txt", ".zip")
PAGES_PER_ROLE = 50


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
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, base, email, staff)
    queue, seen, problems = ["/me/", "/staff/"] if staff else ["/me/"], set(), []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        response = page.goto(f"{base}{path}")
        if response is None or response.status >= 400:
            problems.append(f"{path}: HTTP {response.status if response else 'none'}")
            continue
        if urlparse(page.url).path.startswith("/accounts/"):
            problems.append(f"{path}: sent to {page.url}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            problems.append(f"{path}: scrolls sideways at 320 px ({width} px)")
        problems.extend(f"{path}: {v}" for v in axe_violations(page))
        queue.extend(link for link in _links(page, base) if _shape(link) not in seen)
    context.close()
    assert len(seen) >= 5, seen
    assert problems == [], "\n".join(problems)
