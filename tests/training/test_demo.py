"""The demo loader: idempotent, every certification state, peer@example.org certified."""

import pytest
from django.core.management import call_command
from django.db.models import F

from training.models import Certification, Cohort

pytestmark = pytest.mark.django_db


def test_demo_has_every_state_and_loads_twice_without_change():
    call_command("load_demo", "--quiet-summary")
    counts = (Certification.objects.count(), Cohort.objects.count())
    call_command("load_demo", "--quiet-summary")
    assert (Certification.objects.count(), Cohort.objects.count()) == counts
    assert set(Certification.objects.values_list("status", flat=True)) == set(Certification.Status.values)
    assert Certification.objects.filter(holder__email="peer@example.org", status="expiring").exists()
    assert Cohort.objects.filter(name__contains="募集中").exists()


def test_peer_home_page_shows_the_renewal_reminder(client):
    call_command("load_demo", "--quiet-summary")
    client.post("/accounts/login/", {"login": "peer@example.org", "password": "kakehashi-demo"})
    page = client.get("/me/").content.decode()
    assert "renewal-reminders-heading" in page
    page = client.get("/me/training/").content.decode()
    assert "PSS-" in page and "倫理" in page


def test_demo_shows_a_lapsed_and_a_revoked_certification_and_a_verifiable_completion(client):
    """Issue 12: each case can be seen on the verification page from the demo's numbers."""
    from training import demo

    call_command("load_demo", "--quiet-summary")
    numbers = demo.load()
    for key, word in (("lapsed_certificate", "失効"), ("revoked_certificate", "取消"), ("peer_completion", "修了")):
        response = client.get(f"/verify/{numbers[key]}/")
        assert response.status_code == 200, key
        assert f'class="verdict-word">{word}<' in response.content.decode()
    assert "ピア 陽子" in client.get(f"/verify/{numbers['peer_completion']}/").content.decode()


def test_demo_shows_a_pair_application_and_a_visitors_pair():
    from training.models import Application

    call_command("load_demo", "--quiet-summary")
    call_command("load_demo", "--quiet-summary")
    basic = Application.objects.filter(cohort__name="2026年度 基礎研修 仙台")
    peer = basic.get(applicant__email="peer@example.org")
    assert (peer.pair_role, peer.eligibility, peer.pair.applicant.email) == ("peer", "employed", "pro@example.org")
    visitor = basic.get(applicant_email="visitor@example.org")
    assert visitor.applicant is None and visitor.state == "submitted" and visitor.pair.pair_role == "supporter"
    assert basic.count() == 4


def test_demo_shows_a_person_certified_again_after_a_lapse(client):
    """The old number verifies as lapsed and points to the current certification."""
    from training import demo

    call_command("load_demo", "--quiet-summary")
    numbers = demo.load()
    old, new = numbers["recertified_old_certificate"], numbers["recertified_certificate"]
    assert old and new and old != new
    current = Certification.objects.get(number=new)
    assert current.recertification_of.number == old and current.status == "active"
    page = client.get(f"/verify/{old}/").content.decode()
    assert 'class="verdict-word">失効<' in page and f"/verify/{new}/" in page


def test_every_demo_certification_and_completion_has_a_verifiable_credential(settings, tmp_path):
    """Issue 19: made on load; the revoked and suspended holders' credentials say so."""
    from training.badges.documents import credential_signed
    from training.badges.verify import credential_verify
    from training.models import BadgeCredential, Completion

    settings.KAKEHASHI_CREDENTIAL_KEYS_DIR = tmp_path / "keys"
    call_command("load_demo", "--quiet-summary")
    current = Certification.objects.filter(replaced_on__isnull=True)
    assert not current.exclude(badge_credentials__cycle=F("cycle")).exists()
    assert not Completion.objects.filter(badge_credential__isnull=True).exists()
    count = BadgeCredential.objects.count()
    call_command("load_demo", "--quiet-summary")
    assert BadgeCredential.objects.count() == count
    statuses = {}
    for email in ("holder-active@example.org", "holder-suspended@example.org", "holder-revoked@example.org"):
        credential = BadgeCredential.objects.get(certification__holder__email=email)
        statuses[email] = credential_verify(credential_signed(credential)).status
    assert statuses == {"holder-active@example.org": "active", "holder-suspended@example.org": "suspended",
                        "holder-revoked@example.org": "revoked"}
