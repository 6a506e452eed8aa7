"""Emails when something waits for someone: a named colleague, the other person in a supervision
session, and the organisation's verifiers (a daily digest). Sent after commit, in the
recipient's language, and never with a reflection note or anything about a service user."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from collaboration.activity import services
from peers.models import Role
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def _text(message) -> str:
    return message.subject + "\n" + message.body


def test_named_colleague_is_emailed_in_their_language_after_commit(
    make_entry, a_colleague, a_peer, make_user, mailoutbox, django_capture_on_commit_callbacks,
):
    a_colleague.language = "en"
    a_colleague.save(update_fields=["language"])
    other = make_user(display_name="看護師 次郎")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = make_entry(colleagues=[a_colleague, other], reflection="内省メモ: 本人の病名", people_supported=7)
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a_colleague.email, other.email])
    english = next(m for m in mailoutbox if m.to == [a_colleague.email])
    japanese = next(m for m in mailoutbox if m.to == [other.email])
    assert english.subject == "ピア 陽子 named you in an activity entry"
    assert f"/en/me/activity/{entry.pk}/" in english.body and "confirm" in english.body
    assert f"/me/activity/{entry.pk}/" in japanese.body and "/en/" not in japanese.body
    for message in mailoutbox:
        assert "内省" not in _text(message) and "病名" not in _text(message)
    assert "supported" not in english.body  # not even the number of people supported
    assert a_peer.email not in [m.to[0] for m in mailoutbox]


def test_correction_emails_only_newly_named_colleagues(
    make_entry, a_peer, a_colleague, make_user, mailoutbox, django_capture_on_commit_callbacks,
):
    entry = make_entry(colleagues=[a_colleague])
    newcomer = make_user(display_name="相談員 三郎")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_entry_correct(actor=a_peer, entry=entry, colleagues=[a_colleague, newcomer],
                                        duration_minutes=75)
    assert [m.to for m in mailoutbox] == [[newcomer.email]]


def test_supervision_recorded_by_one_side_asks_the_other_to_confirm(
    client, a_peer, a_colleague, a_supervisor, mailoutbox, django_capture_on_commit_callbacks,
):
    a_peer.language = "en"
    a_peer.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        session = services.supervision_record(actor=a_colleague, supervisor=a_colleague, peer=a_peer,
                                              date=last_monday(), minutes=50, topics="利用者Aさんの件")
    assert [m.to for m in mailoutbox] == [[a_peer.email]]
    message = mailoutbox[0]
    assert message.subject == "Please confirm a supervision session"
    assert "同僚 花子 recorded a supervision session in which they supervised you." in message.body
    assert "/en/me/supervision/" in message.body and "50" in message.body
    assert "利用者" not in _text(message)  # the topics stay out of the email
    mailoutbox.clear()
    # Recorded by the peer (through the page): the supervisor is asked, in Japanese.
    login_as(client, a_peer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/supervision/", {"other": f"supervisor:{a_colleague.pk}",
                                         "date": last_monday().isoformat(), "minutes": 30, "topics": "境界線"})
    assert [m.to for m in mailoutbox] == [[a_colleague.email]]
    assert "http://127.0.0.1:8000/me/supervision/" in mailoutbox[0].body  # Japanese: no /en/ prefix
    assert "境界線" not in _text(mailoutbox[0])
    session.refresh_from_db()
    assert session.confirmed_at is None


def test_verifiers_get_one_daily_digest_only_when_something_new_waits(
    make_entry, make_user, a_peer, a_manager, a_other_manager, a_org, a_other_org, a_colleague, a_stranger,
    mailoutbox, django_capture_on_commit_callbacks,
):
    second_manager = make_user(display_name="管理 三郎", roles=[(Role.MANAGER, {"organisation": a_org})])
    second_manager.language = "en"
    second_manager.save(update_fields=["language"])
    services.activity_verifier_name(actor=a_manager, organisation=a_org, user=a_colleague)
    removed = services.activity_verifier_name(actor=a_manager, organisation=a_org, user=a_stranger)
    services.activity_verifier_remove(actor=a_manager, verifier=removed)
    first = make_entry(reflection="内省メモ")
    make_entry(date=last_monday() + datetime.timedelta(days=1))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.activity_verification_digest_send()
    assert sent == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a_manager.email, second_manager.email, a_colleague.email])
    english = next(m for m in mailoutbox if m.to == [second_manager.email])
    assert english.subject == "2 activity entries are waiting for verification"
    assert f"ピアサポートセンター東: 2\nhttp://127.0.0.1:8000/en/staff/activity/organisations/{a_org.pk}/queue/" in english.body
    for message in mailoutbox:
        assert "内省" not in _text(message) and "ピア 陽子" not in _text(message)
    assert a_other_manager.email not in [m.to[0] for m in mailoutbox]  # nothing waits at their organisation

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activity_verification_digest_send() == 0  # nothing new since
    assert mailoutbox == []

    # An entry declined, then corrected, waits again: the next digest says so.
    services.activity_entry_decline(actor=a_manager, entry=first, reason="時間を確認してください")
    services.activity_entry_correct(actor=a_peer, entry=first, duration_minutes=45)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("activity_verification_digest", stdout=io.StringIO())
    assert len(mailoutbox) == 3


def test_digest_leaves_out_a_verifiers_own_entries(
    make_user, a_org, a_kind, a_listening, mailoutbox, django_capture_on_commit_callbacks,
):
    from peers.models import Engagement

    manager = make_user(display_name="管理 兼 ピア", roles=[(Role.MANAGER, {"organisation": a_org})])
    engagement = Engagement.objects.create(person=manager, organisation=a_org, kind=Engagement.Kind.EMPLOYED,
                                           start_date=datetime.date(2024, 4, 1))
    services.activity_entry_create(author=manager, engagement=engagement, date=last_monday(), duration_minutes=30,
                                   activity=a_listening, stage="community")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.activity_verification_digest_send() == 0
    assert mailoutbox == []
