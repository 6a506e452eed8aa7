"""Engagements: terms by kind, FTE, confirmation, changing terms keeps history, who may act."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from peers.models import AuditEvent, Engagement
from peers.selectors.workforce import (
    engagement_get_for,
    engagement_list_for,
    organisation_staff_for,
    organisation_summary_for,
)
from peers.services.workforce import (
    engagement_change_terms,
    engagement_confirm,
    engagement_end,
    engagement_start,
)

pytestmark = pytest.mark.django_db

APRIL = datetime.date(2024, 4, 1)


def test_peer_records_own_engagement_unconfirmed_and_manager_confirms(peer, org, org_manager, activities):
    engagement = engagement_start(
        actor=peer, person=peer, organisation=org, kind=Engagement.Kind.HONORARIUM,
        start_date=APRIL, job_title="講演", honorarium_rate=8000,
        honorarium_unit=Engagement.RateUnit.SESSION, activities=[activities["awareness-talk"]],
    )
    assert engagement.confirmed_at is None
    assert list(engagement.activities.values_list("code", flat=True)) == ["awareness-talk"]
    engagement_confirm(actor=org_manager, engagement=engagement)
    engagement.refresh_from_db()
    assert engagement.confirmed_by == org_manager and engagement.confirmed_at is not None
    assert AuditEvent.objects.filter(action="engagement.confirm", target_id=str(engagement.pk)).exists()


def test_manager_records_engagement_confirmed_at_once(peer, org, org_manager):
    engagement = engagement_start(
        actor=org_manager, person=peer, organisation=org, kind=Engagement.Kind.EMPLOYED,
        start_date=APRIL, weekly_hours=Decimal("30"), full_time_weekly_hours=Decimal("40"),
    )
    assert engagement.confirmed_by == org_manager
    assert engagement.fte == Decimal("0.75")


def test_peer_cannot_confirm_own_engagement(peer, org):
    engagement = engagement_start(
        actor=peer, person=peer, organisation=org, kind=Engagement.Kind.VOLUNTEER, start_date=APRIL
    )
    with pytest.raises(PermissionDenied):
        engagement_confirm(actor=peer, engagement=engagement)


def test_manager_of_another_organisation_cannot_record_or_confirm(peer, org, other_manager):
    with pytest.raises(PermissionDenied):
        engagement_start(actor=other_manager, person=peer, organisation=org,
                         kind=Engagement.Kind.VOLUNTEER, start_date=APRIL)
    engagement = engagement_start(actor=peer, person=peer, organisation=org,
                                  kind=Engagement.Kind.VOLUNTEER, start_date=APRIL)
    with pytest.raises(PermissionDenied):
        engagement_confirm(actor=other_manager, engagement=engagement)


def test_peer_cannot_record_engagement_for_someone_else(peer, other_peer, org):
    with pytest.raises(PermissionDenied):
        engagement_start(actor=peer, person=other_peer, organisation=org,
                         kind=Engagement.Kind.VOLUNTEER, start_date=APRIL)


@pytest.mark.parametrize(
    "kind, terms, field",
    [
        ("honorarium", {}, "honorarium_rate"),
        ("honorarium", {"honorarium_rate": 1000}, "honorarium_unit"),
        ("employed", {"full_time_weekly_hours": Decimal("40")}, "weekly_hours"),
        ("employed", {"weekly_hours": Decimal("20")}, "full_time_weekly_hours"),
        ("employed", {"weekly_hours": Decimal("45"), "full_time_weekly_hours": Decimal("40")}, "weekly_hours"),
        ("volunteer", {"end_date": datetime.date(2024, 3, 1)}, "end_date"),
    ],
)
def test_kind_specific_terms_are_required(peer, org, kind, terms, field):
    with pytest.raises(ValidationError) as error:
        engagement_start(actor=peer, person=peer, organisation=org, kind=kind, start_date=APRIL, **terms)
    assert field in error.value.message_dict
    assert not Engagement.objects.exists()


def test_terms_of_another_kind_are_dropped(peer, org):
    engagement = engagement_start(
        actor=peer, person=peer, organisation=org, kind=Engagement.Kind.VOLUNTEER,
        start_date=APRIL, honorarium_rate=1000, weekly_hours=Decimal("10"), on_leave=True,
    )
    assert engagement.honorarium_rate is None and engagement.weekly_hours is None
    assert engagement.on_leave is False


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "volunteer", "honorarium_rate": 100, "honorarium_unit": "hour"},
        {"kind": "honorarium"},
        {"kind": "employed", "weekly_hours": Decimal("50"), "full_time_weekly_hours": Decimal("40")},
        {"kind": "volunteer", "weekly_hours": Decimal("5")},
        {"kind": "volunteer", "end_date": datetime.date(2020, 1, 1)},
    ],
)
def test_database_refuses_inconsistent_terms(peer, org, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        Engagement.objects.create(person=peer, organisation=org, start_date=APRIL, **values)


def test_changing_terms_ends_old_engagement_and_starts_new(peer, org, org_manager, activities):
    old = engagement_start(
        actor=org_manager, person=peer, organisation=org, kind=Engagement.Kind.EMPLOYED,
        start_date=APRIL, weekly_hours=Decimal("20"), full_time_weekly_hours=Decimal("40"),
        activities=[activities["listening"]],
    )
    new = engagement_change_terms(
        actor=org_manager, engagement=old, effective_date=datetime.date(2025, 4, 1),
        weekly_hours=Decimal("32"),
    )
    old.refresh_from_db()
    assert old.end_date == datetime.date(2025, 3, 31)
    assert old.weekly_hours == Decimal("20")  # history is not overwritten
    assert new.previous == old and new.start_date == datetime.date(2025, 4, 1)
    assert new.fte == Decimal("0.80")
    assert [a.code for a in new.activities.all()] == ["listening"]
    with pytest.raises(ValidationError, match="この条件は、すでに新しい条件に置き換えられています"):
        engagement_change_terms(actor=org_manager, engagement=old, effective_date=datetime.date(2025, 1, 1))


def test_peer_changing_terms_needs_confirmation_again(peer, org, org_manager):
    old = engagement_start(actor=org_manager, person=peer, organisation=org,
                           kind=Engagement.Kind.VOLUNTEER, start_date=APRIL)
    new = engagement_change_terms(actor=peer, engagement=old, effective_date=datetime.date(2024, 10, 1),
                                  kind=Engagement.Kind.HONORARIUM, honorarium_rate=3000,
                                  honorarium_unit=Engagement.RateUnit.HOUR)
    assert new.kind == Engagement.Kind.HONORARIUM and new.confirmed_at is None


def test_end_date_cannot_be_extended_after_ending(peer, org):
    engagement = engagement_start(actor=peer, person=peer, organisation=org,
                                  kind=Engagement.Kind.VOLUNTEER, start_date=APRIL)
    engagement_end(actor=peer, engagement=engagement, end_date=datetime.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="この活動先での活動は、すでに終了しています") as error:
        engagement_end(actor=peer, engagement=engagement, end_date=datetime.date(2024, 6, 1))
    assert set(error.value.message_dict) == {"end_date"}


def test_engagement_visibility_by_role(factories, peer, other_peer, org, other_org, org_manager, platform_admin):
    mine = factories.engagement(person=peer, organisation=other_org)
    at_managed = factories.engagement(person=other_peer, organisation=org)
    elsewhere = factories.engagement(person=other_peer, organisation=other_org)
    assert set(engagement_list_for(peer)) == {mine}
    assert set(engagement_list_for(org_manager)) == {at_managed}
    assert set(engagement_list_for(platform_admin)) == {mine, at_managed, elsewhere}
    with pytest.raises(Http404):
        engagement_get_for(peer, elsewhere.pk)
    with pytest.raises(Http404):
        engagement_get_for(org_manager, mine.pk)


def test_organisation_summary_counts_current_engagements_and_fte(
    factories, org, org_manager, tokyo_coordinator, other_manager, peer
):
    factories.engagement(organisation=org)
    factories.engagement(organisation=org, honorarium=True)
    factories.engagement(organisation=org, employed=True)  # 0.5
    factories.engagement(organisation=org, employed=True, weekly_hours=Decimal("30"))  # 0.75
    factories.engagement(organisation=org, end_date=datetime.date(2024, 12, 31))  # ended
    summary = organisation_summary_for(org_manager, org)
    assert (summary["volunteer"], summary["honorarium"], summary["employed"]) == (1, 1, 2)
    assert summary["fte"] == Decimal("1.25")
    assert organisation_summary_for(tokyo_coordinator, org)["employed"] == 2
    assert organisation_summary_for(other_manager, org) is None
    assert organisation_summary_for(peer, org) is None
    assert organisation_staff_for(tokyo_coordinator, org).count() == 0
    assert organisation_staff_for(org_manager, org).count() == 4
