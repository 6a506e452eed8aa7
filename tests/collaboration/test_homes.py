"""Each role has a home (issue 15): a professional's at /me/ (the supervision they give, the
entries that name them, the meetings they are invited to, the people they work with), a peer's,
both for someone who is both (peer first), and the staff home at /staff/ for managers,
coordinators and administrators, with counts linked to where the work is done and a fixed
number of queries. /staff/ answers a person without a staff role calmly, never with two-step
enrolment; a named supervisor's queue still asks for two-step sign-in."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from collaboration.activity import services
from collaboration.models import ActionItem, Meeting, MeetingInvitation, Sector
from peers.models import ErasureRequest, Role
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.conftest import login_as

pytestmark = pytest.mark.django_db

COUNT = re.compile(r'<strong data-count="(\w+)">(\d+)</strong>')
LINKED_COUNT = re.compile(r'href="([^"]+)">[^<]*<strong data-count="(\w+)">(\d+)</strong>')


def counts_on(page: str) -> dict[str, int]:
    return {key: int(n) for key, n in COUNT.findall(page)}


def linked_counts_on(page: str) -> dict[str, tuple[str, int]]:
    return {key: (href, int(n)) for href, key, n in LINKED_COUNT.findall(page)}


def _meeting(body, coordinator, *, days: int, title: str) -> Meeting:
    start = timezone.now() + datetime.timedelta(days=days)
    return Meeting.objects.create(body=body, title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                  place="都庁", created_by=coordinator)


@pytest.fixture
def pro_world(a_supervisor, a_peer, make_entry, body, coordinator):
    """a_supervisor (a professional named a supervisor of a_peer's organisation): one session
    the peer recorded (theirs to confirm), one they recorded (the peer's to confirm), one entry
    naming them, invited to two meetings ahead (one answered in no way) and one past."""
    today = timezone.localdate()
    services.supervision_record(actor=a_peer, supervisor=a_supervisor, peer=a_peer,
                                date=today - datetime.timedelta(days=3), minutes=60, notify=False)
    services.supervision_record(actor=a_supervisor, supervisor=a_supervisor, peer=a_peer,
                                date=today - datetime.timedelta(days=10), minutes=45, notify=False)
    entry = make_entry(colleagues=[a_supervisor])
    for days, title in ((7, "第4回 協議の場"), (30, "第5回 協議の場"), (-30, "第2回 協議の場")):
        MeetingInvitation.objects.create(meeting=_meeting(body, coordinator, days=days, title=title),
                                         user=a_supervisor, sector=Sector.MEDICAL, invited_by=coordinator)
    return entry


def test_professional_home_shows_supervision_confirmations_meetings_and_people(
    client, a_supervisor, a_peer, a_org, pro_world, make_user, body, coordinator,
):
    from collaboration.activity.models import ActivityVerifier

    # Another supervisor's session with the same peer, and a meeting someone else is invited to:
    # neither is this professional's, so neither is counted.
    other = make_user(display_name="別の 指導者", roles=[(Role.PROFESSIONAL, {})])
    ActivityVerifier.objects.create(organisation=a_org, user=other)
    services.supervision_record(actor=a_peer, supervisor=other, peer=a_peer,
                                date=timezone.localdate() - datetime.timedelta(days=5), minutes=30, notify=False)
    MeetingInvitation.objects.create(meeting=_meeting(body, coordinator, days=9, title="他の人の会議"),
                                     user=other, sector=Sector.MEDICAL, invited_by=coordinator)
    client.force_login(a_supervisor)  # the password alone: their home needs no two-step sign-in
    page = client.get("/en/me/").content.decode()
    assert 'data-home="professional"' in page
    assert "他の人の会議" not in page and "別の 指導者" not in page
    assert 'data-home="peer"' not in page  # no renewal card, no peer's training link
    assert counts_on(page) == {
        "supervision_given": 2, "supervision_waiting_for_you": 1, "supervision_waiting_for_peer": 1,
        "meetings_upcoming": 2, "meetings_unanswered": 2,
    }
    assert 'href="/en/me/supervision/"' in page
    assert f'href="/en/me/activity/{pro_world.pk}/"' in page  # the entry that names them
    assert 'href="/en/meetings/"' in page and "第4回 協議の場" in page and "第2回 協議の場" not in page
    assert f'href="/en/staff/activity/organisations/{a_org.pk}/queue/"' in page
    people = page[page.index('id="people-heading"'):]
    assert a_peer.display_name in people


def test_a_named_supervisor_still_needs_two_step_sign_in_for_the_queue_but_not_for_staff_index(
    client, a_supervisor, a_org, pro_world,
):
    client.force_login(a_supervisor)  # has an authenticator, did not pass the second step
    queue = client.get(f"/staff/activity/organisations/{a_org.pk}/queue/")
    assert queue.status_code == 302 and "two-step" in queue["Location"]
    index = client.get("/en/staff/")
    assert index.status_code == 403
    page = index.content.decode()
    assert "This area is for staff" in page and 'href="/en/me/"' in page
    assert "totp" not in page


def test_staff_index_is_calm_for_a_peer_even_after_two_step_sign_in(client, a_peer):
    from tests.conftest import login_two_step

    login_two_step(client, a_peer)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert 'href="/me/"' in response.content.decode()


def test_peer_home_keeps_the_peers_parts(client, a_peer, a_engagement):
    login_as(client, a_peer)
    page = client.get("/en/me/").content.decode()
    assert 'data-home="peer"' in page and 'data-home="professional"' not in page
    assert 'href="/en/me/training/"' in page
    assert "Supervision you give" not in page


def test_someone_who_is_both_sees_both_homes_peer_first(client, make_user):
    both = make_user(roles=[(Role.PEER, {}), (Role.PROFESSIONAL, {})])
    login_as(client, both)
    page = client.get("/en/me/").content.decode()
    assert 0 < page.index('data-home="peer"') < page.index('data-home="professional"')
    assert "As a peer supporter" in page and "As a professional" in page


def test_professional_home_queries_do_not_grow_with_records(
    client, a_supervisor, a_peer, make_entry, body, coordinator, pro_world, django_assert_num_queries,
):
    client.force_login(a_supervisor)
    client.get("/me/")
    # session, user, roles, MFA status; the professional's card: supervision counts, entries
    # naming them, people they work with, organisations they supervise for, meeting counts and
    # the next meetings
    with django_assert_num_queries(10) as before:
        assert client.get("/me/").status_code == 200
    for n in range(6):
        make_entry(colleagues=[a_supervisor], date=last_monday() - datetime.timedelta(days=7 * (n + 1)))
        services.supervision_record(actor=a_peer, supervisor=a_supervisor, peer=a_peer,
                                    date=timezone.localdate() - datetime.timedelta(days=20 + n), minutes=30,
                                    notify=False)
        MeetingInvitation.objects.create(meeting=_meeting(body, coordinator, days=40 + n, title=f"会議 {n}"),
                                         user=a_supervisor, sector=Sector.MEDICAL, invited_by=coordinator)
    with django_assert_num_queries(len(before.captured_queries)):
        page = client.get("/me/").content.decode()
    assert counts_on(page)["supervision_waiting_for_you"] == 7


def test_manager_staff_home_counts_entries_terms_and_links_staffing(
    mfa_client, a_manager, a_org, a_other_org, a_stranger, a_engagement, make_entry,
):
    from peers.models import Engagement

    make_entry()
    make_entry(date=last_monday() - datetime.timedelta(days=7))
    # Another organisation's engagement and entry: not this manager's, so neither counted nor named.
    elsewhere = Engagement.objects.create(person=a_stranger, organisation=a_other_org,
                                          kind=Engagement.Kind.VOLUNTEER, start_date=datetime.date(2024, 4, 1))
    make_entry(author=a_stranger, engagement=elsewhere)
    page = mfa_client(a_manager).get("/en/staff/").content.decode()
    # Every count on the page, as a list: a second organisation's row would show here.
    assert sorted(key for _href, key, _n in LINKED_COUNT.findall(page)) == ["engagements_to_confirm", "entries_waiting"]
    assert a_other_org.name not in page
    assert linked_counts_on(page) == {
        "engagements_to_confirm": ("/en/staff/engagements/pending/", 1),
        "entries_waiting": (f"/en/staff/activity/organisations/{a_org.pk}/queue/", 2),
    }
    assert f'href="/en/staff/staffing/{a_org.pk}/"' in page
    assert "Consultation meetings you run" not in page.split("<main", 1)[-1].split("activity-heading")[0]


def test_coordinator_staff_home_counts_meetings_and_action_items(mfa_client, coordinator, body):
    ahead = _meeting(body, coordinator, days=5, title="次回")
    past = _meeting(body, coordinator, days=-5, title="前回")
    today = timezone.localdate()
    ActionItem.objects.create(meeting=past, description="資料を送る", due_on=today - datetime.timedelta(days=1))
    ActionItem.objects.create(meeting=past, description="会場を探す", due_on=today + datetime.timedelta(days=9))
    ActionItem.objects.create(meeting=ahead, description="済んだこと", status=ActionItem.Status.DONE)
    page = mfa_client(coordinator).get("/en/staff/").content.decode()
    meetings = "/en/staff/meetings/"
    assert linked_counts_on(page) == {
        "meetings_upcoming": (meetings, 1), "meetings_to_close": (meetings, 1),
        "action_items_open": (meetings, 2), "action_items_overdue": (meetings, 1),
    }
    assert 'href="/en/staff/activity/region/"' in page


def test_coordinator_staff_home_queries_do_not_grow_with_meetings(
    mfa_client, coordinator, body, django_assert_num_queries,
):
    staff = mfa_client(coordinator)
    staff.get("/staff/")
    # session, user, roles, two-step confirmed, managed and trainer organisations (none:
    # no query), prefectures, regions; the coordinator's card: meeting counts, action items
    with django_assert_num_queries(8) as before:
        assert staff.get("/staff/").status_code == 200
    for n in range(5):
        meeting = _meeting(body, coordinator, days=n + 1, title=f"会議 {n}")
        ActionItem.objects.create(meeting=meeting, description=f"宿題 {n}")
    with django_assert_num_queries(len(before.captured_queries)):
        page = staff.get("/staff/").content.decode()
    assert counts_on(page)["action_items_open"] == 5


def test_administrator_staff_home_counts_erasure_requests(mfa_client, admin_user, a_peer, a_stranger):
    ErasureRequest.objects.create(person=a_peer)
    ErasureRequest.objects.create(person=a_stranger, status=ErasureRequest.Status.COMPLETED)
    page = mfa_client(admin_user).get("/en/staff/").content.decode()
    assert linked_counts_on(page)["erasure_requests_open"] == ("/en/staff/erasure/", 1)


def test_engagements_confirmed_are_not_counted(mfa_client, a_manager, a_org, a_engagement):
    from peers.services.workforce import engagement_confirm
    from tests.conftest import as_verified

    engagement_confirm(actor=as_verified(a_manager), engagement=a_engagement)
    page = mfa_client(a_manager).get("/en/staff/").content.decode()
    assert counts_on(page)["engagements_to_confirm"] == 0


def test_a_named_supervisor_without_two_step_is_sent_to_set_it_up_from_their_home(
    client, make_user, a_org, a_engagement,
):
    from collaboration.activity.models import ActivityVerifier

    named = make_user(display_name="未設定 次郎", roles=[(Role.PROFESSIONAL, {})])  # no authenticator
    ActivityVerifier.objects.create(organisation=a_org, user=named)
    login_as(client, named)
    page = client.get("/en/me/").content.decode()
    card = page[page.index('id="supervision-given-heading"'):page.index('id="confirmations-heading"')]
    assert f'href="/en/staff/activity/organisations/{a_org.pk}/queue/"' in card
    assert 'data-two-step="off"' in card and 'href="/en/accounts/2fa/"' in card
    ja = client.get("/me/").content.decode()
    assert "まだ2段階認証をオンにしていません" in ja


def test_a_named_supervisor_with_two_step_is_not_asked_to_set_it_up(client, a_supervisor, pro_world):
    client.force_login(a_supervisor)  # has an authenticator
    page = client.get("/en/me/").content.decode()
    assert 'href="/en/staff/activity/organisations/' in page
    assert 'data-two-step="off"' not in page


def _menu(page: str) -> str:
    return page[page.index('<nav class="subnav"'):].split("</nav>", 1)[0]


def test_a_professionals_menu_is_their_own_on_every_page_of_their_own(client, a_supervisor):
    """A professional's menu names the supervision they give, meetings and the people they work
    with, not the peer's engagements and activity; on the supervision page its entry is current."""
    login_as(client, a_supervisor)
    for address in ("/en/me/", "/en/me/profile/", "/en/me/consent/"):
        menu = _menu(client.get(address).content.decode())
        assert 'href="/en/me/supervision/"' in menu and "Supervision you give" in menu, address
        assert 'href="/en/me/#people-heading"' in menu and "People you work with" in menu, address
        assert 'href="/en/meetings/"' in menu, address
        assert "My engagements" not in menu and "My activity" not in menu, address
    menu = _menu(client.get("/en/me/supervision/").content.decode())
    assert 'href="/en/me/supervision/" aria-current="page"' in menu


def test_a_peers_menu_keeps_engagements_and_activity_and_someone_both_gets_both(client, a_peer, make_user):
    login_as(client, a_peer)
    menu = _menu(client.get("/en/me/profile/").content.decode())
    assert "My engagements" in menu and "My activity" in menu
    assert "Supervision you give" not in menu and "People you work with" not in menu
    both = make_user(roles=[(Role.PEER, {}), (Role.PROFESSIONAL, {})])
    login_as(client, both)
    menu = _menu(client.get("/en/me/profile/").content.decode())
    assert all(word in menu for word in ("My engagements", "My activity", "Supervision you give", "People you work with"))
