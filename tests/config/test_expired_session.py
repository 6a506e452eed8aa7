"""A form sent after the session ended, or whose CSRF check failed, keeps the person calm: the
sign-in page says what happened; the CSRF page explains and leads back (issue 15, forms lead)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

EXPIRED_JA = "一定時間操作がなかったため、ログインが切れました。もう一度ログインしてください。入力した内容はこの端末に残っています。"
EXPIRED_EN = "You were signed out because nothing happened for a while."


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize(("language", "expected"), [("ja", EXPIRED_JA), ("en", EXPIRED_EN)])
def test_a_form_sent_after_the_session_ended_leads_to_a_sign_in_page_that_says_why(client, language, expected):
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
