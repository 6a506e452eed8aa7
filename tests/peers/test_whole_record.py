"""The person's whole record (issue 11): every part in "Download my data" (JSON and a zip of
CSVs in the person's language, evidence files inside) and in erasure, which keeps only what a
rule requires and tells the person the rule and until when."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaboration.models import Message, Minutes, Reply, SupervisionSession
from peers.models import ErasureRequest, SensitiveAccess
from peers.personal_data import parts
from peers.selectors.privacy import personal_data_for, personal_data_zip
from peers.services.privacy import erasure_carry_out, erasure_request
from training.models import Application, Certification, ContinuingEducation

from .record_support import PDF, rich_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_download_holds_every_part_of_the_record(peer, org, factories):
    rich_record(peer, factories, org, count=2)
    data = personal_data_for(peer)
    assert [row["accommodation_request"] for row in data["training_applications"]] == ["休憩を多めに 0", "休憩を多めに 1"]
    assert len(data["completions"]) == 2 and len(data["certifications"]) == 1
    assert data["certification_history"][0]["event"] == "issued"
    assert len(data["continuing_education"]) == 2
    assert {row["reply__accommodation_request"] for row in data["meeting_invitations"]} == {
        "字幕をお願いします 0", "字幕をお願いします 1"}
    assert sorted(row["body"] for row in data["room_messages"]) == ["私の経験では 0", "私の経験では 1"]
    assert len(data["activity_entries"]) == 2 and data["activity_entries"][0]["reflection"] == "つらかった日のこと"
    assert len(data["supervision_sessions"]) == 2
    assert len(data["engagements"]) == 2 and data["profile"][0]["accommodations"] == "指示は文書で"


def test_zip_has_a_csv_per_table_with_a_bom_headers_in_the_persons_language_and_the_evidence(
    peer, org, factories, client
):
    rich_record(peer, factories, org, count=2)
    peer.language = "en"
    peer.save(update_fields=["language"])
    client.force_login(peer)
    response = client.get(reverse("peers:data_download", args=["zip"]), follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    tables = {table.name for part in parts() for table in part.tables()}
    assert {f"{name}.csv" for name in tables} <= names
    raw = archive.read("training_applications.csv")
    assert raw.startswith("\ufeff".encode())  # Excel in Japan reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert "reasonable-accommodation request (合理的配慮)" in rows[0]  # English headers: her language
    assert "Submitted" in rows[1] or "Selected" in rows[1]  # choices as labels
    evidence = sorted(n for n in names if n.startswith("files/continuing_education/"))
    assert len(evidence) == 2 and archive.read(evidence[0]) == PDF

    peer.language = "ja"
    peer.save(update_fields=["language"])
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("peers:data_download", args=["zip"]), follow=True).content))
    header = next(csv.reader(io.StringIO(archive.read("training_applications.csv").decode("utf-8-sig"))))
    assert "研修機関" in header  # the training body column, in Japanese
    assert len(header) == len(set(header))  # each column named apart


def test_json_download_names_each_column(peer, org, factories, client):
    rich_record(peer, factories, org, count=1)
    client.force_login(peer)
    document = json.loads(client.get(reverse("peers:data_download", args=["json"]), follow=True).content)
    table = document["tables"]["training_applications"]
    assert table["part"] == "training" and table["rows"][0]["accommodation_request"] == "休憩を多めに 0"
    assert set(document["parts"]) >= {"training", "meetings", "activity", "engagements"}


def _queries_for_zip(person) -> int:
    with CaptureQueriesContext(connection) as queries:
        personal_data_zip(person)
    return len(queries)


def test_download_reads_a_fixed_number_of_queries_however_many_records(peer, other_peer, org, factories):
    rich_record(peer, factories, org, count=3)
    rich_record(other_peer, factories, org, count=1, prefix="OTH")
    many, one = _queries_for_zip(peer), _queries_for_zip(other_peer)
    tables = sum(len(part.tables()) for part in parts())
    assert many == one  # no query per row
    # One query per table, and one for the evidence files of continuing education.
    assert many == tables + 1
    # measured (39 + API tokens + renewal requests + in-house trainings given + held emails = 43, + leave,
    # accommodations at work, volunteer check-ins, volunteer thanks, proposal votes, honorarium payments);
    # a new table adds one
    assert many == 49


def test_an_accommodation_request_in_a_training_application_does_not_survive_erasure(
    peer, org, factories, platform_admin
):
    r = rich_record(peer, factories, org, count=2)
    erasure_carry_out(actor=platform_admin, request=erasure_request(person=peer))
    assert not Application.objects.exclude(accommodation_request="").exists()
    assert not Reply.objects.exclude(accommodation_request="").exists()
    assert not Application.objects.filter(accommodation_consent__isnull=False).exists()
    assert not ContinuingEducation.objects.filter(person=peer).exists()
    assert not SupervisionSession.objects.exclude(topics="").exists()
    assert not Certification.objects.filter(holder=peer, show_name_publicly=True).exists()
    # Nothing of what she wrote in the rooms stays, and the minutes no longer name her.
    for message in Message.objects.filter(meeting__in=r.meetings):
        assert message.author_id is None and message.body == "（削除されました）" and message.deleted_at
    for minutes in Minutes.objects.filter(meeting__in=r.meetings):
        assert "ピア 陽子" not in minutes.text
    assert not SensitiveAccess.objects.filter(person=peer).exists()


def test_erasure_lists_what_is_kept_with_the_rule_and_until_when(peer, org, factories, platform_admin, client):
    rich_record(peer, factories, org, count=1)
    for engagement in peer.engagements.all():
        engagement.end_date = datetime.date(2025, 3, 31)
        engagement.save(update_fields=["end_date"])
    request = erasure_carry_out(actor=platform_admin, request=erasure_request(person=peer))
    kept = {item["data"]: item for item in request.kept}
    assert kept["engagements"]["until"] == "2028-03-31"  # 3 years after it ended
    assert "3年間" in kept["engagements"]["reason"]["ja"]
    assert kept["completions"]["count"] == 1 and kept["certifications"]["count"] == 1
    assert kept["certifications"]["until"]  # 5 years after its validity ends
    assert kept["activity_records"]["until"] == "2030-06-01"
    assert kept["supervision_records"]["count"] == 1
    # The administrator's page lists it too.
    client.force_login(platform_admin)
    assert ErasureRequest.objects.get(pk=request.pk).status == ErasureRequest.Status.COMPLETED
