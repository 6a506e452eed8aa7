"""The demo loader: idempotent, every certification state, peer@example.org certified."""

import pytest
from django.core.management import call_command

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
