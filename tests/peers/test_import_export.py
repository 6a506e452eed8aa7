"""Import organisations and people with engagements from CSV/Excel: dry run, all-or-nothing,
errors by row and column in Japanese and English; export the same shapes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from peers.imports import PEOPLE_COLUMNS, export_rows, import_file
from peers.models import AuditEvent, Engagement, Organisation, User
from tests.conftest import with_mfa

pytestmark = pytest.mark.django_db


def _csv(rows, encoding="utf-8") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("file.csv", buffer.getvalue().encode(encoding), content_type="text/csv")


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("file.xlsx", buffer.getvalue())


ORG_ROWS = [
    ["name", "kind", "prefecture", "municipality", "corporation", "contact_email", "contact_phone"],
    ["横浜ピアの家", "group-home", "14", "横浜市", "社会福祉法人みなと", "info@example.jp", "045-000-0000"],
    ["札幌ピアサロン", "peer-salon", "01", "札幌市", "", "", ""],
]


def test_dry_run_reports_outcomes_and_saves_nothing(platform_admin):
    result = import_file(actor=platform_admin, shape="organisations", upload=_csv(ORG_ROWS), apply=False)
    assert result["valid"] and not result["applied"]
    assert [r["outcome"] for r in result["rows"]] == ["create", "create"]
    assert not Organisation.objects.filter(name="横浜ピアの家").exists()


def test_apply_saves_every_row_when_all_valid(platform_admin):
    result = import_file(actor=platform_admin, shape="organisations", upload=_csv(ORG_ROWS), apply=True)
    assert result["applied"]
    organisation = Organisation.objects.get(name="横浜ピアの家")
    assert organisation.kind.code == "group-home" and organisation.prefecture_id == "14"


def test_one_bad_row_saves_nothing_and_names_row_column_in_both_languages(platform_admin):
    rows = [*ORG_ROWS, ["", "clinic", "13", "", "", "", ""], ["悪い県", "clinic", "99", "", "", "", ""],
            ["悪いメール", "clinic", "13", "", "", "not-an-email", ""]]
    result = import_file(actor=platform_admin, shape="organisations", upload=_csv(rows), apply=True)
    assert not result["valid"] and not result["applied"]
    errors = {(e["row"], e["column"]) for r in result["rows"] for e in r["errors"]}
    assert errors == {(4, "name"), (5, "prefecture"), (6, "contact_email")}
    email_error = next(e for r in result["rows"] for e in r["errors"] if e["column"] == "contact_email")
    assert email_error["en"] == "Enter a valid email address."
    assert email_error["ja"] and email_error["ja"] != email_error["en"]
    assert not Organisation.objects.filter(name="横浜ピアの家").exists()


def test_people_import_from_excel_creates_people_and_confirmed_engagements(org, org_manager):
    rows = [
        PEOPLE_COLUMNS,
        ["new@example.jp", "新人 花子", "シンジン ハナコ", "peer", org.name, "13", "employed", "ピアスタッフ",
         "listening;family-support", "2024-04-01", "", "", "", 20, 40, ""],
        ["pro@example.jp", "専門 次郎", "", "professional", org.name, "13", "honorarium", "講師",
         "awareness-talk", "2024-05-01", "", 8000, "session", "", "", ""],
    ]
    result = import_file(actor=org_manager, shape="people", upload=_xlsx(rows), apply=True)
    assert result["applied"], result["rows"]
    person = User.objects.get(email="new@example.jp")
    engagement = Engagement.objects.get(person=person)
    assert str(engagement.fte) == "0.50" and engagement.confirmed_by == org_manager
    assert sorted(a.code for a in engagement.activities.all()) == ["family-support", "listening"]
    assert not person.has_usable_password()
    assert person.role_assignments.filter(role="peer").exists()
    assert AuditEvent.objects.filter(actor=org_manager, action="person.create", target_id=str(person.pk),
                                     data__via="people import").exists()
    again = import_file(actor=org_manager, shape="people", upload=_xlsx(rows), apply=True)
    assert [r["outcome"] for r in again["rows"]] == ["unchanged", "unchanged"]


def test_manager_cannot_import_people_into_another_organisation(other_org, org_manager):
    rows = [PEOPLE_COLUMNS, ["x@example.jp", "X", "", "peer", other_org.name, "13", "volunteer", "",
                             "", "2024-04-01", "", "", "", "", "", ""]]
    result = import_file(actor=org_manager, shape="people", upload=_csv(rows), apply=True)
    assert result["rows"][0]["errors"][0]["column"] == "organisation"
    assert not User.objects.filter(email="x@example.jp").exists()


def test_shift_jis_csv_is_read(platform_admin):
    result = import_file(actor=platform_admin, shape="organisations", upload=_csv(ORG_ROWS, "cp932"), apply=False)
    assert result["valid"]


def test_export_round_trips_through_import(org, org_manager, factories):
    factories.engagement(organisation=org, employed=True)
    rows = export_rows(actor=org_manager, shape="people")
    assert rows[0] == PEOPLE_COLUMNS and len(rows) == 2
    result = import_file(actor=org_manager, shape="people", upload=_csv(rows), apply=False)
    assert result["valid"] and result["rows"][0]["outcome"] == "unchanged"


def test_import_page_dry_run_then_apply(signed_in, platform_admin):
    client = signed_in(platform_admin)
    url = reverse("peers:import")
    response = client.post(url, {"shape": "organisations", "file": _csv(ORG_ROWS)})
    assert response.status_code == 200 and response.context["result"]["valid"]
    assert not Organisation.objects.filter(name="横浜ピアの家").exists()
    client.post(url, {"shape": "organisations", "file": _csv(ORG_ROWS), "apply": "on"})
    assert Organisation.objects.filter(name="横浜ピアの家").exists()
    export = client.get(reverse("peers:export", args=["organisations"]))
    assert "横浜ピアの家" in export.content.decode("utf-8-sig")


def test_peer_cannot_open_import_page(signed_in, peer):
    assert signed_in(with_mfa(peer)).get(reverse("peers:import")).status_code == 403


def test_people_import_reads_dates_in_the_japanese_era_as_forms_do(org, org_manager):
    rows = [
        PEOPLE_COLUMNS,
        ["era@example.jp", "令和 花子", "", "peer", org.name, "13", "employed", "ピアスタッフ",
         "listening", "令和6年4月1日", "", "", "", 20, 40, ""],
    ]
    result = import_file(actor=org_manager, shape="people", upload=_csv(rows, "cp932"), apply=True)
    assert result["applied"], result["rows"]
    assert str(Engagement.objects.get(person__email="era@example.jp").start_date) == "2024-04-01"


def test_people_import_refuses_numbers_it_cannot_read_in_both_languages(org, org_manager):
    rows = [
        PEOPLE_COLUMNS,
        ["num@example.jp", "数字 花子", "", "peer", org.name, "13", "honorarium", "講師",
         "listening", "2024-04-01", "", "8000.5", "session", "", "", ""],
        ["hours@example.jp", "時間 次郎", "", "peer", org.name, "13", "employed", "ピアスタッフ",
         "listening", "2024-04-01", "", "", "", "twenty", 40, ""],
    ]
    result = import_file(actor=org_manager, shape="people", upload=_csv(rows), apply=True)
    assert not result["applied"]
    errors = {(e["row"], e["column"]): e for r in result["rows"] for e in r["errors"]}
    assert set(errors) == {(2, "honorarium_rate"), (3, "weekly_hours")}
    assert errors[(2, "honorarium_rate")]["en"] == "Write a whole number."
    assert errors[(3, "weekly_hours")]["en"] == "Write a number."
    assert all(e["ja"] and e["ja"] != e["en"] for e in errors.values())
    assert not User.objects.filter(email__in=["num@example.jp", "hours@example.jp"]).exists()
