"""The Wagtail admin is Japanese for Japanese editors, our own labels included: page type names,
field labels and help texts, panel headings, StreamField block labels (the block chooser is
built from them), the navigation setting and the snippets menu."""

import html
import re

import pytest
from django.utils import translation
from wagtail.blocks import Block
from wagtail.fields import StreamField
from wagtail.models import Page, Site

from cms.models import AccessibilityStatementPage, NavigationSettings
from peers.models import User
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def _both(text) -> tuple[str, str]:
    with translation.override("ja"):
        ja = str(text)
    with translation.override("en"):
        en = str(text)
    return ja, en


def _block_labels(block: Block):
    if block.label:
        yield block.label
    if type(block).__module__.startswith("cms."):  # Wagtail's own blocks (ImageBlock) label their parts
        for child in getattr(block, "child_blocks", {}).values():
            yield from _block_labels(child)
    if hasattr(block, "child_block"):
        yield from _block_labels(block.child_block)


def _our_labels(model) -> list:
    """The labels we wrote for a page type or setting: its name, its own fields' labels and help
    texts, its panels' headings and its StreamFields' block labels."""
    labels = [model._meta.verbose_name]
    for field in model._meta.get_fields():
        if getattr(field, "model", None) is not model or field.name.endswith("_ptr") or field.name == "id":
            continue
        if field.name == "site":
            continue
        labels += [field.verbose_name, field.help_text]
        if isinstance(field, StreamField):
            labels += list(_block_labels(field.stream_block))
    for panel in getattr(model, "content_panels", []):
        labels.append(getattr(panel, "heading", ""))
    return [label for label in labels if label and not isinstance(label, str)]  # lazy ones only


def _decoded(response) -> str:
    text = html.unescape(response.content.decode())
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)  # telepath JSON
    return html.unescape(text)


def _english_shows(en: str, page: str) -> bool:
    # Single short words ("body", "text") are also CSS classes and block names: only labels of
    # more than one word, or long words, are looked for (block names such as "questions" too).
    if " " not in en and len(en) < 12:
        return False
    return re.search(r"(?<![\w-])" + re.escape(en) + r"(?![\w-])", page, re.IGNORECASE) is not None


@pytest.fixture
def editor(client, demo):
    login_as(client, User.objects.get(email="admin@example.org"))
    return client


def test_every_page_types_edit_form_shows_our_labels_in_japanese(editor):
    kinds = {}
    for page in Page.objects.filter(locale__language_code="ja", depth__gt=1).specific():
        kinds.setdefault(type(page), page)
    assert AccessibilityStatementPage in kinds and len(kinds) >= 10
    missing, english = [], []
    for model, page in kinds.items():
        response = editor.get(f"/cms-admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, model
        assert re.search(r'<html[^>]*lang="ja"', response.content.decode()), model
        text = _decoded(response)
        plural_ja, plural_en = _both(model._meta.verbose_name_plural)
        assert not re.search(r"[^\x00-\x7f]s$", plural_ja), f"{model.__name__}: “{plural_ja}”"
        for label in _our_labels(model):
            ja, en = _both(label)
            assert ja != en, f"{model.__name__}: “{en}” has no Japanese translation"
            if ja not in text:
                missing.append((model.__name__, ja))
            if _english_shows(en, text):
                english.append((model.__name__, en))
    assert not missing, missing
    assert not english, english


def test_block_chooser_offers_our_blocks_in_japanese(editor):
    page = Page.objects.get(slug="about-peer-support", locale__language_code="ja")
    text = _decoded(editor.get(f"/cms-admin/pages/{page.pk}/edit/"))
    from cms.blocks import BodyBlock

    for name, block in BodyBlock().child_blocks.items():
        ja, en = _both(block.label)
        assert f'"label": "{ja}"' in text, name
    for english in ("call to action", "frequently asked questions", "who said it", "button label", "or address"):
        assert not _english_shows(english, text), english


def test_navigation_setting_and_snippet_menu_are_in_japanese(editor):
    site = Site.objects.get(is_default_site=True)
    text = _decoded(editor.get(f"/cms-admin/settings/cms/navigationsettings/{site.pk}/"))
    for label in _our_labels(NavigationSettings):
        ja, en = _both(label)
        assert ja in text, en
        assert not _english_shows(en, text), en
    for name in ("other address", "label in Japanese", "label in English"):
        ja, en = _both(translation.gettext_lazy(name))
        assert ja in text and not _english_shows(en, text), en
    from wagtail.snippets.models import get_snippet_models

    snippets = _decoded(editor.get("/cms-admin/snippets/"))
    for model in get_snippet_models():
        ja, en = _both(model._meta.verbose_name_plural)
        assert ja in snippets, en
