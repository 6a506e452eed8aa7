"""Lists of records on a phone (issue 15): my engagements and the verification queue are cards
at 320 and 390 px in Japanese and English (the header row visually hidden, every cell showing its
column's name, the actions full-width and at least 44 px tall, no word cut, nothing sideways), and
a real table with visible headers at 1024 px."""

import pytest

from .test_crawl import _sign_in
from .test_sign_in import demo  # noqa: F401 - the demo fixture restores seeds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = {"ja": "", "en": "/en"}

# What a phone shows of a records table, measured in the page.
CARDS = """table => {
  const thead = table.querySelector('thead').getBoundingClientRect();
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const rows = [...table.querySelectorAll('tbody tr')].map(tr => {
    const cells = [...tr.children];
    return {
      display: getComputedStyle(tr).display,
      full: cells.length === headers.length,
      cells: cells.map(cell => {
        const before = getComputedStyle(cell, '::before');
        return {
          tag: cell.tagName, label: cell.dataset.label ?? null, rowHeader: cell.getAttribute('scope') === 'row',
          shown: before.display !== 'none' ? before.content : null, visible: cell.getClientRects().length > 0,
        };
      }),
    };
  });
  return {theadWidth: thead.width, theadHeight: thead.height, headers, rows};
}"""

# Every cell at least as wide as the widest word in it (Intl.Segmenter, the page's language), the
# way the crawl checks it: a word measured on one line in the cell's own font.
NARROW_CELLS = """table => {
  const lang = document.documentElement.lang;
  const words = new Intl.Segmenter(lang, {granularity: 'word'});
  const found = [];
  for (const cell of table.querySelectorAll('tbody th, tbody td')) {
    if (!cell.getClientRects().length) continue;
    const style = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const probe = document.createElement('span');
    probe.style.whiteSpace = 'nowrap';
    probe.style.font = style.font;
    probe.style.letterSpacing = style.letterSpacing;
    cell.appendChild(probe);
    for (const {segment, isWordLike} of words.segment(cell.innerText)) {
      if (!isWordLike) continue;
      probe.textContent = segment;
      if (probe.getBoundingClientRect().width > room + 0.5) found.push(`${segment} (${room}px)`);
    }
    probe.remove();
  }
  return found;
}"""


def _assert_cards(page, where: str, width: int, table: str = "table.records") -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{where} scrolls sideways"
    table = page.locator(table).first
    shape = table.evaluate(CARDS)
    assert shape["theadWidth"] <= 1 and shape["theadHeight"] <= 1, f"{where}: the header row shows"
    assert shape["rows"], where
    for row in shape["rows"]:
        assert row["display"] == "block", f"{where}: a row is not a card"
        for i, cell in enumerate(row["cells"]):
            if not cell["visible"]:
                continue  # an empty cell is left out of the card
            assert cell["label"], f"{where}: a cell without its column's name"
            if row["full"]:
                assert cell["label"] == shape["headers"][i], f"{where}: {cell['label']} is not its header"
            if cell["rowHeader"]:
                assert cell["tag"] == "TH" and cell["shown"] is None  # the card's title, unlabelled
            else:
                assert cell["shown"] == f'"{cell["label"]}"', f"{where}: {cell['label']} not shown"
    assert table.evaluate(NARROW_CELLS) == [], f"{where}: a cell is narrower than a word in it"


def _assert_full_width_action(page, action, where: str) -> None:
    box = action.bounding_box()
    cell = action.locator("xpath=ancestor::td[1]").bounding_box()
    assert box["height"] >= 44, f"{where}: the action is {box['height']} px tall"
    assert box["width"] >= cell["width"] - 1, f"{where}: the action is {box['width']} of {cell['width']} px"
    assert box["width"] >= 44


def _assert_table(page, where: str, table: str = "table.records") -> None:
    table = page.locator(table).first
    assert table.evaluate("t => getComputedStyle(t).display") == "table", where
    assert table.locator("thead th").first.is_visible(), where
    assert table.locator("thead").bounding_box()["height"] > 20, where
    assert table.locator("tbody tr").first.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024, where


def _walk(browser, base, email, staff, path, action_of, table: str = "table.records"):
    """One sign-in, then each language at each width (the language is the address's prefix)."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="ja-JP")
    page = context.new_page()
    _sign_in(page, base, email, staff)
    for lang, prefix in LANGUAGES.items():
        for width in (320, 390, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}{prefix}{path}")
            assert page.locator("html").get_attribute("lang") == lang
            where = f"{prefix}{path} at {width} px"
            if width == 1024:
                _assert_table(page, where, table)
            else:
                _assert_cards(page, where, width, table)
                _assert_full_width_action(page, action_of(page), where)
    context.close()


def test_my_engagements_are_cards_on_a_phone_and_a_table_on_a_wide_screen(browser, live_server, demo):  # noqa: F811
    _walk(
        browser, live_server.url, "peer@example.org", False, "/me/engagements/",
        lambda page: page.locator("table.records a.change-terms").first,
    )


def test_the_verification_queue_is_cards_on_a_phone_and_a_table_on_a_wide_screen(browser, live_server, demo):  # noqa: F811
    from collaboration.activity.models import ActivityEntry, EntryStatus
    from peers.access import acting_for_system
    from peers.models import User
    from peers.selectors import organisation_list_managed_by

    manager = acting_for_system(User.objects.get(email="manager@example.org"))
    managed = organisation_list_managed_by(manager).values_list("pk", flat=True)
    waiting = ActivityEntry.objects.filter(status=EntryStatus.SUBMITTED, organisation_id__in=managed).first()
    assert waiting is not None, "the demo leaves entries waiting at the manager's organisation"
    _walk(
        browser, live_server.url, "manager@example.org", True,
        f"/staff/activity/organisations/{waiting.organisation_id}/queue/",
        lambda page: page.locator("table.records td.records-actions button").first,
    )


def test_courses_completed_are_cards_on_a_phone_and_a_table_on_a_wide_screen(browser, live_server, demo):  # noqa: F811
    """"Courses completed" on /me/training/ was a plain list whose form came from an include
    (training/_public_name_form.html), which tests/test_tables.py did not follow."""
    from peers.models import User
    from training.models import Completion

    assert Completion.objects.filter(person=User.objects.get(email="peer@example.org")).exists(), \
        "the demo peer has completed a course"
    _walk(
        browser, live_server.url, "peer@example.org", False, "/me/training/",
        lambda page: page.locator(f"{COMPLETIONS} td.records-actions a").first, COMPLETIONS,
    )


COMPLETIONS = 'table.records[aria-labelledby="completions-heading"]'
