"""Furigana on request: readings over kanji on pages and in emails, for whoever asked (cookie
`furigana=on`, or the account), never inside attributes, form values, code or numbers."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from peers.furigana import readings_dictionary, ruby_document, ruby_html, ruby_parts, ruby_text
from peers.japanese import to_hiragana
from peers.mail import email_templates
from peers.models import Role, User
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def ruby(word: str, reading: str) -> str:
    return f"<ruby>{word}<rp>(</rp><rt>{reading}</rt><rp>)</rp></ruby>"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


# --- The text module -------------------------------------------------------------------------


def test_readings_go_over_the_kanji_and_the_written_kana_stay_outside():
    assert ruby_html("研修を受ける") == ruby("研修", "けんしゅう") + "を" + ruby("受", "う") + "ける"
    assert ruby_html("取り扱い") == ruby("取", "と") + "り" + ruby("扱", "あつか") + "い"
    assert ruby_html("ひらがなだけ") == "ひらがなだけ"
    assert ruby_parts("申し込み", "もうしこみ") == (("申", "もう"), ("し", ""), ("込", "こ"), ("み", ""))


def test_the_domain_dictionary_wins_over_the_analyser():
    # The analyser splits 当事者 into 当事 + 者; the dictionary keeps the term whole.
    assert ruby_html("当事者が参加する") == ruby("当事者", "とうじしゃ") + "が" + ruby("参加", "さんか") + "する"
    assert ruby("協議", "きょうぎ") + "の" + ruby("場", "ば") in ruby_html("協議の場で話す")
    assert ruby("常勤換算", "じょうきんかんさん") in ruby_html("常勤換算で0.5以上")
    assert ruby("圏域", "けんいき") in ruby_html("障害保健福祉圏域ごとに")
    # UniDic reads 所 しょ after 保健 and 相談: the dictionary says じょ.
    assert ruby_html("保健所に相談する") == ruby("保健所", "ほけんじょ") + "に" + ruby("相談", "そうだん") + "する"
    # UniDic's kana for 言う is its spoken form ユウ: written, it is いう.
    assert ruby_html("かんたんに言うと") == "かんたんに" + ruby("言", "い") + "うと"


def test_every_dictionary_line_is_a_word_with_a_reading_in_hiragana():
    entries = readings_dictionary()
    assert {"協議の場", "当事者", "圏域", "常勤換算", "ピアサポーター"} <= set(entries)
    for word, reading in entries.items():
        assert reading == to_hiragana(reading)
        assert re.fullmatch(r"[ぁ-ゖー]*", reading), word
        # A word with kanji needs its reading; one without keeps none.
        assert bool(reading) == bool(re.search(r"[一-龥々]", word)), word


def test_person_names_get_no_guessed_reading():
    assert "<rt>" not in ruby_html("山田花子")


def test_text_form_for_emails_keeps_links_addresses_and_numbers():
    text = "研修の案内 https://example.jp/研修/ taro@example.jp 2026-0001"
    assert ruby_text(text) == "研修(けんしゅう)の案内(あんない) https://example.jp/研修/ taro@example.jp 2026-0001"


def test_html_structure_attributes_form_values_and_code_are_kept():
    page = (
        '<!DOCTYPE html><html lang="ja"><head><title>研修</title><meta name="description" content="研修">'
        '<script>const a = "研修";</script><style>p::after{content:"研修"}</style></head><body>'
        '<p class="lead" title="研修の案内" aria-label="研修">研修&amp;会議 &#x5b;1&#x5d;</p>'
        '<form><input name="q" value="研修"><textarea name="t">研修</textarea>'
        '<select name="s"><option value="研修">研修</option></select></form>'
        '<pre>研修</pre><code>研修</code><span lang="en">Kakehashi 研修</span>'
        '<dd data-no-furigana>認定 KPS-2026-0001</dd><p translate="no">認定</p><!-- 研修 --></body></html>'
    )
    out = ruby_document(page)
    # Everything but the one paragraph's text is byte for byte as it came.
    expected = page.replace(">研修&amp;会議 &#x5b;1&#x5d;</p>",
                            ">" + ruby("研修", "けんしゅう") + "&amp;" + ruby("会議", "かいぎ") + " &#x5b;1&#x5d;</p>")
    assert out == expected
    assert out.count("<ruby>") == 2


# --- Pages -----------------------------------------------------------------------------------


def test_a_visitor_with_the_cookie_reads_the_sign_in_page_with_readings_and_untouched_form():
    plain = Client().get("/accounts/login/").content.decode()
    client = Client()
    client.cookies["furigana"] = "on"
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert 'data-furigana="on"' in html_tag(response)
    assert ruby("招待", "しょうたい") in body  # 招待: the invitation, in the page's help text
    assert "<ruby>" not in plain and 'data-furigana="off"' in plain
    # The <head>, the form's fields and the CSRF token's value are as they were.
    assert body.split("<body")[0] == plain.split("<body")[0].replace('data-furigana="off"', 'data-furigana="on"')
    for tag in re.findall(r"<input[^>]*>", body):
        assert "<ruby>" not in tag and "<rt>" not in tag
    assert len(re.findall(r"<input[^>]*>", body)) == len(re.findall(r"<input[^>]*>", plain))
    # Without the ruby, the page is the same page: only readings were added (the header's switch
    # offers the other choice; tokens and nonces differ per request).
    strip = re.compile(r"<rp>\(</rp><rt>[^<]*</rt><rp>\)</rp>|</?ruby>")
    same = re.compile(r'(value|nonce)="[A-Za-z0-9+/=_-]{16,}"')
    assert same.sub("X", strip.sub("", body)) == same.sub("X", plain.replace('data-furigana="off"', 'data-furigana="on"').replace(
        '<button type="submit" name="furigana" value="on" class="button-quiet">ふりがなをつける',
        '<button type="submit" name="furigana" value="off" class="button-quiet">ふりがなをはずす'))


def test_english_pages_and_the_json_api_carry_no_ruby(client, make_user):
    client.cookies["furigana"] = "on"
    assert "<ruby>" not in client.get("/en/accounts/login/").content.decode()
    user = make_user(roles=[(Role.PEER, {})], furigana="on")
    login_as(client, user)
    response = client.get("/api/v1/me/display/")
    assert response.json()["furigana"] == "on"
    assert "ruby" not in response.content.decode()


def test_the_header_switch_turns_furigana_on_for_a_visitor_and_back(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'action="/display/furigana/"' in page and 'name="furigana" value="on"' in page
    response = client.post("/display/furigana/", {"furigana": "on", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["furigana"].value == "on"
    page = client.get("/accounts/login/").content.decode()
    assert "<ruby>" in page and 'name="furigana" value="off"' in page
    response = client.post("/display/furigana/", {"furigana": "off", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["furigana"].value == "off"
    assert "<ruby>" not in client.get("/accounts/login/").content.decode()
    # A made-up value changes nothing.
    response = client.post("/display/furigana/", {"furigana": "maybe", "next": "/accounts/login/"})
    assert "furigana" not in response.cookies


def test_the_account_setting_wins_and_the_signed_in_switch_needs_its_csrf_token(make_user):
    user = make_user(roles=[(Role.PEER, {})])
    client = Client(enforce_csrf_checks=True)
    login_as(client, user)
    assert client.post("/display/furigana/", {"furigana": "on", "next": "/me/"}).status_code == 403
    user.refresh_from_db()
    assert user.furigana == "off"
    page = client.get("/me/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post("/display/furigana/", {"furigana": "on", "next": "/me/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.furigana == "on"
    # Another device without the cookie: the account's choice applies, in the signed-in app too.
    other = Client()
    other.cookies["furigana"] = "off"
    login_as(other, user)
    me = other.get("/me/").content.decode()
    assert "<ruby>" in me
    # The CSRF token's value is never touched.
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"', me)


def test_the_account_settings_page_and_the_api_save_furigana_and_wording(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    response = client.post("/account/preferences/", {
        "text_size": "standard", "theme": "standard", "furigana": "on", "wording": "standard",
        "quiet_hours_start": "", "quiet_hours_end": ""})
    assert response.status_code == 302
    assert response.cookies["furigana"].value == "on"
    user.refresh_from_db()
    assert user.furigana == "on"
    response = client.patch("/api/v1/me/display/", {"furigana": "off", "wording": "plain"},
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["furigana"] == "off" and response.json()["wording"] == "plain"
    user.refresh_from_db()
    assert (user.furigana, user.wording) == ("off", "plain")
    refused = client.patch("/api/v1/me/display/", {"furigana": "yes"}, content_type="application/json")
    assert refused.status_code == 400 and refused["Content-Type"].startswith("application/problem+json")
    user.refresh_from_db()
    assert user.furigana == "off"


def test_the_page_cache_keeps_pages_with_and_without_readings_apart(client, demo):
    first = client.get("/")
    assert first.status_code == 200 and "<ruby>" not in first.content.decode()
    assert client.get("/").get("X-Page-Cache") == "hit"
    reader = Client()
    reader.cookies["furigana"] = "on"
    page = reader.get("/")
    assert page.get("X-Page-Cache") != "hit" and "<ruby>" in page.content.decode()
    again = reader.get("/")
    assert again.get("X-Page-Cache") == "hit" and "<ruby>" in again.content.decode()
    assert "<ruby>" not in client.get("/").content.decode()


# --- Emails ----------------------------------------------------------------------------------


def _invitation_context(user):
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    meeting = SimpleNamespace(title="第3回 協議の場", body=SimpleNamespace(name="札幌圏域の協議の場"),
                              starts_at=starts, ends_at=starts + datetime.timedelta(hours=2),
                              place="", online_url="")
    return {"invitation": SimpleNamespace(user=user), "meeting": meeting,
            "url": "https://kakehashi.example/meetings/1/", "ics_url": "https://kakehashi.example/meetings/1/ics"}


@pytest.mark.parametrize("furigana", ["on", "off"])
def test_an_invitation_email_carries_readings_when_the_recipient_asked(
        make_user, django_capture_on_commit_callbacks, furigana):
    user = make_user(roles=[(Role.PEER, {})], furigana=furigana, language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        email_templates(to=user.email, language="ja", prefix="collaboration/email/invitation",
                        recipient=user, context=_invitation_context(user))
    [message] = mail.outbox
    if furigana == "on":
        assert "協議(きょうぎ)の場(ば)" in message.subject
        assert "招待(しょうたい)" in message.body
        assert "圏域(けんいき)" in message.body
    else:
        assert "(きょうぎ)" not in message.subject and "(しょうたい)" not in message.body
    # Links stay usable; a number stays as written (the kanji around it get their readings).
    assert "https://kakehashi.example/meetings/1/ics" in message.body
    assert ("第(だい)3回(かい)" if furigana == "on" else "第3回") in message.body


def test_an_email_to_an_address_with_an_account_follows_that_account(make_user, django_capture_on_commit_callbacks):
    user = make_user(roles=[(Role.PEER, {})], furigana="on")
    assert User.objects.get(pk=user.pk).furigana == "on"
    with django_capture_on_commit_callbacks(execute=True):
        email_templates(to=user.email.upper(), language="ja", prefix="collaboration/email/invitation",
                        context=_invitation_context(user))
    assert "招待(しょうたい)" in mail.outbox[0].body


def test_downloads_and_the_editors_admin_are_left_as_they_are(client, make_user):
    user = make_user(roles=[(Role.PEER, {})], furigana="on", display_name="研修 太郎")
    login_as(client, user)
    download = client.get("/me/data/download.json")
    assert download.status_code == 200
    content = b"".join(download.streaming_content) if download.streaming else download.content
    assert "研修 太郎" in content.decode() and b"<ruby>" not in content
    visitor = Client()
    visitor.cookies["furigana"] = "on"
    admin = visitor.get("/cms-admin/login/")
    assert admin.status_code == 200 and "<ruby>" not in admin.content.decode()


def test_marked_sections_come_back_as_they_were_and_a_broken_one_never_fails_the_page():
    assert ruby_document("<![CDATA[研修]]><p>会議</p>") == "<![CDATA[研修]]><p>" + ruby("会議", "かいぎ") + "</p>"
    assert ruby_document("<![if !IE]>x<![endif]>") == "<![if !IE]>x<![endif]>"
    # The standard parser raises on `<![` without a name: the text after it is read as text.
    assert ruby_document("<p>研修</p><![ 会議") == "<p>" + ruby("研修", "けんしゅう") + "</p><![ " + ruby("会議", "かいぎ")


def test_a_page_the_middleware_cannot_read_is_served_as_it_came(rf):
    from django.http import HttpResponse
    from django.utils import translation

    from peers.middleware import FuriganaMiddleware

    not_utf8 = "<p>研修</p>".encode("shift_jis")
    request = rf.get("/")
    request.COOKIES["furigana"] = "on"
    request.LANGUAGE_CODE = "ja"
    with translation.override("ja"):
        response = FuriganaMiddleware(lambda r: HttpResponse(not_utf8, content_type="text/html; charset=utf-8"))(
            request)
        readable = FuriganaMiddleware(lambda r: HttpResponse("<p>研修</p>", content_type="text/html"))(request)
    assert response.status_code == 200 and response.content == not_utf8
    assert readable.content.decode() == "<p>" + ruby("研修", "けんしゅう") + "</p>"  # the same request gets ruby
