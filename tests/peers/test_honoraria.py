"""Honorarium payments (第二群 謝金, issue 18): services, totals per fiscal year, the pages of the
person and of the organisation's manager, the statement for a tax return, exports and the API."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from peers.models import AuditEvent, Engagement, HonorariumPayment
from peers.selectors.payments import (
    honorarium_payment_list_for,
    honorarium_statement,
    honorarium_totals,
    honorarium_totals_own,
)
from peers.services.payments import (
    honorarium_payment_cancel,
    honorarium_payment_confirm,
    honorarium_payment_correct,
    honorarium_payment_from_source,
    honorarium_payment_mark_paid,
    honorarium_payment_record,
)
from peers.services.workforce import engagement_start
from tests.training.pdftext import pdf_text

pytestmark = pytest.mark.django_db

Status = HonorariumPayment.Status


@pytest.fixture
def talk(org, peer, org_manager) -> Engagement:
    """The peer gives talks for the organisation at 5,000円 a session (第二群)."""
    return engagement_start(actor=org_manager, person=peer, organisation=org, kind=Engagement.Kind.HONORARIUM,
                            job_title="講演", start_date=datetime.date(2024, 4, 1), honorarium_rate=5000,
                            honorarium_unit=Engagement.RateUnit.SESSION)


def _record(manager, engagement, day=datetime.date(2025, 6, 1), **extra):
    return honorarium_payment_record(actor=manager, engagement=engagement, occasion_date=day,
                                     description=extra.pop("description", "家族会での体験談"), **extra)


def _paid(manager, payment, day):
    return honorarium_payment_mark_paid(actor=manager, payment=payment, paid_on=day)


# --- Services -----------------------------------------------------------------------------------


def test_a_manager_records_a_payment_at_the_engagement_rate_confirmed_at_once(talk, org_manager, peer, org):
    payment = _record(org_manager, talk)
    assert (payment.person, payment.organisation, payment.amount, payment.status) == (peer, org, 5000, Status.CONFIRMED)
    assert payment.confirmed_by == org_manager
    event = AuditEvent.objects.get(action="honorarium.record", target_id=str(payment.pk))
    assert event.data["amount"] == 5000 and event.actor == org_manager


def test_only_an_honorarium_engagement_of_the_managers_organisation(org_manager, other_manager, talk, peer, org,
                                                                    factories):
    volunteer = factories.engagement(person=peer, organisation=org, kind=Engagement.Kind.VOLUNTEER)
    with pytest.raises(ValidationError) as refused:
        _record(org_manager, volunteer, amount=1000)
    assert "engagement" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        _record(other_manager, talk)
    assert not HonorariumPayment.objects.exists()


def test_confirm_pay_correct_and_cancel_are_audited_and_a_paid_payment_is_never_cancelled(talk, org_manager):
    payment = honorarium_payment_from_source(
        actor=None, person=talk.person, organisation=talk.organisation, occasion_date=datetime.date(2025, 6, 1),
        description="研修の進行補助", amount=5000, source_reference="test.thing:1")[0]
    assert payment.status == Status.TO_CONFIRM and payment.engagement == talk
    with pytest.raises(ValidationError):
        _paid(org_manager, payment, datetime.date(2025, 6, 30))  # confirm first
    honorarium_payment_confirm(actor=org_manager, payment=payment)
    _paid(org_manager, payment, datetime.date(2025, 6, 30))
    with pytest.raises(ValidationError):
        honorarium_payment_cancel(actor=org_manager, payment=payment, reason="二重")
    with pytest.raises(ValidationError) as no_reason:
        honorarium_payment_correct(actor=org_manager, payment=payment, amount=4500)
    assert "reason" in no_reason.value.message_dict
    honorarium_payment_correct(actor=org_manager, payment=payment, amount=4500, withholding_tax=459,
                               reason="源泉徴収を反映")
    payment.refresh_from_db()
    assert (payment.status, payment.amount, payment.withholding_tax) == (Status.PAID, 4500, 459)
    correction = AuditEvent.objects.get(action="honorarium.correct", target_id=str(payment.pk))
    assert correction.data["before"] == {"amount": 5000, "withholding_tax": None}
    assert correction.data["after"] == {"amount": 4500, "withholding_tax": 459}
    actions = list(AuditEvent.objects.filter(target_type="HonorariumPayment").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["honorarium.from_source", "honorarium.confirm", "honorarium.paid", "honorarium.correct"]


def test_the_database_refuses_to_delete_a_paid_payment(talk, org_manager):
    unpaid = _record(org_manager, talk)
    paid = _paid(org_manager, _record(org_manager, talk, day=datetime.date(2025, 7, 1)), datetime.date(2025, 7, 2))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        HonorariumPayment.objects.filter(pk=paid.pk).delete()
    assert HonorariumPayment.objects.filter(pk=paid.pk).exists()
    HonorariumPayment.objects.filter(pk=unpaid.pk).delete()  # not yet a tax record


def test_the_database_refuses_a_zero_or_negative_amount(talk, peer, org):
    with pytest.raises(IntegrityError), transaction.atomic():
        HonorariumPayment.objects.create(person=peer, organisation=org, occasion_date=datetime.date(2025, 6, 1),
                                         description="x", amount=0)


def test_a_source_makes_one_payment_however_often_it_is_sent(talk):
    kwargs = dict(actor=None, person=talk.person, organisation=talk.organisation,
                  occasion_date=datetime.date(2025, 6, 1), description="会議", amount=3000,
                  source_reference="collaboration.meeting:99")
    first, created = honorarium_payment_from_source(**kwargs)
    again, created_again = honorarium_payment_from_source(**kwargs)
    assert created and not created_again and first.pk == again.pk
    assert HonorariumPayment.objects.count() == 1


def test_totals_per_person_and_fiscal_year_count_the_occasion_day(talk, org_manager, peer):
    march = _record(org_manager, talk, day=datetime.date(2026, 3, 31))  # FY2025
    _record(org_manager, talk, day=datetime.date(2026, 4, 1), amount=7000)  # FY2026
    _paid(org_manager, march, datetime.date(2026, 4, 10))
    cancelled = _record(org_manager, talk, day=datetime.date(2026, 4, 2))
    honorarium_payment_cancel(actor=org_manager, payment=cancelled, reason="中止")
    rows = {row["fiscal_year"]: row for row in honorarium_totals_own(peer)}
    assert set(rows) == {2025, 2026}
    assert (rows[2025]["paid"], rows[2025]["confirmed"], rows[2025]["count"]) == (5000, 0, 1)
    assert (rows[2026]["paid"], rows[2026]["confirmed"], rows[2026]["count"]) == (0, 7000, 1)
    assert honorarium_totals(honorarium_payment_list_for(org_manager)) == honorarium_totals_own(peer)


def test_the_statement_counts_the_calendar_year_by_the_day_paid(talk, org_manager, peer):
    december = _record(org_manager, talk, day=datetime.date(2025, 12, 20))
    _paid(org_manager, december, datetime.date(2026, 1, 5))  # paid in 2026
    november = _record(org_manager, talk, day=datetime.date(2025, 11, 1), withholding_tax=510)
    _paid(org_manager, november, datetime.date(2025, 11, 30))
    _record(org_manager, talk, day=datetime.date(2025, 12, 1))  # confirmed, not paid: not on it
    statement = honorarium_statement(peer, 2025)
    assert statement["amount"] == 5000 and statement["withholding_tax"] == 510 and statement["count"] == 1
    assert honorarium_statement(peer, 2026)["amount"] == 5000
    assert honorarium_statement(peer, 2026)["withholding_tax"] is None  # not recorded, not zero


# --- Pages ---------------------------------------------------------------------------------------


def test_the_manager_records_a_payment_typed_in_full_width_digits(signed_in, org_manager, talk, org):
    client = signed_in(org_manager)
    response = client.post(f"/staff/organisations/{org.pk}/honoraria/", {
        "engagement": talk.pk, "occasion_date": "令和7年6月1日", "description": "講演「リカバリーの話」",
        "category": "講演料", "amount": "１２，０００円",
    })
    assert response.status_code == 302, response.content.decode()[-2000:]
    payment = HonorariumPayment.objects.get()
    assert (payment.amount, payment.occasion_date, payment.category) == (12000, datetime.date(2025, 6, 1), "講演料")
    page = client.get(f"/staff/organisations/{org.pk}/honoraria/?year=2025").content.decode()
    assert "講演「リカバリーの話」" in page and "12,000円" in page


@pytest.mark.parametrize("amount, japanese, english", [
    ("-500", "1円以上の金額を入れてください。", "Give an amount of at least 1 yen."),
    ("0", "1円以上の金額を入れてください。", "Give an amount of at least 1 yen."),
    ("12.5", "金額は円の整数で入れてください", "Give the amount in yen as a whole number"),
    ("１２\x00００", "制御文字", "control character"),
    ("²", "金額は円の整数で入れてください", "Give the amount in yen as a whole number"),
    ("١٢٠٠", "金額は円の整数で入れてください", "Give the amount in yen as a whole number"),
    ("100000000", "0の数を確かめてください", "check the number of zeros"),
])
def test_a_bad_amount_is_refused_in_both_languages_and_nothing_is_saved(signed_in, org_manager, talk, org,
                                                                        amount, japanese, english):
    client = signed_in(org_manager)
    body = {"engagement": talk.pk, "occasion_date": "2025-06-01", "description": "講演", "amount": amount}
    ja = client.post(f"/staff/organisations/{org.pk}/honoraria/", body)
    en = client.post(f"/en/staff/organisations/{org.pk}/honoraria/", body)
    assert ja.status_code == en.status_code == 400
    assert japanese in ja.content.decode() and english in en.content.decode()
    assert not HonorariumPayment.objects.exists()


def test_a_nul_in_what_for_is_refused_without_a_500(signed_in, org_manager, talk, org):
    response = signed_in(org_manager).post(f"/staff/organisations/{org.pk}/honoraria/", {
        "engagement": talk.pk, "occasion_date": "2025-06-01", "description": "講演\x00", "amount": "5000"})
    assert response.status_code == 400 and "制御文字" in response.content.decode()
    assert not HonorariumPayment.objects.exists()


def test_the_manager_confirms_and_marks_paid_on_the_pages(signed_in, org_manager, talk):
    payment = honorarium_payment_from_source(
        actor=None, person=talk.person, organisation=talk.organisation, occasion_date=datetime.date(2025, 6, 1),
        description="会議出席", amount=8000, source_reference="test.thing:2")[0]
    client = signed_in(org_manager)
    listing = client.get("/staff/honoraria/").content.decode()
    assert "会議出席" in listing and 'class="records"' in listing
    assert client.post(f"/staff/honoraria/{payment.pk}/", {"action": "confirm"}).status_code == 302
    response = client.post(f"/staff/honoraria/{payment.pk}/", {"action": "paid", "paid_on": "2099-01-01"})
    assert response.status_code == 400 and "まだ来ていない日です" in response.content.decode()
    assert client.post(f"/staff/honoraria/{payment.pk}/", {"action": "paid", "paid_on": "2025/6/30",
                                                           "withholding_tax": "817"}).status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on, payment.withholding_tax) == (Status.PAID, datetime.date(2025, 6, 30), 817)
    response = client.post(f"/staff/honoraria/{payment.pk}/", {"action": "cancel", "reason": "誤り"})
    assert response.status_code == 400 and "支払済みの支払は取り消せません" in response.content.decode()
    assert HonorariumPayment.objects.get().status == Status.PAID


def test_someone_elses_payment_is_missing_for_other_managers_and_people(signed_in, org_manager, other_manager,
                                                                        other_peer, peer, talk, org):
    payment = _record(org_manager, talk, description="機密の謝金メモ")
    for who, refused in ((other_manager, 404), (other_peer, 302)):  # a peer is sent to two-step sign-in first
        client = signed_in(who)
        assert client.get(f"/staff/honoraria/{payment.pk}/").status_code == refused
        assert client.post(f"/staff/honoraria/{payment.pk}/", {"action": "cancel", "reason": "x"}).status_code == refused
        assert "機密の謝金メモ" not in client.get("/me/honoraria/").content.decode()
        assert client.get(f"/api/v1/honoraria/{payment.pk}/").status_code == 404
    assert signed_in(other_manager).get(f"/staff/organisations/{org.pk}/honoraria/").status_code == 404
    assert signed_in(other_manager).get(f"/staff/organisations/{org.pk}/honoraria/export.csv").status_code == 404
    # The person sees it on their own page, not on the staff one.
    client = signed_in(peer)
    assert "機密の謝金メモ" in client.get("/me/honoraria/").content.decode()
    assert client.get(f"/staff/honoraria/{payment.pk}/").status_code in (302, 404)
    assert HonorariumPayment.objects.get().status == Status.CONFIRMED


def test_the_person_sees_their_payments_and_totals(signed_in, org_manager, peer, talk):
    _paid(org_manager, _record(org_manager, talk, day=datetime.date(2025, 6, 1)), datetime.date(2025, 6, 20))
    page = signed_in(peer).get("/me/honoraria/").content.decode()
    assert "家族会での体験談" in page and "5,000円" in page and "2025年度" in page
    assert "/me/honoraria/statement.pdf?year=2025" in page


def test_the_statement_pdf_embeds_the_japanese_font_and_names_the_fields(signed_in, org_manager, peer, talk, org):
    org.corporation = "社会福祉法人かけはし会"
    org.contact_phone = "03-1234-5678"
    org.save()
    payment = _record(org_manager, talk, day=datetime.date(2025, 6, 1), category="講演料", withholding_tax=510)
    _paid(org_manager, payment, datetime.date(2025, 6, 20))
    response = signed_in(peer).get("/me/honoraria/statement.pdf?year=2025")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"FontFile2" in response.content
    text = pdf_text(response.content)
    for expected in ("令和7年分", "支払を受ける者", peer.display_name, "支払者", org.name, "社会福祉法人かけはし会",
                     "03-1234-5678", "区分", "講演料", "細目", "家族会での体験談", "支払金額", "5,000", "源泉徴収税額",
                     "510", "このサイトには記録がありません"):
        assert expected in text, expected


def test_the_statement_csv_lists_only_what_was_paid_that_year(signed_in, org_manager, peer, talk):
    _paid(org_manager, _record(org_manager, talk, day=datetime.date(2025, 6, 1)), datetime.date(2025, 6, 20))
    _record(org_manager, talk, day=datetime.date(2025, 7, 1), description="未払いの分")
    response = signed_in(peer).get("/me/honoraria/statement.csv?year=2025")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "年（1月〜12月）"
    assert [r[9] for r in rows[1:]] == ["5000", "5000"]  # the payment, then the payer's total
    assert "未払いの分" not in text
    empty = b"".join(signed_in(peer).get("/me/honoraria/statement.csv?year=2019").streaming_content)
    assert len(list(csv.reader(io.StringIO(empty.decode("utf-8-sig"))))) == 1


def test_the_organisation_exports_a_fiscal_year_as_csv_and_excel(signed_in, org_manager, talk, org):
    _record(org_manager, talk, day=datetime.date(2026, 3, 31), description="三月の講演")
    _record(org_manager, talk, day=datetime.date(2026, 4, 1), description="四月の講演")
    client = signed_in(org_manager)
    text = b"".join(client.get(f"/staff/organisations/{org.pk}/honoraria/export.csv?year=2025")
                    .streaming_content).decode("utf-8-sig")
    assert "三月の講演" in text and "四月の講演" not in text
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/staff/organisations/{org.pk}/honoraria/export.xlsx?year=2026").content))
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert "四月の講演" in values and "三月の講演" not in values


# --- API -----------------------------------------------------------------------------------------


def test_the_api_records_and_lists_with_the_same_access(signed_in, org_manager, other_manager, talk, peer):
    client = signed_in(org_manager)
    response = client.post("/api/v1/honoraria/", {"engagement": talk.pk, "occasion_date": "2025-06-01",
                                                  "description": "講演", "amount": "１２００"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == 1200 and response.json()["fiscal_year"] == 2025
    pk = response.json()["id"]
    assert [p["id"] for p in client.get("/api/v1/honoraria/").json()["results"]] == [pk]
    assert signed_in(other_manager).get("/api/v1/honoraria/").json()["results"] == []
    assert signed_in(other_manager).post(f"/api/v1/honoraria/{pk}/confirm/").status_code == 404
    mine = signed_in(peer).get("/api/v1/me/honoraria/").json()
    assert [p["id"] for p in mine["results"]] == [pk]
    assert client.get("/api/v1/me/honoraria/totals/").json()[0]["confirmed"] == 1200
    assert signed_in(peer).post(f"/api/v1/honoraria/{pk}/paid/", {"paid_on": "2025-06-30"},
                                content_type="application/json").status_code == 403  # their own: read only
    client = signed_in(org_manager)
    paid = client.post(f"/api/v1/honoraria/{pk}/paid/", {"paid_on": "2025-06-30"}, content_type="application/json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    statement = signed_in(peer).get("/api/v1/me/honoraria/statement/?year=2025").json()
    assert statement["amount"] == 1200 and statement["payers"][0]["payments"][0]["id"] == pk


@pytest.mark.parametrize("field, value", [("amount", -1), ("amount", "1.5"), ("amount", True),
                                          ("description", "講演\x00"), ("withholding_tax", -3)])
def test_bad_input_to_the_api_is_a_bilingual_400_and_changes_nothing(signed_in, org_manager, talk, field, value):
    body = {"engagement": talk.pk, "occasion_date": "2025-06-01", "description": "講演", "amount": 5000}
    body[field] = value
    response = signed_in(org_manager).post("/api/v1/honoraria/", body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/problem+json")
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors[field]) == {"ja", "en"} and errors[field]["ja"] != errors[field]["en"]
    assert not HonorariumPayment.objects.exists()


def test_the_api_refuses_a_cancel_without_reason_and_a_paid_cancel(signed_in, org_manager, talk):
    payment = _paid(org_manager, _record(org_manager, talk), timezone.localdate())
    client = signed_in(org_manager)
    assert client.post(f"/api/v1/honoraria/{payment.pk}/cancel/", {}, content_type="application/json").status_code == 400
    response = client.post(f"/api/v1/honoraria/{payment.pk}/cancel/", {"reason": "誤り"}, content_type="application/json")
    assert response.status_code == 400
    assert HonorariumPayment.objects.get().status == Status.PAID


# --- The demo ------------------------------------------------------------------------------------


def test_the_demo_shows_paid_confirmed_and_attendance_payments(demo, client):
    from peers.models import User

    peer2 = User.objects.get(email="peer2@example.org")
    assert HonorariumPayment.objects.filter(person=peer2, status=Status.PAID).count() == 2
    assert HonorariumPayment.objects.filter(person=peer2, status=Status.CONFIRMED).count() == 1
    from_meeting = HonorariumPayment.objects.get(source=HonorariumPayment.Source.MEETING_ATTENDANCE)
    assert from_meeting.person.email == "peer@example.org" and from_meeting.status == Status.TO_CONFIRM
    client.force_login(User.objects.get(email="peer@example.org"))
    page = client.get("/me/honoraria/").content.decode()
    assert "市民公開講座「リカバリーの話」" in page and from_meeting.description in page


@pytest.mark.parametrize("path", ["/me/honoraria/", "/staff/honoraria/?status=confirmed",
                                  "/staff/organisations/{org}/honoraria/?year=2025"])
def test_the_lists_run_the_same_queries_for_two_payments_as_for_twelve(signed_in, org_manager, peer, talk, org,
                                                                        path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        client = signed_in(peer if path.startswith("/me/") else org_manager)
        url = path.format(org=org.pk)
        client.get(url)  # warm what lives for the process
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for day in (1, 2):
        _record(org_manager, talk, day=datetime.date(2025, 6, day))
    few = queries()
    for day in range(3, 13):
        _record(org_manager, talk, day=datetime.date(2025, 6, day))
    assert queries() == few
