"""The rollups follow the records in the same transaction, and the rebuild agrees with them."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from collaboration.activity import services as activity_services
from comparisons.models import OutcomeRollup, RollupCheck
from comparisons.rollups import fiscal_year, rollup_check
from peers.models import Engagement
from peers.services.workforce import engagement_change_terms, engagement_confirm, engagement_start
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from training.models import Certification
from training.services import certification_revoke
from training.services.reminders import certification_sweep

pytestmark = pytest.mark.django_db


def _count(table, group, key, outcome, year=None) -> int:
    qs = OutcomeRollup.objects.filter(table=table, group=group, key=key, outcome=outcome)
    if year is not None:
        qs = qs.filter(fiscal_year=year)
    return sum(qs.values_list("count", flat=True))


def test_fiscal_years_start_in_april():
    assert fiscal_year(datetime.date(2025, 3, 31)) == 2024
    assert fiscal_year(datetime.date(2025, 4, 1)) == 2025


def test_confirmed_engagements_are_counted_as_they_change(a_manager, a_peer, a_org):
    start = datetime.date(2025, 6, 1)
    by_manager = engagement_start(actor=a_manager, person=a_peer, organisation=a_org, kind="employed",
                                  start_date=start, weekly_hours=20, full_time_weekly_hours=40)
    assert _count("engagements", "organisation", str(a_org.pk), "employed", 2025) == 1
    assert _count("engagements", "prefecture", "13", "employed", 2025) == 1
    own = engagement_start(actor=a_peer, person=a_peer, organisation=a_org, kind="volunteer", start_date=start)
    assert _count("engagements", "prefecture", "13", "volunteer", 2025) == 0  # not confirmed yet
    engagement_confirm(actor=a_manager, engagement=own)
    assert _count("engagements", "prefecture", "13", "volunteer", 2025) == 1
    # New terms are not a new engagement: the count stays.
    engagement_change_terms(actor=a_manager, engagement=by_manager, effective_date=datetime.date(2025, 9, 1),
                            weekly_hours=30)
    assert _count("engagements", "prefecture", "13", "employed", 2025) == 1
    Engagement.objects.filter(pk=own.pk).get().delete()
    assert _count("engagements", "prefecture", "13", "volunteer", 2025) == 0
    assert rollup_check(sources=["engagements"])[0].differences == 0


def test_certification_revocations_and_lapses_are_counted(a_certify, a_peer, a_colleague, a_manager, a_training):
    body = str(a_training.body.pk)
    revoked = a_certify(a_peer)
    certification_revoke(certification=revoked, actor=a_manager, reason="規程違反")
    today = datetime.date.today()
    assert _count("certifications", "body", body, "revoked", fiscal_year(today)) == 1
    old = a_certify(a_colleague, issued_on=today - datetime.timedelta(days=2 * 365 + 200))
    certification_sweep(today=today)
    old.refresh_from_db()
    assert old.status == Certification.Status.LAPSED
    assert _count("certifications", "body", body, "lapsed", fiscal_year(today)) == 1
    assert _count("certifications", "prefecture", "", "lapsed", fiscal_year(today)) == 1  # no cohort: no prefecture
    assert rollup_check(sources=["certifications"])[0].differences == 0


def test_rebuild_finds_a_wrong_rollup_and_repairs_it(a_manager, a_peer, a_org, make_entry, capsys):
    engagement_start(actor=a_manager, person=a_peer, organisation=a_org, kind="volunteer",
                     start_date=datetime.date(2025, 5, 1))
    for _ in range(3):
        make_entry()
    activity_services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=last_monday())
    call_command("comparison_rollups")
    assert "agree" in capsys.readouterr().out
    assert RollupCheck.objects.filter(differences=0).count() == 4

    cell = OutcomeRollup.objects.get(table="engagements", group="organisation", key=str(a_org.pk))
    cell.count = 7
    cell.save()
    with pytest.raises(CommandError):
        call_command("comparison_rollups", "--source", "engagements")
    assert RollupCheck.objects.latest().differences == 1

    call_command("comparison_rollups", "--rebuild")
    assert OutcomeRollup.objects.get(table="engagements", group="organisation", key=str(a_org.pk)).count == 1
    assert {c.differences for c in RollupCheck.objects.filter(rebuilt=True)} == {0}


def test_history_rows_ended_by_retention_take_their_counts_with_them(a_certify, a_peer, a_manager, a_training):
    from peers.history import history_purge
    from training.models import CertificationStatusChange

    revoked = a_certify(a_peer)
    certification_revoke(certification=revoked, actor=a_manager, reason="規程違反")
    body, year = str(a_training.body.pk), fiscal_year(datetime.date.today())
    assert _count("certifications", "body", body, "revoked", year) == 1
    with history_purge():  # as the retention rule for certifications does
        CertificationStatusChange.objects.filter(certification=revoked).delete()
    assert _count("certifications", "body", body, "revoked", year) == 0
    assert rollup_check(sources=["certifications"])[0].differences == 0


def test_an_organisation_that_moves_takes_its_counts_along(a_manager, a_peer, a_org):
    from peers.services.workforce import organisation_update

    engagement_start(actor=a_manager, person=a_peer, organisation=a_org, kind="volunteer",
                     start_date=datetime.date(2025, 5, 1))
    assert _count("engagements", "municipality", "", "volunteer", 2025) == 1
    organisation_update(actor=a_manager, organisation=a_org, municipality="新宿区")
    assert _count("engagements", "municipality", "", "volunteer", 2025) == 0
    assert _count("engagements", "municipality", "13:新宿区", "volunteer", 2025) == 1
    organisation_update(actor=a_manager, organisation=a_org, contact_phone="03-0000-0000")  # no regrouping
    assert rollup_check(sources=["engagements", "applications"])[0].differences == 0
