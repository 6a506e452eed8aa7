"""The welfare-fee staffing check (ピアサポート体制加算 / ピアサポート実施加算) as the rules are: the
version in force in the month, each person's line, the office's missing items, the records it
needs, the filing pack, and the API that answers the same as the page.

Rewritten from the first check, whose tests asserted the wrong rule: they counted engagements
no manager had confirmed, offices of any kind (no designated service) and trainings given by an
outside lecturer alone (test_rule_met_with_trained_peer_and_coworker_training_and_publication,
test_empty_organisation_is_told_all_four_things, test_each_missing_part_is_named)."""

from __future__ import annotations

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from peers.models import Engagement, Organisation, Role, WelfareService
from peers.vocabularies import ensure_seeded as ensure_vocabularies
from tests.problem_support import problem_fields
from training.models import (
    Completion,
    Course,
    CourseKind,
    InHouseTraining,
    PeerSupportDeliveryCount,
    StaffingFiling,
    StaffingPublication,
    StaffingRule,
)
from training.staffing import fiscal_year_of, staffing_check
from training.staffing.seed import ensure_seeded as ensure_rules

from .pdftext import pdf_text

pytestmark = pytest.mark.django_db

MAY_2026 = datetime.date(2026, 5, 1)
SYSTEM = "peer_support_system"
DELIVERY = "peer_support_delivery"


@pytest.fixture(autouse=True)
def seeded(db):
    ensure_vocabularies()
    ensure_rules()


@pytest.fixture
def courses(body):
    return {
        kind: Course.objects.create(body=body, kind=kind, title=str(kind))
        for kind in (CourseKind.BASIC, CourseKind.SPECIALISED, CourseKind.EQUIVALENT)
    }


def designate(organisation, *codes):
    organisation.designated_services.set(WelfareService.objects.filter(code__in=codes))
    return organisation


def employ(person, organisation, hours, *, full_time=40, confirmed_by=None, kind=Engagement.Kind.EMPLOYED,
           contract="", on_leave=False, start=datetime.date(2025, 4, 1), end=None):
    values = {"weekly_hours": Decimal(hours), "full_time_weekly_hours": Decimal(full_time), "on_leave": on_leave,
              "contract": contract} if kind == Engagement.Kind.EMPLOYED else {}
    if kind == Engagement.Kind.HONORARIUM:
        values.update(honorarium_rate=5000, honorarium_unit=Engagement.RateUnit.SESSION)
    return Engagement.objects.create(
        person=person, organisation=organisation, kind=kind, start_date=start, end_date=end,
        confirmed_by=confirmed_by, confirmed_at=timezone.now() if confirmed_by else None, **values,
    )


def complete(person, body, courses, *kinds, on=datetime.date(2025, 1, 1)):
    for kind in kinds:
        Completion.objects.create(body=body, course=courses[kind], person=person,
                                  number=f"PSS-C-{person.pk}-{kind}", completed_on=on)


def trained_pair(make_user, organisation, body, courses, manager, *, peer_hours=20, partner_hours=32):
    peer = make_user(roles=[(Role.PEER, {})], display_name="当事者 花子")
    partner = make_user(roles=[(Role.PROFESSIONAL, {})], display_name="協働 太郎")
    employ(peer, organisation, peer_hours, confirmed_by=manager)
    employ(partner, organisation, partner_hours, confirmed_by=manager)
    for person in (peer, partner):
        complete(person, body, courses, CourseKind.BASIC, CourseKind.SPECIALISED)
    return peer, partner


def staff_training(organisation, given_by=(), trainer="", held_on=datetime.date(2026, 6, 1)):
    training = InHouseTraining.objects.create(organisation=organisation, held_on=held_on, title="障害特性と配慮",
                                              trainer=trainer)
    training.given_by.set(given_by)
    return training


def publish(organisation, year=2026):
    return StaffingPublication.objects.create(organisation=organisation, fiscal_year=year,
                                              published_on=datetime.date(year, 4, 10), where="掲示板")


def addition(check, code):
    return next(a for a in check.additions if a.code == code)


def line_of(result, person):
    return next(line for line in result.people if line.person == person)


def reasons_ja(line):
    return [r["ja"] for r in line.reasons]


