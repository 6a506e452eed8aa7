"""Public verification: what anyone may see, nothing more; guesses are cheap to refuse and
limited per address; the certificate PDFs carry a QR code to this page."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from training.services import certification_issue, certification_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def certification(make_user, completed, credential_type, trainer):
    person = make_user(display_name="山田 花子", email="hanako@example.test")
    completed(person)
    return certification_issue(credential_type=credential_type, holder=person, actor=trainer,
                               issued_on=datetime.date.today())


def test_anonymous_sees_status_type_dates_and_body_but_not_the_name(client, certification):
    response = client.get(f"/verify/{certification.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert certification.number in page
    assert "ピアサポート専門員" in page
    assert "ピアサポート専門員研修機構" in page
    assert "山田 花子" not in page
    assert "hanako@example.test" not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_name_shows_only_when_the_holder_allows(client, certification):
    owner = certification.holder
    from tests.conftest import login_with_mfa

    login_with_mfa(client, owner)
    client.post(f"/me/training/certifications/{certification.pk}/public-name/", {"show": "1"})
    client.logout()
    assert "山田 花子" in client.get(f"/verify/{certification.number}/").content.decode()


def test_only_the_holder_can_choose_to_show_their_name(client, certification, make_user):
    from tests.conftest import login_with_mfa

    login_with_mfa(client, make_user())
    response = client.post(f"/me/training/certifications/{certification.pk}/public-name/", {"show": "1"})
    assert response.status_code == 404
    certification.refresh_from_db()
    assert certification.show_name_publicly is False


def test_wrong_check_code_is_not_found_without_reading_the_register(client, certification, django_assert_max_num_queries):
    base, check = certification.number.rsplit("-", 1)
    wrong = f"{base}-{'0' if check[0] != '0' else '1'}{check[1:]}"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/verify/{wrong}/")
    assert response.status_code == 404
    assert "No certificate has the number" in response.content.decode() or "見つかりません" in response.content.decode() or wrong in response.content.decode()
    assert not any("training_certification" in q["sql"] and "training_certificationstatuschange" not in q["sql"]
                   for q in queries.captured_queries)


def test_revoked_certificate_shows_revoked(client, certification, trainer):
    certification_revoke(certification=certification, actor=trainer, reason="違反")
    page = client.get(f"/en/verify/{certification.number}/").content.decode()
    assert "Revoked" in page
    assert "違反" not in page


def test_form_normalises_the_number_and_redirects(client, certification):
    response = client.get("/verify/", {"number": f" {certification.number.lower()} "})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/verify/{certification.number}/")


@override_settings(KAKEHASHI_VERIFY_LIMIT=3, KAKEHASHI_VERIFY_PERIOD=600)
def test_lookups_are_rate_limited_per_address(client, certification):
    for _ in range(3):
        assert client.get("/verify/PSS-2025-0001-AAA/").status_code == 404
    limited = client.get(f"/verify/{certification.number}/")
    assert limited.status_code == 429
    assert "ピアサポート専門員研修機構" not in limited.content.decode()
    other = client.get(f"/verify/{certification.number}/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@override_settings(KAKEHASHI_VERIFY_LIMIT=2)
def test_api_verification_shares_the_limit_and_hides_the_name(client, certification):
    response = client.get(f"/api/v1/verify/{certification.number}/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "active" and data["holder_name"] is None
    assert data["issuing_body"] == "ピアサポート専門員研修機構"
    assert client.get("/api/v1/verify/PSS-2025-0001-AAA/").status_code == 404
    assert client.get(f"/api/v1/verify/{certification.number}/").status_code == 429


def test_certificate_pdfs_embed_a_japanese_font_and_a_qr_code(client, certification, make_user):
    from tests.conftest import login_with_mfa

    login_with_mfa(client, certification.holder)
    a4 = client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf")
    card = client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf?size=card&lang=en")
    for response in (a4, card):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert b"FontFile2" in response.content  # the TrueType font is embedded
        assert b"/Subtype /Image" in response.content  # the QR code
    assert b"MediaBox [ 0 0 242.6" in card.content  # 85.6 mm wide
    client.logout()
    login_with_mfa(client, make_user())
    assert client.get(f"/me/training/certifications/{certification.pk}/certificate.pdf").status_code == 404
