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
    # It asks for verification of volunteer hours (a_engagement is a volunteer's), so entries
    # go through the queue; tests/collaboration/test_volunteer.py covers the default (off).
    return Organisation.objects.create(name="ピアサポートセンター東", prefecture=tokyo, kind=a_kind,
                                       volunteer_hours_need_verification=True)


@pytest.fixture
def a_other_org(tokyo, a_kind) -> Organisation:
    return Organisation.objects.create(name="ピアサポートセンター西", prefecture=tokyo, kind=a_kind,
                                       volunteer_hours_need_verification=True)


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
def a_supervisor(a_colleague, a_engagement, a_org):
    """a_colleague, named a supervisor of the organisation where a_peer works: the two may record
    supervision together."""
    from collaboration.activity.models import ActivityVerifier
    from tests.conftest import as_verified

    ActivityVerifier.objects.create(organisation=a_org, user=a_colleague)
    # A named supervisor does staff work: they act here with two-step sign-in passed.
    return as_verified(a_colleague)


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


# --- Training: certifications whose renewal the activity log feeds ------------------------------


@pytest.fixture
def a_training(tokyo):
    """A training body with a practice and an ethics category and a renewal course."""
    from types import SimpleNamespace

    from training.models import CECategory, Course, CourseKind, TrainingBody

    organisation = Organisation.objects.create(name="ピアサポート研修機構", prefecture=tokyo)
    body = TrainingBody.objects.create(organisation=organisation, number_prefix="PSS")
    return SimpleNamespace(
        body=body,
        practice=CECategory.objects.create(body=body, name="実践"),
        ethics=CECategory.objects.create(body=body, name="倫理"),
        renewal_course=Course.objects.create(body=body, kind=CourseKind.RENEWAL, title="更新研修"),
    )


@pytest.fixture
def a_certify(a_training):
    """Certify a person for a new credential type (20 hours a cycle, at least 3 of ethics, the
    renewal course); `practice=True` lets verified practice count in the practice category."""
    from decimal import Decimal

    from training.models import CEFloor, CredentialType
    from training.services import certification_issue

    counter = iter(range(1, 1000))

    def certify(person, *, practice: bool = True, name: str | None = None, issued_on=None):
        ctype = CredentialType.objects.create(
            body=a_training.body, name=name or f"認定資格 {next(counter)}", expires=True, validity_months=24,
            renewal_window_days=120, grace_days=90, renewal_course=a_training.renewal_course,
            ce_hours_required=Decimal("20"), practice_ce_category=a_training.practice if practice else None,
        )
        CEFloor.objects.create(credential_type=ctype, category=a_training.ethics, minimum_hours=Decimal("3"))
        return certification_issue(
            credential_type=ctype, holder=person, actor=None, notify=False,
            issued_on=issued_on or timezone.localdate() - datetime.timedelta(days=30),
        )

    return certify
