"""An office's in-house trainings and staffing publications in the API: its managers read and
record them (as in the staffing page), coordinators get a 403, anyone else a 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from peers.models import Engagement, Role, WelfareService
from peers.vocabularies import ensure_seeded as ensure_vocabularies
from tests.conftest import login_as
from training.models import InHouseTraining, StaffingPublication
from training.staffing.seed import ensure_seeded as ensure_rules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded(db):
    ensure_vocabularies()
    ensure_rules()


def _signed_in(user) -> Client:
    client = Client()
    login_as(client, user)
    return client


@pytest.fixture
def worker(make_user, organisation, manager):
    organisation.designated_services.set(WelfareService.objects.filter(code="plan-consultation"))
    person = make_user(roles=[(Role.PEER, {})], display_name="職員 花子")
    Engagement.objects.create(person=person, organisation=organisation, kind=Engagement.Kind.EMPLOYED,
                              start_date=datetime.date(2025, 4, 1), weekly_hours=Decimal("40"),
                              full_time_weekly_hours=Decimal("40"), confirmed_by=manager,
                              confirmed_at=timezone.now())
    return person


def _trainings(organisation):
    return f"/api/v1/organisations/{organisation.pk}/in-house-trainings/"


def _publications(organisation):
    return f"/api/v1/organisations/{organisation.pk}/staffing-publications/"


def test_manager_records_and_lists_a_training(manager, organisation, worker):
    api = _signed_in(manager)
    response = api.post(_trainings(organisation), {
        "held_on": "2026-06-01", "title": "障害特性と配慮", "given_by": [worker.pk], "trainer": "外部講師",
        "attendees": [worker.pk],
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    training = InHouseTraining.objects.get()
    assert training.organisation == organisation and training.held_on == datetime.date(2026, 6, 1)
    assert list(training.given_by.all()) == [worker] and list(training.attendees.all()) == [worker]
    assert training.recorded_by == manager
    data = api.get(_trainings(organisation)).json()
    assert [(r["id"], r["title"], r["given_by"]) for r in data["results"]] == [(training.pk, "障害特性と配慮", [worker.pk])]


def test_training_bad_input_changes_nothing(manager, organisation, worker, make_user):
    api = _signed_in(manager)
    outsider = make_user()
    for bad, field in (
        ({"held_on": "いつか", "title": "x", "trainer": "y"}, "held_on"),
        ({"held_on": "2026-06-01", "title": "x"}, "given_by"),  # no one gave it
        ({"held_on": "2026-06-01", "title": "x", "given_by": [outsider.pk]}, "given_by"),  # not the office's staff
    ):
        response = api.post(_trainings(organisation), bad, content_type="application/json")
        assert response.status_code == 400 and field in response.content.decode(), (bad, response.content)
    assert not InHouseTraining.objects.exists()


def test_manager_records_the_publication_once_a_fiscal_year(manager, organisation):
    api = _signed_in(manager)
    response = api.post(_publications(organisation), {"published_on": "2026-04-10", "where": "掲示板"},
                        content_type="application/json")
    assert response.status_code == 201 and response.json()["fiscal_year"] == 2026
    response = api.post(_publications(organisation), {"published_on": "2027-03-01", "where": "https://example.org/"},
                        content_type="application/json")
    assert response.status_code == 201
    publication = StaffingPublication.objects.get()
    assert publication.where == "https://example.org/" and publication.fiscal_year == 2026
    assert [r["where"] for r in api.get(_publications(organisation)).json()["results"]] == ["https://example.org/"]
    response = api.post(_publications(organisation), {"published_on": "2026-04-10"}, content_type="application/json")
    assert response.status_code == 400 and "where" in response.content.decode()
    assert StaffingPublication.objects.get().where == "https://example.org/"


def test_others_see_and_record_nothing(make_user, manager, organisation, other_organisation, worker, tokyo, trainer,
                                       client):
    InHouseTraining.objects.create(organisation=organisation, held_on=datetime.date(2026, 6, 1),
                                   title="内部の研修", trainer="講師")
    other_manager = make_user(roles=[(Role.MANAGER, {"organisation": other_organisation})], mfa=True)
    coordinator = make_user(roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=True)
    body = {"held_on": "2026-06-02", "title": "x", "trainer": "y"}
    for outsider, code in ((other_manager, 404), (trainer, 404), (worker, 404), (coordinator, 403)):
        api = _signed_in(outsider)
        for url in (_trainings(organisation), _publications(organisation)):
            response = api.get(url)
            assert response.status_code == code and "内部の研修" not in response.content.decode()
        assert api.post(_trainings(organisation), body, content_type="application/json").status_code == code
        assert api.post(_publications(organisation), {"published_on": "2026-04-10", "where": "x"},
                        content_type="application/json").status_code == code
    client.force_login(manager)  # a password only
    assert client.get(_trainings(organisation)).status_code == 403
    assert client.post(_trainings(organisation), body, content_type="application/json").status_code == 403
    assert InHouseTraining.objects.count() == 1 and not StaffingPublication.objects.exists()
