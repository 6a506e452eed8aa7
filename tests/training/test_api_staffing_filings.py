"""An office's monthly delivery counts (ピアサポート実施加算) and filing packs in the API: its
managers read and record them, as in the staffing page's sections; coordinators (who read the
check without the people) get a 403, anyone else a 404; bad input changes nothing."""

from __future__ import annotations

import datetime

import pytest

from peers.models import Role
from peers.vocabularies import ensure_seeded as ensure_vocabularies
from tests.conftest import signed_in
from tests.problem_support import problem, problem_fields
from training.models import PeerSupportDeliveryCount, StaffingFiling
from training.staffing.seed import ensure_seeded as ensure_rules

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded(db):
    ensure_vocabularies()
    ensure_rules()


def _counts(organisation):
    return f"/api/v1/organisations/{organisation.pk}/delivery-counts/"


def _filings(organisation):
    return f"/api/v1/organisations/{organisation.pk}/staffing-filings/"


def test_manager_records_a_month_once_and_lists_the_counts(manager, organisation):
    api = signed_in(manager)
    first = api.post(_counts(organisation), {"month": "2026-05", "service_users": 12}, content_type="application/json")
    assert first.status_code == 201, first.content
    again = api.post(_counts(organisation), {"month": "2026-05", "service_users": 14}, content_type="application/json")
    assert again.status_code == 201
    count = PeerSupportDeliveryCount.objects.get()
    assert (count.month, count.service_users, count.recorded_by) == (datetime.date(2026, 5, 1), 14, manager)
    assert [(r["month"], r["service_users"]) for r in api.get(_counts(organisation)).json()["results"]] == [
        ("2026-05-01", 14)]


def test_bad_counts_are_a_400_in_both_languages_and_change_nothing(manager, organisation):
    api = signed_in(manager)
    api.post(_counts(organisation), {"month": "2026-05", "service_users": 3}, content_type="application/json")
    fields = problem_fields(api.post(_counts(organisation), {"month": "May 2026", "service_users": -1},
                                     content_type="application/json"))
    assert set(fields) == {"month", "service_users"}
    assert fields["month"][0]["en"] == "Give the month as year and month, like 2026-05."
    assert all(m[0]["ja"] != m[0]["en"] for m in fields.values())
    assert list(PeerSupportDeliveryCount.objects.values_list("service_users", flat=True)) == [3]


def test_manager_prepares_a_pack_and_lists_it_with_its_downloads(manager, organisation):
    api = signed_in(manager)
    response = api.post(_filings(organisation), {"month": "2026-04"}, content_type="application/json")
    assert response.status_code == 201, response.content
    filing = StaffingFiling.objects.get()
    assert filing.month == datetime.date(2026, 4, 1) and filing.prepared_by == manager and filing.snapshot
    [row] = api.get(_filings(organisation)).json()["results"]
    assert row["id"] == filing.pk and row["month"] == "2026-04-01"
    download = api.get(row["xlsx_url"])
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "snapshot" not in row
    fields = problem_fields(api.post(_filings(organisation), {"month": "2026-13"}, content_type="application/json"))
    assert set(fields) == {"month"} and fields["month"][0]["ja"] != fields["month"][0]["en"]
    assert StaffingFiling.objects.count() == 1


def test_others_see_and_record_nothing(make_user, manager, organisation, other_organisation, tokyo):
    api = signed_in(manager)
    api.post(_counts(organisation), {"month": "2026-05", "service_users": 3}, content_type="application/json")
    api.post(_filings(organisation), {"month": "2026-05"}, content_type="application/json")
    other_manager = make_user(roles=[(Role.MANAGER, {"organisation": other_organisation})], mfa=True)
    coordinator = make_user(roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=True)
    peer = make_user(roles=[(Role.PEER, {})])
    for outsider, code in ((other_manager, 404), (peer, 404), (coordinator, 403)):
        client = signed_in(outsider)
        for url, body in ((_counts(organisation), {"month": "2026-05", "service_users": 99}),
                          (_filings(organisation), {"month": "2026-05"})):
            problem(client.get(url), code)
            problem(client.post(url, body, content_type="application/json"), code)
    refused = signed_in(manager, two_step=False).get(_counts(organisation))
    assert problem(refused, 403)["errors"][0]["code"] == "two_step_required"
    assert list(PeerSupportDeliveryCount.objects.values_list("service_users", flat=True)) == [3]
    assert StaffingFiling.objects.count() == 1