@pytest.fixture
def complete_office(make_user, organisation, body, courses, manager):
    """An office designated for 計画相談支援 that meets the system addition in May 2026."""
    designate(organisation, "plan-consultation")
    peer, partner = trained_pair(make_user, organisation, body, courses, manager)
    staff_training(organisation, given_by=[peer], trainer="外部講師")
    publish(organisation)
    return peer, partner


# ------------------------------------------------------------------ the reported wrong answer


def test_ineligible_office_with_unconfirmed_work_and_outside_lecturer_does_not_meet(
        make_user, organisation, body, courses):
    """Issue 13: 就労継続支援A型, two self-declared engagements no manager confirmed, an in-house
    training by an outside lecturer: the first check answered meets_rule True."""
    designate(organisation, "continued-work-a")
    peer = make_user(roles=[(Role.PEER, {})])
    partner = make_user()
    employ(peer, organisation, 20)
    employ(partner, organisation, 32)
    for person in (peer, partner):
        complete(person, body, courses, CourseKind.BASIC, CourseKind.SPECIALISED)
    staff_training(organisation, trainer="外部講師")
    publish(organisation)
    check = staffing_check(organisation=organisation, month=MAY_2026)
    for result in check.additions:
        assert result.eligible is False and result.meets is False and result.units == 0
        assert "指定" in result.missing[0]["ja"] and "designated" in result.missing[0]["en"]
        assert "勤務条件が未確認です" in reasons_ja(line_of(result, peer))
        assert not any(line.counts for line in result.people)


# ------------------------------------------------------------------ meeting each addition


def test_office_meets_the_system_addition_for_100_units(complete_office, organisation):
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert (result.rule.label, result.eligible, result.meets, result.units, result.missing) == (
        "FY2024", True, True, 100, [])
    peer, partner = complete_office
    assert [(line.person, line.role, line.counts) for line in result.people] == [
        (peer, "peer", True), (partner, "partner", True)]
    assert "0.5 常勤換算" in reasons_ja(line_of(result, peer))[-1] or "常勤換算 0.5" in " ".join(
        reasons_ja(line_of(result, peer)))


def test_delivery_addition_gives_100_units_per_service_user_and_needs_the_count(
        make_user, organisation, body, courses, manager):
    designate(organisation, "continued-work-b-participation")
    peer, _partner = trained_pair(make_user, organisation, body, courses, manager)
    staff_training(organisation, given_by=[peer])
    publish(organisation)
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), DELIVERY)
    assert not result.meets and "利用者" in result.missing[-1]["ja"]
    PeerSupportDeliveryCount.objects.create(organisation=organisation, month=MAY_2026, service_users=7)
    check = staffing_check(organisation=organisation, month=MAY_2026)
    assert (addition(check, DELIVERY).meets, addition(check, DELIVERY).units) == (True, 700)
    # A 就労継続支援B型 office is not designated for the system addition's services.
    assert addition(check, SYSTEM).eligible is False and addition(check, SYSTEM).units == 0


def test_b_type_rated_by_wage_is_not_eligible_for_delivery(make_user, organisation, body, courses, manager):
    designate(organisation, "continued-work-b-wage")
    assert addition(staffing_check(organisation=organisation, month=MAY_2026), DELIVERY).eligible is False


# ------------------------------------------------------------------ engagements that count


@pytest.mark.parametrize("kind, expected", [
    (Engagement.Kind.VOLUNTEER, "Volunteer work does not count"),
    (Engagement.Kind.HONORARIUM, "Honorarium work does not count"),
])
def test_volunteer_and_honorarium_work_never_count(make_user, complete_office, organisation, manager, kind, expected):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).delete()
    employ(peer, organisation, 0, kind=kind, confirmed_by=manager)
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    line = line_of(result, peer)
    assert not line.counts and not result.meets
    assert any(expected in r["en"] for r in line.reasons)


@pytest.mark.parametrize("contract, ja", [(Engagement.Contract.OUTSOURCING, "委託契約のため算定できません"),
                                          (Engagement.Contract.WORK, "請負契約のため算定できません")])
def test_outsourcing_and_work_contracts_do_not_count(complete_office, organisation, manager, contract, ja):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(contract=contract)
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert not line_of(result, peer).counts and not result.meets
    assert ja in reasons_ja(line_of(result, peer))


