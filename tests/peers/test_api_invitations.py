"""Invitations and roles in the API: the staff invitation pages' access (who may invite, to
which role, into which organisation) and the way in (an invitation gives its role once, to the
person it was sent to); the same services."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from peers.models import Invitation, Organisation, Role, RoleAssignment
from peers.services import invitation_create
from tests.conftest import signed_in
from tests.problem_support import problem, problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(manager, organisation):
    return invitation_create(invited_by=manager, email="new-peer@example.test", role=Role.PEER,
                             organisation=organisation)


def test_a_manager_lists_the_invitations_of_their_organisation(manager, organisation, other_organisation,
                                                               admin_user, invitation):
    invitation_create(invited_by=admin_user, email="elsewhere@example.test", role=Role.PEER,
                      organisation=other_organisation)
    body = signed_in(manager).get("/api/v1/invitations/").json()
    assert [row["email"] for row in body["results"]] == ["new-peer@example.test"]
    row = body["results"][0]
    assert row["role"] == "peer" and row["organisation"] == organisation.pk and row["is_usable"] is True
    assert "token" not in row and invitation.token not in str(body)  # the secret of the email
    everyone = signed_in(admin_user).get("/api/v1/invitations/").json()["results"]
    assert {r["email"] for r in everyone} == {"new-peer@example.test", "elsewhere@example.test"}


def test_a_manager_invites_into_their_organisation(manager, organisation, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(manager).post("/api/v1/invitations/", {
            "email": "Someone@Example.test", "role": "professional", "organisation": organisation.pk,
        }, content_type="application/json")
    assert response.status_code == 201, response.content
    made = Invitation.objects.get(pk=response.json()["id"])
    assert (made.email, made.role, made.organisation, made.invited_by) == (
        "someone@example.test", "professional", organisation, manager)
    assert [m.to for m in mailoutbox] == [["someone@example.test"]]


def test_people_who_may_not_invite_get_403(make_user, organisation):
    peer = make_user(roles=[(Role.PEER, {})])
    for method in ("get", "post"):
        body = problem(getattr(signed_in(peer), method)("/api/v1/invitations/", {} if method == "get" else {
            "email": "x@example.test", "role": "peer", "organisation": organisation.pk},
            **({} if method == "get" else {"content_type": "application/json"})), 403)
        assert body["errors"][0]["message"]["en"] == "You cannot invite people."
    assert not Invitation.objects.exists()


def test_a_manager_without_two_step_sign_in_is_refused(manager, invitation):
    body = problem(signed_in(manager, two_step=False).get("/api/v1/invitations/"), 403)
    assert body["errors"][0]["code"] == "two_step_required"


def test_a_manager_cannot_invite_into_another_organisation_or_to_a_staff_role(manager, other_organisation,
                                                                              organisation):
    client = signed_in(manager)
    elsewhere = client.post("/api/v1/invitations/", {"email": "x@example.test", "role": "peer",
                                                     "organisation": other_organisation.pk},
                            content_type="application/json")
    assert problem(elsewhere, 403)["errors"][0]["message"]["ja"]
    admin = client.post("/api/v1/invitations/", {"email": "x@example.test", "role": "admin",
                                                  "organisation": organisation.pk}, content_type="application/json")
    problem(admin, 403)
    assert not Invitation.objects.exists()


def test_a_bad_invitation_is_a_400_in_both_languages_and_sends_nothing(manager, organisation, mailoutbox):
    response = signed_in(manager).post("/api/v1/invitations/", {
        "email": "not an address", "role": "chief", "organisation": organisation.pk,
    }, content_type="application/json")
    fields = problem_fields(response)
    assert set(fields) == {"email", "role"}
    for messages in fields.values():
        assert messages[0]["ja"] != messages[0]["en"]
    assert not Invitation.objects.exists() and mailoutbox == []


def test_the_invited_person_accepts_and_lists_their_roles(make_user, invitation, organisation):
    person = make_user(email="new-peer@example.test")
    client = signed_in(person, two_step=False)
    assert client.get("/api/v1/me/roles/").json() == {"results": [], "next": None}
    response = client.post("/api/v1/me/roles/", {"invitation": invitation.token}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "peer"
    assert [r["role"] for r in client.get("/api/v1/me/roles/").json()["results"]] == ["peer"]
    invitation.refresh_from_db()
    assert invitation.accepted_by == person
    again = client.post("/api/v1/me/roles/", {"invitation": invitation.token}, content_type="application/json")
    assert set(problem_fields(again)) == {"invitation"}
    assert RoleAssignment.objects.filter(user=person).count() == 1


def test_an_invitation_for_someone_else_gives_no_role(make_user, invitation):
    other = make_user(email="other@example.test")
    response = signed_in(other, two_step=False).post("/api/v1/me/roles/", {"invitation": invitation.token},
                                                      content_type="application/json")
    [message] = problem_fields(response)[None]
    assert message["en"] == "This invitation was sent to a different email address." and message["ja"]
    assert not RoleAssignment.objects.filter(user=other).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_expired_or_unknown_invitation_is_a_400_with_the_field_named(make_user, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    person = make_user(email="new-peer@example.test")
    client = signed_in(person, two_step=False)
    for token in (invitation.token, "no-such-token", ""):
        fields = problem_fields(client.post("/api/v1/me/roles/", {"invitation": token},
                                            content_type="application/json"))
        assert set(fields) == {"invitation"}
        assert fields["invitation"][0]["ja"] != fields["invitation"][0]["en"]
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_staff_roles_count_in_the_list_only_after_two_step_sign_in(manager, organisation):
    assert [r["role"] for r in signed_in(manager, two_step=False).get("/api/v1/me/roles/").json()["results"]] == []
    rows = signed_in(manager).get("/api/v1/me/roles/").json()["results"]
    assert [(r["role"], r["organisation"]) for r in rows] == [("manager", organisation.pk)]


def test_anonymous_callers_get_401_or_403(invitation):
    for url in ("/api/v1/invitations/", "/api/v1/me/roles/"):
        response = Client().get(url)
        assert response.status_code in (401, 403)
        problem(response, response.status_code)
    assert Organisation.objects.count() >= 1
