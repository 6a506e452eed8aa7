"""Regions and retention rules in the API, read only: regions for everyone signed in (the staff
forms list them to choose a scope), retention rules with the editor's own permission; and the
welfare-fee staffing rules, which everyone signed in reads."""

from __future__ import annotations

import pytest
from django.test import Client

from peers.models import Prefecture, Region, RetentionRule
from tests.conftest import signed_in
from tests.peers.conftest import enrol_totp
from tests.problem_support import problem, problem_fields
from training.models import StaffingRule
from training.staffing.seed import ensure_seeded as ensure_rules

pytestmark = pytest.mark.django_db


def test_signed_in_people_read_the_regions_of_a_prefecture(peer):
    tama = Region.objects.create(prefecture_id="13", name_ja="北多摩北部", name_en="Kita-Tama North")
    Region.objects.create(prefecture=Prefecture.objects.get(code="14"), name_ja="横浜", name_en="Yokohama")
    client = signed_in(peer, two_step=False)
    body = client.get("/api/v1/regions/", {"prefecture": "13"}).json()
    assert body == {"results": [{"id": tama.pk, "prefecture": "13", "name_ja": "北多摩北部",
                                 "name_en": "Kita-Tama North"}], "next": None}
    assert len(client.get("/api/v1/regions/").json()["results"]) == 2
    assert "prefecture" in problem_fields(client.get("/api/v1/regions/", {"prefecture": "1234"}))
    assert Client().get("/api/v1/regions/").status_code in (401, 403)


def test_the_editor_reads_the_retention_rules_others_get_403(factories, peer, platform_admin):
    assert RetentionRule.objects.exists()  # seeded by migration
    editor = enrol_totp(factories.user(is_superuser=True, is_staff=True))
    rows = signed_in(editor).get("/api/v1/retention-rules/", {"page_size": 100}).json()["results"]
    assert {r["kind"] for r in rows} == set(RetentionRule.objects.values_list("kind", flat=True))
    assert all(r["note_ja"] for r in rows)
    for user in (peer, platform_admin):  # the platform administrator's role is not the editor's permission
        body = problem(signed_in(user).get("/api/v1/retention-rules/"), 403)
        assert body["errors"][0]["message"]["ja"] != body["errors"][0]["message"]["en"]
    refused = signed_in(editor, two_step=False).get("/api/v1/retention-rules/")
    assert problem(refused, 403)["errors"][0]["code"] == "two_step_required"


def test_signed_in_people_read_the_staffing_rules(peer):
    ensure_rules()
    client = signed_in(peer, two_step=False)
    rows = client.get("/api/v1/training/staffing-rules/", {"page_size": 100}).json()["results"]
    assert {(r["addition"], r["label"]) for r in rows} == set(StaffingRule.objects.values_list("addition", "label"))
    assert all(isinstance(r["eligible_services"], list) for r in rows)
    assert client.get("/api/v1/training/staffing-rules/", {"cursor": "nope"}).status_code == 400
