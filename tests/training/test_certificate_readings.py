"""Furigana in PDFs, where sensible: the holder's own A4 certificate and completion certificate
carry readings over the printed Japanese wording when the holder reads with furigana (or plain
Japanese); never over the name, the number or the dates, never on the card, never in English,
and never on a copy someone else downloads."""

from __future__ import annotations

import datetime

import pytest

from tests.conftest import login_with_mfa
from tests.training.pdftext import pdf_text
from training.certificates import certification_pdf
from training.services import certification_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(make_user):
    return make_user(display_name="山田 花子", email="hanako@example.test")


@pytest.fixture
def certification(holder, completed, credential_type, trainer):
    completed(holder)
    return certification_issue(credential_type=credential_type, holder=holder, actor=trainer,
                               issued_on=datetime.date.today())


def _lines(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return pdf_text(response.content).splitlines()


def _reads(holder, **fields):
    for name, value in fields.items():
        setattr(holder, name, value)
    holder.save(update_fields=list(fields))


def test_the_holders_certificate_carries_readings_over_its_wording_when_they_read_with_furigana(client, certification, holder):
    _reads(holder, furigana="on")
    login_with_mfa(client, holder)
    lines = _lines(client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf"))
    assert "認定証" in lines and "にんてい" in lines  # the title as written, and a reading above it
    assert "しょうめい" in lines  # 証明 in the statement
    assert "にんてい" in lines and "ばんごう" in lines  # the number's label …
    assert f": {certification.number}" in lines  # … and the number itself, as printed, without one
    assert "山田 花子" in lines
    assert not any(reading in lines for reading in ("やまだ", "はなこ"))  # no guessed reading of a name
    # The card is too small for readings, and an English page has none to carry.
    card = _lines(client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf?size=card"))
    english = _lines(client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf?lang=en"))
    for other in (card, english):
        assert "にんてい" not in other and "しょうめい" not in other


def test_plain_japanese_brings_readings_and_the_standard_setting_none(client, certification, holder):
    _reads(holder, wording="plain")
    login_with_mfa(client, holder)
    assert "にんてい" in _lines(client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf"))
    _reads(holder, wording="standard")
    lines = _lines(client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf"))
    assert "認定証" in lines and "にんてい" not in lines


def test_the_completion_certificate_carries_readings_for_its_holder(client, completed, holder):
    completion = completed(holder)
    _reads(holder, furigana="on")
    login_with_mfa(client, holder)
    lines = _lines(client.get(f"/me/training/completions/{completion.pk}/certificate.pdf"))
    assert "修了証" in lines and "しゅうりょう" in lines
    assert f": {completion.number}" in lines


def test_a_certificate_is_drawn_without_readings_unless_asked(certification):
    lines = pdf_text(certification_pdf(certification, verify_url="https://example.test/verify/x/")).splitlines()
    assert "認定証" in lines and "にんてい" not in lines
    # The whole statement on one line, as before readings existed.
    assert "上記の者が、この認定を受けていることを証明します。" in lines
