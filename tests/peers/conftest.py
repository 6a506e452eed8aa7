"""Fixtures for the workforce tests (people, organisations, engagements, consent).

Names are distinct from the shared tests/conftest.py fixtures so that neither overrides the other.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import factory
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from peers.access import two_step_mark
from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    Prefecture,
    ProfessionalRole,
    Role,
    User,
)
from peers.services import role_grant

WORKFORCE_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_counter = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.LazyFunction(lambda: f"worker{next(_counter)}@example.test")
    display_name = factory.Sequence(lambda n: f"ワーカー {n}")
    password = factory.django.Password("a-long-test-password-42")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"事業所 {n:03d}")
    prefecture = factory.LazyFunction(lambda: Prefecture.objects.get(code="13"))
    kind = factory.LazyFunction(lambda: OrganisationKind.objects.get(code="continued-work-b"))
    municipality = "新宿区"


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    person = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = Engagement.Kind.VOLUNTEER
    job_title = "ピアサポーター"
    start_date = datetime.date(2024, 4, 1)

    class Params:
        employed = factory.Trait(
            kind=Engagement.Kind.EMPLOYED,
            weekly_hours=Decimal("20"),
            full_time_weekly_hours=Decimal("40"),
        )
        honorarium = factory.Trait(
            kind=Engagement.Kind.HONORARIUM,
            honorarium_rate=5000,
            honorarium_unit=Engagement.RateUnit.SESSION,
        )


def enrol_totp(user: User) -> User:
    """Turn two-step sign-in on; the returned object counts as having passed it (for direct
    service and selector calls; requests need login_two_step)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, WORKFORCE_TOTP_SECRET)
    return two_step_mark(user, passed=True)


@pytest.fixture
def factories(db):
    class Factories:
        user = UserFactory
        organisation = OrganisationFactory
        engagement = EngagementFactory

    return Factories


@pytest.fixture
def org(db) -> Organisation:
    return OrganisationFactory(name="ピアサポートセンター東")


@pytest.fixture
def other_org(db) -> Organisation:
    return OrganisationFactory(name="ピアサポートセンター西")


@pytest.fixture
def peer(db) -> User:
    user = UserFactory(display_name="ピア 陽子")
    role_grant(user=user, role=Role.PEER)
    return user


@pytest.fixture
def other_peer(db) -> User:
    user = UserFactory(display_name="ピア 次郎")
    role_grant(user=user, role=Role.PEER)
    return user


@pytest.fixture
def org_manager(org) -> User:
    user = UserFactory(display_name="管理 太郎")
    role_grant(user=user, role=Role.MANAGER, organisation=org)
    return enrol_totp(user)


@pytest.fixture
def other_manager(other_org) -> User:
    user = UserFactory(display_name="管理 次郎")
    role_grant(user=user, role=Role.MANAGER, organisation=other_org)
    return enrol_totp(user)


@pytest.fixture
def tokyo_coordinator(db) -> User:
    user = UserFactory(display_name="調整 さくら")
    role_grant(user=user, role=Role.COORDINATOR, prefecture=Prefecture.objects.get(code="13"))
    return enrol_totp(user)


@pytest.fixture
def platform_admin(db) -> User:
    user = UserFactory(display_name="管理者")
    role_grant(user=user, role=Role.ADMIN)
    return enrol_totp(user)


@pytest.fixture
def activities(db) -> dict[str, Activity]:
    return {a.code: a for a in Activity.objects.all()}


@pytest.fixture
def psw(db) -> ProfessionalRole:
    return ProfessionalRole.objects.get(code="psw")


@pytest.fixture
def signed_in(client):
    """Sign a person in. Someone with TOTP enrolled (every staff fixture) signs in with the
    second step passed, as allauth's forms leave the session; others with their password only."""
    from tests.conftest import login_two_step

    def sign_in(user: User):
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            login_two_step(client, user)
        else:
            client.force_login(user)
        return client

    return sign_in
