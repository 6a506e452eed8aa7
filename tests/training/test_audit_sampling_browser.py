"""A sampled person, in a real Chromium at 320 px: the home page says evidence is asked, the
training page takes the file, and the record then shows as sent and waiting for review."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.training.test_browser import axe_violations
from training.models import ContinuingEducation
from training.services import ce_record_add, ce_sample, certification_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_in_tmp(settings, tmp_path):
    settings.KAKEHASHI_PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_the_sampled_person_uploads_evidence_from_their_pages(browser, live_server, make_user, completed,
                                                              credential_type, trainer, body, general, tmp_path):
    person = make_user(email="sampled@example.org", display_name="抽出 花子")
    completed(person)
    certification_issue(credential_type=credential_type, holder=person, actor=trainer)
    record = ce_record_add(person=person, body=body, date=timezone.localdate() - datetime.timedelta(days=3),
                           provider="地域のピアサポート研究会", hours=Decimal("4"), category=general)
    ce_sample(body=body, actor=trainer, size=1)
    evidence = tmp_path / "受講証明書.pdf"
    evidence.write_bytes(PDF)

    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(person.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.wait_for_url(f"{live_server.url}/me/")
    card = page.locator("section", has=page.locator("#evidence-requests-heading"))
    assert "地域のピアサポート研究会" in card.inner_text()
    card.get_by_role("link", name="研修のページで証明書類を送る").click()
    page.wait_for_url("**/me/training/**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    page.get_by_label("証明書類のファイル").set_input_files(str(evidence))
    page.get_by_role("button", name="証明書類を送る").click()
    page.wait_for_url("**/me/training/**")
    assert "証明書類を送りました" in page.locator(".messages").inner_text()
    assert "証明書類を提出済み・確認待ち" in page.locator(f"#evidence-{record.pk}").inner_text()
    assert "確認待ち" in page.content()
    context.close()
    record.refresh_from_db()
    assert record.review == ContinuingEducation.Review.SUBMITTED and record.evidence
