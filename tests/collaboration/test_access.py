"""Who coordinates which body, and who may see which meeting: decided in one selector."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from collaboration.models import BodyMember, ConsultationBody, Meeting, MeetingInvitation, Sector
from collaboration.selectors import body_list_coordinated_by, meeting_access_for, meeting_list_for
from collaboration.services import body_create, meeting_create
from peers.models import Role
from tests.conftest import as_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_body(tokyo, tokyo_region):
    return ConsultationBody.objects.create(name="圏域", level="region", prefecture=tokyo, region=tokyo_region)


def test_region_coordinator_coordinates_bodies_of_the_region_only(make_user, body, region_body, tokyo_region):
    regional = make_user(roles=[(Role.COORDINATOR, {"region": tokyo_region})], mfa=True)
    assert list(body_list_coordinated_by(regional)) == [region_body]


def test_prefecture_coordinator_coordinates_every_body_in_the_prefecture(coordinator, body, region_body, other_body):
    assert set(body_list_coordinated_by(coordinator)) == {body, region_body}


def test_named_coordinator_member_coordinates_without_a_role(make_user, other_body):
    person = make_user()
    BodyMember.objects.create(body=other_body, user=person, sector=Sector.FAMILY, is_coordinator=True)
    assert list(body_list_coordinated_by(person)) == []  # staff work: only after two-step sign-in
    assert list(body_list_coordinated_by(as_verified(person))) == [other_body]


def test_members_who_are_not_invited_do_not_see_the_meeting(make_user, body, meeting):
    member = make_user()
    BodyMember.objects.create(body=body, user=member, sector=Sector.WELFARE)
    assert meeting_access_for(member, meeting.pk) is None
    MeetingInvitation.objects.create(meeting=meeting, user=member, sector=Sector.WELFARE)
    access = meeting_access_for(member, meeting.pk)
    assert access is not None and not access.can_coordinate and access.sector == Sector.WELFARE


def test_admin_sees_every_meeting_and_inactive_people_none(admin_user, make_user, meeting, peer):
    assert list(meeting_list_for(admin_user)) == [meeting]
    peer.is_active = False
    peer.save()
    assert list(meeting_list_for(peer)) == []


def test_coordinator_creates_bodies_and_meetings_only_in_their_area(coordinator, other_coordinator, tokyo, kanagawa, body):
    created = body_create(user=coordinator, name="新しい協議の場", level="municipality", prefecture=tokyo, municipality="小平市")
    assert created.pk
    with pytest.raises(PermissionDenied):
        body_create(user=coordinator, name="x", level="prefecture", prefecture=kanagawa)
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(PermissionDenied):
        meeting_create(user=other_coordinator, body=body, title="x", starts_at=start, ends_at=start + timedelta(hours=1), place="x")
    meeting = meeting_create(user=coordinator, body=body, title="第5回", starts_at=start, ends_at=start + timedelta(hours=1), place="会議室")
    assert Meeting.objects.filter(pk=meeting.pk).exists()
