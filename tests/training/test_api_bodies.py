"""Training bodies' settings, their continuing-education categories and cohorts' instructors in
the API: the staff pages' access (the body's staff, two-step sign-in passed; categories also read
by the holders of the body's certifications), through the pages' services."""

from __future__ import annotations

import pytest

from tests.conftest import signed_in
from tests.problem_support import problem, problem_fields
from training.models import CECategory, Instructor, TrainingBody
from training.services import certification_issue

pytestmark = pytest.mark.django_db


def _settings(body) -> tuple:
    body.refresh_from_db()
    return (body.number_prefix, body.sequence_digits, body.recertification_keeps_number, body.evidence_due_days)


# --- Bodies -----------------------------------------------------------------------------------


def test_staff_list_and_read_their_own_body_only(body, other_body, trainer):
    client = signed_in(trainer)
    assert [(r["id"], r["number_prefix"]) for r in client.get("/api/v1/training/bodies/").json()["results"]] == [
        (body.pk, "PSS")]
    assert client.get(f"/api/v1/training/bodies/{body.pk}/").json()["name"] == body.organisation.name
    problem(client.get(f"/api/v1/training/bodies/{other_body.pk}/"), 404)


def test_staff_change_the_settings_through_the_page_services(body, trainer):
    response = signed_in(trainer).patch(f"/api/v1/training/bodies/{body.pk}/", {
        "number_prefix": "kpss", "sequence_digits": 5, "evidence_due_days": 21}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["number_prefix"] == "KPSS"
    assert _settings(body) == ("KPSS", 5, body.recertification_keeps_number, 21)


def test_the_prefix_is_refused_once_a_certificate_is_issued(body, trainer, credential_type, completed, make_user):
    holder = make_user()
    completed(holder)
    certification_issue(credential_type=credential_type, holder=holder, actor=trainer, notify=False)
    before = _settings(body)
    [message] = problem_fields(signed_in(trainer).patch(
        f"/api/v1/training/bodies/{body.pk}/", {"number_prefix": "NEW"}, content_type="application/json"))[
        "number_prefix"]
    assert message["en"].startswith("Certificates have already been issued") and message["ja"] != message["en"]
    assert _settings(body) == before


def test_bad_settings_are_a_400_in_both_languages_and_change_nothing(body, trainer):
    before = _settings(body)
    fields = problem_fields(signed_in(trainer).patch(f"/api/v1/training/bodies/{body.pk}/", {
        "number_prefix": "1-bad", "sequence_digits": 99, "evidence_due_days": 0}, content_type="application/json"))
    assert set(fields) == {"number_prefix", "sequence_digits", "evidence_due_days"}
    assert all(m[0]["ja"] != m[0]["en"] for m in fields.values())
    assert _settings(body) == before


def test_others_cannot_read_or_change_a_body(body, other_trainer, make_user, trainer):
    before = _settings(body)
    for user in (other_trainer, make_user()):
        client = signed_in(user)
        problem(client.get(f"/api/v1/training/bodies/{body.pk}/"), 404)
        problem(client.patch(f"/api/v1/training/bodies/{body.pk}/", {"evidence_due_days": 3},
                             content_type="application/json"), 404)
    refused = signed_in(trainer, two_step=False).patch(f"/api/v1/training/bodies/{body.pk}/",
                                                        {"evidence_due_days": 3}, content_type="application/json")
    assert problem(refused, 403)["errors"][0]["code"] == "two_step_required"
    assert _settings(body) == before


# --- Continuing-education categories ----------------------------------------------------------


def test_staff_and_holders_read_the_categories_others_see_none(body, ethics, general, trainer, other_trainer,
                                                              credential_type, completed, make_user):
    holder = make_user()
    completed(holder)
    certification_issue(credential_type=credential_type, holder=holder, actor=trainer, notify=False)
    for reader in (trainer, holder):
        rows = signed_in(reader).get("/api/v1/training/ce-categories/").json()["results"]
        assert sorted(r["name"] for r in rows) == ["一般", "倫理"]
    assert signed_in(other_trainer).get("/api/v1/training/ce-categories/").json()["results"] == []
    assert signed_in(make_user()).get("/api/v1/training/ce-categories/", {"body": body.pk}).json()["results"] == []


def test_staff_add_and_rename_a_category(body, ethics, trainer):
    client = signed_in(trainer)
    added = client.post("/api/v1/training/ce-categories/", {"body": body.pk, "name": " 実践 "},
                        content_type="application/json")
    assert added.status_code == 201 and added.json()["name"] == "実践"
    renamed = client.post("/api/v1/training/ce-categories/", {"body": body.pk, "name": "倫理・権利擁護",
                                                              "category": ethics.pk},
                          content_type="application/json")
    assert renamed.status_code == 200
    ethics.refresh_from_db()
    assert ethics.name == "倫理・権利擁護"
    assert sorted(CECategory.objects.filter(body=body).values_list("name", flat=True)) == ["倫理・権利擁護", "実践"]


def test_holders_and_other_staff_cannot_change_categories(body, ethics, trainer, other_trainer, other_body,
                                                          credential_type, completed, make_user):
    holder = make_user()
    completed(holder)
    certification_issue(credential_type=credential_type, holder=holder, actor=trainer, notify=False)
    data = {"body": body.pk, "name": "乗っ取り", "category": ethics.pk}
    body_json = problem(signed_in(holder).post("/api/v1/training/ce-categories/", data,
                                                content_type="application/json"), 403)
    assert body_json["errors"][0]["message"]["en"] == "Only the training body's staff can change its categories."
    problem(signed_in(other_trainer).post("/api/v1/training/ce-categories/", data,
                                           content_type="application/json"), 404)
    other_category = CECategory.objects.create(body=other_body, name="他機関")
    problem(signed_in(trainer).post("/api/v1/training/ce-categories/", {
        "body": body.pk, "name": "x", "category": other_category.pk}, content_type="application/json"), 404)
    assert sorted(CECategory.objects.values_list("name", flat=True)) == ["一般", "他機関", "倫理"]


def test_a_bad_category_is_a_400_in_both_languages(body, ethics, trainer):
    client = signed_in(trainer)
    fields = problem_fields(client.post("/api/v1/training/ce-categories/", {"body": body.pk, "name": ""},
                                        content_type="application/json"))
    assert set(fields) == {"name"} and fields["name"][0]["ja"] != fields["name"][0]["en"]
    duplicate = problem_fields(client.post("/api/v1/training/ce-categories/", {"body": body.pk, "name": "倫理"},
                                           content_type="application/json"))
    assert all(m["ja"] != m["en"] for messages in duplicate.values() for m in messages)
    assert list(CECategory.objects.values_list("name", flat=True)) == ["倫理"]


# --- Instructors ------------------------------------------------------------------------------


def test_staff_list_and_name_instructors_of_their_cohort(cohort, trainer):
    client = signed_in(trainer)
    url = f"/api/v1/training/cohorts/{cohort.pk}/instructors/"
    added = client.post(url, {"name": " 佐藤 ひかり ", "is_peer": True}, content_type="application/json")
    assert added.status_code == 201, added.content
    instructor = Instructor.objects.get(cohort=cohort)
    assert (instructor.name, instructor.is_peer) == ("佐藤 ひかり", True)
    assert client.get(url).json() == {"results": [{"id": instructor.pk, "cohort": cohort.pk, "name": "佐藤 ひかり",
                                                   "is_peer": True}], "next": None}


def test_others_cannot_read_or_name_instructors(cohort, other_trainer, make_user, trainer):
    url = f"/api/v1/training/cohorts/{cohort.pk}/instructors/"
    for user in (other_trainer, make_user()):
        client = signed_in(user)
        problem(client.get(url), 404)
        problem(client.post(url, {"name": "侵入者"}, content_type="application/json"), 404)
    problem(signed_in(trainer, two_step=False).post(url, {"name": "侵入者"}, content_type="application/json"), 403)
    assert not Instructor.objects.exists()


def test_a_bad_instructor_is_a_400_in_both_languages(cohort, trainer):
    fields = problem_fields(signed_in(trainer).post(f"/api/v1/training/cohorts/{cohort.pk}/instructors/",
                                                     {"name": "x" * 101, "is_peer": "perhaps"},
                                                     content_type="application/json"))
    assert set(fields) == {"name", "is_peer"}
    assert all(m[0]["ja"] != m[0]["en"] for m in fields.values())
    assert not Instructor.objects.exists()
    assert TrainingBody.objects.count() == 1


def test_a_patch_changes_only_the_settings_the_page_changes(body, other_body, trainer):
    """The body's organisation, name and id are not settings: a PATCH naming them leaves them."""
    organisation, name = body.organisation_id, body.organisation.name
    response = signed_in(trainer).patch(f"/api/v1/training/bodies/{body.pk}/", {
        "id": other_body.pk, "organisation": other_body.organisation_id, "name": "乗っ取り",
        "evidence_due_days": 21}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["organisation"], response.json()["name"]) == (
        body.pk, organisation, name)
    body.refresh_from_db()
    other_body.refresh_from_db()
    assert (body.organisation_id, body.organisation.name, body.evidence_due_days) == (organisation, name, 21)
    assert other_body.evidence_due_days != 21
