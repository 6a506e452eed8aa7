"""Japanese first, English second; the switch lands on the same page and is remembered."""

import datetime

import pytest
from django.utils import translation

from peers.models import Role, User
from peers.templatetags.kakehashi import jdate, wareki
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def test_japanese_is_the_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert '<html lang="ja" ' in response.content.decode()
    assert "ログイン" in response.content.decode()


def test_english_lives_under_en(client):
    response = client.get("/en/accounts/login/")
    assert '<html lang="en" ' in response.content.decode()
    assert "Sign In" in response.content.decode()


def test_switch_lands_on_the_same_page_in_the_other_language_and_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/"
    # Later, an unprefixed (Japanese) address brings the person back to English.
    again = client.get("/accounts/password/reset/?from=bookmark")
    assert again.status_code == 302
    assert again["Location"] == "/en/accounts/password/reset/?from=bookmark"
    # And switching back to Japanese sticks too.
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/en/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/login/").status_code == 200


def test_signed_in_person_keeps_their_language_on_a_new_device(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    client.post("/accounts/login/", {"login": user.email, "password": "a-long-test-password-42"})
    client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert User.objects.get(pk=user.pk).language == "en"
    # A second browser, no cookie yet: the account's choice applies.
    from django.test import Client

    other = Client()
    login_as(other, User.objects.get(pk=user.pk))
    response = other.get("/me/")
    assert response.status_code == 302 and response["Location"] == "/en/me/"


def test_switch_is_on_every_page(client):
    from cms import demo

    demo.load()
    for path in ("/", "/accounts/login/", "/en/", "/en/no-such-page/"):
        body = client.get(path).content.decode()
        assert 'action="/i18n/setlang/"' in body, path


def test_dates_in_japanese_with_the_era_year():
    day = datetime.date(2026, 11, 23)
    with translation.override("ja"):
        assert jdate(day) == "2026年11月23日"
        assert wareki(day) == "令和8年11月23日"
        assert wareki(datetime.date(2019, 5, 1)) == "令和元年5月1日"
        assert wareki(datetime.date(2019, 4, 30)) == "平成31年4月30日"
    with translation.override("en"):
        assert wareki(day) == "Reiwa 8 (2026-11-23)"


def test_time_zone_is_tokyo(settings):
    assert settings.TIME_ZONE == "Asia/Tokyo"
    aware = datetime.datetime(2026, 11, 23, 15, 30, tzinfo=datetime.UTC)  # 00:30 next day in Tokyo
    with translation.override("ja"):
        assert jdate(aware) == "2026年11月24日"


def test_not_found_page_is_friendly_in_both_languages(client):
    ja = client.get("/no-such-page/")
    assert ja.status_code == 404
    assert "ページが見つかりません" in ja.content.decode() or "見つけられません" in ja.content.decode()
    en = client.get("/en/no-such-page/")
    assert en.status_code == 404
    assert "We could not find that page" in en.content.decode()
