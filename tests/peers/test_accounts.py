"""Sign-up by invitation, login, email verification and the closed door of open sign-up."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings

from peers.models import Invitation, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_open_signup_is_closed_by_default(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    client.post(
        "/accounts/signup/",
        {"email": "stranger@example.test", "password1": "x-long-password-1", "password2": "x-long-password-1", "display_name": "S"},
    )
    assert not User.objects.filter(email="stranger@example.test").exists()


@override_settings(KAKEHASHI_OPEN_SIGNUP=True)
def test_open_signup_setting_allows_signup_with_email_verification(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "open@example.test",
            "password1": "x-long-password-1",
            "password2": "x-long-password-1",
            "display_name": "開かれた 人",
            "name_kana": "ヒラカレタ ヒト",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="open@example.test")
    assert user.display_name == "開かれた 人"
    assert user.name_kana == "ヒラカレタ ヒト"
    assert not EmailAddress.objects.get(email="open@example.test").verified
    # A confirmation email went out (through the background task) and confirming verifies.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("//", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="open@example.test").verified


@override_settings(KAKEHASHI_OPEN_SIGNUP=True)
def test_signup_rejects_reading_that_is_not_kana(client):
    client.post(
        "/accounts/signup/",
        {"email": "k@example.test", "password1": "x-long-password-1", "password2": "x-long-password-1", "display_name": "K", "name_kana": "Yamada"},
    )
    assert not User.objects.filter(email="k@example.test").exists()


def _invite(client, inviter, mfa_client, **data):
    from django.test import TestCase

    mfa_client(inviter)
    # The email leaves only once the invitation is committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/staff/invitations/new/", data)


def test_manager_invites_peer_who_signs_up_and_gets_the_role(client, manager, organisation, mfa_client):
    response = _invite(client, manager, mfa_client, email="New.Peer@example.test", role="peer", organisation=organisation.pk)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.peer@example.test"
    assert invitation.invited_by == manager
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.peer@example.test"]

    client.post("/accounts/logout/")
    response = client.get(f"/invite/{invitation.token}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/signup/")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.peer@example.test",
            "password1": "x-long-password-1",
            "password2": "x-long-password-1",
            "display_name": "新しい ピア",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.peer@example.test")
    assert RoleAssignment.objects.filter(user=user, role=Role.PEER).exists()
    # The invitation link proved the address: no second confirmation round.
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # The link works once.
    client.post("/accounts/logout/")
    assert client.get(f"/invite/{invitation.token}/").status_code == 410


def test_invited_signup_must_use_the_invited_address(client, manager, organisation, mfa_client):
    _invite(client, manager, mfa_client, email="invited@example.test", role="peer", organisation=organisation.pk)
    token = Invitation.objects.get().token
    client.post("/accounts/logout/")
    client.get(f"/invite/{token}/")
    response = client.post(
        "/accounts/signup/",
        {"email": "someone.else@example.test", "password1": "x-long-password-1", "password2": "x-long-password-1", "display_name": "X"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="someone.else@example.test").exists()
    assert Invitation.objects.get().accepted_at is None


def test_unknown_invitation_token_is_refused(client):
    assert client.get("/invite/not-a-real-token/").status_code == 410


def test_login_with_email_and_password(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    response = client.post("/accounts/login/", {"login": user.email, "password": "a-long-test-password-42"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    page = client.get("/me/")
    assert page.status_code == 200
    assert user.display_name in page.content.decode()


def test_wrong_password_is_refused_and_repeated_failures_are_rate_limited(client, make_user):
    user = make_user()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"login": user.email, "password": "a-long-test-password-42"})
    # The 5-failures-per-5-minutes limit for this address now refuses even the right password.
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client, make_user):
    user = make_user()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
