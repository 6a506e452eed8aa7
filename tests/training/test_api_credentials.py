"""Credential types and their floors in the API: read by the body's staff and the types'
holders, changed by the body's staff only (two-step sign-in passed), through the page's service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.conftest import login_as
from training.models import CEFloor, CredentialType
from training.services import certification_issue

pytestmark = pytest.mark.django_db

URL = "/api/v1/training/credential-types/"


def _signed_in(user) -> Client:
    client = Client()
    login_as(client, user)
    return client


def test_staff_and_holder_read_the_type_with_its_floors_others_see_nothing(
    credential_type, trainer, other_trainer, make_user, completed
):
    holder, stranger = make_user(), make_user()
    completed(holder)
    certification_issue(credential_type=credential_type, holder=holder, actor=trainer, notify=False)
    for reader in (trainer, holder):
        data = _signed_in(reader).get(URL).json()
        assert data["next"] is None
        [row] = data["results"]
        assert row["id"] == credential_type.pk and row["name"] == "ピアサポート専門員"
        assert row["ce_hours_required"] == "20.00" and row["validity_months"] == 24
        assert row["floors"] == [{"category": credential_type.ce_floors.get().category_id, "category_name": "倫理",
                                  "minimum_hours": "3.00"}]
        assert _signed_in(reader).get(f"{URL}{credential_type.pk}/").status_code == 200
    for outsider in (other_trainer, stranger):
        assert _signed_in(outsider).get(URL).json()["results"] == []
        assert _signed_in(outsider).get(f"{URL}{credential_type.pk}/").status_code == 404


def test_staff_create_a_type_with_floors_through_the_service(trainer, body, initial_course, ethics):
    response = _signed_in(trainer).post(URL, {
        "body": body.pk, "name": "更新資格", "initial_course": initial_course.pk, "expires": True,
        "validity_months": 36, "ce_hours_required": "30", "reminder_offsets": [30, 90, 30],
        "floors": [{"category": "倫理", "minimum_hours": "4"}, {"category": "権利擁護", "minimum_hours": "2"}],
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    created = CredentialType.objects.get(pk=response.json()["id"])
    assert created.body == body and created.validity_months == 36 and created.reminder_offsets == [90, 30]
    floors = {f.category.name: f.minimum_hours for f in CEFloor.objects.filter(credential_type=created)}
    assert floors == {"倫理": Decimal("4"), "権利擁護": Decimal("2")}
    assert {f["category_name"] for f in response.json()["floors"]} == {"倫理", "権利擁護"}


def test_staff_change_the_rules_and_floors_of_their_type(trainer, credential_type):
    response = _signed_in(trainer).patch(f"{URL}{credential_type.pk}/", {
        "grace_days": 30, "floors": [{"category": "倫理", "minimum_hours": "6"}],
    }, content_type="application/json")
    assert response.status_code == 200, response.content
    credential_type.refresh_from_db()
    assert credential_type.grace_days == 30 and credential_type.reminder_offsets == [120, 60, 30, 7, -30]
    assert [f.minimum_hours for f in credential_type.ce_floors.all()] == [Decimal("6")]


def test_a_patch_without_floors_keeps_them(trainer, credential_type):
    response = _signed_in(trainer).patch(f"{URL}{credential_type.pk}/", {"name": "専門員"},
                                         content_type="application/json")
    assert response.status_code == 200
    assert [(f.category.name, f.minimum_hours) for f in credential_type.ce_floors.all()] == [("倫理", Decimal("3"))]


def test_holders_and_other_bodies_cannot_change_a_type(credential_type, trainer, other_trainer, make_user,
                                                       completed, body):
    holder = make_user()
    completed(holder)
    certification_issue(credential_type=credential_type, holder=holder, actor=trainer, notify=False)
    change = {"grace_days": 1, "floors": []}
    assert _signed_in(holder).patch(f"{URL}{credential_type.pk}/", change,
                                    content_type="application/json").status_code == 403
    assert _signed_in(other_trainer).patch(f"{URL}{credential_type.pk}/", change,
                                           content_type="application/json").status_code == 404
    assert _signed_in(other_trainer).post(URL, {"body": body.pk, "name": "乗っ取り", "expires": False},
                                          content_type="application/json").status_code == 404
    credential_type.refresh_from_db()
    assert credential_type.grace_days == 90 and credential_type.ce_floors.count() == 1
    assert CredentialType.objects.count() == 1


def test_staff_signed_in_with_a_password_only_change_nothing(client, trainer, credential_type):
    client.force_login(trainer)
    response = client.patch(f"{URL}{credential_type.pk}/", {"grace_days": 1}, content_type="application/json")
    assert response.status_code == 403
    assert client.get(URL).status_code == 403
    credential_type.refresh_from_db()
    assert credential_type.grace_days == 90


def test_bad_input_is_a_400_and_changes_nothing(trainer, body, other_body, credential_type):
    api = _signed_in(trainer)
    other_course = other_body.courses.create(kind="initial", title="他機構の研修")
    for bad in (
        {"body": body.pk, "name": "期限なし設定ミス", "expires": True},  # expires, no validity
        {"body": body.pk, "name": "x", "expires": False, "initial_course": other_course.pk},  # another body's course
        {"body": body.pk, "name": "x", "expires": False, "floors": [{"category": "倫理", "minimum_hours": "-1"}]},
        {"body": body.pk, "expires": False},  # no name
    ):
        response = api.post(URL, bad, content_type="application/json")
        assert response.status_code == 400, (bad, response.content)
        assert response["Content-Type"].split(";")[0].endswith("json")
    assert CredentialType.objects.count() == 1
    response = api.patch(f"{URL}{credential_type.pk}/", {"validity_months": None}, content_type="application/json")
    assert response.status_code == 400 and "validity_months" in response.content.decode()
    credential_type.refresh_from_db()
    assert credential_type.validity_months == 24