def test_unconfirmed_engagement_does_not_count_until_the_manager_confirms(complete_office, organisation, manager):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(confirmed_at=None, confirmed_by=None)
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert not result.meets and "勤務条件が未確認です" in reasons_ja(line_of(result, peer))
    Engagement.objects.filter(person=peer).update(confirmed_at=timezone.now(), confirmed_by=manager)
    assert addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets


def test_engagement_on_leave_counts_as_the_version_says(complete_office, organisation):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(on_leave=True)
    assert not addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets
    StaffingRule.objects.filter(addition=SYSTEM, label="FY2024").update(on_leave_counts=True)
    assert addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets


def test_leave_recorded_on_the_employment_page_stops_the_months_it_touches(complete_office, organisation, manager):
    """A period of leave recorded with the service (not the engagement's flag) is what the check
    reads: the months it touches do not count, the months around it do, and the reason never
    names the kind of leave."""
    from peers.models import EngagementLeave
    from peers.services.employment import leave_record, leave_update

    peer, _partner = complete_office
    engagement = Engagement.objects.get(person=peer, organisation=organisation)
    assert engagement.on_leave is False
    leave = leave_record(actor=manager, engagement=engagement, kind=EngagementLeave.Kind.HEALTH,
                         start_date=datetime.date(2026, 5, 20))
    for month, counts in ((datetime.date(2026, 4, 1), True), (MAY_2026, False), (datetime.date(2026, 7, 1), False)):
        result = addition(staffing_check(organisation=organisation, month=month), SYSTEM)
        assert line_of(result, peer).counts is counts, month
        assert result.meets is counts, month
    reasons = " ".join(reasons_ja(line_of(addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM), peer)))
    assert "休職等の期間が記録されている" in reasons and "療養" not in reasons
    # Back on 1 June: May still touched by the leave, June counts again.
    leave_update(actor=manager, leave=leave, actual_return=datetime.date(2026, 6, 1))
    assert not addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets
    assert addition(staffing_check(organisation=organisation, month=datetime.date(2026, 6, 1)), SYSTEM).meets
    StaffingRule.objects.filter(addition=SYSTEM, label="FY2024").update(on_leave_counts=True)
    assert addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets


def test_work_that_starts_during_the_month_counts_from_the_next(complete_office, organisation):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(start_date=datetime.date(2026, 5, 2))
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert not line_of(result, peer).counts
    assert addition(staffing_check(organisation=organisation, month=datetime.date(2026, 6, 1)), SYSTEM).meets


# ------------------------------------------------------------------ FTE and 兼務


@pytest.mark.parametrize("hours, counts", [("20", True), ("19.6", False)])
def test_fte_floor_is_half_time(complete_office, organisation, hours, counts):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(weekly_hours=Decimal(hours))
    line = line_of(addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM), peer)
    assert line.counts is counts
    if not counts:
        assert line.fte_text == "0.49" and any("0.5" in r["en"] and "less" in r["en"] for r in line.reasons)


def test_hours_at_co_located_offices_of_the_five_services_are_summed(
        complete_office, organisation, manager, tokyo):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(weekly_hours=Decimal(16))  # 0.4 FTE here
    neighbour = designate(Organisation.objects.create(name="地域定着センター", prefecture=tokyo), "community-settlement")
    employ(peer, neighbour, 8, confirmed_by=manager)  # 0.2 FTE there
    line = line_of(addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM), peer)
    assert (line.fte_text, line.counts) == ("0.4", False)  # not recorded as co-located yet
    organisation.co_located.add(neighbour)
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    line = line_of(result, peer)
    assert (line.fte_text, line.counts, result.meets) == ("0.6", True, True)
    assert "兼務を合わせて 0.6 常勤換算" in reasons_ja(line)
    # An office of a service the addition does not cover adds nothing.
    designate(neighbour, "group-home")
    assert line_of(addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM), peer).fte_text == "0.4"


# ------------------------------------------------------------------ trainings, roles


def test_missing_specialised_training_is_named_for_the_person(complete_office, organisation):
    _peer, partner = complete_office
    Completion.objects.filter(person=partner, course__kind=CourseKind.SPECIALISED).delete()
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert not result.meets and "専門研修の修了記録がありません" in reasons_ja(line_of(result, partner))
    assert "No record of completing the Specialised training" in " ".join(
        r["en"] for r in line_of(result, partner).reasons)


