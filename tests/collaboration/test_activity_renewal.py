"""My activity shows real renewal progress for each current certification (training's rules),
with the hours credited from verified practice, in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from collaboration.activity import services
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import login_as
from training.models import Certification, ContinuingEducation

pytestmark = pytest.mark.django_db


def test_my_activity_shows_renewal_progress_per_current_certification(
    client, a_peer, a_manager, make_entry, a_certify, a_training,
):
    practice = a_certify(a_peer, name="ピアサポート専門員")
    plain = a_certify(a_peer, name="相談支援の認定", practice=False)
    lapsed = a_certify(a_peer, name="失効した認定")
    Certification.objects.filter(pk=lapsed.pk).update(status=Certification.Status.LAPSED)
    services.activity_entry_verify(actor=a_manager, entry=make_entry(duration_minutes=90, reflection="内省メモ"))
    make_entry(duration_minutes=60, date=last_monday() + datetime.timedelta(days=1))  # waiting
    ContinuingEducation.objects.create(
        body=a_training.body, person=a_peer, date=timezone.localdate(), provider="研究会", hours=Decimal("2"),
        category=a_training.ethics,
    )
    login_as(client, a_peer)
    body = client.get("/en/me/activity/").content.decode()
    section = body[body.index('id="renewal-heading"'):body.index("</section>", body.index('id="renewal-heading"'))]

    practice_part = section[section.index("ピアサポート専門員"):section.index("相談支援の認定")]
    assert practice.valid_until.strftime("%Y") in practice_part
    assert "3.5 of 20 hours" in practice_part  # 1.5 verified practice + 2 of ethics
    assert "Of these, from your verified activity and confirmed supervision" in practice_part
    assert "1.5 hours" in practice_part
    assert "2 of 3 hours" in practice_part  # the ethics floor
    assert "16.5 more hours of continuing education (3.5 of 20)." in practice_part
    assert "1 more hours of 倫理 (2 of 3)." in practice_part
    assert "Complete the renewal course “更新研修”." in practice_part

    plain_part = section[section.index("相談支援の認定"):]
    assert "2 of 20 hours" in plain_part  # practice is not credited here
    assert "do not count toward renewal" in plain_part
    assert "失効した認定" not in section  # only current certifications
    assert "Still waiting to be verified or confirmed: 1 hours" in section
    assert "内省メモ" not in section
    assert plain.pk != practice.pk


def test_my_activity_says_calmly_when_there_is_no_certification(client, a_peer, make_entry):
    make_entry()
    login_as(client, a_peer)
    body = client.get("/en/me/activity/").content.decode()
    assert "You hold no current certification, so there is nothing to renew." in body
    assert "Verified hours since" not in body


def test_my_activity_queries_do_not_grow_with_certifications_or_entries(
    client, a_peer, a_manager, make_entry, a_certify, a_training, a_group, django_assert_num_queries,
):
    a_certify(a_peer)
    services.activity_entry_verify(actor=a_manager, entry=make_entry())
    make_entry(activity=a_group)
    login_as(client, a_peer)
    client.get("/me/activity/")
    with django_assert_num_queries(13):  # two-step everywhere: -2 userbar has_perm, -1 named-supervisor lookup (unmarked)
        client.get("/me/activity/")
    for i in range(3):
        a_certify(a_peer, practice=bool(i % 2))
    for i in range(12):
        entry = make_entry(date=last_monday() - datetime.timedelta(days=20 + i), duration_minutes=30 + i)
        if i % 2:
            services.activity_entry_verify(actor=a_manager, entry=entry)
    ContinuingEducation.objects.bulk_create([
        ContinuingEducation(body=a_training.body, person=a_peer, date=timezone.localdate(), provider="研究会",
                            hours=Decimal("1"), category=a_training.ethics) for _ in range(5)
    ])
    with django_assert_num_queries(13):
        response = client.get("/me/activity/")
    assert len(response.context["renewal"].progress) == 4
