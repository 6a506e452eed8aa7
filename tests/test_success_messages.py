"""Every page action ends with a message that says what changed and what happens next (issue 15,
forms lead). The URL patterns of our apps' pages are walked (not the JSON API, Wagtail's or
allauth's own views); a view that accepts POST must reach a `messages.success` or
`messages.info` call (in itself or in a helper of its module it calls), unless it is excused
below with a reason. Each such message is translated into Japanese and has two parts: what
changed, then what happens next (or what the person can do now). The texts shown are checked
on real pages in tests/test_success_message_pages.py."""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from functools import cache

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

OUR_NAMESPACES = {"peers", "training", "collaboration", "activity", "comparisons", "cms"}
OUR_MODULES = ("peers.", "training.", "collaboration.", "comparisons.", "cms.", "config.")

# Views that accept POST and end without a success message, each with why.
EXCUSED = {
    "set_language": "switching language: the page itself comes back in the chosen language",
    "peers:furigana_switch": "the header's furigana button: the same page comes back with or without readings",
    "csp_report": "the browser's CSP reports, a machine endpoint with no page",
    "peers:api_tokens": "a new token is shown once on its own page, which says what to do with it",
    "peers:import": "the import answers with its own result page (rows added, changed, refused)",
    "comparisons:compare": "an uploaded table is compared and the result shown on the page; nothing is stored",
    "collaboration:meeting_room_post": "the room without JavaScript: the message appears in the room",
    "training:credential_check": "checking a credential changes nothing: the page shows the result of the check",
}

_ACCEPTS_POST = re.compile(r"request\.POST|request\.method|require_POST|require_http_methods")


def _patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from _patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def _page_views():
    """(name, view function) for every page of ours, each once."""
    seen = {}
    for namespace, pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        module = getattr(view, "__module__", "") or ""
        if not module.startswith(OUR_MODULES) or ".api" in module:
            continue
        if namespace and namespace not in OUR_NAMESPACES:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        seen.setdefault(name, view)
    return sorted(seen.items())


def _accepts_post(view) -> bool:
    # The source with its decorators (inspect keeps them), so @require_POST counts.
    return bool(_ACCEPTS_POST.search(inspect.getsource(view)))


@cache
def _module_functions(module_name: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    for node in functions.values():
        node.module_name = module_name  # read by _texts for the module's tables of messages
    return functions


@cache
def _module_tables(module_name: str) -> dict[str, ast.Dict]:
    """The module's top-level `NAME = {key: _("..."), …}` tables, such as CERTIFICATION_DONE."""
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    return {
        target.id: node.value for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
        for target in node.targets if isinstance(target, ast.Name)
    }


PLURALS: dict[str, str] = {}  # plural msgid -> its singular, met while reading ngettext calls


def _texts(node, function: ast.FunctionDef) -> list[str]:
    """The msgids an expression can be: _("..."), ngettext("...", "...", n), either branch of an
    `a if c else b`, a `% {...}` of one, a local name assigned one of these, or `TABLE[key]` of a
    module-level table of them (every value counts)."""
    while isinstance(node, ast.BinOp):  # _("...") % {...}
        node = node.left
    if isinstance(node, ast.IfExp):
        return _texts(node.body, function) + _texts(node.orelse, function)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "plain":
        return _texts(node.args[0], function)  # plain(_("..."), "やさしい…"): the msgid is the first (peers/plain.py)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "ngettext" and all(isinstance(a, ast.Constant) for a in node.args[:2]):
            PLURALS[node.args[1].value] = node.args[0].value
        return [a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        # TABLE[action]: any message of a module-level table can be the one shown.
        table = _module_tables(getattr(function, "module_name", "")).get(node.value.id) if hasattr(
            function, "module_name") else None
        return [text for value in (table.values if table else []) for text in _texts(value, function)]
    if isinstance(node, ast.Name):
        found = []
        for assign in ast.walk(function):
            if isinstance(assign, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in assign.targets
            ):
                found.extend(_texts(assign.value, function))
        return found
    return []


def success_messages(view) -> list[str]:
    """The success/info messages the view can show, through its module's helpers too."""
    functions = _module_functions(view.__module__)
    found, todo, done = [], [view.__name__], set()
    while todo:
        name = todo.pop()
        if name in done or name not in functions:
            continue
        done.add(name)
        for node in ast.walk(functions[name]):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in ("success", "info")
                    and isinstance(func.value, ast.Name) and func.value.id == "messages"):
                found.extend(_texts(node.args[1], functions[name]) if len(node.args) > 1 else [])
            elif isinstance(func, ast.Name):
                todo.append(func.id)
    return found


POST_VIEWS = [(name, view) for name, view in _page_views() if _accepts_post(view)]


def test_the_walk_finds_the_page_actions_of_every_app():
    names = {name for name, _view in POST_VIEWS}
    for expected in ("peers:profile", "training:cohort_apply", "collaboration:meeting_reply",
                     "activity:entry_new", "set_language"):
        assert expected in names
    assert not any(name.startswith("api") for name in names)


@pytest.mark.parametrize(("name", "view"), POST_VIEWS, ids=[name for name, _view in POST_VIEWS])
def test_every_page_action_ends_with_a_success_message_or_is_excused(name, view):
    texts = success_messages(view)
    if name in EXCUSED:
        assert not texts, f"{name} shows a success message now: take it off the excused list"
        return
    assert texts, (
        f"{name} ({view.__module__}.{view.__name__}) accepts POST but shows no messages.success: "
        "say what changed and what happens next, or excuse it in EXCUSED with a reason"
    )


def test_the_excused_list_names_only_page_actions():
    names = {name for name, _view in POST_VIEWS}
    assert set(EXCUSED) <= names, set(EXCUSED) - names


ALL_TEXTS = sorted({text for _name, view in POST_VIEWS for text in success_messages(view)})


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_each_success_message_says_what_changed_and_what_happens_next(text):
    # Two parts: a sentence (or clause) for the change, one for what follows.
    parts = [p for p in re.split(r"(?<=[.;:!?])\s+", text.strip()) if p]
    assert len(parts) >= 2, f"one part only: {text!r} (say what happens next)"
    with translation.override("ja"):
        japanese = (translation.ngettext(PLURALS[text], text, 2) if text in PLURALS
                    else translation.gettext(text))
    assert japanese != text and re.search(r"[ぁ-んァ-ン一-龥]", japanese), f"no Japanese for {text!r}"


def test_the_walk_reads_a_table_of_messages():
    """CERTIFICATION_DONE[action] once hid one-part messages ("The certification has been
    revoked.") from the check above."""
    from training.views import staff

    texts = success_messages(inspect.unwrap(staff.certification_detail))
    assert any(text.startswith("The certification has been revoked.") for text in texts)
    assert any(text.startswith("The certification has been suspended.") for text in texts)


def test_the_message_region_is_a_polite_live_region_that_takes_the_focus():
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR, "site", "templates", "base.html").read_text()
    region = re.search(r'<div class="messages"[^>]*>', base).group(0)
    assert 'role="status"' in region and 'tabindex="-1"' in region and "data-messages" in region
    script = Path(settings.BASE_DIR, "site", "static", "js", "forms.js").read_text()
    assert textwrap.dedent('querySelector("[data-messages]")') in script
