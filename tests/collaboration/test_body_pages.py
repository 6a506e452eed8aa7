"""Coordinators create consultation bodies and add members by sector from the staff pages."""

import pytest

from collaboration.models import BodyMember, ConsultationBody, Sector

pytestmark = pytest.mark.django_db


def test_coordinator_creates_a_body_in_their_prefecture_and_adds_members(mfa_client, coordinator, tokyo, make_user):
    member = make_user(email="member@example.test", display_name="家族 会員")
    client = mfa_client(coordinator)
    assert client.get("/staff/meetings/bodies/").status_code == 200
    response = client.post("/staff/meetings/bodies/", {"name": "北多摩の協議の場", "level": "prefecture", "prefecture": tokyo.pk})
    assert response.status_code == 302
    body = ConsultationBody.objects.get(name="北多摩の協議の場")
    response = client.post(f"/staff/meetings/bodies/{body.pk}/", {"email": "MEMBER@example.test", "sector": Sector.FAMILY, "affiliation": "家族会"})
    assert response.status_code == 302
    row = BodyMember.objects.get(body=body)
    assert (row.user, row.sector, row.affiliation) == (member, Sector.FAMILY, "家族会")
    page = client.get(f"/staff/meetings/bodies/{body.pk}/").content.decode()
    assert "家族 会員" in page


def test_unknown_member_email_is_refused_and_nothing_changes(mfa_client, coordinator, body):
    client = mfa_client(coordinator)
    before = BodyMember.objects.count()
    response = client.post(f"/staff/meetings/bodies/{body.pk}/", {"email": "nobody@example.test", "sector": Sector.PEER})
    assert response.status_code == 400  # a refused form, as on the meeting page
    assert "field-error" in response.content.decode()
    assert BodyMember.objects.count() == before


def test_coordinator_cannot_create_a_body_elsewhere_or_open_another_body(mfa_client, coordinator, kanagawa, other_body):
    client = mfa_client(coordinator)
    response = client.post("/staff/meetings/bodies/", {"name": "よその協議の場", "level": "prefecture", "prefecture": kanagawa.pk})
    assert response.status_code == 200  # Kanagawa is not a choice for a Tokyo coordinator
    assert not ConsultationBody.objects.filter(name="よその協議の場").exists()
    assert client.get(f"/staff/meetings/bodies/{other_body.pk}/").status_code == 404