def test_two_trained_co_workers_without_a_peer_do_not_meet(complete_office, organisation):
    peer, _partner = complete_office
    peer.role_assignments.filter(role=Role.PEER).delete()
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert not result.meets and "No peer staff member counts" in result.missing[0]["en"]


def test_staff_training_by_an_outsider_alone_does_not_count(complete_office, organisation):
    peer, _partner = complete_office
    InHouseTraining.objects.all().delete()
    staff_training(organisation, trainer="外部講師")
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert not result.meets and "given by others" in result.missing[0]["en"]
    staff_training(organisation, given_by=[peer], trainer="外部講師")
    assert addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets


def test_staff_training_counts_only_in_its_fiscal_year(complete_office, organisation):
    peer, _partner = complete_office
    InHouseTraining.objects.all().delete()
    staff_training(organisation, given_by=[peer], held_on=datetime.date(2026, 3, 31))  # FY2025
    assert fiscal_year_of(datetime.date(2026, 3, 31)) == 2025
    assert not addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets
    staff_training(organisation, given_by=[peer], held_on=datetime.date(2027, 3, 31))  # FY2026
    assert addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM).meets


def test_publication_of_the_fiscal_year_is_needed(complete_office, organisation):
    StaffingPublication.objects.all().delete()
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    assert [m["en"] for m in result.missing] == ["Publish the staffing for fiscal year 2026 and record where."]


def test_missing_items_come_in_the_order_to_fix_them(organisation):
    designate(organisation, "continued-work-a")
    result = addition(staffing_check(organisation=organisation, month=MAY_2026), SYSTEM)
    words = ["designated", "peer staff", "co-worker", "training", "Publish"]
    assert [next(w for w in words if w in m["en"]) for m in result.missing] == words


# ------------------------------------------------------------------ versions


def test_version_switches_on_2024_04_01(make_user, organisation, body, courses, manager):
    """FY2021's transitional measure (to 2024-03-31): a peer with the prefecture's equivalent
    training and an untrained co-worker count; from April 2024 (FY2024) they do not."""
    designate(organisation, "independent-living")
    peer = make_user(roles=[(Role.PEER, {})])
    partner = make_user()
    employ(peer, organisation, 20, confirmed_by=manager, start=datetime.date(2023, 4, 1))
    employ(partner, organisation, 20, confirmed_by=manager, start=datetime.date(2023, 4, 1))
    complete(peer, body, courses, CourseKind.EQUIVALENT, on=datetime.date(2023, 1, 10))
    staff_training(organisation, given_by=[peer], held_on=datetime.date(2023, 10, 1))
    staff_training(organisation, given_by=[peer], held_on=datetime.date(2024, 10, 1))
    publish(organisation, 2023)
    publish(organisation, 2024)
    march = addition(staffing_check(organisation=organisation, month=datetime.date(2024, 3, 1)), SYSTEM)
    assert march.missing == [], march.missing
    assert (march.rule.label, march.transitional, march.meets) == ("FY2021", True, True)
    assert "経過措置" in reasons_ja(line_of(march, partner))[0]
    april = addition(staffing_check(organisation=organisation, month=datetime.date(2024, 4, 1)), SYSTEM)
    assert (april.rule.label, april.transitional, april.meets) == ("FY2024", False, False)
    assert "基礎研修の修了記録がありません" in reasons_ja(line_of(april, partner))


def test_independence_training_is_eligible_for_delivery_from_fy2024(organisation):
    designate(organisation, "life-training")
    assert not addition(staffing_check(organisation=organisation, month=datetime.date(2024, 3, 1)), DELIVERY).eligible
    assert addition(staffing_check(organisation=organisation, month=datetime.date(2024, 4, 1)), DELIVERY).eligible


