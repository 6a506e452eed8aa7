"""Volunteer work (第一群, issue 18): one-tap check-in with its own button and a 5-minute undo,
check-out that asks what was done, a duration instead, the organisation's choice to verify
volunteer hours (off by default: confirmed at once), and the quarterly thank-you summary the
volunteer sees and downloads and the organisation sends in each volunteer's language."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.activity import services
from collaboration.activity.models import (
    ActivityEntry,
    ActivityRollup,
    ActivityStatusChange,
    EntryStatus,
    VolunteerSession,
    VolunteerThanks,
)
from collaboration.activity.selectors.volunteer import (
    organisation_volunteer_thanks,
    quarter_bounds,
    quarter_of,
    volunteer_thanks_for,
)
from peers.models import AuditEvent, Engagement, Organisation, Role
from tests.collaboration.activity_support import *  # noqa: F403
from tests.conftest import login_as
from tests.problem_support import problem_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def v_org(tokyo, a_kind) -> Organisation:
    """An organisation with the default setting: volunteer hours are not verified."""
    return Organisation.objects.create(name="ピアサロン みなみ", prefecture=tokyo, kind=a_kind)


@pytest.fixture
def v_engagement(a_peer, v_org) -> Engagement:
    return Engagement.objects.create(person=a_peer, organisation=v_org, kind=Engagement.Kind.VOLUNTEER,
                                     start_date=datetime.date(2024, 4, 1))


@pytest.fixture
def v_manager(make_user, v_org):
    return make_user(display_name="管理 みなみ", roles=[(Role.MANAGER, {"organisation": v_org})], mfa=True)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _moment(days_ago: int, hour: int = 14, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


# --- Verification: off by default ---------------------------------------------------------------


def test_a_volunteers_entry_is_confirmed_at_once_when_the_organisation_does_not_ask(
        a_peer, v_engagement, a_listening):
    assert v_engagement.organisation.volunteer_hours_need_verification is False  # the default
    entry = services.volunteer_hours_record(person=a_peer, engagement=v_engagement, date=timezone.localdate(),
                                            duration_minutes=90, activity=a_listening, stage="community")
    entry.refresh_from_db()
    assert (entry.status, entry.verification_waived) == (EntryStatus.VERIFIED, True)
    assert entry.status_label != entry.get_status_display()  # "confirmed (no verification asked)"
    assert list(entry.history.values_list("action", flat=True)) == [
        ActivityStatusChange.Action.SUBMITTED, ActivityStatusChange.Action.CONFIRMED]
    # It counts in the figures (the rollups) at once, and never waits in a queue ...
    assert sum(ActivityRollup.objects.values_list("minutes", flat=True)) == 90
    # ... but not toward certification renewal, which needs someone else's verification.
    from collaboration.activity.selectors import verified_hours_for
    from training.models import ContinuingEducation

    today = timezone.localdate()
    assert verified_hours_for(a_peer, today - datetime.timedelta(days=1), today) == 0
    assert not ContinuingEducation.objects.filter(person=a_peer).exists()


def test_where_the_organisation_asks_a_volunteers_entry_waits_for_verification(
        a_peer, v_engagement, v_manager, a_listening):
    services.activity_volunteer_verification_set(actor=v_manager, organisation=v_engagement.organisation, required=True)
    v_engagement.organisation.refresh_from_db()
    entry = services.volunteer_hours_record(person=a_peer, engagement=v_engagement, date=timezone.localdate(),
                                            duration_minutes=30, activity=a_listening, stage="community")
    assert (entry.status, entry.verification_waived) == (EntryStatus.SUBMITTED, False)
    assert not ActivityRollup.objects.exists()
    assert AuditEvent.objects.filter(action="activity.volunteer_verification", data__required=True).exists()


def test_only_the_manager_changes_the_setting(a_peer, v_org, a_manager):
    with pytest.raises(PermissionDenied):
        services.activity_volunteer_verification_set(actor=a_manager, organisation=v_org, required=True)
    with pytest.raises(PermissionDenied):
        services.activity_volunteer_verification_set(actor=a_peer, organisation=v_org, required=True)
    v_org.refresh_from_db()
    assert v_org.volunteer_hours_need_verification is False


# --- Check-in and check-out -------------------------------------------------------------------


def test_check_in_then_out_records_the_minutes_between_on_the_day_of_the_check_in(
        a_peer, v_engagement, a_group):
    start = _moment(2, 13, 30)
    session = services.volunteer_check_in(person=a_peer, engagement=v_engagement, now=start)
    entry = services.volunteer_check_out(person=a_peer, session=session, activity=a_group, stage="community",
                                         people_supported=3, now=start + datetime.timedelta(minutes=95, seconds=20))
    session.refresh_from_db()
    assert session.entry == entry and session.checked_out_at is not None
    assert (entry.date, entry.start_time, entry.duration_minutes) == (start.date(), datetime.time(13, 30), 95)
    assert (entry.activity, entry.people_supported, entry.author) == (a_group, 3, a_peer)
    assert AuditEvent.objects.filter(action="volunteer.check_in").exists()
    assert AuditEvent.objects.filter(action="volunteer.check_out", data__minutes=95).exists()


def test_one_open_check_in_at_a_time(a_peer, v_engagement):
    services.volunteer_check_in(person=a_peer, engagement=v_engagement)
    with pytest.raises(ValidationError):
        services.volunteer_check_in(person=a_peer, engagement=v_engagement)
    assert VolunteerSession.objects.count() == 1


def test_check_in_is_for_ones_own_current_volunteer_engagement(a_peer, a_stranger, v_engagement, a_org, a_peer_employed):
    with pytest.raises(PermissionDenied):
        services.volunteer_check_in(person=a_stranger, engagement=v_engagement)
    with pytest.raises(ValidationError):
        services.volunteer_check_in(person=a_peer, engagement=a_peer_employed)
    assert not VolunteerSession.objects.exists()


@pytest.fixture
def a_peer_employed(a_peer, a_org) -> Engagement:
    return Engagement.objects.create(person=a_peer, organisation=a_org, kind=Engagement.Kind.EMPLOYED,
                                     start_date=datetime.date(2024, 4, 1), weekly_hours=20, full_time_weekly_hours=40)


def test_undo_in_the_first_five_minutes_only_then_check_out_and_a_forgotten_one_is_discarded(
        a_peer, v_engagement, a_listening):
    start = _moment(0, 0, 1) if timezone.localtime().hour == 0 else timezone.now() - datetime.timedelta(minutes=10)
    session = services.volunteer_check_in(person=a_peer, engagement=v_engagement, now=start)
    services.volunteer_check_in_undo(person=a_peer, session=session, now=start + datetime.timedelta(minutes=4))
    assert not VolunteerSession.objects.exists() and not ActivityEntry.objects.exists()
    assert AuditEvent.objects.filter(action="volunteer.check_in_undo").exists()

    session = services.volunteer_check_in(person=a_peer, engagement=v_engagement, now=start)
    with pytest.raises(ValidationError, match="5") as refused:
        services.volunteer_check_in_undo(person=a_peer, session=session, now=start + datetime.timedelta(minutes=6))
    assert refused.value.messages
    assert VolunteerSession.objects.filter(pk=session.pk, checked_out_at__isnull=True).exists()
    # Open for more than a day: it cannot become an entry, but it can be discarded.
    late = start + datetime.timedelta(hours=25)
    with pytest.raises(ValidationError):
        services.volunteer_check_out(person=a_peer, session=session, activity=a_listening, stage="community", now=late)
    assert not ActivityEntry.objects.exists()
    services.volunteer_check_in_undo(person=a_peer, session=session, now=late)
    assert not VolunteerSession.objects.exists()


# --- Pages ------------------------------------------------------------------------------------


def test_the_volunteer_page_checks_in_with_its_own_button_and_shows_the_state(client, a_peer, v_engagement, a_group):
    login_as(client, a_peer)
    page = client.get("/en/me/activity/volunteer/")
    html = page.content.decode()
    assert "You are not checked in." in html and "Check in now at ピアサロン みなみ" in html
    # The check-in form carries nothing but the engagement: no activity, no stage, no duration.
    response = client.post("/en/me/activity/volunteer/check-in/", {"engagement": v_engagement.pk})
    assert response.status_code == 302 and VolunteerSession.objects.filter(checked_out_at__isnull=True).count() == 1
    assert not ActivityEntry.objects.exists()
    html = client.get("/en/me/activity/volunteer/").content.decode()
    assert "Checked in since" in html and "Undo check-in" in html and "Check out now" in html
    # Check-out without saying what was done: refused in the reader's language, nothing changed.
    refused = client.post("/me/activity/volunteer/check-out/", {"activity": "", "stage": ""})
    assert refused.status_code == 400
    assert "この項目は必須です" in refused.content.decode()
    assert not ActivityEntry.objects.exists() and VolunteerSession.objects.get().checked_out_at is None
    done = client.post("/en/me/activity/volunteer/check-out/", {"activity": a_group.pk, "stage": "community"},
                       follow=True)
    assert "Thank you" in done.content.decode()
    entry = ActivityEntry.objects.get()
    assert entry.verification_waived and VolunteerSession.objects.get().entry == entry


def test_undo_on_the_page(client, a_peer, v_engagement):
    login_as(client, a_peer)
    client.post("/me/activity/volunteer/check-in/", {"engagement": v_engagement.pk})
    response = client.post("/en/me/activity/volunteer/check-in/undo/", follow=True)
    assert "Nothing was recorded" in response.content.decode()
    assert not VolunteerSession.objects.exists() and not ActivityEntry.objects.exists()


def test_someone_elses_engagement_cannot_be_checked_into(client, a_stranger, v_engagement):
    login_as(client, a_stranger)
    response = client.post("/en/me/activity/volunteer/check-in/", {"engagement": v_engagement.pk}, follow=True)
    assert "Choose one of your current volunteer engagements." in response.content.decode()
    assert not VolunteerSession.objects.exists()
    api = _api(a_stranger)
    assert api.post("/api/v1/activity/volunteer/check-in/", {"engagement": v_engagement.pk}, format="json").status_code == 404
    assert api.post("/api/v1/activity/volunteer/check-out/", {"activity": "listening", "stage": "community"},
                    format="json").status_code == 404


def test_a_duration_with_bad_input_is_refused_in_both_languages_and_saves_nothing(client, a_peer, v_engagement, a_listening):
    login_as(client, a_peer)
    data = {"engagement": v_engagement.pk, "date": timezone.localdate().isoformat(), "duration_minutes": 0,
            "activity": a_listening.pk, "stage": "community"}
    english = client.post("/en/me/activity/volunteer/", data)
    japanese = client.post("/me/activity/volunteer/", data)
    assert english.status_code == japanese.status_code == 400
    assert "Ensure this value is greater than or equal to 1" in english.content.decode()
    assert "1 以上" in japanese.content.decode() or "1以上" in japanese.content.decode()
    assert not ActivityEntry.objects.exists()
    saved = client.post("/me/activity/volunteer/", {**data, "duration_minutes": 45})
    assert saved.status_code == 302 and ActivityEntry.objects.get().duration_minutes == 45


# --- Thank-you summaries -----------------------------------------------------------------------


def test_quarters_follow_japans_fiscal_year():
    assert quarter_bounds(2026, 1) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert quarter_bounds(2026, 3) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert quarter_bounds(2026, 4) == (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
    assert [quarter_of(datetime.date(2027, m, 1)) for m in (1, 3, 4, 6, 7, 12)] == [4, 4, 1, 1, 2, 3]


def _entry(person, engagement, day, minutes, activity, **extra):
    return services.activity_entry_create(author=person, engagement=engagement, date=day, duration_minutes=minutes,
                                          activity=activity, stage="community", **extra)


def test_the_thank_you_summary_counts_confirmed_hours_per_quarter_and_activity(
        a_peer, v_engagement, a_engagement, a_listening, a_group, a_manager):
    from peers.dates import fiscal_year_of

    today = timezone.localdate()
    fy = fiscal_year_of(today)
    first_day = quarter_bounds(fy, 1)[0]
    _entry(a_peer, v_engagement, first_day, 60, a_listening)
    _entry(a_peer, v_engagement, first_day, 30, a_group)
    _entry(a_peer, v_engagement, first_day - datetime.timedelta(days=1), 600, a_group)  # the year before
    waiting = _entry(a_peer, a_engagement, first_day, 45, a_listening)  # a_org verifies volunteer hours
    declined = _entry(a_peer, a_engagement, first_day, 15, a_listening)
    services.activity_entry_decline(actor=a_manager, entry=declined, reason="重複")
    summary = {o.organisation.name: o for o in volunteer_thanks_for(a_peer, fy)}
    salon = summary["ピアサロン みなみ"]
    q1 = salon.quarters[0]
    assert (q1.minutes, q1.occasions, str(q1.hours)) == (90, 2, "1.50")
    assert sorted(q1.activity_names) == sorted([(a_listening.name, 1), (a_group.name, 1)])
    assert [q.minutes for q in salon.quarters[1:]] == [0, 0, 0]
    other = summary["ピアサポートセンター東"]
    assert other.minutes == 0 and other.waiting == 1  # waiting is named, not counted; declined is neither
    assert waiting.status == EntryStatus.SUBMITTED


def test_the_volunteer_sees_and_downloads_their_summary_and_no_one_elses(client, a_peer, a_stranger, v_engagement, a_listening):
    from peers.dates import fiscal_year_of

    fy = fiscal_year_of(timezone.localdate())
    _entry(a_peer, v_engagement, quarter_bounds(fy, 1)[0], 120, a_listening)
    login_as(client, a_peer)
    html = client.get(f"/en/me/activity/volunteer/thanks/?fy={fy}").content.decode()
    assert "ピアサロン みなみ" in html and "In all: 2 hours on 1 occasions." in html
    csv_text = client.get(f"/en/me/activity/volunteer/thanks/export.csv?fy={fy}").getvalue().decode("utf-8-sig")
    assert "ピアサロン みなみ" in csv_text.splitlines()[1] and ",2.00,1,Listening (1)" in csv_text.splitlines()[1]
    assert client.get("/me/activity/volunteer/thanks/?fy=abc").status_code == 200  # a bad year falls back
    client.logout()
    login_as(client, a_stranger)
    assert "ピアサロン みなみ" not in client.get(f"/en/me/activity/volunteer/thanks/?fy={fy}").content.decode()
    assert _api(a_stranger).get(f"/api/v1/activity/volunteer/thanks/?fy={fy}").json()["organisations"] == []
    assert _api(a_peer).get(f"/api/v1/activity/volunteer/thanks/?fy={fy}").json()["organisations"][0]["minutes"] == 120
    bad = _api(a_peer).get("/api/v1/activity/volunteer/thanks/?fy=19")
    assert bad.status_code == 400


def _last_quarter():
    from peers.dates import fiscal_year_of

    today = timezone.localdate()
    fy, quarter = fiscal_year_of(today), quarter_of(today)
    return (fy, quarter - 1) if quarter > 1 else (fy - 1, 4)


def test_the_organisation_sends_each_volunteer_their_summary_once_in_their_language(
        make_user, a_peer, v_engagement, v_org, v_manager, a_listening, mailoutbox,
        django_capture_on_commit_callbacks):
    fy, quarter = _last_quarter()
    day = quarter_bounds(fy, quarter)[0]
    english = make_user(display_name="Alex", language="en", roles=[(Role.PEER, {})])
    english_engagement = Engagement.objects.create(person=english, organisation=v_org, kind=Engagement.Kind.VOLUNTEER,
                                                   start_date=datetime.date(2024, 4, 1))
    _entry(a_peer, v_engagement, day, 90, a_listening)
    _entry(english, english_engagement, day, 60, a_listening)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.volunteer_thanks_send(actor=v_manager, organisation=v_org, fiscal_year=fy, quarter=quarter)
    assert sent == 2 and VolunteerThanks.objects.count() == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    assert "Thank you for volunteering with ピアサロン みなみ" in by_address[english.email].subject
    assert "Hours: 1" in by_address[english.email].body and a_listening.name_en in by_address[english.email].body
    assert "ありがとうございます" in by_address[a_peer.email].subject and "1.5" in by_address[a_peer.email].body
    assert "/en/me/activity/volunteer/thanks/" in by_address[english.email].body
    with django_capture_on_commit_callbacks(execute=True):
        again = services.volunteer_thanks_send(actor=v_manager, organisation=v_org, fiscal_year=fy, quarter=quarter)
    assert again == 0 and len(mailoutbox) == 2
    rows = organisation_volunteer_thanks(v_org, fy, quarter)
    assert all(row.sent_at for row in rows)


def test_sending_is_the_managers_and_a_refused_send_sends_nothing(
        a_peer, v_engagement, v_org, a_manager, v_manager, a_listening, mailoutbox, django_capture_on_commit_callbacks):
    fy, quarter = _last_quarter()
    _entry(a_peer, v_engagement, quarter_bounds(fy, quarter)[0], 90, a_listening)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.volunteer_thanks_send(actor=a_manager, organisation=v_org, fiscal_year=fy, quarter=quarter)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.volunteer_thanks_send(actor=v_manager, organisation=v_org, fiscal_year=fy + 2, quarter=1)
    assert mailoutbox == [] and not VolunteerThanks.objects.exists()


def test_the_organisations_volunteer_page_and_api(client, a_peer, v_engagement, v_org, v_manager, a_manager, a_listening):
    fy, quarter = _last_quarter()
    _entry(a_peer, v_engagement, quarter_bounds(fy, quarter)[0], 90, a_listening)
    login_as(client, v_manager)
    html = client.get(f"/en/staff/activity/organisations/{v_org.pk}/volunteers/?fy={fy}&quarter={quarter}").content.decode()
    assert a_peer.display_name in html and "Send the thank-you summaries by email" in html
    assert "confirmed at once" in html
    response = client.post(f"/en/staff/activity/organisations/{v_org.pk}/volunteers/setting/",
                           {"volunteer_hours_need_verification": "on"}, follow=True)
    assert "now go to the verification queue" in response.content.decode()
    v_org.refresh_from_db()
    assert v_org.volunteer_hours_need_verification is True
    # Another organisation's manager: the page does not exist for them, on the API neither.
    client.logout()
    login_as(client, a_manager)
    assert client.get(f"/staff/activity/organisations/{v_org.pk}/volunteers/").status_code == 404
    assert client.post(f"/staff/activity/organisations/{v_org.pk}/volunteers/thanks/",
                       {"fy": fy, "quarter": quarter}).status_code == 404
    assert _api(a_manager).get(f"/api/v1/activity/organisations/{v_org.pk}/volunteers/").status_code == 404
    api = _api(v_manager)
    listed = api.get(f"/api/v1/activity/organisations/{v_org.pk}/volunteers/?fy={fy}&quarter={quarter}").json()
    assert [(v["person"], v["minutes"], v["thanked_at"]) for v in listed["volunteers"]] == [(a_peer.pk, 90, None)]
    bad = api.patch(f"/api/v1/activity/organisations/{v_org.pk}/volunteers/",
                    {"volunteer_hours_need_verification": "perhaps"}, format="json")
    errors = problem_fields(bad)
    assert bad.status_code == 400 and errors["volunteer_hours_need_verification"][0]["ja"] != \
        errors["volunteer_hours_need_verification"][0]["en"]
    v_org.refresh_from_db()
    assert v_org.volunteer_hours_need_verification is True  # unchanged
    bad_quarter = api.post(f"/api/v1/activity/organisations/{v_org.pk}/volunteers/thanks/",
                           {"fiscal_year": fy, "quarter": 5}, format="json")
    assert bad_quarter.status_code == 400 and not VolunteerThanks.objects.exists()
    sent = api.post(f"/api/v1/activity/organisations/{v_org.pk}/volunteers/thanks/",
                    {"fiscal_year": fy, "quarter": quarter}, format="json")
    assert sent.json() == {"sent": 1}


def test_the_api_checks_in_undoes_and_checks_out(a_peer, v_engagement):
    api = _api(a_peer)
    assert api.get("/api/v1/activity/volunteer/check-in/").json() == {"session": None}
    made = api.post("/api/v1/activity/volunteer/check-in/", {"engagement": v_engagement.pk}, format="json")
    assert made.status_code == 201 and made.json()["engagement"] == v_engagement.pk
    twice = api.post("/api/v1/activity/volunteer/check-in/", {"engagement": v_engagement.pk}, format="json")
    assert twice.status_code == 400 and VolunteerSession.objects.count() == 1
    assert api.post("/api/v1/activity/volunteer/check-in/undo/").status_code == 204
    assert not VolunteerSession.objects.exists()
    api.post("/api/v1/activity/volunteer/check-in/", {"engagement": v_engagement.pk}, format="json")
    bad = api.post("/api/v1/activity/volunteer/check-out/", {"activity": "nope", "stage": "moon"}, format="json")
    assert set(problem_fields(bad)) == {"activity", "stage"} and not ActivityEntry.objects.exists()
    out = api.post("/api/v1/activity/volunteer/check-out/",
                   {"activity": "role-model", "stage": "community"}, format="json")
    assert out.status_code == 201 and out.json()["status"] == "verified" and out.json()["verification_waived"] is True
    hours = api.post("/api/v1/activity/volunteer/hours/", {
        "engagement": v_engagement.pk, "date": timezone.localdate().isoformat(), "duration_minutes": 30,
        "activity": "advocacy", "stage": "community"}, format="json")
    assert hours.status_code == 201 and hours.json()["duration_minutes"] == 30
