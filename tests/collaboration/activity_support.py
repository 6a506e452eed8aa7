"""Fixtures for the activity log tests (imported by tests/collaboration/test_activity_*.py).

Names start with `a_` so that they never override tests/collaboration/conftest.py's fixtures."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from collaboration.activity import services
from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
    Role,
)


def last_monday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday() + 7)


@pytest.fixture
def a_kind(db) -> OrganisationKind:
    return OrganisationKind.objects.get(code="continued-work-b")


@pytest.fixture
def a_listening(db) -> Activity:
    return Activity.objects.get(code="listening")


@pytest.fixture
def a_group(db) -> Activity:
    return Activity.objects.get(code="peer-group")


@pytest.fixture
def a_psw(db) -> ProfessionalRole:
    return ProfessionalRole.objects.get(code="psw")


@pytest.fixture
def a_nurse(db) -> ProfessionalRole:
    return ProfessionalRole.objects.get(code="nurse")


@pytest.fixture
def a_org(tokyo, a_kind) -> Organisation:
    return Organisation.objects.create(name="ピアサポートセンター東", prefecture=tokyo, kind=a_kind)


@pytest.fixture
def a_other_org(tokyo, a_kind) -> Organisation:
    return Organisation.objects.create(name="ピアサポートセンター西", prefecture=tokyo, kind=a_kind)


@pytest.fixture
def a_peer(make_user):
    return make_user(display_name="ピア 陽子", roles=[(Role.PEER, {})])


@pytest.fixture
def a_colleague(make_user):
    return make_user(display_name="同僚 花子", roles=[(Role.PROFESSIONAL, {})])


@pytest.fixture
def a_stranger(make_user):
    return make_user(display_name="他人 太郎", roles=[(Role.PEER, {})])


@pytest.fixture
def a_engagement(a_peer, a_org) -> Engagement:
    return Engagement.objects.create(
        person=a_peer, organisation=a_org, kind=Engagement.Kind.VOLUNTEER,
        start_date=datetime.date(2024, 4, 1),
    )


@pytest.fixture
def a_manager(make_user, a_org):
    return make_user(display_name="管理 太郎", roles=[(Role.MANAGER, {"organisation": a_org})], mfa=True)


@pytest.fixture
def a_other_manager(make_user, a_other_org):
    return make_user(display_name="管理 次郎", roles=[(Role.MANAGER, {"organisation": a_other_org})], mfa=True)


@pytest.fixture
def a_coordinator(make_user, tokyo):
    return make_user(display_name="調整 さくら", roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=True)


@pytest.fixture
def make_entry(a_peer, a_engagement, a_listening):
    def make(*, author=None, engagement=None, date=None, **extra):
        values = {
            "date": date or last_monday(), "duration_minutes": 60, "activity": a_listening,
            "stage": "community", **extra,
        }
        return services.activity_entry_create(
            author=author or a_peer, engagement=engagement or a_engagement, **values
        )

    return make