def test_a_version_an_administrator_adds_applies_from_its_month(complete_office, organisation):
    rule = StaffingRule.objects.create(
        addition=SYSTEM, label="FY2027", in_force_from=datetime.date(2027, 4, 1), fte_floor=Decimal("0.6"),
        peer_courses=["basic", "specialised"], partner_courses=["basic", "specialised"],
        counted_kinds=["employed"], counted_contracts=["employment"])
    rule.eligible_services.set(WelfareService.objects.filter(code="plan-consultation"))
    for year in (2027,):
        staff_training(organisation, given_by=[complete_office[0]], held_on=datetime.date(year, 6, 1))
        publish(organisation, year)
    march = addition(staffing_check(organisation=organisation, month=datetime.date(2027, 3, 1)), SYSTEM)
    april = addition(staffing_check(organisation=organisation, month=datetime.date(2027, 4, 1)), SYSTEM)
    assert march.rule.label == "FY2024" and april.rule.label == "FY2027"
    assert not line_of(april, complete_office[0]).counts  # 0.5 FTE is below the new floor


def test_no_version_before_fy2021(organisation):
    result = addition(staffing_check(organisation=organisation, month=datetime.date(2021, 3, 1)), SYSTEM)
    assert result.rule is None and not result.meets and result.missing


def test_rule_codes_are_checked_when_an_administrator_edits_them():
    from django.core.exceptions import ValidationError

    rule = StaffingRule.objects.get(addition=SYSTEM, label="FY2024")
    rule.peer_courses = ["basic", "nonsense"]
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "peer_courses" in error.value.message_dict


# ------------------------------------------------------------------ the page


def _url(organisation, month="2026-05"):
    return f"/staff/staffing/{organisation.pk}/?month={month}"


