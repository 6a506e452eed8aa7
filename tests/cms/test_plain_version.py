"""やさしい日本語 versions of website pages: an optional plain body on the Japanese page, shown
instead of the body to readers whose wording is plain (account, else cookie), with a note that
it exists; the page cache keeps the two apart; translations start without it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from wagtail.models import Locale

from cms.cache import HIT_HEADER
from cms.models import ContentPage, PrivacyPolicyPage
from peers.models import Role, User
from tests.conftest import login_as

pytestmark = pytest.mark.django_db

STANDARD = "精神障がいの経験を持つ人が"  # the demo's standard body of /about-peer-support/
PLAIN = "こころの 病気に なった 人が います。"  # its plain version (cms/demo.py)
OFFER = "やさしい日本語の版もあります"
WRITTEN_PLAIN = "やさしい にほんご で 書いて います"


def text_of(response) -> str:
    """The page's text as read, without the readings' markup."""
    body = response.content.decode()
    return re.sub(r"<rp>\(</rp><rt>[^<]*</rt><rp>\)</rp>|</?ruby>", "", body)


def _visitor(wording: str | None = None) -> Client:
    client = Client()
    if wording:
        client.cookies["wording"] = wording
    return client


def test_a_visitor_with_the_standard_wording_reads_the_body_and_is_offered_the_plain_one(demo):
    response = _visitor().get("/about-peer-support/")
    page = text_of(response)
    assert STANDARD in page and PLAIN not in page
    assert OFFER in page
    assert 'name="wording" value="plain"' in page
    assert "csrfmiddlewaretoken" not in page  # a visitor's page stays cacheable


def test_a_visitor_who_chose_plain_wording_reads_the_plain_body_with_a_way_back(demo):
    response = _visitor("plain").get("/about-peer-support/")
    page = text_of(response)
    assert PLAIN in page and STANDARD not in page
    assert WRITTEN_PLAIN in page and OFFER not in page
    assert 'name="wording" value="standard"' in page
    # The plain body carries furigana (plain wording implies them), on the plain text's blocks.
    assert "<rt>びょうき</rt>" in response.content.decode()


def test_the_account_setting_chooses_the_plain_body_for_a_signed_in_person(demo):
    user = User.objects.get(email="peer@example.org")
    user.wording = "plain"
    user.save(update_fields=["wording"])
    client = Client()
    client.cookies["wording"] = "standard"  # the account wins over a cookie
    login_as(client, user)
    page = text_of(client.get("/about-peer-support/"))
    assert PLAIN in page and STANDARD not in page
    user.wording = "standard"
    user.save(update_fields=["wording"])
    page = text_of(client.get("/about-peer-support/"))
    assert STANDARD in page and PLAIN not in page and OFFER in page


def test_a_page_without_a_plain_body_shows_its_body_and_no_note_to_plain_readers(demo):
    page = text_of(_visitor("plain").get("/training-and-certification/"))
    assert "認定証の番号は" in page
    assert OFFER not in page and WRITTEN_PLAIN not in page


def test_the_page_cache_never_serves_one_wording_to_the_other(demo):
    standard, plain = _visitor(), _visitor("plain")
    first = standard.get("/about-peer-support/")
    assert HIT_HEADER not in first
    plain_first = plain.get("/about-peer-support/")
    assert HIT_HEADER not in plain_first  # a separate copy, not the standard one
    assert PLAIN in text_of(plain_first)
    again = standard.get("/about-peer-support/")
    assert again[HIT_HEADER] == "hit" and STANDARD in text_of(again) and PLAIN not in text_of(again)
    plain_again = plain.get("/about-peer-support/")
    assert plain_again[HIT_HEADER] == "hit" and PLAIN in text_of(plain_again)
    assert STANDARD not in text_of(plain_again)


def test_english_pages_ignore_the_wording_and_translations_start_without_a_plain_body(demo):
    english = ContentPage.objects.get(slug="about-peer-support", locale__language_code="en")
    assert not english.plain_body
    page = text_of(_visitor("plain").get("/en/about-peer-support/"))
    assert "What peer supporters do" in page and "plain Japanese" not in page
    # Even a plain body left on an English page (say, pasted by an editor) is never shown.
    japanese = ContentPage.objects.get(slug="about-peer-support", locale__language_code="ja")
    english.plain_body = japanese.plain_body.raw_data
    english.save_revision().publish()
    page = text_of(_visitor("plain").get("/en/about-peer-support/"))
    assert PLAIN not in page and "What peer supporters do" in page


def test_a_rich_text_page_offers_its_plain_version_too(demo):
    policy = PrivacyPolicyPage.objects.get(locale__language_code="ja")
    policy.plain_body = "<p>あなたの 名前を 大切に します。</p>"
    policy.save_revision().publish()
    assert "あなたの 名前を 大切に します。" in text_of(_visitor("plain").get("/privacy/"))
    standard = text_of(_visitor().get("/privacy/"))
    assert "集める情報" in standard and OFFER in standard
    # And a copy into a new language leaves the plain body behind.
    locale = Locale.objects.get_or_create(language_code="fr")[0]
    assert not policy.copy_for_translation(locale, copy_parents=True).plain_body


def test_the_note_button_switches_a_visitors_wording_and_comes_back(demo):
    client = _visitor()
    response = client.post("/display/furigana/", {"wording": "plain", "next": "/about-peer-support/"})
    assert response.status_code == 302 and response["Location"] == "/about-peer-support/"
    assert response.cookies["wording"].value == "plain"
    assert PLAIN in text_of(client.get("/about-peer-support/"))
    client.post("/display/furigana/", {"wording": "standard", "next": "/about-peer-support/"})
    assert STANDARD in text_of(client.get("/about-peer-support/"))
    # An unknown value changes nothing.
    response = client.post("/display/furigana/", {"wording": "<b>", "next": "/about-peer-support/"})
    assert response.status_code == 302 and "wording" not in response.cookies


def test_the_note_button_saves_a_signed_in_persons_setting(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    client.post("/display/furigana/", {"wording": "plain", "next": "/"})
    user.refresh_from_db()
    assert user.wording == "plain"


def test_the_editor_sees_the_plain_body_panel_in_japanese(client, demo):
    login_as(client, User.objects.get(email="admin@example.org"))
    page = ContentPage.objects.get(slug="about-peer-support", locale__language_code="ja")
    html = client.get(f"/cms-admin/pages/{page.pk}/edit/").content.decode()
    assert "本文（やさしい日本語）" in html
    assert "日本語のページだけ" in html
