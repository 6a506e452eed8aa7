"""The scheduler's clock also fires the editors' go-live and expiry dates (Wagtail's
`publish_scheduled`), one tick at a time, without sleeping."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.utils import timezone
from wagtail.models import Page, Revision

from cms.models import ContentPage
from config.management.commands.run_scheduler import tick

pytestmark = pytest.mark.django_db


def _page(slug: str, **fields) -> ContentPage:
    root = Page.get_first_root_node()
    return root.add_child(instance=ContentPage(title=slug, slug=slug, **fields))


def test_page_whose_go_live_date_has_passed_is_live_after_one_tick():
    page = _page("scheduled", live=False)
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()
    page.refresh_from_db()
    assert not page.live  # scheduled, not yet published
    # The hour has passed (moved back rather than waited for).
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    assert Revision.objects.filter(pk=revision.pk, approved_go_live_at__lt=timezone.now()).exists()

    err = StringIO()
    tick(now=timezone.now(), last_daily=None, stdout=StringIO(), stderr=err)

    page.refresh_from_db()
    assert page.live
    assert page.live_revision_id == revision.pk
    assert err.getvalue() == ""


def test_page_whose_expiry_date_has_passed_is_unpublished_after_one_tick():
    page = _page("expiring")
    page.save_revision().publish()
    ContentPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))

    tick(now=timezone.now(), last_daily=None, stdout=StringIO(), stderr=StringIO())

    page.refresh_from_db()
    assert not page.live
    assert page.expired


def test_daily_jobs_run_once_a_day_after_their_hour():
    tokyo_morning = timezone.make_aware(datetime.datetime(2026, 4, 1, 4, 0))
    today = timezone.localtime(tokyo_morning).date()
    assert tick(now=tokyo_morning, last_daily=None, stdout=StringIO(), stderr=StringIO()) == today
    # Already run today: the date stays, and before the hour nothing daily runs.
    assert tick(now=tokyo_morning, last_daily=today, stdout=StringIO(), stderr=StringIO()) == today
    night = timezone.make_aware(datetime.datetime(2026, 4, 2, 1, 0))
    assert tick(now=night, last_daily=today, stdout=StringIO(), stderr=StringIO()) == today
