"""The demo activity log: idempotent, with verified, waiting and one declined entry."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from collaboration.activity import demo as activity_demo
from collaboration.activity.models import ActivityEntry, ActivityRollup, SupervisionSession
from peers import demo as peers_demo
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def test_demo_activity_is_idempotent_and_covers_every_status(client):
    peers_demo.load()
    activity_demo.load()
    counts = activity_demo.summary()
    activity_demo.load()
    assert activity_demo.summary() == counts
    assert counts["declined"] == 1 and counts["verified"] > 10 and counts["submitted"] > 5
    months = ActivityEntry.objects.filter(author__email="peer@example.org").dates("date", "month")
    assert len(months) >= 4
    assert ActivityRollup.objects.aggregate(n=Sum("entries"))["n"] == counts["verified"]
    assert SupervisionSession.objects.filter(confirmed_at__isnull=False).count() == 1
    client.force_login(ActivityEntry.objects.filter(author__email="peer@example.org").first().author)
    assert client.get("/me/activity/").status_code == 200


def test_demo_peer_sees_renewal_progress_fed_by_verified_practice(client):
    from django.core.management import call_command

    from training.models import ContinuingEducation

    call_command("load_demo", "--quiet-summary")
    peer = ActivityEntry.objects.filter(author__email="peer@example.org").first().author
    credited = ContinuingEducation.objects.filter(person=peer).exclude(source_ref="")
    assert credited.filter(source_ref__startswith="activity:").exists()
    assert credited.filter(source_ref__startswith="supervision:").count() == 1
    login_as(client, peer)
    response = client.get("/en/me/activity/")
    (progress,) = response.context["renewal"].progress
    assert progress.certification.credential_type.name == "精神障がい者ピアサポート専門員"
    assert progress.hours_from_practice > 0
    body = response.content.decode()
    assert "Of these, from your verified activity and confirmed supervision" in body
    assert "Complete the renewal course" in body  # what is still missing, in words


def test_demo_professional_finds_work_waiting_on_their_home(client):
    """The demo's professional has their own home with something in it: a session the peer
    recorded for them to confirm, recent entries naming them, meetings, the peer they supervise."""
    import re

    from django.core.management import call_command

    from peers.models import User

    call_command("load_demo", "--quiet-summary")
    pro = User.objects.get(email="pro@example.org")
    client.force_login(pro)
    page = client.get("/en/me/").content.decode()
    counts = {key: int(n) for key, n in re.findall(r'<strong data-count="(\w+)">(\d+)</strong>', page)}
    assert 'data-home="professional"' in page and 'data-home="peer"' not in page
    assert counts["supervision_waiting_for_you"] == 1 and counts["supervision_given"] == 3
    assert "Nothing waits for your confirmation." not in page  # entries that name them
    assert counts["meetings_upcoming"] >= 1
    people = page[page.index('id="people-heading"'):]
    assert User.objects.get(email="peer@example.org").display_name in people
