"""Retention as data (issue 11): rules an administrator sets per kind of record, seeded with
defaults, carried out by the daily task with a clock, each run logged."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from collaboration.models import Reply
from config.management.commands.run_scheduler import DAILY
from peers.models import Consent, Engagement, LivedExperience, RetentionRule, RetentionRun
from peers.personal_data import add_period, retention_kinds
from peers.services.privacy import (
    consent_give,
    consent_withdraw,
    lived_experience_declare,
    retention_apply,
)
from training.models import Application

from .record_support import rich_record

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(3)))


def test_the_migration_seeds_a_rule_for_every_kind_with_the_defaults():
    rules = {rule.kind: rule for rule in RetentionRule.objects.all()}
    assert set(rules) == set(retention_kinds())
    assert (rules["staffing_records"].period, rules["staffing_records"].unit) == (5, "years")
    assert (rules["engagements"].period, rules["engagements"].anchor) == (3, "ended")
    assert rules["withdrawn_consent_data"].period == 0  # at once
    assert all(rule.note_ja and rule.note_en for rule in rules.values())


def test_a_rule_must_use_an_anchor_its_kind_supports():
    rule = RetentionRule.objects.get(kind="engagements")
    rule.anchor = RetentionRule.Anchor.WITHDRAWN
    with pytest.raises(Exception) as error:
        rule.full_clean()
    assert "anchor" in error.value.message_dict


def test_daily_task_removes_engagements_by_their_rule_and_logs_each_run(peer, org, factories):
    old = factories.engagement(person=peer, organisation=org, start_date=datetime.date(2019, 4, 1),
                               end_date=datetime.date(2020, 3, 31))
    recent = factories.engagement(person=peer, organisation=org, start_date=datetime.date(2021, 4, 1),
                                  end_date=datetime.date(2022, 3, 31))
    employed = factories.engagement(person=peer, organisation=org, employed=True,
                                    start_date=datetime.date(2019, 4, 1), end_date=datetime.date(2020, 3, 31))
    runs = {run.kind: run for run in retention_apply(now=_at(datetime.date(2024, 6, 1)))}
    # Volunteer engagements: 3 years after they end; employment (staffing records): 5 years.
    assert not Engagement.objects.filter(pk=old.pk).exists()
    assert Engagement.objects.filter(pk__in=[recent.pk, employed.pk]).count() == 2
    assert runs["engagements"].removed == 1 and runs["staffing_records"].removed == 0
    assert runs["engagements"].cutoff == datetime.date(2021, 6, 1)
    assert RetentionRun.objects.filter(kind="engagements").count() == 1

    retention_apply(now=_at(datetime.date(2025, 6, 1)))
    assert not Engagement.objects.filter(pk__in=[recent.pk, employed.pk]).exists()
    assert RetentionRun.objects.filter(kind="staffing_records", removed=1).exists()


def test_the_administrators_change_to_a_rule_is_what_the_task_carries_out(peer, org, factories):
    engagement = factories.engagement(person=peer, organisation=org, start_date=datetime.date(2019, 4, 1),
                                      end_date=datetime.date(2020, 3, 31))
    RetentionRule.objects.filter(kind="engagements").update(period=10)
    retention_apply(now=_at(datetime.date(2024, 6, 1)))
    assert Engagement.objects.filter(pk=engagement.pk).exists()
    RetentionRule.objects.filter(kind="engagements").update(active=False, period=0)
    retention_apply(now=_at(datetime.date(2024, 6, 1)))
    assert Engagement.objects.filter(pk=engagement.pk).exists()
    assert not RetentionRun.objects.filter(kind="engagements", removed__gt=0).exists()


def test_withdrawn_consent_data_goes_at_once_everywhere(peer, org, factories):
    r = rich_record(peer, factories, org, count=1)
    consent_give(person=peer, purpose=Consent.Purpose.LIVED_EXPERIENCE)
    lived_experience_declare(person=peer, relation="personal", visibility="only_me")
    for consent in Consent.objects.filter(person=peer, withdrawn_at__isnull=True):
        consent_withdraw(actor=peer, consent=consent)
    runs = {run.kind: run for run in retention_apply(now=timezone.now())}
    assert runs["withdrawn_consent_data"].removed == 4  # profile, lived experience, training, meeting
    assert not LivedExperience.objects.exists()
    assert Application.objects.get(pk=r.applications[0].pk).accommodation_request == ""
    assert not Reply.objects.exclude(accommodation_request="").exists()


def test_accommodation_requests_go_30_days_after_the_cohort_and_the_meeting(peer, org, factories):
    rich_record(peer, factories, org, count=1)  # the cohort's last day: 2026-01-10
    retention_apply(now=_at(datetime.date(2026, 2, 8)))
    assert Application.objects.exclude(accommodation_request="").count() == 1
    runs = {run.kind: run for run in retention_apply(now=_at(datetime.date(2026, 2, 10)))}
    assert runs["training_accommodation_requests"].removed == 1
    assert not Application.objects.exclude(accommodation_request="").exists()
    # The meeting ended yesterday: its replies' requests stay for 30 days, then go.
    assert Reply.objects.exclude(accommodation_request="").count() == 1
    retention_apply(now=timezone.now() + datetime.timedelta(days=29))
    assert Reply.objects.exclude(accommodation_request="").count() == 1
    runs = {run.kind: run for run in retention_apply(now=timezone.now() + datetime.timedelta(days=32))}
    assert runs["meeting_accommodation_requests"].removed == 1
    assert not Reply.objects.exclude(accommodation_request="").exists()


def test_the_daily_scheduler_runs_the_retention_rules(peer, org, factories, capsys):
    assert ("retention_apply", ["--enqueue"]) in DAILY
    call_command("retention_apply")
    assert "Retention:" in capsys.readouterr().out
    assert RetentionRun.objects.count() == len(retention_kinds())


def test_periods_in_years_and_months_keep_the_day():
    assert add_period(datetime.date(2024, 2, 29), 1, "years") == datetime.date(2025, 2, 28)
    assert add_period(datetime.date(2024, 1, 31), 1, "months") == datetime.date(2024, 2, 29)
    assert add_period(datetime.date(2024, 1, 31), 30, "days") == datetime.date(2024, 3, 1)