def test_page_explains_each_person_in_the_active_language(client, two_step_client, complete_office, organisation,
                                                           manager):
    peer, _partner = complete_office
    Engagement.objects.filter(person=peer).update(confirmed_at=None, confirmed_by=None)
    two_step_client(manager)
    page = client.get(_url(organisation), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "勤務条件が未確認です" in page and "当事者 花子" in page and "FY2024" in page


def test_page_runs_a_fixed_number_of_queries(client, two_step_client, make_user, organisation, body, courses,
                                             manager, django_assert_num_queries):
    designate(organisation, "plan-consultation")
    peer, _partner = trained_pair(make_user, organisation, body, courses, manager)
    staff_training(organisation, given_by=[peer])
    two_step_client(manager)
    client.get(_url(organisation))
    with django_assert_num_queries(22) as first:
        client.get(_url(organisation))
    for _n in range(6):
        person = make_user(roles=[(Role.PEER, {})])
        employ(person, organisation, 20, confirmed_by=manager)
        complete(person, body, courses, CourseKind.BASIC)
    staff_training(organisation, given_by=[person])
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(_url(organisation))


def test_manager_records_designations_training_publication_and_count(client, two_step_client, make_user,
                                                                      organisation, manager, tokyo):
    worker = make_user()
    employ(worker, organisation, 40, confirmed_by=manager)
    two_step_client(manager)
    url = _url(organisation)
    service = WelfareService.objects.get(code="plan-consultation")
    response = client.post(url, {"month": "2026-05", "record_designations": "1",
                                 "designations-designated_services": [service.pk]})
    assert response.status_code == 302 and list(organisation.designated_services.all()) == [service]
    response = client.post(url, {
        "month": "2026-05", "record_training": "1", "training-held_on": "令和8年6月1日",
        "training-title": "倫理の研修", "training-given_by": [worker.pk], "training-trainer": "外部講師",
        "training-attendees": [worker.pk],
    })
    assert response.status_code == 302
    training = InHouseTraining.objects.get()
    assert training.held_on == datetime.date(2026, 6, 1) and list(training.given_by.all()) == [worker]
    response = client.post(url, {"month": "2026-05", "record_publication": "1",
                                 "publication-published_on": "2026-04-10", "publication-where": "https://example.org/peer"})
    assert response.status_code == 302 and StaffingPublication.objects.get().fiscal_year == 2026
    response = client.post(url, {"month": "2026-05", "record_delivery": "1", "delivery-service_users": "4"})
    assert response.status_code == 302
    assert PeerSupportDeliveryCount.objects.get().month == MAY_2026


def test_bad_input_changes_nothing(client, two_step_client, organisation, manager, other_organisation):
    two_step_client(manager)
    url = _url(organisation)
    response = client.post(url, {"month": "2026-05", "record_training": "1", "training-held_on": "いつか",
                                 "training-title": "x", "training-trainer": "y"})
    assert response.status_code == 200 and not InHouseTraining.objects.exists()
    response = client.post(url, {"month": "2026-05", "record_training": "1", "training-held_on": "2026-06-01",
                                 "training-title": "x"})
    assert response.status_code == 200 and not InHouseTraining.objects.exists()  # no one gave it
    response = client.post(url, {"month": "2026-05", "record_delivery": "1", "delivery-service_users": "-1"})
    assert response.status_code == 200 and not PeerSupportDeliveryCount.objects.exists()
    # An office the manager does not manage cannot be named as co-located.
    response = client.post(url, {"month": "2026-05", "record_designations": "1",
                                 "designations-co_located": [other_organisation.pk]})
    assert response.status_code == 200 and not organisation.co_located.exists()
    assert client.get(f"/staff/staffing/{organisation.pk}/?month=someday").status_code == 200


def test_other_organisations_staffing_is_not_found(client, two_step_client, manager, other_organisation):
    two_step_client(manager)
    assert client.get(f"/staff/staffing/{other_organisation.pk}/").status_code == 404
    assert client.get(f"/api/v1/organisations/{other_organisation.pk}/staffing/").status_code == 404


# ------------------------------------------------------------------ the API


def test_api_answers_the_same_as_the_page(client, two_step_client, complete_office, organisation, manager):
    peer, partner = complete_office
    Completion.objects.filter(person=partner, course__kind=CourseKind.SPECIALISED).delete()
    two_step_client(manager)
    answer = client.get(f"/api/v1/organisations/{organisation.pk}/staffing/?month=2026-05").json()
    assert answer["organisation"] == organisation.pk and answer["month"] == "2026-05"
    system = next(a for a in answer["additions"] if a["code"] == SYSTEM)
    assert (system["rule_version"], system["eligible"], system["meets"], system["units"]) == ("FY2024", True, False, 0)
    people = {p["person"]: p for p in system["people"]}
    assert people[peer.pk]["counts"] is True and people[peer.pk]["fte"] == "0.5" and people[peer.pk]["role"] == "peer"
    assert {"ja": "専門研修の修了記録がありません", "en": "No record of completing the Specialised training (専門研修)."} in \
        people[partner.pk]["reasons"] or any("専門研修の修了記録がありません" == r["ja"] for r in people[partner.pk]["reasons"])
    check = staffing_check(organisation=organisation, month=MAY_2026)
    assert answer == check.as_json()
    page = html.unescape(client.get(_url(organisation)).content.decode())
    for item in addition(check, SYSTEM).missing:
        assert item["ja"] in page


def test_api_shows_coordinators_the_answer_without_people(client, two_step_client, make_user, complete_office,
                                                          organisation, tokyo, trainer):
    coordinator = make_user(roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=True)
    two_step_client(coordinator)
    answer = client.get(f"/api/v1/organisations/{organisation.pk}/staffing/?month=2026-05").json()
    system = next(a for a in answer["additions"] if a["code"] == SYSTEM)
    assert system["meets"] is True and system["people"] == []
    page = client.get(_url(organisation)).content.decode()
    assert "当事者 花子" not in page and "prepare_pack" not in page
    assert client.post(_url(organisation), {"prepare_pack": "1", "month": "2026-05"}).status_code == 403
    client.logout()
    two_step_client(trainer)
    assert client.get(f"/api/v1/organisations/{organisation.pk}/staffing/").status_code == 404


def test_api_refuses_a_bad_month_in_both_languages(client, two_step_client, organisation, manager):
    two_step_client(manager)
    response = client.get(f"/api/v1/organisations/{organisation.pk}/staffing/?month=2026-13")
    assert set(problem_fields(response)["month"][0]) == {"ja", "en"}


# ------------------------------------------------------------------ the filing pack


def test_filing_pack_holds_the_staff_hours_training_and_publication(client, two_step_client, complete_office,
                                                                     organisation, manager, tokyo):
    from openpyxl import load_workbook

    peer, partner = complete_office
    neighbour = designate(Organisation.objects.create(name="地域定着センター", prefecture=tokyo), "community-settlement")
    organisation.co_located.add(neighbour)
    Engagement.objects.filter(person=peer).update(weekly_hours=Decimal(16))
    employ(peer, neighbour, 8, confirmed_by=manager)
    employ(partner, organisation, 4, contract=Engagement.Contract.OUTSOURCING, confirmed_by=manager)
    two_step_client(manager)
    assert client.get(f"/staff/staffing/{organisation.pk}/pack.xlsx?month=2026-05").status_code == 404  # none yet
    response = client.post(_url(organisation), {"month": "2026-05", "prepare_pack": "1"})
    assert response.status_code == 302
    filing = StaffingFiling.objects.get()
    assert filing.month == MAY_2026 and filing.prepared_by == manager

    sheet_text = {}
    book = load_workbook(io.BytesIO(client.get(f"/staff/staffing/{organisation.pk}/pack.xlsx?month=2026-05").content))
    for sheet in book.worksheets:
        sheet_text[sheet.title] = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert f"PSS-C-{peer.pk}-basic" in sheet_text["職員一覧"] and "当事者 花子" in sheet_text["職員一覧"]
    hours = sheet_text["勤務時間・常勤換算"]
    assert "地域定着センター（兼務）" in hours and "業務委託" in hours and "0.4" in hours and "0.2" in hours
    assert "兼務を合わせて 0.6 常勤換算" in sheet_text["職員一覧"]
    assert "障害特性と配慮" in sheet_text["職員研修の記録"] and "外部講師" in sheet_text["職員研修の記録"]
    assert "掲示板" in sheet_text["公表"] and "FY2024" in sheet_text["概要"]

    pdf = client.get(f"/staff/staffing/{organisation.pk}/pack.pdf?month=2026-05")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content).replace("\n", "").replace(" ", "")
    assert "届出資料" in text and "当事者" in text and f"PSS-C-{peer.pk}-basic" in text

    # The kept pack does not change when the records do; a new one is prepared for that.
    Completion.objects.filter(person=peer).delete()
    again = load_workbook(io.BytesIO(client.get(f"/staff/staffing/{organisation.pk}/pack.xlsx?month=2026-05").content))
    assert f"PSS-C-{peer.pk}-basic" in "\n".join(
        str(c.value) for row in again["職員一覧"].iter_rows() for c in row if c.value)


