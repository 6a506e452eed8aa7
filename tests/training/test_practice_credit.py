"""Verified peer-support practice and confirmed supervision count toward renewal where the
credential type says so (collaboration credits them through training's service)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from collaboration.activity.services import (
    activity_entry_create,
    activity_entry_verify,
    supervision_confirm,
    supervision_record,
)
from peers.models import Activity, Engagement, Organisation, OrganisationKind, Role
from training.models import ContinuingEducation
from training.selectors import renewal_progress
from training.services import certification_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(tokyo, make_user, general, credential_type, completed, trainer):
    organisation = Organisation.objects.create(name="ピアサポートセンター北", prefecture=tokyo,
                                               volunteer_hours_need_verification=True)
    manager = make_user(roles=[(Role.MANAGER, {"organisation": organisation})], mfa=True)
    peer = make_user(roles=[(Role.PEER, {})])
    engagement = Engagement.objects.create(
        person=peer, organisation=organisation, kind=Engagement.Kind.VOLUNTEER,
        start_date=datetime.date(2024, 1, 1),
    )
    issued = timezone.localdate() - datetime.timedelta(days=30)  # a live certification today
    completed(peer, on=issued - datetime.timedelta(days=1))
    certification = certification_issue(credential_type=credential_type, holder=peer, actor=trainer,
                                        issued_on=issued)
    return {"manager": manager, "peer": peer, "engagement": engagement, "certification": certification}


def _entry(setting, minutes=90):
    return activity_entry_create(
        author=setting["peer"], engagement=setting["engagement"],
        date=timezone.localdate() - datetime.timedelta(days=1),
        duration_minutes=minutes, activity=Activity.objects.filter(is_active=True).first(), stage="community",
        setting=OrganisationKind.objects.filter(is_active=True).first(),
    )


def test_practice_hours_do_not_count_unless_the_credential_type_says_so(setting):
    activity_entry_verify(actor=setting["manager"], entry=_entry(setting))
    assert not ContinuingEducation.objects.exists()


def test_verified_entry_is_credited_once_in_the_practice_category(setting, credential_type, general):
    credential_type.practice_ce_category = general
    credential_type.save()
    before = renewal_progress(setting["certification"]).hours_total
    entry = _entry(setting, minutes=90)
    assert not ContinuingEducation.objects.exists()  # waiting entries do not count
    activity_entry_verify(actor=setting["manager"], entry=entry)
    record = ContinuingEducation.objects.get()
    assert (record.person, record.category, record.hours, record.source_ref) == (
        setting["peer"], general, Decimal("1.50"), f"activity:{entry.pk}"
    )
    assert record.provider == "ピアサポートセンター北"
    assert renewal_progress(setting["certification"]).hours_total == before + Decimal("1.5")


def test_confirmed_supervision_is_credited_to_the_peer(setting, credential_type, general, make_user):
    credential_type.practice_ce_category = general
    credential_type.save()
    supervisor = make_user(display_name="スーパーバイザー 一")
    from collaboration.activity.models import ActivityVerifier  # named by the peer's organisation

    ActivityVerifier.objects.create(organisation=setting["engagement"].organisation, user=supervisor)
    session = supervision_record(actor=supervisor, supervisor=supervisor, peer=setting["peer"],
                                 date=timezone.localdate() - datetime.timedelta(days=2), minutes=60, topics="ふりかえり")
    assert not ContinuingEducation.objects.exists()
    supervision_confirm(actor=setting["peer"], session=session)
    supervision_confirm(actor=setting["peer"], session=session)  # confirming again credits nothing more
    record = ContinuingEducation.objects.get()
    assert record.hours == Decimal("1.00") and record.source_ref == f"supervision:{session.pk}"


def test_correcting_a_verified_entry_takes_its_hours_back_until_verified_again(setting, credential_type, general):
    from collaboration.activity.services import activity_entry_correct

    credential_type.practice_ce_category = general
    credential_type.save()
    entry = _entry(setting, minutes=90)
    activity_entry_verify(actor=setting["manager"], entry=entry)
    assert ContinuingEducation.objects.get(source_ref=f"activity:{entry.pk}").hours == Decimal("1.5")
    activity_entry_correct(actor=setting["peer"], entry=entry, duration_minutes=30)
    assert not ContinuingEducation.objects.filter(source_ref=f"activity:{entry.pk}").exists()
    entry.refresh_from_db()
    activity_entry_verify(actor=setting["manager"], entry=entry)
    assert ContinuingEducation.objects.get(source_ref=f"activity:{entry.pk}").hours == Decimal("0.5")
