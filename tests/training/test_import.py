"""Importing a body's existing register: dry run, row errors in both languages, all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from peers.models import AuditEvent, User
from training.imports import register_import
from training.models import Certification, Completion
from training.services import number_is_genuine

pytestmark = pytest.mark.django_db

HEADER = "email,display_name,name_kana,course,completed_on,completion_number,credential_type,certification_number,issued_on,valid_until\n"
GOOD = (
    "a@example.test,佐藤 一,サトウ ハジメ,養成研修,2019-03-01,PSS-C2019-0001,ピアサポート専門員,PSS-2019-0001,2019-04-01,2027-03-31\n"
    "b@example.test,鈴木 二,,養成研修,2020-03-01,,ピアサポート専門員,PSS-2020-0002,2020-04-01,2026-03-31\n"
)


def test_dry_run_checks_and_writes_nothing(body, credential_type, trainer):
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + GOOD).encode(), dry_run=True)
    assert result.ok and result.rows == 2
    assert not Certification.objects.exists() and not User.objects.filter(email="a@example.test").exists()


def test_import_writes_people_completions_and_certifications_with_check_codes(body, credential_type, trainer):
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + GOOD).encode(), dry_run=False)
    assert result.ok, result.errors
    assert Completion.objects.filter(body=body).count() == 2
    certification = Certification.objects.get(holder__email="a@example.test")
    assert certification.number.startswith("PSS-2019-0001-") and number_is_genuine(certification.number)
    assert str(certification.valid_until) == "2027-03-31"
    assert certification.history.get().event == "imported"
    # The people are made by the peers service: no password, and an audit line each.
    person = User.objects.get(email="a@example.test")
    assert not person.has_usable_password()
    assert AuditEvent.objects.filter(actor=trainer, action="person.create", target_id=str(person.pk),
                                     data__via="training register import").exists()


def test_a_reading_that_is_not_kana_is_a_row_error_and_no_one_is_made(body, credential_type, trainer):
    bad = "k@example.test,山田 四,yamada,,,,,,,\n"
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + bad).encode(), dry_run=False)
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "name_kana")]
    assert set(result.errors[0]["message"]) == {"ja", "en"}
    assert not User.objects.filter(email="k@example.test").exists()


def test_one_bad_row_and_nothing_is_imported(body, credential_type, trainer):
    bad = "c@example.test,,,存在しない研修,2020-13-01,,ピアサポート専門員,XYZ-1,2020-04-01,\n"
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + GOOD + bad).encode(), dry_run=False)
    assert not result.ok
    assert {e["row"] for e in result.errors} == {4}
    assert {e["column"] for e in result.errors} >= {"completed_on"}
    message = result.errors[0]["message"]
    assert set(message) == {"ja", "en"} and message["en"]
    assert not Certification.objects.exists() and not Completion.objects.exists()
    assert not User.objects.filter(email="a@example.test").exists()


def test_service_refusals_are_row_errors_in_both_languages(body, credential_type, trainer):
    duplicate = GOOD + "d@example.test,田中 三,,,,,ピアサポート専門員,PSS-2019-0001,2019-04-01,2027-03-31\n"
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + duplicate).encode(), dry_run=True)
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "certification_number")]
    assert result.errors[0]["message"]["en"] == "This number is already in the register."


def test_excel_upload_through_the_staff_page(mfa_client, trainer, body, credential_type):
    workbook = Workbook()
    sheet = workbook.active
    for line in (HEADER + GOOD).strip().split("\n"):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "register.xlsx"
    client = mfa_client(trainer)
    response = client.post(f"/staff/training/{body.pk}/import/", {"file": buffer})
    assert response.status_code == 302
    assert Certification.objects.count() == 2


def test_a_register_saved_by_excel_in_japan_reads_shift_jis_and_era_dates(body, credential_type, trainer):
    """Shift_JIS as Excel saves CSV in Japan, and dates in the Japanese era, as forms accept them
    (one reader for every app: peers.spreadsheets)."""
    row = "e@example.test,山田 花子,ヤマダ ハナコ,養成研修,平成31年3月1日,,ピアサポート専門員,PSS-2019-0005,令和元年5月1日,R9.3.31\n"
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + row).encode("cp932"),
                             dry_run=False)
    assert result.ok, result.errors
    certification = Certification.objects.get(holder__email="e@example.test")
    assert (str(certification.issued_on), str(certification.valid_until)) == ("2019-05-01", "2027-03-31")
    assert str(Completion.objects.get(person__email="e@example.test").completed_on) == "2019-03-01"


def test_a_register_with_year_0_of_an_era_says_why_in_both_languages(body, credential_type, trainer):
    row = "e@example.test,山田 花子,ヤマダ ハナコ,養成研修,令和0年3月1日,,ピアサポート専門員,PSS-2019-0005,令和元年5月1日,R9.3.31\n"
    result = register_import(body=body, actor=trainer, filename="r.csv", content=(HEADER + row).encode(), dry_run=True)
    assert not result.ok
    [error] = result.errors
    assert error["column"] == "completed_on"
    assert "元年" in error["message"]["ja"] and "no year 0" in error["message"]["en"]


def test_an_empty_or_unreadable_file_says_which(body, credential_type, trainer):
    empty = register_import(body=body, actor=trainer, filename="r.csv", content=b"", dry_run=True)
    assert empty.errors[0]["message"] == {"ja": "ファイルが空です。", "en": "The file is empty."}
    broken = register_import(body=body, actor=trainer, filename="r.xlsx", content=b"not a workbook", dry_run=True)
    assert broken.errors[0]["message"]["en"] == "This Excel file could not be read."