def test_filing_records_are_kept_five_years_by_a_retention_rule():
    from peers.models import RetentionRule

    rule = RetentionRule.objects.get(kind="staffing_filings")
    assert (rule.period, rule.unit) == (5, "years")


def test_demo_offices_show_each_case_in_both_versions(client, two_step_client):
    from django.core.management import call_command

    from training.staffing.demo import OFFICES, PAST_MONTH

    call_command("load_demo", "--quiet-summary")
    call_command("load_demo", "--quiet-summary")  # twice: nothing doubles
    assert StaffingPublication.objects.filter(organisation__name=OFFICES[0][0]).count() == len(
        {fiscal_year_of(PAST_MONTH), fiscal_year_of(timezone.localdate())})
    now = timezone.localdate().replace(day=1)

    def verdict(name, code, month):
        result = addition(staffing_check(organisation=Organisation.objects.get(name=name), month=month), code)
        return result.rule.label, result.meets
    names = [name for name, _services, _case in OFFICES]
    assert verdict(names[0], SYSTEM, now) == ("FY2024", True)
    assert verdict(names[0], SYSTEM, PAST_MONTH) == ("FY2021", True)
    assert verdict(names[1], DELIVERY, now) == ("FY2024", True)
    assert verdict(names[1], DELIVERY, PAST_MONTH) == ("FY2021", True)
    for name in (names[2], names[4], names[7], names[8]):
        assert verdict(name, SYSTEM, now)[1] is False, name
        # each misses by its one reason, not by several
        missing = addition(staffing_check(organisation=Organisation.objects.get(name=name), month=now), SYSTEM).missing
        assert len(missing) == 1, (name, missing)
    assert verdict(names[3], SYSTEM, now) == ("FY2024", False)
    assert verdict(names[3], SYSTEM, PAST_MONTH) == ("FY2021", True)  # untrained co-worker: transitional
    assert verdict(names[5], SYSTEM, now) == ("FY2024", True)  # 0.4 + 0.2 with 兼務
