"""The region report in the API: the region page's figures, access and period parameters."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from collaboration.activity import selectors, services
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import login_two_step

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def verified(make_entry, a_manager, a_org, a_group):
    for _ in range(6):
        make_entry()
    for _ in range(2):
        make_entry(activity=a_group, reflection="秘密")
    services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=last_monday())


def test_coordinator_gets_the_region_pages_figures(verified, a_coordinator):
    response = _api(a_coordinator).get("/api/v1/activity/region/")
    assert response.status_code == 200
    data = response.json()
    today = datetime.date.today()
    report = selectors.region_report_for(a_coordinator, selectors.month_start_before(12), today)
    assert data["prefectures"] == ["13"]
    assert data["by_activity"] == [{"label": str(r["label"]), "entries": str(r["entries"]),
                                    "hours": str(r["hours"])} for r in report.by_activity]
    assert {"<5", "6"} <= {r["entries"] for r in data["by_activity"]}
    assert "ピア 陽子" not in response.content.decode() and "秘密" not in response.content.decode()


def test_period_parameters_limit_the_report(verified, a_coordinator):
    long_ago = _api(a_coordinator).get("/api/v1/activity/region/", {"since": "2001-01-01", "until": "2001-12-31"})
    assert long_ago.status_code == 200
    data = long_ago.json()
    assert data["since"] == "2001-01-01" and data["by_activity"] == [] and data["by_setting"] == []


def test_bad_period_is_a_400(a_coordinator):
    api = _api(a_coordinator)
    assert "since" in api.get("/api/v1/activity/region/", {"since": "yesterday"}).content.decode()
    assert api.get("/api/v1/activity/region/", {"since": "yesterday"}).status_code == 400
    response = api.get("/api/v1/activity/region/", {"since": "2025-02-01", "until": "2025-01-01"})
    assert response.status_code == 400 and "until" in response.content.decode()


def test_peers_managers_and_coordinators_without_two_step_are_refused(client, verified, a_peer, a_manager,
                                                                      a_coordinator):
    for user in (a_peer, a_manager):
        response = _api(user).get("/api/v1/activity/region/")
        assert response.status_code == 403 and "by_activity" not in response.content.decode()
    client.force_login(a_coordinator)  # password only: no second step in this session
    assert client.get("/api/v1/activity/region/").status_code == 403
    login_two_step(client, a_coordinator)
    assert client.get("/api/v1/activity/region/").status_code == 200
