"""やさしい日本語: the hand-written plain texts, chosen by the `wording` setting (cookie or account),
in Japanese only, with furigana, on pages, in messages and in emails."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from peers.mail import email_templates
from peers.models import Consent, Role
from tests.conftest import login_as

pytestmark = pytest.mark.django_db

STANDARD_SIGN_IN = "招待制です"  # part of the standard Japanese help on the sign-in page
PLAIN_SIGN_IN = "招待された人だけが作れます"


def text_of(response) -> str:
    """The page's text as read, without the readings' markup."""
    body = response.content.decode()
    return re.sub(r"<rp>\(</rp><rt>[^<]*</rt><rp>\)</rp>|</?ruby>", "", body)


def test_the_sign_in_page_offers_the_plain_help_to_a_visitor_who_chose_it():
    standard = text_of(Client().get("/accounts/login/"))
    assert PLAIN_SIGN_IN not in standard and STANDARD_SIGN_IN in standard
    client = Client()
    client.cookies["wording"] = "plain"
    response = client.get("/accounts/login/")
    page = text_of(response)
    assert "アカウントは、招待された人だけが作れます。" in page
    assert "メールアドレスとパスワードを入れます。" in page
    # Plain Japanese comes with furigana.
    assert "<ruby>招待<rp>(</rp><rt>しょうたい</rt><rp>)</rp></ruby>" in response.content.decode()
    # An English reader gets the English text: there is nothing plain to give.
    english = text_of(client.get("/en/accounts/login/"))
    assert PLAIN_SIGN_IN not in english and "by invitation" in english


def test_the_account_setting_chooses_the_plain_consent_page_and_its_message(client, make_user):
    user = make_user(roles=[(Role.PEER, {})], wording="plain")
    login_as(client, user)
    page = text_of(client.get("/me/consent/"))
    assert "これを「同意」と言います。" in page
    assert "病気の名前（診断）は聞きません。" in page
    response = client.post("/me/consent/", {"action": "give", "purpose": Consent.Purpose.LIVED_EXPERIENCE},
                           follow=True)
    assert "あなたの同意を記録しました。" in text_of(response)
    # The same person with the standard wording gets the standard texts.
    user.wording = "standard"
    user.save(update_fields=["wording"])
    standard = text_of(client.get("/me/consent/"))
    assert "これを「同意」と言います。" not in standard and "<ruby>" not in client.get("/me/consent/").content.decode()


def test_the_activity_entry_page_has_its_plain_warning(client, make_user):
    user = make_user(roles=[(Role.PEER, {})], wording="plain")
    login_as(client, user)
    page = text_of(client.get("/me/activity/new/"))
    assert "支援した人の名前は書きません。" in page
    user.wording = "standard"
    user.save(update_fields=["wording"])
    assert "支援した人の名前は書きません。" not in text_of(client.get("/me/activity/new/"))


def test_the_meeting_invitation_email_is_plain_with_readings_for_a_plain_reader(
        make_user, django_capture_on_commit_callbacks):
    plain = make_user(roles=[(Role.PEER, {})], wording="plain")
    standard = make_user(roles=[(Role.PEER, {})])
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    meeting = SimpleNamespace(title="協議の場", body=SimpleNamespace(name="札幌"), starts_at=starts,
                              ends_at=starts + datetime.timedelta(hours=1), place="", online_url="")
    with django_capture_on_commit_callbacks(execute=True):
        for user in (plain, standard):
            email_templates(to=user.email, language="ja", prefix="collaboration/email/invitation", recipient=user,
                            context={"invitation": SimpleNamespace(user=user), "meeting": meeting,
                                     "url": "https://k.example/m/1/", "ics_url": "https://k.example/m/1/ics"})
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "会議(かいぎ)のお知(し)らせです。" in by_address[plain.email]
    assert "会議のお知らせです。" not in by_address[standard.email]
    assert "(かいぎ)" not in by_address[standard.email]
