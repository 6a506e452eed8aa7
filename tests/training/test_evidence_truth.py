"""Issue 12, certificates and completions: a certificate or a completion never says more than is
true. Certificates state the status as of the moment they are made; verification shows every
state in words with its date, reads numbers as a Japanese keyboard types them, and verifies
completions too; completion follows the calendar."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests.conftest import login_with_mfa
from tests.problem_support import problem_fields
from tests.training.pdftext import pdf_text
from training.models import Completion
from training.services import (
    add_months,
    application_submit,
    application_transition,
    attendance_record,
    certification_issue,
    certification_revoke,
    certification_suspend,
    certification_sweep,
    cohort_complete,
    cohort_day_add,
    number_is_genuine,
)

pytestmark = pytest.mark.django_db


def _ja(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _en(day: datetime.date) -> str:
    """As the certificates print an English date."""
    return f"{day.day} {day.strftime('%B %Y')}"


def _en_page(day: datetime.date) -> str:
    """As the English pages show a date."""
    from django.utils import formats, translation

    with translation.override("en"):
        return formats.date_format(day, "DATE_FORMAT")


def _full_width(number: str) -> str:
    """The number as a Japanese keyboard in full-width mode types it (ＰＳＳ－２０２４－…)."""
    return "".join("－" if ch == "-" else chr(ord(ch) + 0xFEE0) for ch in number)


@pytest.fixture
def certify(make_user, completed, credential_type, trainer):
    def make(*, issued_on=None, name="山田 花子"):
        person = make_user(display_name=name)
        completed(person, on=datetime.date(2020, 1, 1))
        return certification_issue(credential_type=credential_type, holder=person, actor=trainer,
                                   issued_on=issued_on or timezone.localdate(), notify=False)

    return make


def _pdf(client, certification, query=""):
    login_with_mfa(client, certification.holder)
    response = client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf{query}")
    client.logout()
    return response


# ---------------------------------------------------------------- 1. certificates by status
def test_active_certificate_is_plain_and_says_the_person_holds_it(client, certify):
    certification = certify()
    response = _pdf(client, certification)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "上記の者" in text or "認定証" in text
    assert certification.number in text
    for word in ("失効", "LAPSED", "停止中", "SUSPENDED", "猶予期間中", "IN GRACE PERIOD", "取消", "REVOKED"):
        assert word not in text


def test_lapsed_certificate_is_marked_across_with_status_and_date_in_both_languages(client, certify):
    certification = certify(issued_on=datetime.date(2020, 4, 1))
    certification_sweep(today=timezone.localdate())
    certification.refresh_from_db()
    assert certification.status == "lapsed"
    lapsed_on = certification.grace_until + datetime.timedelta(days=1)
    for query in ("", "?lang=en", "?size=card"):
        response = _pdf(client, certification, query)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "失効 LAPSED" in text  # the diagonal word, both languages whatever the page's
        assert _ja(lapsed_on) in text and _en(lapsed_on) in text
        assert "not valid now" in text
    en = pdf_text(_pdf(client, certification, "?lang=en").content)
    assert "holds this credential" not in en
    # The verification page (the QR's address) says the same, with the same date.
    page = client.get(f"/verify/{certification.number}/").content.decode()
    assert "失効" in page and _ja(lapsed_on) in page


def test_suspended_and_grace_certificates_are_marked_with_their_own_words(client, certify, trainer):
    suspended = certify(name="停止 さん")
    certification_suspend(certification=suspended, actor=trainer, reason="確認中")
    text = pdf_text(_pdf(client, suspended).content)
    assert "停止中 SUSPENDED" in text and _ja(timezone.localdate()) in text

    grace = certify(issued_on=add_months(timezone.localdate(), -24) - datetime.timedelta(days=10), name="猶予 さん")
    assert grace.status == "grace"
    text = pdf_text(_pdf(client, grace, "?lang=en").content)
    assert "猶予期間中 IN GRACE PERIOD" in text
    assert _en(grace.valid_until + datetime.timedelta(days=1)) in text  # in grace since
    assert _en(grace.grace_until) in text  # can still be renewed until


def test_revoked_certificate_is_refused_with_a_clear_page(client, certify, trainer):
    certification = certify()
    certification_revoke(certification=certification, actor=trainer, reason="違反")
    login_with_mfa(client, certification.holder)
    response = client.get(f"/en/me/training/certifications/{certification.pk}/certificate.pdf")
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "was revoked on" in page and _en_page(timezone.localdate()) in page
    assert f"/verify/{certification.number}/" in page


def test_certificate_states_the_status_of_the_day_it_is_made_before_the_sweep_runs(client, certify, time_machine_today):
    certification = certify()
    later = certification.grace_until + datetime.timedelta(days=3)
    time_machine_today(later)  # the dates have passed; the daily sweep has not run yet
    certification.refresh_from_db()
    assert certification.status == "active"
    text = pdf_text(_pdf(client, certification).content)
    assert "失効 LAPSED" in text and _ja(certification.grace_until + datetime.timedelta(days=1)) in text
    data = client.get(f"/api/v1/verify/{certification.number}/").json()
    assert data["status"] == "lapsed" and data["valid"] is False


# ---------------------------------------------------------------- 2. verification
def test_every_state_has_its_own_words_mark_and_date(client, certify, trainer):
    today = timezone.localdate()
    states = {
        "active": (certify(name="a"), "有効"),
        "expiring": (certify(issued_on=add_months(today, -24) + datetime.timedelta(days=30), name="b"), "更新期限が近い"),
        "grace": (certify(issued_on=add_months(today, -24) - datetime.timedelta(days=10), name="c"), "猶予期間中"),
        "lapsed": (certify(issued_on=datetime.date(2020, 4, 1), name="d"), "失効"),
        "suspended": (certify(name="e"), "停止中"),
        "revoked": (certify(name="f"), "取消"),
    }
    certification_suspend(certification=states["suspended"][0], actor=trainer, reason="確認")
    certification_revoke(certification=states["revoked"][0], actor=trainer, reason="違反")
    seen = set()
    for status, (certification, word) in states.items():
        certification.refresh_from_db()
        assert certification.status == status
        response = client.get(f"/verify/{certification.number}/")
        page = response.content.decode()
        assert f'id="verdict-{status}"' in page
        heading = page.split('class="verdict-word">', 1)[1].split("<", 1)[0]
        assert heading == word
        seen.add(heading)
        api = client.get(f"/api/v1/verify/{certification.number}/").json()
        assert api["status"] == status and api["status_label"]["ja"] == word
        assert f"{_ja(datetime.date.fromisoformat(api['status_since']))}" in page
        valid = status in ("active", "expiring")
        assert api["valid"] is valid
        assert ("verdict-valid" in page) is valid and ("verdict-invalid" in page) is not valid
    assert len(seen) == 6
    english = client.get(f"/en/verify/{states['suspended'][0].number}/").content.decode()
    assert f"suspended since {_en_page(today)}" in english


@pytest.mark.parametrize("typed", [
    "full_width", "katakana_dash", "mixed_spaces", "dashes",
])
def test_numbers_typed_on_a_japanese_keyboard_verify_on_page_and_api(client, certify, typed):
    number = certify().number
    forms = {
        "full_width": _full_width(number),
        "katakana_dash": number.lower().replace("-", "ー"),
        "mixed_spaces": " " + _full_width(number[:3]) + "　" + number[3:].replace("-", "‐") + " ",
        "dashes": number.replace("-", "―", 1).replace("-", "－"),
    }
    text = forms[typed]
    assert unicodedata.normalize("NFKC", text) != number or typed == "full_width"
    page = client.get(f"/verify/{text}/")
    assert page.status_code == 200 and number in page.content.decode()
    assert client.get(f"/api/v1/verify/{text}/").json()["number"] == number
    redirect = client.get("/verify/", {"number": text})
    assert redirect.status_code == 302 and redirect["Location"].endswith(f"/verify/{number}/")


@override_settings(KAKEHASHI_VERIFY_LIMIT=3, KAKEHASHI_VERIFY_PERIOD=600)
def test_the_limit_counts_each_lookup_once_whatever_way_it_is_typed(client, certify):
    number = certify().number
    assert client.get(f"/verify/{_full_width(number)}/").status_code == 200
    assert client.get(f"/api/v1/verify/{number.replace('-', 'ー')}/").status_code == 200
    # The form only normalises and redirects: it does not count; the page it leads to does.
    assert client.get("/verify/", {"number": _full_width(number)}).status_code == 302
    assert client.get(f"/verify/{number}/").status_code == 200
    assert client.get(f"/verify/{number}/").status_code == 429
    assert client.get(f"/api/v1/verify/{_full_width(number)}/").status_code == 429


# ---------------------------------------------------------------- 3. completions as evidence
@pytest.fixture
def completion(make_user, initial_course):
    from training.services import completion_issue

    person = make_user(display_name="修了 太郎")
    return completion_issue(person=person, course=initial_course, completed_on=datetime.date(2025, 3, 1),
                            actor=None, hours=Decimal("18.5"), notify=False)


def test_completion_numbers_carry_a_check_code_and_verify_with_course_body_date_and_hours(client, completion):
    assert completion.number.startswith("PSS-C2025-0001-") and number_is_genuine(completion.number)
    response = client.get(f"/verify/{_full_width(completion.number)}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="verdict-completion"' in page and "修了" in page
    assert "養成研修" in page and "ピアサポート専門員研修機構" in page
    assert _ja(completion.completed_on) in page and "18.5" in page
    assert "修了 太郎" not in page
    data = client.get(f"/api/v1/verify/{completion.number}/").json()
    assert data["kind"] == "completion" and data["course"] == "養成研修"
    assert data["completed_on"] == "2025-03-01" and data["hours"] == "18.5" and data["holder_name"] is None
    base = completion.number.rsplit("-", 1)[0]
    assert client.get(f"/verify/{base}-{'0' if completion.number[-3] != '0' else '1'}{completion.number[-2:]}/").status_code == 404


def test_completion_shows_the_name_only_when_the_person_allows(client, completion, make_user):
    login_with_mfa(client, make_user())
    assert client.post(f"/me/training/completions/{completion.pk}/public-name/", {"show": "1"}).status_code == 404
    client.logout()
    login_with_mfa(client, completion.person)
    client.post(f"/me/training/completions/{completion.pk}/public-name/", {"show": "1"})
    client.logout()
    assert "修了 太郎" in client.get(f"/verify/{completion.number}/").content.decode()
    assert client.get(f"/api/v1/verify/{completion.number}/").json()["holder_name"] == "修了 太郎"


@override_settings(KAKEHASHI_VERIFY_LIMIT=2)
def test_completion_numbers_share_the_verification_limit(client, completion, certify):
    assert client.get(f"/verify/{completion.number}/").status_code == 200
    assert client.get(f"/api/v1/verify/{certify().number}/").status_code == 200
    assert client.get(f"/api/v1/verify/{completion.number}/").status_code == 429


def test_completion_certificate_has_a_qr_to_its_verification_and_its_hours(client, completion):
    login_with_mfa(client, completion.person)
    response = client.get(f"/me/training/completions/{completion.pk}/certificate.pdf")
    assert response.status_code == 200
    assert b"/Subtype /Image" in response.content
    text = pdf_text(response.content)
    assert f"/verify/{completion.number}/" in text
    assert "修了証" in text and _ja(datetime.date(2025, 3, 1)) in text and "18.5" in text


def test_imported_completion_number_gets_its_check_code_and_a_wrong_one_is_refused(initial_course):
    from peers.models import User
    from training.services import completion_issue

    person = User.objects.create_user(email="imp@example.test", password=None, display_name="取込")
    done = completion_issue(person=person, course=initial_course, completed_on=datetime.date(2019, 3, 1),
                            actor=None, number="pss-c2019-0007", notify=False)
    assert done.number.startswith("PSS-C2019-0007-") and number_is_genuine(done.number)
    wrong = next(n for n in ("PSS-C2019-0008-AAA", "PSS-C2019-0008-AAB") if not number_is_genuine(n))
    with pytest.raises(ValidationError) as error:
        completion_issue(person=person, course=initial_course, completed_on=datetime.date(2019, 3, 1),
                         actor=None, number=wrong, notify=False)
    assert error.value.message_dict == {"number": ["番号のチェック用の文字が合っていません。"]}


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_completions_check_codes_and_can_be_reversed(tokyo):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before, after = [("training", "0004_evidence_in_private_storage")], [("training", "0005_completion_check_codes")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Organisation = old.get_model("peers", "Organisation")
    TrainingBody = old.get_model("training", "TrainingBody")
    Course = old.get_model("training", "Course")
    OldCompletion = old.get_model("training", "Completion")
    User = old.get_model("peers", "User")
    body = TrainingBody.objects.create(organisation=Organisation.objects.create(name="機構", prefecture_id=tokyo.pk),
                                       number_prefix="PSS",
                                       check_secret="s3cret")
    course = Course.objects.create(body=body, kind="initial", title="養成研修")
    person = User.objects.create(email="m@example.test", display_name="移行")
    OldCompletion.objects.create(body=body, course=course, person=person, number="PSS-C2020-0001",
                                 completed_on=datetime.date(2020, 3, 1))
    OldCompletion.objects.create(body=body, course=course, person=person, number="旧-15",
                                 completed_on=datetime.date(2020, 6, 1))
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    migrated = dict(Completion.objects.values_list("completed_on", "number"))
    assert migrated[datetime.date(2020, 3, 1)].startswith("PSS-C2020-0001-")
    assert migrated[datetime.date(2020, 6, 1)].startswith("PSS-C2020-0002-")
    assert all(number_is_genuine(n) for n in migrated.values())
    assert Completion.objects.get(completed_on=datetime.date(2020, 6, 1)).former_number == "旧-15"
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    assert set(old.get_model("training", "Completion").objects.values_list("number", flat=True)) == {
        "PSS-C2020-0001", "旧-15"}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())


# ---------------------------------------------------------------- 4. the calendar
def _enrolled(cohort, person, trainer):
    application = application_submit(cohort=cohort, applicant=person, consent=True)
    application_transition(application=application, to_state="selected", actor=trainer)
    return application_transition(application=application, to_state="enrolled", actor=trainer)


def test_attendance_for_a_day_to_come_is_refused_by_service_page_and_api(client, make_cohort, make_user, trainer, body):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cohort = make_cohort(days=1, first_day=tomorrow)
    application = _enrolled(cohort, make_user(), trainer)
    day = cohort.days.get()
    with pytest.raises(ValidationError, match=tomorrow.isoformat()):  # the day it can be recorded from
        attendance_record(day=day, present={application.pk: True}, actor=trainer)
    login_with_mfa(client, trainer)
    url = f"/staff/training/{body.pk}/cohorts/{cohort.pk}/days/{day.pk}/attendance/"
    assert "この日はまだ来ていません" in client.get(url).content.decode() or "has not come" in client.get(
        f"/en{url}").content.decode()
    response = client.post(f"/en{url}", {f"present-{application.pk}": "1"})
    assert response.status_code == 400
    assert "can be recorded from that day on" in response.content.decode()
    api = client.post("/api/v1/training/attendance/", {"day": day.pk, "present": {str(application.pk): True}},
                      content_type="application/json")
    message = problem_fields(api)[None][0]
    assert tomorrow.isoformat() in message["ja"] and "not before" in message["en"]
    assert not application.attendance.exists()


def test_a_cohort_cannot_be_completed_before_its_last_day(client, make_cohort, make_user, trainer, body):
    today = timezone.localdate()
    cohort = make_cohort(days=2, first_day=today)  # today and tomorrow
    application = _enrolled(cohort, make_user(), trainer)
    attendance_record(day=cohort.days.order_by("date").first(), present={application.pk: True}, actor=trainer)
    last_day = (today + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match=last_day):  # the last day, from which it can be completed
        cohort_complete(cohort=cohort, actor=trainer)
    login_with_mfa(client, trainer)
    response = client.post(f"/en/staff/training/{body.pk}/cohorts/{cohort.pk}/complete/", follow=True)
    assert "it can be completed from that day on" in response.content.decode()
    application.refresh_from_db()
    assert application.state == "enrolled" and not Completion.objects.exists()


def test_the_completion_certificate_carries_the_cohorts_last_day_not_the_day_it_was_recorded(
    client, make_cohort, make_user, trainer,
):
    today = timezone.localdate()
    cohort = make_cohort(days=0)
    last_day = today - datetime.timedelta(days=20)
    for offset in (1, 0):
        cohort_day_add(cohort=cohort, date=last_day - datetime.timedelta(days=offset),
                       starts_at=datetime.time(10), ends_at=datetime.time(16), actor=trainer)
    person = make_user()
    application = _enrolled(cohort, person, trainer)
    for day in cohort.days.all():
        attendance_record(day=day, present={application.pk: True}, actor=trainer)
    [completion] = cohort_complete(cohort=cohort, actor=trainer)  # recorded today, 20 days later
    assert completion.completed_on == last_day
    login_with_mfa(client, person)
    text = pdf_text(client.get(f"/me/training/completions/{completion.pk}/certificate.pdf").content)
    assert _ja(last_day) in text and _ja(today) not in text
