"""An organisation's named supervisors in the API: listed by those who see the organisation's
activity page, named and removed by its manager only, through the page's services."""

import pytest

from collaboration.activity.models import ActivityVerifier
from tests.collaboration.activity_support import *  # noqa: F403
from tests.conftest import signed_in
from tests.problem_support import problem, problem_fields

pytestmark = pytest.mark.django_db


def _url(org) -> str:
    return f"/api/v1/activity/organisations/{org.pk}/supervisors/"


def test_the_manager_and_the_supervisor_list_the_named_supervisors(a_org, a_manager, a_supervisor):
    for user in (a_manager, a_supervisor):
        body = signed_in(user).get(_url(a_org)).json()
        assert [(r["user"], r["display_name"]) for r in body["results"]] == [
            (a_supervisor.pk, a_supervisor.display_name)]


def test_the_manager_names_and_removes_a_supervisor(a_org, a_manager, a_colleague, make_user):
    person = make_user(email="sv@example.test")
    client = signed_in(a_manager)
    response = client.post(_url(a_org), {"email": "SV@example.test"}, content_type="application/json")
    assert response.status_code == 201, response.content
    verifier = ActivityVerifier.objects.get(organisation=a_org, user=person, removed_at__isnull=True)
    assert verifier.named_by == a_manager
    assert client.get(f"{_url(a_org)}{verifier.pk}/").json()["user"] == person.pk
    assert client.delete(f"{_url(a_org)}{verifier.pk}/").status_code == 204
    verifier.refresh_from_db()
    assert verifier.removed_by == a_manager and verifier.removed_at is not None
    assert client.get(_url(a_org)).json()["results"] == []


def test_the_supervisor_may_list_but_not_name_or_remove(a_org, a_supervisor, make_user):
    person = make_user(email="sv2@example.test")
    verifier = ActivityVerifier.objects.get(user=a_supervisor)
    client = signed_in(a_supervisor)
    body = problem(client.post(_url(a_org), {"email": person.email}, content_type="application/json"), 403)
    assert body["errors"][0]["message"]["en"] == "Only the organisation's manager can name supervisors."
    problem(client.delete(f"{_url(a_org)}{verifier.pk}/"), 404)
    assert list(ActivityVerifier.objects.values_list("user", "removed_at")) == [(a_supervisor.pk, None)]


def test_others_get_404_and_change_nothing(a_org, a_supervisor, a_other_manager, a_peer, a_coordinator):
    verifier = ActivityVerifier.objects.get(user=a_supervisor)
    for user in (a_other_manager, a_peer, a_coordinator):
        client = signed_in(user)
        problem(client.get(_url(a_org)), 404)
        problem(client.post(_url(a_org), {"email": a_peer.email}, content_type="application/json"), 404)
        problem(client.delete(f"{_url(a_org)}{verifier.pk}/"), 404)
    assert list(ActivityVerifier.objects.values_list("user", "removed_at")) == [(a_supervisor.pk, None)]


def test_a_manager_without_two_step_sign_in_is_refused(a_org, a_manager):
    assert problem(signed_in(a_manager, two_step=False).get(_url(a_org)), 403)["errors"][0]["code"] == \
        "two_step_required"


def test_a_bad_address_is_a_400_in_both_languages(a_org, a_manager):
    client = signed_in(a_manager)
    for email, english in (("nobody@example.test", "No one on the platform has this address."),
                           ("not an address", "Enter a valid email address.")):
        [message] = problem_fields(client.post(_url(a_org), {"email": email},
                                               content_type="application/json"))["email"]
        assert message["en"] == english and message["ja"] != english
    assert not ActivityVerifier.objects.exists()
