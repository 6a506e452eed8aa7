"""The success messages on real pages, in Japanese and in English: one action of each app
(a profile, a calendar address, an activity entry, a certificate's public name), through the
client from the demo, read inside the page's live region (tests/test_success_messages.py checks
that every action has one; tests/training/test_staff_messages.py walks the training staff pages)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LANGUAGES = [
    ("ja", {
        "profile": "プロフィールを保存しました。これからは新しい内容が使われます。",
        "calendar": "カレンダーのアドレスを変更しました。前のアドレスは使えなくなりました。",
        "entry": "保存しました。事業所・団体が確認します。",
        "public_name": "選んだ内容を保存しました。これからは公開の確認ページに反映されます。",
    }),
    ("en", {
        "profile": "Your profile has been saved. Your pages use the new details from now on.",
        "calendar": "Your calendar address has been changed; the old one no longer works.",
        "entry": "Saved. It will be verified by your organisation.",
        "public_name": "Your choice has been saved. The public verification page follows it from now on.",
    }),
]


def _status_region(response) -> str:
    text = response.content.decode()
    match = re.search(r'<div class="messages" role="status" tabindex="-1" data-messages>(.*?)</div>', text, re.S)
    assert match, "no message region on the page"
    assert 'data-message="success"' in match.group(1)
    return match.group(1)


def _url(name: str, language: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


@pytest.fixture
def demo_peer(demo, client):
    peer = get_user_model().objects.get(email="peer@example.org")
    client.force_login(peer)
    return peer


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value in (None, "", []) and field.required and getattr(field, "queryset", None) is not None:
            value = field.queryset.first().pk
        elif value in (None, "", []) and field.required and getattr(field, "choices", None):
            value = [c for c, _label in field.choices if c][0]
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, (list, tuple)):
            value = [getattr(v, "pk", v) for v in value]
        if value is False:
            continue
        data[name] = value
    return data


@pytest.mark.parametrize(("language", "expected"), LANGUAGES, ids=[code for code, _e in LANGUAGES])
def test_saving_the_profile_says_what_changed_and_what_follows(client, demo_peer, language, expected):
    url = _url("peers:profile", language)
    form = client.get(url).context["form"]
    data = _form_data(form)
    data["languages"] = "日本語, English"
    response = client.post(url, data, follow=True)
    assert expected["profile"] in _status_region(response)


@pytest.mark.parametrize(("language", "expected"), LANGUAGES, ids=[code for code, _e in LANGUAGES])
def test_a_new_calendar_address_says_the_old_one_stops(client, demo_peer, language, expected):
    response = client.post(_url("collaboration:calendar_settings", language), follow=True)
    assert expected["calendar"] in _status_region(response)


@pytest.mark.parametrize(("language", "expected"), LANGUAGES, ids=[code for code, _e in LANGUAGES])
def test_a_confirmed_activity_entry_says_who_verifies_it(client, demo_peer, language, expected):
    url = _url("activity:entry_new", language)
    form = client.get(url).context["form"]
    data = _form_data(form)
    data.update({"duration_minutes": 60, "confirmed": "1"})
    response = client.post(url, data, follow=True)
    region = _status_region(response)
    assert expected["entry"] in region


@pytest.mark.parametrize(("language", "expected"), LANGUAGES, ids=[code for code, _e in LANGUAGES])
def test_a_certificates_public_name_choice_says_where_it_shows(client, demo_peer, language, expected):
    from training.models import Certification

    certification = Certification.objects.filter(holder=demo_peer).first()
    assert certification is not None, "the demo peer holds a certification"
    response = client.post(_url("training:public_name", language, certification.pk), {"show": "1"}, follow=True)
    assert expected["public_name"] in _status_region(response)
