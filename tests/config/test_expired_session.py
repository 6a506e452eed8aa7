"""A form sent after the session ended, or whose CSRF check failed, keeps the person calm: the
sign-in page says what happened; the CSRF page explains and leads back (issue 15, forms lead)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from peers.middleware import SIGNED_IN_COOKIE

pytestmark = pytest.mark.django_db

EXPIRED_JA = "一定時間操作がなかったため、ログインが切れました。もう一度ログインしてください。入力した内容はこの端末に残っています。"
EXPIRED_EN = "You were signed out because nothing happened for a while."


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


def _signed_in_then_session_ended(client, person) -> None:
    """Signed in on this browser (a page seen while signed in leaves the marker), then the
    session ran out on the server: the browser still has its cookies, the session is gone."""
    client.force_login(person)
    assert client.get(reverse("peers:home")).status_code == 200
    assert client.cookies[SIGNED_IN_COOKIE].value == "1"
    client.session.delete()


@pytest.mark.parametrize(("language", "expected"), [("ja", EXPIRED_JA), ("en", EXPIRED_EN)])
def test_a_form_sent_after_the_session_ended_leads_to_a_sign_in_page_that_says_why(client, make_user, language,
                                                                                   expected):
    _signed_in_then_session_ended(client, make_user())
    profile = _url("peers:profile", language)
    response = client.post(profile, {"display_name": "typed before the session ended"})
    assert response.status_code == 302
    login = _url("account_login", language)
    assert response["Location"].startswith(f"{login}?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert expected in text
    assert 'role="status"' in text


def test_only_a_post_turned_away_tells_of_an_ended_session(client):
    """Opening a signed-in page while signed out is an ordinary sign-in, not an ended session."""
    response = client.get(reverse("peers:profile"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert EXPIRED_JA not in page.content.decode()


def test_the_sign_in_message_changes_no_access(client, make_user):
    """The anonymous POST still reaches nothing: it is sent to sign in, and nothing is saved."""
    person = make_user(display_name="Before")
    client.post(reverse("peers:profile"), {"display_name": "After"})
    person.refresh_from_db()
    assert person.display_name == "Before"


@pytest.mark.parametrize(
    ("language", "heading", "explains"),
    [
        ("ja", "フォームを送れませんでした", "ページを長い時間開いていた"),
        ("en", "The form could not be sent", "a page has been open for a long time"),
    ],
)
def test_a_failed_csrf_check_shows_a_calm_page_that_leads_back(make_user, language, heading, explains):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    profile = _url("peers:profile", language)
    response = client.post(profile, {"display_name": "x"}, HTTP_REFERER=f"http://testserver{profile}")
    assert response.status_code == 403
    text = response.content.decode()
    assert heading in text
    assert explains in text
    assert f'href="http://testserver{profile}"' in text  # back to the form
    assert f'<html lang="{language}"' in text


def test_the_csrf_page_links_nowhere_outside_the_site(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(reverse("peers:profile"), {}, HTTP_REFERER="https://elsewhere.example/")
    assert response.status_code == 403
    assert "elsewhere.example" not in response.content.decode()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_form_from_someone_never_signed_in_gets_the_ordinary_sign_in_page(client, language):
    """No marker, so no session can have ended: no "you were signed out" for a visitor."""
    response = client.post(_url("peers:profile", language), {"display_name": "x"})
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert EXPIRED_JA not in text and EXPIRED_EN not in text
    assert SIGNED_IN_COOKIE not in client.cookies


CSRF_SIGNED_OUT_JA = "一定時間操作がなかったため、ログインも切れています。"
CSRF_SIGNED_OUT_EN = "You were also signed out because nothing happened for a while"


def test_a_bad_csrf_token_from_someone_never_signed_in_gets_the_plain_explanation():
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url("peers:profile", "en"), {"display_name": "x", "csrfmiddlewaretoken": "bad"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "a page has been open for a long time" in text
    assert CSRF_SIGNED_OUT_EN not in text and EXPIRED_EN not in text and "data-session-ended" not in text
    client.get(_url("account_login", "en"))
    assert EXPIRED_EN not in client.get(_url("account_login", "en")).content.decode()


@pytest.mark.parametrize(("language", "expected"), [("ja", CSRF_SIGNED_OUT_JA), ("en", CSRF_SIGNED_OUT_EN)])
def test_a_bad_csrf_token_after_the_session_ended_says_the_sign_in_ended_too(make_user, language, expected):
    client = Client(enforce_csrf_checks=True)
    _signed_in_then_session_ended(client, make_user())
    response = client.post(_url("peers:profile", language), {"display_name": "x", "csrfmiddlewaretoken": "bad"})
    assert response.status_code == 403
    assert expected in response.content.decode()


def test_signing_out_forgets_the_marker_so_a_later_form_is_not_told_of_an_ended_session(client, make_user):
    client.force_login(make_user())
    client.get(reverse("peers:home"))
    assert client.cookies[SIGNED_IN_COOKIE].value == "1"
    client.post(reverse("account_logout"))
    assert client.cookies[SIGNED_IN_COOKIE].value == ""  # deleted: expired, empty
    response = client.post(reverse("peers:profile"), {"display_name": "x"})
    assert response.status_code == 302
    assert EXPIRED_JA not in client.get(response["Location"]).content.decode()
