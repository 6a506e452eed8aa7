"""The pages a training body's staff work from all day: the body's home (counts and to-dos), the
register searched and filtered, its CSV and Excel export, and bulk reminders and exports. All
through the client, signed in with two-step; another body's staff get 404."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from training.models import Application, Certification, ContinuingEducation, ReminderSent
from training.selectors import quarter_of
from training.services import application_submit, certification_number, reminders_send

pytestmark = pytest.mark.django_db

FULL_WIDTH = {ord(c): chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
FULL_WIDTH[ord("-")] = "－"


def make_cert(credential_type, holder, *, seq, status="active", valid_until=None, year=2025):
    body = credential_type.body
    valid_until = valid_until or timezone.localdate() + datetime.timedelta(days=400)
    start = valid_until - datetime.timedelta(days=730)
    return Certification.objects.create(
        body=body, credential_type=credential_type, holder=holder, year=year, sequence=seq,
        number=certification_number(body=body, year=year, sequence=seq), issued_on=start, cycle_started_on=start,
        valid_until=valid_until, renewal_due_from=valid_until - datetime.timedelta(days=120),
        grace_until=valid_until + datetime.timedelta(days=90), status=status,
    )


def register_url(body, suffix=""):
    return f"/staff/training/{body.pk}/certifications/{suffix}"


def numbers_on(response) -> set[str]:
    return {c.number for c in Certification.objects.all() if c.number in response.content.decode()}


# ---------------------------------------------------------------- the body's home
def test_home_counts_each_to_do_and_links_to_it(mfa_client, trainer, body, other_body, credential_type, make_cohort,
                                                 make_user, general):
    today = timezone.localdate()
    waiting = make_cohort(name="募集中")
    application_submit(cohort=waiting, applicant=make_user(), consent=True)
    application_submit(cohort=waiting, applicant=make_user(), consent=True)
    finished = make_cohort(name="終わった研修", days=2)  # its days are behind us
    Application.objects.create(cohort=finished, applicant=make_user(), state="enrolled", consent_at=timezone.now())
    _quarter_start, quarter_end = quarter_of(today)
    make_cert(credential_type, make_user(), seq=1, status="expiring", valid_until=quarter_end)
    make_cert(credential_type, make_user(), seq=2, status="grace", valid_until=today - datetime.timedelta(days=5))
    for seq in (3, 4, 5):
        make_cert(credential_type, make_user(), seq=seq, status="lapsed", valid_until=today - datetime.timedelta(days=200))
    ContinuingEducation.objects.create(body=body, person=make_user(), date=today, provider="p", hours=1,
                                       category=general, review="sampled")
    from training.models import RenewalRequest

    asked = make_cert(credential_type, make_user(), seq=6, status="expiring", valid_until=quarter_end)
    RenewalRequest.objects.create(certification=asked, cycle=asked.cycle)
    response = mfa_client(trainer).get(f"/staff/training/{body.pk}/")
    page = response.content.decode()
    expected = {"applications_waiting": 2, "cohorts_to_complete": 1, "expiring_this_quarter": 2, "in_grace": 1,
                "lapsed": 3, "sampled_evidence_waiting": 1, "renewal_requests": 1}
    for item, url in response.context["counts"]:
        assert item.count == expected.pop(item.key), item.key
        assert f'href="{url}"' in page
    assert expected == {}
    assert f'href="/staff/training/{body.pk}/certifications/?status=lapsed"' in page
    assert f'href="/staff/training/{body.pk}/ce/?review=sampled"' in page


def test_staff_landing_page_is_the_body_home_and_the_nav_links_it(mfa_client, trainer, body):
    client = mfa_client(trainer)
    response = client.get("/staff/training/", follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/training/{body.pk}/"
    assert 'aria-current="page"' in response.content.decode()
    page = client.get(register_url(body)).content.decode()
    assert f'href="/staff/training/{body.pk}/"' in page  # the staff navigation leads home


@pytest.mark.parametrize("n", [1, 40])
def test_home_runs_a_fixed_number_of_queries(mfa_client, trainer, body, credential_type, make_user, n,
                                             django_assert_num_queries):
    holder = make_user()
    for seq in range(1, n + 1):
        make_cert(credential_type, holder, seq=seq, status="grace")
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/"
    client.get(url)
    with django_assert_num_queries(13):  # one per count on the home page, seven
        assert client.get(url).status_code == 200


def test_another_bodys_staff_get_404_on_the_home_register_export_and_bulk(mfa_client, other_trainer, body,
                                                                          credential_type, make_user):
    cert = make_cert(credential_type, make_user(), seq=1)
    client = mfa_client(other_trainer)
    for url in (f"/staff/training/{body.pk}/", register_url(body), register_url(body, "export.csv"),
                register_url(body, "export.xlsx")):
        assert client.get(url).status_code == 404, url
    response = client.post(register_url(body, "bulk/"), {"action": "remind", "selected": [cert.pk], "confirm": "1"})
    assert response.status_code == 404
    assert not ReminderSent.objects.exists()


# ---------------------------------------------------------------- search and filters
@pytest.fixture
def register(credential_type, make_user):
    yamada = make_user(display_name="山田 花子", name_kana="ヤマダ ハナコ")
    suzuki = make_user(display_name="鈴木 一郎", name_kana="すずき いちろう")
    return {
        "yamada": make_cert(credential_type, yamada, seq=7),
        "suzuki": make_cert(credential_type, suzuki, seq=70, status="grace",
                            valid_until=timezone.localdate() - datetime.timedelta(days=3)),
    }


@pytest.mark.parametrize(("typed", "who"), [
    ("ＰＳＳ－２０２５－０００７", {"yamada"}),  # a Japanese keyboard: full-width, full-width dash
    ("pss-2025-0007", {"yamada"}),  # lower case
    ("PSS ー 2025 ー 0070", {"suzuki"}),  # spaces and the katakana long mark as dashes
    ("やまだはなこ", {"yamada"}),  # hiragana typed, katakana stored, space ignored
    ("ｽｽﾞｷ", {"suzuki"}),  # half-width katakana typed, hiragana stored
    ("山田花子", {"yamada"}),  # the name without its space
    ("鈴木　一郎", {"suzuki"}),  # an ideographic space
    ("PSS-2025", {"yamada", "suzuki"}),
    ("佐藤", set()),
])
def test_search_by_number_name_or_kana_however_typed(mfa_client, trainer, body, register, typed, who):
    response = mfa_client(trainer).get(register_url(body), {"q": typed})
    assert response.status_code == 200
    assert numbers_on(response) == {register[k].number for k in who}


def test_filter_by_status_and_expiry(mfa_client, trainer, body, register):
    client = mfa_client(trainer)
    assert numbers_on(client.get(register_url(body), {"status": "grace"})) == {register["suzuki"].number}
    assert numbers_on(client.get(register_url(body), {"expiry": "expired"})) == {register["suzuki"].number}
    assert numbers_on(client.get(register_url(body), {"expiry": "within_90_days"})) == set()
    # A bad filter value is a form error, the other filters still apply, never a 500.
    response = client.get(register_url(body), {"status": "nonsense\x00", "q": "やまだ"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert numbers_on(response) == {register["yamada"].number}


def test_pages_of_a_search_keep_the_search(mfa_client, trainer, body, credential_type, make_user):
    holder = make_user(display_name="山田 花子")
    for seq in range(1, 56):
        make_cert(credential_type, holder, seq=seq)
    page = mfa_client(trainer).get(register_url(body), {"q": "山田", "status": "active"}).content.decode()
    assert "?q=%E5%B1%B1%E7%94%B0&amp;status=active&amp;page=2" in page


@pytest.mark.parametrize("n", [3, 80])
def test_register_search_runs_a_fixed_number_of_queries(mfa_client, trainer, body, credential_type, make_user, n,
                                                        django_assert_num_queries):
    holder = make_user(display_name="山田 花子", name_kana="やまだ はなこ")
    for seq in range(1, n + 1):
        make_cert(credential_type, holder, seq=seq, status="grace")
    client = mfa_client(trainer)
    url = register_url(body)
    query = {"q": "ヤマダ", "status": "grace", "expiry": "within_90_days"}
    client.get(url, query)
    with django_assert_num_queries(8):  # nothing matches: no page of rows to read
        response = client.get(url, query)
    assert response.content.decode().count('<th scope="row"') == 0  # none expires within 90 days
    query["expiry"] = ""
    with django_assert_num_queries(11):
        response = client.get(url, query)
    assert response.content.decode().count('<th scope="row"') == min(n, 50)


# ---------------------------------------------------------------- export
def _csv_rows(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # Excel in Japan reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_follows_the_search_guards_formulas_and_holds_only_the_body(
        mfa_client, trainer, body, other_body, credential_type, make_user, register):
    from training.models import CredentialType

    sly = make_cert(credential_type, make_user(display_name="=HYPERLINK(\"http://x\")", name_kana="@ア"), seq=9)
    other_type = CredentialType.objects.create(body=other_body, name="別の認定", initial_course=None, expires=False)
    theirs = make_cert(other_type, make_user(display_name="他団体の人"), seq=1)
    client = mfa_client(trainer)
    response = client.get(register_url(body, "export.csv"))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[0] == "認定番号"  # headers in the page's language
    by_number = {r[0]: r for r in rows}
    assert set(by_number) == {register["yamada"].number, register["suzuki"].number, sly.number}
    assert theirs.number not in by_number
    assert by_number[sly.number][1] == "'=HYPERLINK(\"http://x\")" and by_number[sly.number][2] == "'@ア"
    assert by_number[register["yamada"].number][2] == "ヤマダ ハナコ"
    searched = _csv_rows(client.get(register_url(body, "export.csv"), {"q": "すずき"}))
    assert [r[0] for r in searched[1:]] == [register["suzuki"].number]


def test_excel_export_follows_the_filter_and_guards_formulas(mfa_client, trainer, body, credential_type, make_user,
                                                             register):
    make_cert(credential_type, make_user(display_name="+SUM(A1)"), seq=9, status="grace")
    response = mfa_client(trainer).get(f"/en{register_url(body, 'export.xlsx')}", {"status": "grace"})
    assert response["Content-Disposition"] == f'attachment; filename="certifications-{body.pk}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Certificate number"
    assert sorted(r[1] for r in rows[1:]) == ["'+SUM(A1)", "鈴木 一郎"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula anywhere


def test_an_unknown_export_format_is_404(mfa_client, trainer, body):
    assert mfa_client(trainer).get(register_url(body, "export.json")).status_code == 404


# ---------------------------------------------------------------- bulk actions
def test_bulk_reminder_confirms_how_many_people_then_sends_and_logs_each_once(
        mfa_client, trainer, body, credential_type, make_user, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    holder = make_user(display_name="山田 花子")
    two_of_hers = [make_cert(credential_type, holder, seq=1, valid_until=today + datetime.timedelta(days=45)),
                   make_cert(credential_type, holder, seq=2, valid_until=today + datetime.timedelta(days=45))]
    his = make_cert(credential_type, make_user(), seq=3, status="grace", valid_until=today - datetime.timedelta(days=4))
    lapsed = make_cert(credential_type, make_user(), seq=4, status="lapsed", valid_until=today - datetime.timedelta(days=300))
    selected = [c.pk for c in (*two_of_hers, his, lapsed)]
    client = mfa_client(trainer)
    confirm = client.post(f"/en{register_url(body, 'bulk/')}", {"action": "remind", "selected": selected})
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "2 people will be emailed a renewal reminder (3 certifications)" in page
    assert "1 is left out: it has no expiry date, or it is lapsed" in page
    assert not ReminderSent.objects.exists() and not mail.outbox  # nothing before the confirm
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/en{register_url(body, 'bulk/')}",
                           {"action": "remind", "selected": selected, "confirm": "1"}, follow=True)
    assert "A renewal reminder has been sent to 2 people (3 certifications)." in done.content.decode()
    sent = ReminderSent.objects.order_by("certification_id")
    assert [(r.certification_id, r.kind, r.offset_days) for r in sent] == [
        (two_of_hers[0].pk, "manual", 45), (two_of_hers[1].pk, "manual", 45), (his.pk, "manual", -4)]
    assert sent[0].missing  # what is still missing, as the scheduled reminders list it
    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.email, holder.email, his.holder.email])
    # The same again today: nobody gets a second email, and the log keeps its rule.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/en{register_url(body, 'bulk/')}",
                            {"action": "remind", "selected": selected, "confirm": "1"}, follow=True)
    assert "No reminder was needed" in again.content.decode()
    assert ReminderSent.objects.count() == 3 and len(mail.outbox) == 3


def test_a_scheduled_reminder_due_the_day_of_a_manual_one_is_not_sent_twice(
        mfa_client, trainer, body, credential_type, make_user, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    cert = make_cert(credential_type, make_user(), seq=1, status="expiring", valid_until=today + datetime.timedelta(days=30))
    client = mfa_client(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(register_url(body, "bulk/"), {"action": "remind", "selected": [cert.pk], "confirm": "1"})
        assert reminders_send(today=today) == 0  # the offset of 30 days fell due today: already reminded
    assert list(ReminderSent.objects.values_list("kind", "offset_days")) == [("manual", 30)]
    assert len(mail.outbox) == 1


def test_bulk_all_matching_the_filter_reaches_every_page(mfa_client, trainer, body, credential_type, make_user,
                                                         django_capture_on_commit_callbacks):
    today = timezone.localdate()
    for seq in range(1, 56):  # more than one page
        make_cert(credential_type, make_user(), seq=seq, status="grace", valid_until=today - datetime.timedelta(days=2))
    make_cert(credential_type, make_user(), seq=99, valid_until=today + datetime.timedelta(days=300))  # not in the filter
    client = mfa_client(trainer)
    data = {"action": "remind", "all_matching": "1", "filter-status": "grace"}
    assert "55 people will be emailed" in client.post(f"/en{register_url(body, 'bulk/')}", data).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(body, "bulk/"), {**data, "confirm": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?status=grace")
    assert ReminderSent.objects.filter(kind="manual").count() == 55
    assert not ReminderSent.objects.filter(certification__sequence=99).exists()


def test_bulk_export_of_the_selected_rows(mfa_client, trainer, body, register):
    client = mfa_client(trainer)
    response = client.post(register_url(body, "bulk/"), {"action": "export_csv", "selected": [register["suzuki"].pk]})
    assert [r[0] for r in _csv_rows(response)[1:]] == [register["suzuki"].number]
    response = client.post(register_url(body, "bulk/"), {"action": "export_xlsx", "all_matching": "1",
                                                         "filter-q": "ヤマダ"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [register["yamada"].number]


def test_bulk_with_nothing_selected_or_a_bad_selection_changes_nothing(mfa_client, trainer, body, register):
    client = mfa_client(trainer)
    response = client.post(f"/en{register_url(body, 'bulk/')}", {"action": "remind", "confirm": "1"}, follow=True)
    assert "Select at least one certification first." in response.content.decode()
    response = client.post(register_url(body, "bulk/"), {"action": "remind", "selected": ["x"], "confirm": "1"})
    assert response.status_code == 302
    response = client.post(register_url(body, "bulk/"), {"action": "drop tables", "selected": [register["yamada"].pk]})
    assert response.status_code == 302
    assert not ReminderSent.objects.exists()


def test_bulk_with_another_bodys_certification_is_404(mfa_client, trainer, body, other_body, make_user, register):
    from training.models import CredentialType

    other_type = CredentialType.objects.create(body=other_body, name="別の認定", expires=True, validity_months=24)
    theirs = make_cert(other_type, make_user(), seq=1)
    response = mfa_client(trainer).post(register_url(body, "bulk/"), {
        "action": "remind", "selected": [register["yamada"].pk, theirs.pk], "confirm": "1"})
    assert response.status_code == 404
    assert not ReminderSent.objects.exists()
