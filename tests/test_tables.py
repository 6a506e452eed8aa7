"""One list pattern (issue 15; the top of site/static/css/site.css): every table in a template
is either a list of records (`table.records`: cards on a phone, every cell labelled with its
column's name) or a table of numbers inside a focusable, labelled scroll region."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "node_modules", ".git", "staticfiles"}

TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
SCROLL_REGION = re.compile(r"<div\b([^>]*)>\s*$", re.S)
CELL = re.compile(r"<t[hd]\b([^>]*)>")


def _templates() -> list[Path]:
    return sorted(
        p for p in ROOT.rglob("*.html")
        if not SKIP & set(p.relative_to(ROOT).parts) and "templates" in p.parts
    )


def _is_records(attrs: str) -> bool:
    match = re.search(r'class="([^"]*)"', attrs)
    return bool(match) and "records" in match.group(1).split()


def _in_scroll_region(before: str) -> bool:
    """The table is the first thing inside `<div class="table-scroll" role="region" tabindex="0"`
    with a label (aria-labelledby or aria-label)."""
    match = SCROLL_REGION.search(before)
    if not match:
        return False
    attrs = match.group(1)
    classes = re.search(r'class="([^"]*)"', attrs)
    return (
        bool(classes) and "table-scroll" in classes.group(1).split()
        and 'role="region"' in attrs and 'tabindex="0"' in attrs
        and ("aria-labelledby=" in attrs or "aria-label=" in attrs)
    )


def problems_in(text: str, name: str = "template", read=None) -> list[str]:
    read = read or _template_source
    found = []
    for match in TABLE.finditer(text):
        attrs, inner = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        if _is_records(attrs):
            body = with_includes(inner.split("</thead>", 1)[-1], read)
            for cell in CELL.finditer(body):
                cell_attrs = cell.group(1)
                if "data-label=" in cell_attrs or "colspan=" in cell_attrs:
                    continue  # a labelled cell, or the one cell of an empty list or a group's row
                found.append(f"{name}:{line}: a records cell without data-label: <t…{cell_attrs}>")
        elif not _in_scroll_region(text[: match.start()]):
            found.append(f"{name}:{line}: a <table> neither class=\"records\" nor in a table-scroll region")
    return found


def test_every_table_is_records_or_a_labelled_scroll_region():
    templates = _templates()
    assert len(templates) > 100
    with_tables = [p for p in templates if "<table" in p.read_text()]
    assert len(with_tables) >= 25  # the check sees the tables it is about
    problems = [
        problem for p in with_tables
        for problem in problems_in(p.read_text(), str(p.relative_to(ROOT)))
    ]
    assert problems == [], "\n".join(problems)


def test_the_check_refuses_a_bare_table_an_unlabelled_region_and_an_unlabelled_cell():
    bare = '<div class="table-wrap"><table><tr><td>1</td></tr></table></div>'
    unlabelled_region = '<div class="table-scroll" role="region"><table><tr><td>1</td></tr></table></div>'
    cell = '<table class="records"><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
    assert len(problems_in(bare)) == 1
    assert len(problems_in(unlabelled_region)) == 1
    assert len(problems_in(cell)) == 1
    good_records = cell.replace("<td>1", '<td data-label="A">1').replace("</tbody>", '<tr><td colspan="1">none</td></tr></tbody>')
    good_scroll = '<div class="table-scroll" role="region" tabindex="0" aria-labelledby="h">\n<table><tr><td>1</td></tr></table></div>'
    assert problems_in(good_records) == [] and problems_in(good_scroll) == []


PLAIN_LIST = re.compile(r'<(ul|ol)\b([^>]*\bclass="[^"]*\bplain-list\b[^"]*"[^>]*)>(.*?)</\1>', re.S)
ITEM = re.compile(r"<li\b([^>]*)>(.*?)(?=<li\b|\Z)", re.S)
# A control: a form, a button, a field, or a link styled as a button.
CONTROL = re.compile(r'<(?:form|button|input|select|textarea)\b|<a\b[^>]*\bclass="(?:[^"]*\s)?button(?:[\s-][^"]*)?"')
INCLUDE = re.compile(r"""\{%\s*include\s+(["'])([^"']+)\1[^%]*%\}""")
TEMPLATE_DIRS = [ROOT / "site" / "templates"] + sorted(ROOT.glob("*/templates"))


def _template_source(name: str) -> str | None:
    for folder in TEMPLATE_DIRS:
        path = folder / name
        if path.is_file():
            return path.read_text()
    return None


def with_includes(text: str, read=_template_source, depth: int = 5) -> str:
    """The template's markup with every `{% include "…" %}` replaced, in place, by the included
    template's own markup (followed down to `depth` levels), so a list whose buttons come from an
    include is checked like one that writes them out. An include that cannot be found is an error:
    a check that silently skipped it would pass the very lists it is for."""
    if depth == 0:
        return text

    def expand(match: re.Match) -> str:
        source = read(match.group(2))
        assert source is not None, f"included template not found: {match.group(2)}"
        return with_includes(source, read, depth - 1)

    return INCLUDE.sub(expand, text)


def list_problems_in(text: str, name: str = "template", read=_template_source) -> list[str]:
    """A plain list whose items carry actions (a form, a button, a field) squeezes them into one
    line on a phone: such a list is a `table.records` (actions in `records-actions`) or a list of
    `li.card` (actions in `.card-actions`), both with full-width 44 px buttons."""
    found = []
    for match in PLAIN_LIST.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        for item in ITEM.finditer(with_includes(match.group(3), read)):
            classes = re.search(r'class="([^"]*)"', item.group(1))
            if classes and {"card", "field"} & set(classes.group(1).split()):
                continue  # a card, or a form's own field (a checkbox list inside one form)
            if CONTROL.search(item.group(2)):
                found.append(f"{name}:{line}: a plain-list item with a form control, not a card")
                break
    return found


def test_no_plain_list_item_carries_actions():
    problems = [
        problem for p in _templates()
        for problem in list_problems_in(p.read_text(), str(p.relative_to(ROOT)))
    ]
    assert problems == [], "\n".join(problems)


def test_the_list_check_refuses_a_bare_item_with_a_button_and_accepts_a_card():
    bare = '<ul class="plain-list">{% for a in xs %}<li>{{ a }} <form method="post"><button>Go</button></form></li>{% endfor %}</ul>'
    card = bare.replace("<li>", '<li class="card">')
    links = '<ul class="plain-list"><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul>'
    assert len(list_problems_in(bare)) == 1
    assert list_problems_in(card) == [] and list_problems_in(links) == []


def test_the_checks_follow_includes():
    """A list whose button, or a table whose row, comes from an `{% include %}` is checked as if
    the included markup were written out in place (the slip of "Courses completed" on
    /me/training/, whose form came from training/_public_name_form.html)."""
    made_up = {
        "_form.html": '<form method="post"><button>Hide</button></form>',
        "_nested.html": '{% include "_form.html" %}',
        "_link.html": '<a class="button button-quiet" href="/x">Revoke</a>',
        "_row.html": "<tr><td>1</td></tr>",
        "_labelled_row.html": '<tr><td data-label="A">1</td></tr>',
    }
    read = made_up.get
    via_include = '<ul class="plain-list">{% for a in xs %}<li>{{ a }} {% include "_form.html" with x=a %}</li>{% endfor %}</ul>'
    assert len(list_problems_in(via_include, read=read)) == 1
    assert len(list_problems_in(via_include.replace("_form.html", "_nested.html"), read=read)) == 1
    assert len(list_problems_in(via_include.replace("_form.html", "_link.html"), read=read)) == 1
    assert list_problems_in(via_include.replace("<li>", '<li class="card">'), read=read) == []
    row = '<table class="records"><thead><tr><th scope="col">A</th></tr></thead><tbody>{% include "_row.html" %}</tbody></table>'
    assert len(problems_in(row, read=read)) == 1
    assert problems_in(row.replace("_row.html", "_labelled_row.html"), read=read) == []
    # An include the check cannot find fails loudly rather than passing the list unread.
    try:
        list_problems_in(via_include.replace("_form.html", "_missing.html"), read=read)
    except AssertionError as error:
        assert "_missing.html" in str(error)
    else:
        raise AssertionError("a missing include was skipped")


def test_the_includes_of_real_templates_are_found():
    me = (ROOT / "site/templates/training/me.html").read_text()
    expanded = with_includes(me)
    assert "{% include" not in expanded and "Hide my name there" in expanded


# Lists of records that were plain lists on phones (issue 15's walk): each is now a records table.
RECORD_LISTS = {
    "site/templates/collaboration/meeting_detail.html": ["materials-heading"],
    "site/templates/collaboration/staff/meeting.html": ["mat-heading", 'id="action_status"'],
    "site/templates/collaboration/body_detail.html": ["members-heading", "meetings-heading"],
    "site/templates/collaboration/meeting_list.html": ["upcoming-heading", "past-heading"],
    "site/templates/peers/organisation_detail.html": ["people-heading"],
    "site/templates/peers/consent.html": ["purposes-heading"],
    "site/templates/training/me.html": ["applications-heading", "completions-heading"],
    "site/templates/training/staff/cohort_detail.html": ["days-heading"],
}


def test_the_short_record_lists_are_records_tables():
    for path, markers in RECORD_LISTS.items():
        text = (ROOT / path).read_text()
        tables = [m.group(1) for m in TABLE.finditer(text) if _is_records(m.group(1))]
        for marker in markers:
            assert any(marker in attrs for attrs in tables), f"{path}: the list {marker} is not a table.records"
        assert problems_in(text, path) == []
