"""The activity log's services and selectors: entries, verification, rollups, hours, access."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import translation

from collaboration.activity import selectors, services
from collaboration.activity.models import (
    ActivityEntry,
    ActivityRoleRollup,
    ActivityRollup,
    ActivityStatusChange,
    EntryStatus,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
)
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import as_verified

pytestmark = pytest.mark.django_db


def test_entry_follows_its_engagement_and_waits_for_verification(make_entry, a_engagement, a_kind):
    entry = make_entry()
    assert entry.organisation_id == a_engagement.organisation_id
    assert entry.engagement_kind == a_engagement.kind
    assert entry.setting == a_kind
    assert entry.status == EntryStatus.SUBMITTED
    assert [h.action for h in entry.history.all()] == ["submitted"]
    assert entry.possible_duplicates == []


def test_duplicate_is_warned_not_blocked(make_entry):
    first = make_entry()
    second = make_entry()
    assert second.possible_duplicates == [first.pk]
    assert ActivityEntry.objects.count() == 2


def test_cannot_record_on_someone_elses_engagement(make_entry, a_stranger):
    with pytest.raises(PermissionDenied):
        make_entry(author=a_stranger)
    assert not ActivityEntry.objects.exists()


def test_future_date_and_too_long_duration_are_refused(make_entry):
    with pytest.raises(ValidationError, match="活動の日付は、今日までの日付にしてください") as error:
        make_entry(date=datetime.date.today() + datetime.timedelta(days=2))
    assert set(error.value.message_dict) == {"date"}
    with pytest.raises(ValidationError) as error:
        make_entry(duration_minutes=24 * 60 + 1)
    assert [e.code for e in error.value.error_dict["duration_minutes"]] == ["max_value"]
    assert not ActivityEntry.objects.exists()


def test_week_entry_is_all_or_nothing(a_peer, a_engagement, a_listening):
    monday = last_monday()
    rows = [{"date": monday + datetime.timedelta(days=i), "duration_minutes": 30, "activity": a_listening,
             "stage": "work"} for i in range(3)]
    created = services.activity_week_create(author=a_peer, engagement=a_engagement, rows=rows)
    assert len(created) == 3
    rows.append({**rows[0], "duration_minutes": 0})
    with translation.override("en"), pytest.raises(ValidationError, match="Row 4"):
        services.activity_week_create(author=a_peer, engagement=a_engagement, rows=rows)
    assert ActivityEntry.objects.count() == 3


def test_verify_updates_rollups_in_the_same_transaction(make_entry, a_manager, a_psw, a_nurse, tokyo):
    entry = make_entry(professional_roles=[a_psw, a_nurse], people_supported=3)
    assert not ActivityRollup.objects.exists()
    services.activity_entry_verify(actor=a_manager, entry=entry)
    row = ActivityRollup.objects.get()
    assert (row.prefecture_id, row.month, row.entries, row.minutes, row.people) == (
        tokyo.code, entry.date.replace(day=1), 1, 60, 3)
    assert ActivityRoleRollup.objects.filter(entries=1).count() == 2
    entry.refresh_from_db()
    assert entry.status == EntryStatus.VERIFIED
    assert [h.action for h in entry.history.all()] == ["submitted", "verified"]


def test_correcting_a_verified_entry_takes_it_out_of_the_rollup_and_resubmits(make_entry, a_manager, a_peer):
    entry = make_entry()
    services.activity_entry_verify(actor=a_manager, entry=entry)
    services.activity_entry_correct(actor=a_peer, entry=entry, duration_minutes=90)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert ActivityRollup.objects.aggregate(n=Sum("entries"), m=Sum("minutes")) == {"n": 0, "m": 0}
    services.activity_entry_verify(actor=a_manager, entry=entry)
    assert ActivityRollup.objects.aggregate(n=Sum("entries"), m=Sum("minutes")) == {"n": 1, "m": 90}
    assert [h.action for h in entry.history.all()] == ["submitted", "verified", "corrected", "verified"]


def test_only_the_author_corrects(make_entry, a_manager):
    entry = make_entry()
    with pytest.raises(PermissionDenied):
        services.activity_entry_correct(actor=a_manager, entry=entry, duration_minutes=10)


def test_decline_needs_a_reason_and_keeps_history(make_entry, a_manager, a_peer):
    entry = make_entry()
    with pytest.raises(ValidationError, match="理由を書いてください") as error:
        services.activity_entry_decline(actor=a_manager, entry=entry, reason="  ")
    assert set(error.value.message_dict) == {"reason"}
    services.activity_entry_decline(actor=a_manager, entry=entry, reason="日付が違います")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DECLINED
    last = entry.history.last()
    assert (last.action, last.actor, last.reason) == ("declined", a_manager, "日付が違います")
    services.activity_entry_correct(actor=a_peer, entry=entry, date=entry.date - datetime.timedelta(days=1))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert ActivityStatusChange.objects.filter(entry=entry).count() == 3


def test_other_organisations_manager_and_author_cannot_verify(make_entry, a_other_manager, a_peer, a_coordinator):
    entry = make_entry()
    for person in (a_other_manager, a_peer, a_coordinator):
        with pytest.raises(PermissionDenied):
            services.activity_entry_verify(actor=person, entry=entry)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_named_supervisor_verifies(make_entry, a_manager, a_colleague, a_org):
    entry = make_entry()
    with pytest.raises(PermissionDenied):
        services.activity_entry_verify(actor=a_colleague, entry=entry)
    services.activity_verifier_name(actor=a_manager, organisation=a_org, user=a_colleague)
    # Named, they verify once they passed two-step sign-in (the named supervisor's reach is staff work).
    with pytest.raises(PermissionDenied):
        services.activity_entry_verify(actor=a_colleague, entry=entry)
    services.activity_entry_verify(actor=as_verified(a_colleague), entry=entry)
    assert ActivityEntry.objects.get(pk=entry.pk).status == EntryStatus.VERIFIED


def test_bulk_verify_a_week_only_that_week_and_organisation(make_entry, a_manager, a_org):
    monday = last_monday()
    inside = [make_entry(date=monday + datetime.timedelta(days=d)) for d in (0, 3, 6)]
    outside = make_entry(date=monday - datetime.timedelta(days=1))
    count = services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=monday)
    assert count == 3
    assert set(ActivityEntry.objects.filter(status="verified").values_list("pk", flat=True)) == {e.pk for e in inside}
    assert ActivityEntry.objects.get(pk=outside.pk).status == EntryStatus.SUBMITTED
    assert ActivityRollup.objects.aggregate(n=Sum("entries"))["n"] == 3


def test_rollup_rebuild_matches_incremental(make_entry, a_manager, a_org, a_psw):
    for days in range(6):
        make_entry(date=last_monday() - datetime.timedelta(days=days * 9), professional_roles=[a_psw])
    services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=last_monday() - datetime.timedelta(days=60))
    for entry in ActivityEntry.objects.filter(status="submitted"):
        services.activity_entry_verify(actor=a_manager, entry=entry)
    before = sorted(ActivityRollup.objects.values_list("month", "activity_id", "entries", "minutes", "people"))
    roles_before = sorted(ActivityRoleRollup.objects.values_list("month", "role_id", "entries", "minutes"))
    org_before = sorted(OrganisationActivityRollup.objects.values_list("month", "author_id", "entries", "minutes"))
    org_roles_before = sorted(OrganisationRoleRollup.objects.values_list("month", "role_id", "entries"))
    assert org_before and org_roles_before
    services.activity_rollup_rebuild()
    assert sorted(OrganisationActivityRollup.objects.values_list("month", "author_id", "entries", "minutes")) == org_before
    assert sorted(OrganisationRoleRollup.objects.values_list("month", "role_id", "entries")) == org_roles_before
    assert sorted(ActivityRollup.objects.values_list("month", "activity_id", "entries", "minutes", "people")) == before
    assert sorted(ActivityRoleRollup.objects.values_list("month", "role_id", "entries", "minutes")) == roles_before


def test_access_boundaries(make_entry, a_peer, a_colleague, a_stranger, a_manager, a_other_manager, a_coordinator):
    named = make_entry(colleagues=[a_colleague])
    plain = make_entry()
    assert set(selectors.activity_entry_list_for(a_peer)) == {named, plain}
    assert list(selectors.activity_entry_list_for(a_colleague)) == [named]
    assert set(selectors.activity_entry_list_for(a_manager)) == {named, plain}
    for outsider in (a_stranger, a_other_manager, a_coordinator):
        assert list(selectors.activity_entry_list_for(outsider)) == []
        assert selectors.activity_entry_get_for(outsider, plain.pk) is None


def test_reflection_is_private_unless_shared(make_entry, a_peer, a_manager, a_colleague):
    private = make_entry(reflection="自分だけ", colleagues=[a_colleague])
    shared = make_entry(reflection="共有", reflection_shared=True, colleagues=[a_colleague])
    assert selectors.reflection_visible(a_peer, private)
    assert not selectors.reflection_visible(a_manager, private)
    assert selectors.reflection_visible(a_manager, shared)
    assert not selectors.reflection_visible(a_colleague, shared)


def test_colleague_confirms_only_entries_naming_them(make_entry, a_colleague, a_stranger):
    entry = make_entry(colleagues=[a_colleague])
    services.activity_colleague_confirm(user=a_colleague, entry=entry)
    assert entry.colleague_links.get().confirmed_at is not None
    with pytest.raises(PermissionDenied):
        services.activity_colleague_confirm(user=a_stranger, entry=entry)


def test_verified_hours_count_verified_entries_and_confirmed_supervision(
    make_entry, a_manager, a_peer, a_colleague, a_supervisor, a_group,
):
    day = last_monday()
    verified = make_entry(duration_minutes=90)
    make_entry(duration_minutes=45, activity=a_group)  # waiting: does not count
    declined = make_entry(duration_minutes=30)
    services.activity_entry_verify(actor=a_manager, entry=verified)
    services.activity_entry_decline(actor=a_manager, entry=declined, reason="x")
    session = services.supervision_record(actor=a_colleague, supervisor=a_colleague, peer=a_peer, date=day, minutes=60)
    week = (day - datetime.timedelta(days=1), day + datetime.timedelta(days=7))
    assert selectors.verified_hours_for(a_peer, *week) == Decimal("1.50")
    with pytest.raises(PermissionDenied):
        services.supervision_confirm(actor=a_colleague, session=session)
    services.supervision_confirm(actor=a_peer, session=session)
    assert selectors.verified_hours_for(a_peer, *week) == Decimal("2.50")
    assert selectors.verified_hours_for(a_peer, *week, categories=["supervision"]) == Decimal("1.00")
    assert selectors.verified_hours_for(a_peer, *week, categories=["listening"]) == Decimal("1.50")
    assert selectors.verified_hours_for(a_peer, *week, categories=["peer-group"]) == Decimal("0.00")
    assert selectors.verified_hours_for(a_peer, day + datetime.timedelta(days=1), week[1]) == Decimal("0.00")


def test_supervision_recorded_only_by_its_people(a_peer, a_colleague, a_supervisor, a_stranger):
    with pytest.raises(PermissionDenied):
        services.supervision_record(actor=a_stranger, supervisor=a_colleague, peer=a_peer,
                                    date=last_monday(), minutes=30)
    with pytest.raises(ValidationError, match="相手には自分以外の人を選んでください") as error:
        services.supervision_record(actor=a_peer, supervisor=a_peer, peer=a_peer, date=last_monday(), minutes=30)
    assert set(error.value.message_dict) == {"peer"}


def test_region_report_suppresses_small_cells(make_entry, a_manager, a_coordinator, a_org, a_group, a_psw):
    for _ in range(5):
        make_entry(professional_roles=[a_psw])
    for _ in range(2):
        make_entry(activity=a_group)
    services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=last_monday())
    since = last_monday() - datetime.timedelta(days=40)
    report = selectors.region_report_for(a_coordinator, since, last_monday() + datetime.timedelta(days=7))
    by_activity = {str(r["label"]): r for r in report.by_activity}
    assert by_activity["傾聴"]["entries"] == 5
    assert by_activity["ピアグループ"]["entries"] == "<5"
    assert by_activity["ピアグループ"]["hours"] == "<5"
    assert report.by_setting[0]["entries"] == 7
    assert report.by_role[0]["entries"] == 5
    # a coordinator of another prefecture sees nothing of Tokyo
    from peers.models import Prefecture, Role

    other = a_manager.__class__.objects.create_user(email="osaka@example.test", display_name="大阪")
    services_role = __import__("peers.services", fromlist=["role_grant"]).role_grant
    services_role(user=other, role=Role.COORDINATOR, prefecture=Prefecture.objects.get(code="27"))
    assert selectors.region_report_for(other, since, last_monday()).by_activity == []
