"""The staffing check for the peer-support welfare-fee addition, and recording what it needs."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from peers.models import Engagement, Role
from training.models import Completion, Course, CourseKind, InHouseTraining, StaffingPublication
from training.staffing import fiscal_year_of, staffing_check

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def courses(body):
    return {
        kind: Course.objects.create(body=body, kind=kind, title=str(kind))
        for kind in (CourseKind.BASIC, CourseKind.SPECIALISED)
    }


def employ(person, organisation, hours, full_time=40):
    return Engagement.objects.create(
        person=person, organisation=organisation, kind=Engagement.Kind.EMPLOYED,
        start_date=datetime.date(2025, 4, 1), weekly_hours=Decimal(hours),
        full_time_weekly_hours=Decimal(full_time),
    )


def complete(person, body, courses, *kinds):
    for kind in kinds:
        Completion.objects.create(
            body=body, course=courses[kind], person=person, number=f"C-{person.pk}-{kind}",
            completed_on=datetime.date(2025, 1, 1),
        )


def test_fiscal_year_starts_in_april():
    assert fiscal_year_of(datetime.date(2026, 3, 31)) == 2025
    assert fiscal_year_of(datetime.date(2026, 4, 1)) == 2026


def test_empty_organisation_is_told_all_four_things(organisation):
    result = staffing_check(organisation=organisation, on=TODAY)
    assert not result.meets_rule
    assert len(result.missing) == 4


def test_rule_met_with_trained_peer_and_coworker_training_and_publication(make_user, organisation, body, courses):
    peer = make_user(roles=[(Role.PEER, {})])
    coworker = make_user(roles=[(Role.PROFESSIONAL, {})])
    employ(peer, organisation, 20)
    employ(coworker, organisation, 32)
    complete(peer, body, courses, CourseKind.BASIC, CourseKind.SPECIALISED)
    complete(coworker, body, courses, CourseKind.BASIC, CourseKind.SPECIALISED)
    InHouseTraining.objects.create(organisation=organisation, held_on=datetime.date(2026, 6, 1), title="研修", trainer="講師")
    StaffingPublication.objects.create(organisation=organisation, fiscal_year=2026, published_on=datetime.date(2026, 4, 10), where="掲示板")
    result = staffing_check(organisation=organisation, on=TODAY)
    assert result.missing == []
    assert result.peer.person == peer and result.coworker.person == coworker


def test_each_missing_part_is_named(make_user, organisation, body, courses):
    peer = make_user(roles=[(Role.PEER, {})])
    coworker = make_user()
    employ(peer, organisation, 16)  # 0.4 FTE: below the floor
    employ(coworker, organisation, 40)
    complete(peer, body, courses, CourseKind.BASIC, CourseKind.SPECIALISED)
    complete(coworker, body, courses, CourseKind.BASIC)  # no specialised training
    # Last fiscal year's training does not count this year.
    InHouseTraining.objects.create(organisation=organisation, held_on=datetime.date(2026, 3, 31), title="昨年度", trainer="講師")
    result = staffing_check(organisation=organisation, on=TODAY)
    assert result.peer is None and result.coworker is None
    assert len(result.missing) == 4
    peer_row = next(m for m in result.staff if m.person == peer)
    assert peer_row.fte == Decimal("0.40") and peer_row.trained and not peer_row.counts


def test_check_runs_a_fixed_number_of_queries(make_user, organisation, body, courses, django_assert_num_queries):
    for _ in range(3):
        employ(make_user(roles=[(Role.PEER, {})]), organisation, 20)
    with django_assert_num_queries(5):
        staffing_check(organisation=organisation, on=TODAY)
    for _ in range(10):
        person = make_user(roles=[(Role.PEER, {})])
        employ(person, organisation, 20)
        complete(person, body, courses, CourseKind.BASIC)
    with django_assert_num_queries(5):
        staffing_check(organisation=organisation, on=TODAY)


def test_manager_records_in_house_training_and_publication_from_the_page(client, manager, organisation, mfa_client, make_user):
    worker = make_user()
    employ(worker, organisation, 40)
    mfa_client(manager)
    url = f"/staff/staffing/{organisation.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {
        "record_training": "1", "training-held_on": "令和8年6月1日", "training-title": "倫理の研修",
        "training-trainer": "外部講師", "training-attendees": [worker.pk],
    })
    assert response.status_code == 302
    training = InHouseTraining.objects.get()
    assert training.held_on == datetime.date(2026, 6, 1) and list(training.attendees.all()) == [worker]
    response = client.post(url, {"record_publication": "1", "publication-published_on": "2026-04-10", "publication-where": "https://example.org/peer"})
    assert response.status_code == 302
    assert StaffingPublication.objects.get().fiscal_year == 2026


def test_bad_training_date_changes_nothing(client, manager, organisation, mfa_client):
    mfa_client(manager)
    response = client.post(f"/staff/staffing/{organisation.pk}/", {
        "record_training": "1", "training-held_on": "いつか", "training-title": "x", "training-trainer": "y",
    })
    assert response.status_code == 200
    assert "令和8年11月23日" in response.content.decode()
    assert not InHouseTraining.objects.exists()


def test_other_organisations_staffing_is_not_found(client, manager, other_organisation, mfa_client):
    mfa_client(manager)
    assert client.get(f"/staff/staffing/{other_organisation.pk}/").status_code == 404
    peer_client = Client()
    assert peer_client.get(f"/staff/staffing/{other_organisation.pk}/").status_code == 302
