"""The crawl's phone checks (phone_checks.js, used by test_crawl.py) see each fault they name, on
a page with one such fault, and let through what the rules allow. No database, no server."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser]

PHONE_CHECKS = (Path(__file__).parent / "phone_checks.js").read_text(encoding="utf-8")
SMALL_PHONE = 320



# A page with one of each fault the phone checks look for, and its fixed twin, so the checks
# themselves are known to see what they name.
_FAULTS = """<!DOCTYPE html><html lang="{lang}"><head><style>
  body {{ margin: 0; font: 18px sans-serif; overflow-wrap: anywhere; }}
  .squeeze td {{ width: 1px; }}
  .box {{ width: 100px; overflow-wrap: normal; }}
  .tiny {{ display: inline-block; width: 16px; height: 16px; }}
  .visually-hidden {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }}
  .table-scroll {{ overflow-x: auto; }}
  .wide {{ width: 600px; }}
</style></head><body><main>
  {body}
</main></body></html>"""


@pytest.mark.parametrize(
    ("lang", "body", "expected"),
    [
        ("en", '<div class="wide">wide</div>', "the page scrolls sideways"),
        ("ja", '<table class="squeeze"><tr><td>研修機関</td><td>x</td></tr></table>', "squeezes 1 cell(s)"),
        ("en", '<button style="width: 30px; padding: 0">Confirm</button>', '("Confirm"): its word "Confirm" needs'),
        ("en", '<p class="box">Supercalifragilisticexpialidocious</p>', "overflows its box"),
        ("en", '<p><a class="tiny" href="#a">a</a><a class="tiny" href="#b">b</a></p>', "under 24 x 24"),
    ],
)
def test_phone_checks_see_each_fault(browser, lang, body, expected):
    page = browser.new_page(viewport={"width": SMALL_PHONE, "height": 640})
    page.set_content(_FAULTS.format(lang=lang, body=body))
    problems = page.evaluate(PHONE_CHECKS)
    page.close()
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    "body",
    [
        '<div class="table-scroll" role="region" tabindex="0" aria-label="t"><div class="wide">wide</div></div>',
        "<table><tr><td>研修機関</td><td>x</td></tr></table>",
        '<p class="box"><span class="visually-hidden">Supercalifragilisticexpialidocious</span></p>',
        '<p>Read <a href="#a">this</a> and <a href="#b">that</a> first.</p>',
        '<p><a class="tiny" href="#a">a</a> <span style="margin-left: 30px"></span><a class="tiny" href="#b">b</a></p>',
    ],
)
def test_phone_checks_allow_what_the_rules_allow(browser, body):
    """Scrolling inside a `.table-scroll` region, visually hidden text, links in a sentence,
    and undersized targets far enough apart (WCAG 2.5.8's spacing exception)."""
    page = browser.new_page(viewport={"width": SMALL_PHONE, "height": 640})
    page.set_content(_FAULTS.format(lang="ja", body=body))
    problems = page.evaluate(PHONE_CHECKS)
    page.close()
    assert problems == []
