"""Register report by year and prefecture, and seed 000's yearly table."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from training.models import Cohort
from training.selectors import register_report, yearly_table
from training.services import (
    certification_issue,
    certification_renew,
    certification_sweep,
    completion_issue,
)

pytestmark = pytest.mark.django_db


def test_register_report_counts_certified_renewed_and_lapsed_by_year_and_prefecture(
    make_user, credential_type, trainer, body, cohort, initial_course, other_trainer
):
    people = [make_user() for _ in range(3)]
    certifications = []
    for person in people:
        completion = completion_issue(person=person, course=initial_course, completed_on=datetime.date(2022, 3, 1),
                                      actor=trainer, cohort=cohort)
        certifications.append(certification_issue(credential_type=credential_type, holder=person, actor=trainer,
                                                   issued_on=datetime.date(2022, 4, 1), basis=completion))
    # One renewed (staff override), the others lapse when the sweep runs.
    certification_renew(certification=certifications[0], actor=trainer, override=True,
                        override_reason="disaster", reason="被災のため研修が中止", on=datetime.date(2024, 3, 1))
    certification_sweep(today=datetime.date(2030, 1, 1))
    rows = register_report(trainer, body=body)
    this_year = datetime.date.today().year
    by_key = {(r["year"], r["prefecture"]): r for r in rows}
    assert by_key[(2022, "東京都")]["certified"] == 3
    assert by_key[(this_year, "東京都")]["renewed"] == 1
    assert by_key[(this_year, "東京都")]["lapsed"] == 1  # the renewed one, by the sweep (the others were issued lapsed)
    with pytest.raises(Http404):
        register_report(other_trainer, body=body)


def test_yearly_table_lists_funding_courses_and_venues(trainer, body, make_cohort):
    make_cohort(name="2011 札幌", year=2011, funding_source="障害者総合福祉推進事業", funding_thousand_yen=2280, days=0)
    make_cohort(name="2014 東京", year=2014, funding_source="障害者総合福祉推進事業", funding_thousand_yen=11050, days=0)
    make_cohort(name="2014 オンライン", year=2014, online=True, funding_thousand_yen=1000, days=0)
    Cohort.objects.filter(online=True).update(prefecture=None)
    rows = yearly_table(trainer, body=body)
    assert [(r["year"], r["funding_total"]) for r in rows] == [(2011, 2280), (2014, 12050)]
    assert rows[1]["venues"] == ["東京都千代田区", "オンライン"] or rows[1]["venues"][1] in ("Online", "オンライン")
    assert rows[0]["courses"] == ["養成研修"]


def test_report_pages_render_for_the_bodys_staff(mfa_client, trainer, body, make_cohort):
    make_cohort(name="2014 東京", year=2014, funding_source="推進事業", funding_thousand_yen=11050, days=0)
    client = mfa_client(trainer)
    page = client.get(f"/staff/training/{body.pk}/reports/yearly/").content.decode()
    assert "11,050" in page and "推進事業" in page
    assert client.get(f"/staff/training/{body.pk}/reports/register/").status_code == 200


