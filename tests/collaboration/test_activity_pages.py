"""Activity pages: quick entry, week entry, My activity, the organisation's pages under /staff/,
the coordinator's region page, exports; access boundaries and pinned query counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from collaboration.activity import services
from collaboration.activity.models import ActivityEntry, EntryStatus
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import login_as, with_mfa

pytestmark = pytest.mark.django_db


def test_quick_entry_remembers_last_engagement_and_activity(client, a_peer, a_engagement, a_group):
    login_as(client, a_peer)
    response = client.post("/me/activity/new/", {
        "engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 45,
        "activity": a_group.pk, "mode": "phone", "stage": "discharge", "people_supported": 2, "confirmed": "1",
    })
    assert response.status_code == 302
    entry = ActivityEntry.objects.get()
    assert (entry.activity, entry.mode, entry.duration_minutes, entry.author) == (a_group, "phone", 45, a_peer)
    form = client.get("/me/activity/new/").context["form"]
    assert form.initial["engagement"] == a_engagement.pk
    assert form.initial["activity"] == a_group.pk


def test_quick_entry_saves_nothing_until_the_values_are_confirmed(client, a_peer, a_engagement, a_group):
    login_as(client, a_peer)
    data = {"engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 45,
            "activity": a_group.pk, "mode": "phone", "stage": "discharge", "people_supported": 2}
    check = client.post("/en/me/activity/new/", data)
    assert check.status_code == 200 and not ActivityEntry.objects.exists()
    html = check.content.decode()
    assert "Check the activity before saving" in html and "Nothing is saved yet" in html
    assert "<dd>45</dd>" in html and f"<dd>{a_group}</dd>" in html
    assert 'name="confirmed" value="1"' in html and 'name="duration_minutes" value="45"' in html
    # Change: back to the form with what was typed; still nothing saved.
    back = client.post("/en/me/activity/new/", {**data, "confirmed": "1", "change": "1"})
    assert back.context["form"]["duration_minutes"].value() in ("45", 45) and not ActivityEntry.objects.exists()
    assert client.post("/en/me/activity/new/", {**data, "confirmed": "1"}).status_code == 302
    assert ActivityEntry.objects.get().duration_minutes == 45


def test_quick_entry_warns_about_a_duplicate_but_saves(client, a_peer, a_engagement, a_listening):
    login_as(client, a_peer)
    data = {"engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 30,
            "activity": a_listening.pk, "mode": "in_person", "stage": "community", "people_supported": 1,
            "confirmed": "1"}
    client.post("/me/activity/new/", data)
    response = client.post("/me/activity/new/", data, follow=True)
    assert ActivityEntry.objects.count() == 2
    assert "重複" in response.content.decode()  # the warning, in Japanese


def test_quick_entry_refuses_other_peoples_engagement(client, a_stranger, a_engagement, a_listening):
    login_as(client, a_stranger)
    response = client.post("/me/activity/new/", {
        "engagement": a_engagement.pk, "date": last_monday().isoformat(), "duration_minutes": 30,
        "activity": a_listening.pk, "mode": "in_person", "stage": "community", "people_supported": 1,
        "confirmed": "1",
    })
    assert response.status_code == 200
    assert not ActivityEntry.objects.exists()


def test_week_entry_in_one_go(client, a_peer, a_engagement, a_listening):
    login_as(client, a_peer)
    data = {"engagement": a_engagement.pk, "week_start": last_monday().isoformat(), "mode": "in_person",
            "stage": "work", "minutes_0": 60, "activity_0": a_listening.pk, "minutes_2": 30,
            "activity_2": a_listening.pk, "people_2": 3}
    assert client.post("/me/activity/week/", data).status_code == 302
    assert sorted(ActivityEntry.objects.values_list("date", "duration_minutes", "people_supported")) == [
        (last_monday(), 60, 0), (last_monday() + datetime.timedelta(days=2), 30, 3)]


def test_my_activity_shows_charts_with_tables_and_fixed_queries(
    client, a_peer, make_entry, a_group, django_assert_num_queries,
):
    for i in range(3):
        make_entry(activity=a_group if i else None, date=last_monday() - datetime.timedelta(days=i)) if i else make_entry()
    login_as(client, a_peer)
    client.get("/me/activity/")
    with django_assert_num_queries(8):  # no certification: renewal progress; since two-step everywhere no query for organisations they verify (unmarked) and none for the userbar
        response = client.get("/me/activity/")
    body = response.content.decode()
    assert body.count("<svg aria-hidden") == 2
    assert "<caption>" in body and "1.00" in body
    for i in range(10):
        make_entry(date=last_monday() - datetime.timedelta(days=30 + i))
    with django_assert_num_queries(8):
        client.get("/me/activity/")


def test_entry_detail_access(client, make_entry, a_peer, a_colleague, a_stranger, a_manager, a_other_manager,
                             a_coordinator):
    named = make_entry(colleagues=[a_colleague], reflection="内省メモ")
    other = make_entry()
    url = f"/me/activity/{named.pk}/"
    for person, code in ((a_peer, 200), (a_colleague, 200), (a_manager, 200), (a_stranger, 404),
                         (a_other_manager, 404), (a_coordinator, 404)):
        login_as(client, person)
        assert client.get(url).status_code == code, person
    login_as(client, a_colleague)
    assert client.get(f"/me/activity/{other.pk}/").status_code == 404
    assert "内省メモ" not in client.get(url).content.decode()
    login_as(client, a_peer)
    assert "内省メモ" in client.get(url).content.decode()


def test_colleague_confirms_from_the_page(client, make_entry, a_colleague):
    entry = make_entry(colleagues=[a_colleague])
    login_as(client, a_colleague)
    assert client.post(f"/me/activity/{entry.pk}/confirm/").status_code == 302
    assert entry.colleague_links.get().confirmed_at is not None


def test_author_corrects_a_declined_entry_from_the_page(client, make_entry, a_peer, a_manager, a_engagement, a_listening):
    entry = make_entry()
    services.activity_entry_decline(actor=a_manager, entry=entry, reason="時間を確認してください")
    login_as(client, a_peer)
    page = client.get(f"/me/activity/{entry.pk}/").content.decode()
    assert "時間を確認してください" in page
    response = client.post(f"/me/activity/{entry.pk}/", {
        "engagement": a_engagement.pk, "date": entry.date.isoformat(), "duration_minutes": 75,
        "activity": a_listening.pk, "mode": "in_person", "stage": "community", "people_supported": 1,
    })
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.duration_minutes) == (EntryStatus.SUBMITTED, 75)


def test_organisation_page_for_its_manager_only(mfa_client, make_entry, a_manager, a_other_manager, a_org,
                                                a_psw, a_coordinator, django_assert_num_queries):
    make_entry(professional_roles=[a_psw])
    make_entry()  # waiting: in the team table, not in the matrix
    services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=last_monday() - datetime.timedelta(days=1))
    make_entry()
    client = mfa_client(a_manager)
    url = f"/staff/activity/organisations/{a_org.pk}/"
    client.get(url)
    with django_assert_num_queries(15):  # 14, and the named supervisors
        response = client.get(url)
    body = response.content.decode()
    assert "精神保健福祉士" in body and "ピア 陽子" in body
    team = response.context["team"]
    assert [(r["entries"], r["waiting"]) for r in team] == [(2, 1)]
    assert response.context["matrix"]["rows"][0]["cells"] == [1]
    for _ in range(5):
        make_entry(professional_roles=[a_psw])
    with django_assert_num_queries(15):
        client.get(url)
    client.logout()
    for outsider in (a_other_manager, a_coordinator):
        other = mfa_client(outsider)
        assert other.get(url).status_code == 404
        assert other.get(f"/staff/activity/organisations/{a_org.pk}/queue/").status_code == 404
        assert other.get(f"/staff/activity/organisations/{a_org.pk}/export.csv").status_code == 404
        other.logout()


def test_staff_pages_need_mfa(client, make_user, a_org):
    from peers.models import Role

    manager = make_user(roles=[(Role.MANAGER, {"organisation": a_org})])
    login_as(client, manager)
    response = client.get(f"/staff/activity/organisations/{a_org.pk}/")
    assert response.status_code == 302 and "two-step" in response["Location"]


def test_queue_verify_decline_and_bulk_week(mfa_client, make_entry, a_manager, a_other_manager, a_org,
                                            django_assert_num_queries):
    one, two = make_entry(), make_entry()
    week = [make_entry(date=last_monday() - datetime.timedelta(days=7 - d)) for d in range(3)]
    client = mfa_client(a_manager)
    url = f"/staff/activity/organisations/{a_org.pk}/queue/"
    client.get(url)
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    client.post(f"/staff/activity/entries/{one.pk}/verify/")
    client.post(f"/staff/activity/entries/{two.pk}/decline/", {"reason": "重複です"})
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("verified", "declined")
    assert two.history.last().reason == "重複です"
    client.post(f"/staff/activity/organisations/{a_org.pk}/verify-week/",
                {"week_start": (last_monday() - datetime.timedelta(days=7)).isoformat()})
    assert set(ActivityEntry.objects.filter(pk__in=[e.pk for e in week]).values_list("status", flat=True)) == {"verified"}
    client.logout()
    pending = make_entry()
    other = mfa_client(a_other_manager)
    assert other.post(f"/staff/activity/entries/{pending.pk}/verify/").status_code == 404
    assert ActivityEntry.objects.get(pk=pending.pk).status == "submitted"


def test_region_page_shows_counts_only_with_suppression(mfa_client, make_entry, a_manager, a_coordinator, a_org,
                                                        a_group, django_assert_num_queries):
    for _ in range(6):
        make_entry()
    for _ in range(2):
        make_entry(activity=a_group, reflection="秘密")
    services.activity_week_verify(actor=a_manager, organisation=a_org, week_start=last_monday())
    client = mfa_client(a_coordinator)
    client.get("/staff/activity/region/")
    with django_assert_num_queries(11):
        response = client.get("/staff/activity/region/")
    body = response.content.decode()
    assert "&lt;5" in body and "<td>6</td>" in body
    assert "ピア 陽子" not in body and "秘密" not in body
    csv_body = b"".join(client.get("/staff/activity/region/export.csv").streaming_content).decode()
    assert "<5" in csv_body and "ピア 陽子" not in csv_body
    book = load_workbook(io.BytesIO(client.get("/staff/activity/region/export.xlsx").content))
    assert ["<5", "<5"] in [[r[2], r[3]] for r in book.active.iter_rows(values_only=True)]


def test_region_page_refuses_peers_and_managers(client, a_peer, mfa_client, a_manager):
    login_as(client, with_mfa(a_peer))
    assert client.get("/staff/activity/region/").status_code == 403
    client.logout()
    assert mfa_client(a_manager).get("/staff/activity/region/").status_code == 403


def test_exports_follow_access(client, mfa_client, make_entry, a_peer, a_stranger, a_manager, a_org):
    make_entry(reflection="内省")
    login_as(client, a_peer)
    mine = b"".join(client.get("/me/activity/export.csv").streaming_content).decode()
    assert mine.count("\n") == 2 and "内省" not in mine
    login_as(client, a_stranger)
    assert b"".join(client.get("/me/activity/export.csv").streaming_content).decode().count("\n") == 1
    client.logout()
    staff = mfa_client(a_manager)
    book = load_workbook(io.BytesIO(staff.get(f"/staff/activity/organisations/{a_org.pk}/export.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "ピア 陽子"


def test_supervision_recorded_by_one_confirmed_by_the_other(client, a_peer, a_colleague, a_supervisor):
    client.force_login(a_peer)
    response = client.post("/me/supervision/", {"other": f"supervisor:{a_colleague.pk}",
                                                 "date": last_monday().isoformat(), "minutes": 50, "topics": "境界線"})
    assert response.status_code == 302
    from collaboration.activity.models import SupervisionSession

    session = SupervisionSession.objects.get()
    assert (session.supervisor, session.peer, session.recorded_by) == (a_colleague, a_peer, a_peer)
    client.post(f"/me/supervision/{session.pk}/confirm/")
    session.refresh_from_db()
    assert session.confirmed_at is None
    login_as(client, a_colleague)
    client.post(f"/me/supervision/{session.pk}/confirm/")
    session.refresh_from_db()
    assert session.confirmed_at is not None


def test_manager_names_a_supervisor_who_then_verifies(mfa_client, client, make_entry, a_manager, a_colleague,
                                                      a_other_manager, a_org):
    entry = make_entry()
    other = mfa_client(a_other_manager)
    assert other.post(f"/staff/activity/organisations/{a_org.pk}/supervisors/",
                      {"email": a_colleague.email}).status_code == 404
    other.logout()
    staff = mfa_client(a_manager)
    assert staff.post(f"/staff/activity/organisations/{a_org.pk}/supervisors/",
                      {"email": a_colleague.email}).status_code == 302
    staff.logout()
    login_as(client, a_colleague)
    # A supervisor without a staff role still meets the two-step sign-in gate first.
    response = client.get("/staff/activity/")
    assert response.status_code == 302 and "two-step" in response["Location"]
    login_as(client, with_mfa(a_colleague))
    assert client.get("/staff/activity/").status_code == 200
    assert client.post(f"/staff/activity/entries/{entry.pk}/verify/").status_code == 302
    assert ActivityEntry.objects.get(pk=entry.pk).status == "verified"


def test_staff_index_refuses_people_without_activity_roles(client, a_peer):
    login_as(client, with_mfa(a_peer))
    assert client.get("/staff/activity/").status_code == 403


def test_manager_removes_a_named_supervisor_who_then_cannot_verify(
    mfa_client, client, make_entry, a_manager, a_other_manager, a_colleague, a_org,
):
    from collaboration.activity.models import ActivityVerifier
    from peers.models import AuditEvent

    services.activity_verifier_name(actor=a_manager, organisation=a_org, user=a_colleague)
    verifier = ActivityVerifier.objects.get()
    entry = make_entry()
    remove_url = f"/staff/activity/organisations/{a_org.pk}/supervisors/{verifier.pk}/remove/"

    # The named supervisor sees the organisation but can neither see nor use the removal.
    login_as(client, with_mfa(a_colleague))
    page = client.get(f"/staff/activity/organisations/{a_org.pk}/").content.decode()
    assert "同僚 花子" in page and remove_url not in page
    assert client.get(remove_url).status_code == 404
    assert client.post(remove_url).status_code == 404
    client.logout()
    # Another organisation's manager cannot either.
    other = mfa_client(a_other_manager)
    assert other.post(remove_url).status_code == 404
    other.logout()
    assert ActivityVerifier.objects.get().removed_at is None

    staff = mfa_client(a_manager)
    page = staff.get(f"/staff/activity/organisations/{a_org.pk}/").content.decode()
    assert remove_url in page
    confirm = staff.get(remove_url)  # asks first
    assert confirm.status_code == 200 and "同僚 花子" in confirm.content.decode()
    assert ActivityVerifier.objects.get().removed_at is None
    assert staff.post(remove_url).status_code == 302
    staff.logout()

    row = ActivityVerifier.objects.get()  # history kept: the row stays, marked removed
    assert row.removed_at is not None and row.removed_by == a_manager and row.named_by == a_manager
    assert AuditEvent.objects.filter(action="activity.verifier_remove", actor=a_manager,
                                     data__user=a_colleague.pk).exists()

    login_as(client, with_mfa(a_colleague))
    assert client.post(f"/staff/activity/entries/{entry.pk}/verify/").status_code == 404
    assert client.post(f"/staff/activity/entries/{entry.pk}/decline/", {"reason": "x"}).status_code == 404
    assert client.get(f"/staff/activity/organisations/{a_org.pk}/queue/").status_code == 404
    assert client.post(f"/staff/activity/organisations/{a_org.pk}/verify-week/",
                       {"week_start": last_monday().isoformat()}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED and entry.history.count() == 1
    with pytest.raises(PermissionDenied):
        services.activity_entry_verify(actor=a_colleague, entry=entry)

    # Named again later: a new row, the old one still in the history.
    services.activity_verifier_name(actor=a_manager, organisation=a_org, user=a_colleague)
    assert ActivityVerifier.objects.filter(user=a_colleague).count() == 2


def test_a_named_supervisor_finds_the_way_from_my_activity(mfa_client, client, a_manager, a_colleague, a_org):
    login_as(client, a_colleague)
    assert "/staff/activity/" not in client.get("/me/activity/").content.decode()
    client.logout()
    staff = mfa_client(a_manager)
    staff.post(f"/staff/activity/organisations/{a_org.pk}/supervisors/", {"email": a_colleague.email})
    staff.logout()
    with_mfa(a_colleague)  # a named supervisor's reach is staff work: after two-step sign-in
    login_as(client, a_colleague)
    assert 'href="/staff/activity/"' in client.get("/me/activity/").content.decode()


def test_staff_home_links_to_activity_and_meetings_by_role(mfa_client, a_manager, a_coordinator):
    staff = mfa_client(a_manager)
    home = staff.get("/staff/").content.decode()
    assert 'href="/staff/activity/"' in home and 'href="/staff/meetings/"' not in home
    staff.logout()
    home = mfa_client(a_coordinator).get("/staff/").content.decode()
    assert 'href="/staff/activity/"' in home and 'href="/staff/meetings/"' in home


def test_activity_exports_keep_a_formula_as_text(client, mfa_client, make_entry, a_peer, a_manager, a_org):
    """An organisation named like a formula stays text in both files (one writer for every app:
    peers.spreadsheets)."""
    make_entry()
    a_org.name = "=HYPERLINK(\"http://example.test\")"
    a_org.save(update_fields=["name"])
    login_as(client, a_peer)
    mine = b"".join(client.get("/me/activity/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in mine and ",=HYPERLINK" not in mine
    client.logout()
    staff = mfa_client(a_manager)
    book = load_workbook(io.BytesIO(staff.get(f"/staff/activity/organisations/{a_org.pk}/export.xlsx").content))
    cells = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert "'=HYPERLINK(\"http://example.test\")" in cells


def test_week_form_names_each_day_by_its_date_and_keeps_the_chosen_week(client, a_peer, a_engagement, a_listening):
    from django.utils import translation

    login_as(client, a_peer)
    monday = last_monday() - datetime.timedelta(days=14)
    wednesday = monday + datetime.timedelta(days=2)
    with translation.override("ja"):
        from django.utils.formats import date_format

        expected = f"{wednesday.month}月{wednesday.day}日（水曜日）"
        assert date_format(wednesday, "n月j日（l）") == expected
    html = client.get(f"/me/activity/week/?week={wednesday.isoformat()}").content.decode()
    assert expected in html and "Day 3" not in html and "日目" not in html
    assert f'name="week_start" value="{monday.isoformat()}"' in html
    # Saving keeps that week (not last week), and a malformed ?week falls back to last week.
    data = {"engagement": a_engagement.pk, "week_start": monday.isoformat(), "mode": "in_person",
            "stage": "work", "minutes_2": 45, "activity_2": a_listening.pk}
    assert client.post(f"/me/activity/week/?week={monday.isoformat()}", data).status_code == 302
    assert list(ActivityEntry.objects.values_list("date", flat=True)) == [wednesday]
    fallback = client.get("/me/activity/week/?week=2026-13-45\x00").content.decode()
    assert f'name="week_start" value="{last_monday().isoformat()}"' in fallback
