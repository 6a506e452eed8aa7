"""The team table's waiting counts come from a rollup (OrganisationWaitingRollup), changed in the
transaction of every state change: after each path the rollup equals a live count of the
submitted entries, and the organisation page shows it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from collaboration.activity import selectors, services
from collaboration.activity.models import ActivityEntry, EntryStatus, OrganisationWaitingRollup
from peers.models import Engagement, Role
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday

pytestmark = pytest.mark.django_db


def live() -> dict[tuple[int, int], int]:
    rows = (ActivityEntry.objects.filter(status=EntryStatus.SUBMITTED).values_list("organisation_id", "author_id")
            .annotate(n=Count("id")).order_by())
    return {(o, a): n for o, a, n in rows}


def stored() -> dict[tuple[int, int], int]:
    return {(o, a): n for o, a, n in OrganisationWaitingRollup.objects.filter(entries__gt=0)
            .values_list("organisation_id", "author_id", "entries")}


def waiting_on_team(organisation) -> dict[str, int]:
    since = timezone.localdate() - datetime.timedelta(days=400)
    return {r["name"]: r["waiting"] for r in selectors.team_summary(organisation, since, timezone.localdate())
            if r["waiting"]}


def assert_true_to_entries(expected: dict[tuple[int, int], int]) -> None:
    assert stored() == live() == {k: v for k, v in expected.items() if v}
    assert not OrganisationWaitingRollup.objects.filter(entries__lt=0).exists()


def test_submit_verify_decline_and_correct_keep_the_count_true(make_entry, a_peer, a_manager, a_org):
    key = (a_org.pk, a_peer.pk)
    first, second, third = make_entry(), make_entry(), make_entry()
    assert_true_to_entries({key: 3})
    assert waiting_on_team(a_org) == {"ピア 陽子": 3}

    services.activity_entry_verify(actor=a_manager, entry=first)
    assert_true_to_entries({key: 2})
    services.activity_entry_decline(actor=a_manager, entry=second, reason="日付が違います")
    assert_true_to_entries({key: 1})
    assert waiting_on_team(a_org) == {"ピア 陽子": 1}

    # A correction sends a declined or a verified entry back; a waiting one stays counted once.
    services.activity_entry_correct(actor=a_peer, entry=second, duration_minutes=90)
    assert_true_to_entries({key: 2})
    services.activity_entry_correct(actor=a_peer, entry=first, duration_minutes=30)
    assert_true_to_entries({key: 3})
    services.activity_entry_correct(actor=a_peer, entry=third, duration_minutes=45)
    assert_true_to_entries({key: 3})

    # A refused change (not waiting any more) leaves the count alone: the transaction rolls back.
    services.activity_entry_verify(actor=a_manager, entry=third)
    with pytest.raises(ValidationError):
        services.activity_entry_verify(actor=a_manager, entry=third)
    assert_true_to_entries({key: 2})


def test_week_verification_and_two_people_in_two_organisations(
    make_entry, a_peer, a_stranger, a_manager, a_org, a_other_org
):
    elsewhere = Engagement.objects.create(person=a_peer, organisation=a_other_org, kind=Engagement.Kind.VOLUNTEER,
                                          start_date=datetime.date(2024, 4, 1))
    other = Engagement.objects.create(person=a_stranger, organisation=a_org, kind=Engagement.Kind.VOLUNTEER,
                                      start_date=datetime.date(2024, 4, 1))
    week = last_monday()
    for day in range(3):
        make_entry(date=week + datetime.timedelta(days=day))
    make_entry(date=week - datetime.timedelta(days=10))
    make_entry(engagement=elsewhere)
    make_entry(author=a_stranger, engagement=other, date=week)
    assert_true_to_entries({(a_org.pk, a_peer.pk): 4, (a_other_org.pk, a_peer.pk): 1, (a_org.pk, a_stranger.pk): 1})

    assert services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=week) == 4
    assert_true_to_entries({(a_org.pk, a_peer.pk): 1, (a_other_org.pk, a_peer.pk): 1})
    assert waiting_on_team(a_org) == {"ピア 陽子": 1}
    assert waiting_on_team(a_other_org) == {"ピア 陽子": 1}


def test_erasure_takes_the_persons_waiting_entries_out(make_entry, make_user, a_peer, a_stranger, a_manager,
                                                         a_org, a_other_org):
    from peers.services.privacy import erasure_carry_out, erasure_request

    elsewhere = Engagement.objects.create(person=a_peer, organisation=a_other_org, kind=Engagement.Kind.VOLUNTEER,
                                          start_date=datetime.date(2024, 4, 1))
    other = Engagement.objects.create(person=a_stranger, organisation=a_org, kind=Engagement.Kind.VOLUNTEER,
                                      start_date=datetime.date(2024, 4, 1))
    kept = make_entry()
    services.activity_entry_verify(actor=a_manager, entry=kept)
    make_entry(), make_entry(engagement=elsewhere)
    make_entry(author=a_stranger, engagement=other)
    admin = make_user(display_name="管理者", roles=[(Role.ADMIN, {})], mfa=True)

    erasure_carry_out(actor=admin, request=erasure_request(person=a_peer))
    assert ActivityEntry.objects.filter(author=a_peer).count() == 1  # the verified entry is kept
    assert_true_to_entries({(a_org.pk, a_stranger.pk): 1})
    assert waiting_on_team(a_org) == {"他人 太郎": 1}
    assert not OrganisationWaitingRollup.objects.filter(author=a_peer).exclude(entries=0).exists()


def test_retention_deletes_old_waiting_entries_from_the_count(make_entry, a_peer, a_org, a_engagement):
    from peers.services.privacy import retention_apply

    Engagement.objects.filter(pk=a_engagement.pk).update(start_date=datetime.date(2015, 4, 1))
    a_engagement.refresh_from_db()
    old = make_entry(date=last_monday() - datetime.timedelta(days=6 * 365))
    make_entry()
    assert_true_to_entries({(a_org.pk, a_peer.pk): 2})
    runs = {run.kind: run for run in retention_apply()}
    assert runs["activity_records"].removed == 1 and not runs["activity_records"].error
    assert not ActivityEntry.objects.filter(pk=old.pk).exists()
    assert_true_to_entries({(a_org.pk, a_peer.pk): 1})


def test_rebuild_gives_the_incremental_counts(make_entry, a_manager, a_peer, a_org):
    for _ in range(3):
        make_entry()
    services.activity_entry_verify(actor=a_manager, entry=make_entry())
    before = stored()
    OrganisationWaitingRollup.objects.update(entries=99)  # drifted
    services.activity_rollup_rebuild()
    assert stored() == before == live() == {(a_org.pk, a_peer.pk): 3}
