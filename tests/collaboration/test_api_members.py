"""A consultation body's members in the API: the staff body page's access (the body's
coordinators and administrators) and its service; bad input changes nothing."""

import pytest

from collaboration.models import BodyMember
from tests.conftest import signed_in
from tests.problem_support import problem, problem_fields

pytestmark = pytest.mark.django_db


def _url(body) -> str:
    return f"/api/v1/bodies/{body.pk}/members/"


def test_the_coordinator_lists_the_members_by_sector(body, coordinator, peer, doctor):
    body_json = signed_in(coordinator).get(_url(body)).json()
    assert {(r["display_name"], r["sector"]) for r in body_json["results"]} == {
        (peer.display_name, "peer"), (doctor.display_name, "medical")}
    assert body_json["next"] is None


def test_the_coordinator_adds_a_member_and_changes_one(body, coordinator, make_user, peer):
    newcomer = make_user(email="newcomer@example.test", display_name="新人 一郎")
    client = signed_in(coordinator)
    response = client.post(_url(body), {"email": "NEWCOMER@example.test", "sector": "welfare",
                                        "affiliation": "相談支援センター"}, content_type="application/json")
    assert response.status_code == 201, response.content
    row = BodyMember.objects.get(body=body, user=newcomer)
    assert (row.sector, row.affiliation, row.is_coordinator) == ("welfare", "相談支援センター", False)
    again = client.post(_url(body), {"email": peer.email, "sector": "peer", "is_coordinator": True},
                        content_type="application/json")
    assert again.status_code == 201
    assert BodyMember.objects.get(body=body, user=peer).is_coordinator


def test_members_and_other_coordinators_get_404_and_change_nothing(body, peer, other_coordinator, outsider):
    before = sorted(BodyMember.objects.values_list("pk", "sector", "is_coordinator"))
    for user in (peer, other_coordinator, outsider):
        client = signed_in(user)
        problem(client.get(_url(body)), 404)
        problem(client.post(_url(body), {"email": outsider.email, "sector": "peer", "is_coordinator": True},
                            content_type="application/json"), 404)
    assert sorted(BodyMember.objects.values_list("pk", "sector", "is_coordinator")) == before


def test_a_coordinator_without_two_step_sign_in_is_refused(body, coordinator):
    assert problem(signed_in(coordinator, two_step=False).get(_url(body)), 403)["errors"][0]["code"] == \
        "two_step_required"


def test_a_bad_member_is_a_400_in_both_languages(body, coordinator):
    before = BodyMember.objects.count()
    client = signed_in(coordinator)
    fields = problem_fields(client.post(_url(body), {"email": "nobody@example.test", "sector": "peer"},
                                        content_type="application/json"))
    [message] = fields["email"]
    assert message["en"] == "No account has this email address. Invite the person first."
    assert message["ja"] != message["en"]
    fields = problem_fields(client.post(_url(body), {"email": "not an address", "sector": "wizards"},
                                        content_type="application/json"))
    assert set(fields) == {"email", "sector"}
    assert all(m[0]["ja"] != m[0]["en"] for m in fields.values())
    assert BodyMember.objects.count() == before
