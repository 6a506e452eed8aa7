"""The staff home at /staff/ for a training body's staff: per body, the applications to select,
the attendance to record, the renewals due and the evidence to review, each linked to the page
where the work is done, in a fixed number of queries whatever the number of bodies and rows."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from peers.models import Organisation, Role
from peers.services import role_grant
from tests.training.test_staff_register import make_cert
from training.models import (
    Application,
    Attendance,
    ContinuingEducation,
    RenewalRequest,
    TrainingBody,
)
from training.selectors import quarter_of
from training.services import application_submit

pytestmark = pytest.mark.django_db

COUNT = re.compile(r'href="([^"]+)">[^<]*<strong data-count="(\w+)">(\d+)</strong>')


def counts_on(page: str) -> dict[str, tuple[str, int]]:
    return {key: (href.replace("&amp;", "&"), int(n)) for href, key, n in COUNT.findall(page)}


def test_trainer_sees_what_waits_at_their_body_and_where_to_do_it(
    mfa_client, client, trainer, other_trainer, body, other_body, credential_type, make_cohort, make_user, general,
):
    today = timezone.localdate()
    waiting = make_cohort(name="募集中")
    application_submit(cohort=waiting, applicant=make_user(), consent=True)
    application_submit(cohort=waiting, applicant=make_user(), consent=True)
    running = make_cohort(name="実施中", days=2)  # two days behind us, one recorded
    enrolled = Application.objects.create(cohort=running, applicant=make_user(), state="enrolled",
                                          consent_at=timezone.now())
    Attendance.objects.create(day=running.days.order_by("date").first(), application=enrolled, present=True)
    _start, quarter_end = quarter_of(today)
    asked = make_cert(credential_type, make_user(), seq=1, status="expiring", valid_until=quarter_end)
    RenewalRequest.objects.create(certification=asked, cycle=asked.cycle)
    ContinuingEducation.objects.create(body=body, person=make_user(), date=today, provider="p", hours=1,
                                       category=general, review="sampled")
    # Another body's evidence is not this trainer's work.
    ContinuingEducation.objects.create(body=other_body, person=make_user(), date=today, provider="p", hours=1,
                                       category=general, review="sampled")

    page = mfa_client(trainer).get("/staff/").content.decode()

    base = f"/staff/training/{body.pk}"
    assert counts_on(page) == {
        "applications_to_select": (f"{base}/cohorts/", 2),
        "attendance_to_record": (f"{base}/cohorts/", 1),
        "renewal_requests": (f"{base}/renewal-requests/", 1),
        "expiring_this_quarter": (f"{base}/certifications/?expiry=this_quarter", 1),
        "evidence_to_review": (f"{base}/ce/?review=sampled", 1),
    }
    assert f'href="{base}/"' in page
    assert other_body.organisation.name not in page

    # The other body's trainer sees none of this body's work, count by count (0, never 1 or 2),
    # and nothing of this body at all.
    client.logout()
    other_page = mfa_client(other_trainer).get("/staff/").content.decode()
    other_base = f"/staff/training/{other_body.pk}"
    assert counts_on(other_page) == {
        "applications_to_select": (f"{other_base}/cohorts/", 0),
        "attendance_to_record": (f"{other_base}/cohorts/", 0),
        "renewal_requests": (f"{other_base}/renewal-requests/", 0),
        "expiring_this_quarter": (f"{other_base}/certifications/?expiry=this_quarter", 0),
        "evidence_to_review": (f"{other_base}/ce/?review=sampled", 1),
    }
    assert body.organisation.name not in other_page and f'href="{base}/' not in other_page


def test_trainer_staff_home_queries_do_not_grow_with_bodies_or_rows(
    mfa_client, client, trainer, body, make_cohort, make_user, tokyo, django_assert_num_queries,
):
    staff = mfa_client(trainer)
    staff.get("/staff/")
    # session, user, roles, two-step confirmed, the trainer's organisations; training's card:
    # its bodies and one grouped query per count (five)
    with django_assert_num_queries(11) as before:
        assert staff.get("/staff/").status_code == 200
    pinned = len(before.captured_queries)  # read now: the next request empties Django's query log
    for n in range(3):
        other = TrainingBody.objects.create(
            organisation=Organisation.objects.create(name=f"研修機構 {n}", prefecture=tokyo), number_prefix=f"B{n}",
        )
        role_grant(user=trainer, role=Role.TRAINER, organisation=other.organisation)
    cohort = make_cohort(name="募集中")
    for _ in range(3):
        application_submit(cohort=cohort, applicant=make_user(), consent=True)
    staff = mfa_client(trainer)
    staff.get("/staff/")
    with django_assert_num_queries(pinned):
        page = staff.get("/staff/").content.decode()
    assert "研修機構 2" in page
    # one card per body: the first body's applications, linked to its cohorts
    assert (f"/staff/training/{body.pk}/cohorts/", "applications_to_select", "3") in COUNT.findall(page)
