"""Seed 000's core peer work in the activity vocabulary (issue 18), and the effect of an entry
recorded as personal (内面的) and social (外見的) recovery."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from collaboration.activity.models import ActivityEntry
from peers.models import Activity
from peers.vocabularies import CORE_PEER_WORK
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def test_the_migration_added_the_five_terms_with_japanese_and_english_labels():
    terms = {a.code: a for a in Activity.objects.filter(code__in=[code for code, _ja, _en in CORE_PEER_WORK])}
    assert {code: (t.name_ja, t.name_en != "" and t.is_active) for code, t in terms.items()} == {
        "wishes-into-words": ("言語化サポート・思いの代弁", True),
        "role-model": ("ロールモデル", True),
        "advocacy": ("権利擁護", True),
        "community-settling": ("地域定着", True),
        "early-support": ("早期の相談・受診時の安心", True),
    }
    # After the first ten activities, in the seed's order.
    first = Activity.objects.get(code="work-support").sort_order
    assert [t.sort_order for t in sorted(terms.values(), key=lambda t: t.sort_order)] == [
        first + 10 * i for i in range(1, 6)]


def test_an_entry_records_personal_and_social_recovery_as_an_effect_on_the_person(make_entry):
    advocacy = Activity.objects.get(code="advocacy")
    entry = make_entry(activity=advocacy, recovery_personal=True, recovery_social=True)
    entry.refresh_from_db()
    assert (entry.recovery_personal, entry.recovery_social, entry.level_person) == (True, True, True)
    assert len(entry.recovery) == 2


def test_the_database_refuses_recovery_without_the_effect_on_the_person(make_entry):
    entry = make_entry()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityEntry.objects.filter(pk=entry.pk).update(recovery_social=True, level_person=False)


def test_the_quick_entry_and_the_api_take_the_recovery_effects(client, a_peer, a_engagement):
    role_model = Activity.objects.get(code="role-model")
    login_as(client, a_peer)
    response = client.post("/en/me/activity/new/", {
        "engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 60,
        "activity": role_model.pk, "mode": "in_person", "stage": "community", "people_supported": 1,
        "recovery_social": "on", "confirmed": "1"})
    assert response.status_code == 302
    entry = ActivityEntry.objects.get()
    assert entry.recovery_social and entry.level_person and not entry.recovery_personal
    detail = client.get(f"/en/me/activity/{entry.pk}/").content.decode()
    assert "Social recovery" in detail and "Being a role model of recovery" in detail
    api = APIClient()
    api.force_authenticate(a_peer)
    made = api.post("/api/v1/activity/entries/", {
        "engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 30,
        "activity": "wishes-into-words", "stage": "community", "recovery_personal": True}, format="json")
    assert made.status_code == 201
    assert (made.json()["recovery_personal"], made.json()["level_person"]) == (True, True)
    bad = api.post("/api/v1/activity/entries/", {
        "engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 30,
        "activity": "wishes-into-words", "stage": "community", "recovery_personal": "maybe"}, format="json")
    assert bad.status_code == 400 and ActivityEntry.objects.count() == 2
