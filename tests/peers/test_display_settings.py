"""A calmer mode chosen by the person: text size and theme for everyone (cookies, and the
account when signed in), quiet hours for emails and digests (held, then sent)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.mail import email_lines, held_email_send_due
from peers.models import HeldEmail, Role, User
from peers.preferences import quiet_hours_end_after
from tests.conftest import login_as

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_visitor_saves_display_settings_in_cookies_and_returns_to_the_page(client):
    response = client.post("/display/", {"furigana": "off", "wording": "standard", "text_size": "larger", "theme": "calm", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies["text_size"].value == "larger"
    assert response.cookies["theme"].value == "calm"
    page = client.get("/accounts/login/")
    assert 'data-text-size="larger"' in html_tag(page)
    assert 'data-theme="calm"' in html_tag(page)


def test_every_page_has_the_display_settings_link_and_the_standard_attributes(client):
    page = client.get("/accounts/login/")
    tag = html_tag(page)
    assert 'data-text-size="standard"' in tag and 'data-theme="standard"' in tag
    assert 'href="/display/?next=/accounts/login/"' in page.content.decode()
    settings_page = client.get("/display/?next=/accounts/login/")
    body = settings_page.content.decode()
    assert settings_page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'name="next" value="/accounts/login/"' in body
    assert 'type="submit"' in body


def test_cookies_set_by_another_tool_are_read_and_unknown_values_are_the_default(client):
    client.cookies["text_size"] = "large"
    client.cookies["theme"] = "neon"
    tag = html_tag(client.get("/accounts/login/"))
    assert 'data-text-size="large"' in tag
    assert 'data-theme="standard"' in tag


@pytest.mark.parametrize("unsafe", [
    "https://evil.example/", "//evil.example/path", "javascript:alert(1)", "http://evil.example/",
    "/\\evil.example", "\\\\evil.example",
])
def test_unsafe_next_is_refused(client, unsafe):
    response = client.post("/display/", {"furigana": "off", "wording": "standard", "text_size": "large", "theme": "standard", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/display/"
    # Nor is it offered as a link back on the page.
    assert unsafe not in client.get("/display/", {"next": unsafe}).content.decode()


def test_a_bad_value_is_refused_with_a_message_and_sets_no_cookie(client):
    response = client.post("/display/", {"furigana": "off", "wording": "standard", "text_size": "huge", "theme": "calm"})
    assert response.status_code == 200
    assert "text_size" not in response.cookies
    assert "error-summary" in response.content.decode()


def test_signed_in_person_saves_on_the_account_which_wins_over_cookies(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    response = client.post("/display/", {"furigana": "off", "wording": "standard", "text_size": "large", "theme": "calm", "next": "/me/"})
    assert response["Location"] == "/me/"
    assert response.cookies["theme"].value == "calm"
    user.refresh_from_db()
    assert (user.text_size, user.theme) == ("large", "calm")
    # Another device with other cookies: the account's choice applies.
    other = Client()
    other.cookies["text_size"] = "standard"
    other.cookies["theme"] = "standard"
    login_as(other, user)
    tag = html_tag(other.get("/me/"))
    assert 'data-text-size="large"' in tag and 'data-theme="calm"' in tag


def test_account_settings_save_display_and_quiet_hours(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    page = client.get("/account/preferences/")
    assert page.status_code == 200
    assert 'href="/account/preferences/" aria-current="page"' in page.content.decode()
    response = client.post("/account/preferences/", {
        "furigana": "off", "wording": "standard", "text_size": "larger", "theme": "standard", "quiet_hours_start": "22:00", "quiet_hours_end": "07:00",
    })
    assert response.status_code == 302
    assert response.cookies["text_size"].value == "larger"
    user.refresh_from_db()
    assert user.quiet_hours_start == datetime.time(22) and user.quiet_hours_end == datetime.time(7)
    assert 'data-text-size="larger"' in html_tag(client.get("/account/preferences/"))
    # Both times empty turns quiet hours off.
    client.post("/account/preferences/", {"furigana": "off", "wording": "standard", "text_size": "larger", "theme": "standard",
                                           "quiet_hours_start": "", "quiet_hours_end": ""})
    user.refresh_from_db()
    assert user.quiet_hours_start is None and user.quiet_hours_end is None


def test_quiet_hours_need_both_times_and_different_ones(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    for start, end in (("22:00", ""), ("", "07:00"), ("07:00", "07:00")):
        response = client.post("/account/preferences/", {
            "furigana": "off", "wording": "standard", "text_size": "standard", "theme": "standard", "quiet_hours_start": start, "quiet_hours_end": end,
        })
        assert response.status_code == 200
        assert "error-summary" in response.content.decode()
    user.refresh_from_db()
    assert user.quiet_hours_start is None


def test_account_settings_need_sign_in(client):
    response = client.get("/account/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_quiet_window_crossing_midnight():
    start, end = datetime.time(22), datetime.time(7)

    def at(day, hour, minute=0):
        return datetime.datetime(2026, 12, day, hour, minute, tzinfo=JST)

    assert quiet_hours_end_after(start=start, end=end, now=at(3, 21, 59)) is None
    assert quiet_hours_end_after(start=start, end=end, now=at(3, 22)) == at(4, 7)
    assert quiet_hours_end_after(start=start, end=end, now=at(3, 23, 30)) == at(4, 7)
    assert quiet_hours_end_after(start=start, end=end, now=at(4, 6, 59)) == at(4, 7)
    assert quiet_hours_end_after(start=start, end=end, now=at(4, 7)) is None
    # The same instant in UTC (13:30 UTC is 22:30 in Japan).
    utc = datetime.datetime(2026, 12, 3, 13, 30, tzinfo=datetime.UTC)
    assert quiet_hours_end_after(start=start, end=end, now=utc) == at(4, 7)
    # A window within one day.
    assert quiet_hours_end_after(start=datetime.time(12), end=datetime.time(13), now=at(3, 12, 30)) == at(3, 13)
    assert quiet_hours_end_after(start=datetime.time(12), end=datetime.time(13), now=at(3, 13, 30)) is None
    assert quiet_hours_end_after(start=None, end=None, now=at(3, 23)) is None


def _quiet_around_now(user):
    """Quiet hours from an hour ago to two hours ahead (Japan time), whatever the clock says."""
    local = timezone.now().astimezone(JST)
    user.quiet_hours_start = (local - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    user.quiet_hours_end = (local + datetime.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    user.save()
    return user


def test_mail_in_quiet_hours_is_held_in_the_recipients_language_and_sent_after(
        make_user, django_capture_on_commit_callbacks):
    user = _quiet_around_now(make_user(roles=[(Role.PEER, {})], language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        email_lines(to=user.email, language=user.language, recipient=user,
                    subject=_("Your certification has been renewed"), lines=["line one"])
    assert mail.outbox == []
    held = HeldEmail.objects.get(recipient=user)
    assert held.subject == "Your certification has been renewed"
    # The end of the window, in Japan time.
    assert held.send_after.astimezone(JST).time() == user.quiet_hours_end
    assert held.send_after > timezone.now()
    # Not yet before it ends; sent once it has.
    assert held_email_send_due(now=held.send_after - datetime.timedelta(seconds=1)) == 0
    assert mail.outbox == []
    assert held_email_send_due(now=held.send_after) == 1
    assert [m.subject for m in mail.outbox] == ["Your certification has been renewed"]
    assert mail.outbox[0].to == [user.email] and mail.outbox[0].body == "line one"
    assert not HeldEmail.objects.exists()
    assert held_email_send_due(now=held.send_after + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_held_mail_goes_at_the_next_tick_once_quiet_hours_are_turned_off_and_to_the_current_address(
        make_user, django_capture_on_commit_callbacks):
    user = _quiet_around_now(make_user(roles=[(Role.PEER, {})], language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        email_lines(to=user.email, language=user.language, recipient=user, subject="Held", lines=["body"])
    held = HeldEmail.objects.get(recipient=user)
    now = timezone.now()
    assert now < held.send_after
    assert held_email_send_due(now=now) == 0  # still inside the quiet hours
    user.quiet_hours_start = user.quiet_hours_end = None
    user.email = "new-address@example.test"
    user.save()
    assert held_email_send_due(now=now) == 1  # no quiet hours now: it goes, to today's address
    assert [m.to for m in mail.outbox] == [["new-address@example.test"]]
    assert not HeldEmail.objects.exists()


def test_held_mail_for_an_account_no_longer_active_is_dropped(make_user):
    user = make_user(roles=[(Role.PEER, {})])
    HeldEmail.objects.create(recipient=user, subject="held", body="body",
                             send_after=timezone.now() - datetime.timedelta(minutes=1))
    user.is_active = False
    user.save()
    assert held_email_send_due(now=timezone.now()) == 0
    assert mail.outbox == [] and not HeldEmail.objects.exists()


def test_digest_in_quiet_hours_is_held_and_outside_them_goes_at_once(make_user, django_capture_on_commit_callbacks):
    from collaboration.activity.emails import verification_digest

    quiet = _quiet_around_now(make_user(roles=[(Role.PEER, {})]))
    awake = make_user(roles=[(Role.PEER, {})])
    with django_capture_on_commit_callbacks(execute=True):
        verification_digest(user=quiet, organisations=[])
        verification_digest(user=awake, organisations=[])
    assert [m.to for m in mail.outbox] == [[awake.email]]
    held = HeldEmail.objects.get()
    assert held.recipient == quiet
    # Rendered in the recipient's language (Japanese by default), as the sent one.
    assert held.subject == mail.outbox[0].subject


def test_security_mail_is_never_held(client, make_user, django_capture_on_commit_callbacks):
    user = _quiet_around_now(make_user(roles=[(Role.PEER, {})]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert not HeldEmail.objects.exists()


def test_quiet_hours_off_by_default(make_user):
    user = make_user(roles=[(Role.PEER, {})])
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.text_size, fresh.theme, fresh.quiet_hours_start, fresh.quiet_hours_end) == (
        "standard", "standard", None, None)


def test_the_scheduler_tick_sends_held_mail(make_user):
    from config.management.commands.run_scheduler import HOURLY, run_jobs

    user = make_user(roles=[(Role.PEER, {})])
    HeldEmail.objects.create(recipient=user, subject="held", body="body",
                             send_after=timezone.now() - datetime.timedelta(minutes=1))
    run_jobs([job for job in HOURLY if job[0] == "held_email_send"])
    assert [m.subject for m in mail.outbox] == ["held"]
    assert not HeldEmail.objects.exists()
    assert "held_email_send" in [name for name, _args in HOURLY]


def test_public_page_cache_keeps_each_display_variant_apart(client, demo):
    first = client.get("/")
    assert first.status_code == 200
    assert 'data-theme="standard"' in html_tag(first)
    again = client.get("/")
    assert again.get("X-Page-Cache") == "hit"
    calm = Client()
    calm.cookies["theme"] = "calm"
    calm.cookies["text_size"] = "larger"
    page = calm.get("/")
    assert 'data-theme="calm"' in html_tag(page) and 'data-text-size="larger"' in html_tag(page)
    assert page.get("X-Page-Cache") != "hit"
    assert calm.get("/").get("X-Page-Cache") == "hit"
    assert 'data-theme="calm"' in html_tag(calm.get("/"))
    assert 'data-theme="standard"' in html_tag(client.get("/"))


def test_api_reads_and_writes_display_settings_and_quiet_hours(client, make_user):
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    response = client.get("/api/v1/me/display/")
    assert response.status_code == 200
    assert response.json() == {"text_size": "standard", "theme": "standard", "furigana": "off",
                               "wording": "standard", "quiet_hours_start": None, "quiet_hours_end": None}
    response = client.patch("/api/v1/me/display/", {"theme": "calm", "quiet_hours_start": "22:00",
                                                     "quiet_hours_end": "07:00"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"text_size": "standard", "theme": "calm", "furigana": "off",
                               "wording": "standard", "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"}
    user.refresh_from_db()
    assert user.theme == "calm" and user.quiet_hours_end == datetime.time(7)
    assert 'data-theme="calm"' in html_tag(client.get("/me/"))


@pytest.mark.parametrize("body, field, english", [
    ({"text_size": "huge"}, "text_size", '"huge" is not a valid choice.'),
    ({"theme": "calm\x00"}, "theme", "is not a valid choice."),
    ({"quiet_hours_start": "25:00"}, "quiet_hours_start", "Time has wrong format."),
    ({"quiet_hours_start": "08:00", "quiet_hours_end": "08:00"}, "quiet_hours_end",
     "The end must differ from the start."),
    ({"quiet_hours_start": "08:00"}, "quiet_hours_end", "Please give both a start and an end, or leave both empty."),
])
def test_api_refuses_bad_settings_as_problem_details(client, make_user, body, field, english):
    """Each refusal names its field, in English and in Japanese (not one language twice)."""
    user = make_user(roles=[(Role.PEER, {})])
    login_as(client, user)
    response = client.patch("/api/v1/me/display/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    [error] = problem["errors"]
    assert error["field"] == field
    assert english in error["message"]["en"]
    assert error["message"]["ja"] and error["message"]["ja"] != error["message"]["en"]
    user.refresh_from_db()
    assert (user.text_size, user.quiet_hours_start) == ("standard", None)


def test_api_display_needs_sign_in(client):
    response = client.get("/api/v1/me/display/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/problem+json")
