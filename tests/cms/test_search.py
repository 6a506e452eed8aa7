"""The site's one search (cms.search): Japanese found by its morphemes and readings, English by
words and stems, over exactly what each person's pages show them, on the page and in the API."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms import search
from cms.models import ContentPage, HomePage, SearchEntry
from collaboration.activity.models import ActivityEntry
from collaboration.models import (
    AgendaItem,
    Material,
    Meeting,
    MeetingInvitation,
    Minutes,
)
from collaboration.selectors import meeting_access_for
from collaboration.services import message_delete, message_hide, message_post
from peers.models import Engagement, Organisation, Prefecture, User
from tests.conftest import as_verified, login_two_step, signed_in
from tests.problem_support import problem
from training.models import Course, TrainingBody

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def _links(html: str) -> list[str]:
    return re.findall(r'<h3><a href="([^"]+)"', html)


def _found(client, q: str, prefix: str = "") -> str:
    return _main(client.get(f"{prefix}/search/", {"q": q}))


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# --- Words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("退院後", {"discharge"}),              # 後 is a suffix: 退院 is what is asked for
    ("医療と福祉", {"both"}),                # both words, the particle と left out
    ("医療", {"medical", "both"}),
    ("たいいん", {"discharge"}),             # the reading in hiragana finds the kanji spelling
    ("タイイン", {"discharge"}),             # and in katakana
    ("とうじしゃ", {"tojisha"}),             # a word with its suffix, by its whole reading
    ("当事者", {"tojisha"}),
    ("ぴあ", {"peer-ja"}),
    ("support", {"english"}),               # English by stems: supporters, supporting
    ("ＳＵＰＰＯＲＴＥＲＳ", {"english"}),     # full-width and upper case
    ("peer supporting", {"english"}),
    ("福祉 退院", set()),                    # every word is required
])
def test_words_find_their_forms(db, query, expected):
    texts = {
        "discharge": "退院後の地域生活を支える", "medical": "医療の連携", "both": "医療と福祉の連携",
        "tojisha": "当事者研究の会", "peer-ja": "ピアサポーターの参画",
        "english": "Peer supporters are supporting people",
    }
    ids = {}
    for n, (name, text) in enumerate(texts.items(), start=1):
        search._save(SearchEntry.Kind.ORGANISATION, n, title="", text=text)
        ids[n] = name
    found = search.matching(SearchEntry.objects.all(), search.parse_query(query))
    assert {ids[e.object_id] for e in found} == expected


def test_a_query_of_punctuation_or_particles_alone_asks_for_nothing():
    assert search.parse_query("、。！") is None
    assert search.parse_query("   ") is None


def test_the_excerpt_marks_each_matching_word_and_escapes_the_rest():
    html = search.highlighted("<b>医療</b>と福祉の連携。退院後の生活。", search.parse_query("医療と福祉"))
    assert html == "&lt;b&gt;<mark>医療</mark>&lt;/b&gt;と<mark>福祉</mark>の連携。退院後の生活。"


# --- The page, for everyone -------------------------------------------------------------------


def test_published_minutes_are_found_by_anyone_with_the_words_marked(client, demo):
    minutes = Minutes.objects.get(status=Minutes.Status.PUBLISHED)
    html = _found(client, "退院後")
    assert _links(html) == [f"/meetings/{minutes.meeting_id}/minutes/"]
    assert "<mark>退院後</mark>の地域生活支援" in html
    assert "公開された議事録" in html and minutes.meeting.title in html  # what, and where
    both = _found(client, "医療と福祉")
    assert "<mark>医療</mark>と<mark>福祉</mark>の連携" in both
    assert _links(_found(client, "たいいん")) == [f"/meetings/{minutes.meeting_id}/minutes/"]
    # Back to a draft (an internal change unpublishes them): gone from the search at once.
    minutes.status = Minutes.Status.DRAFT
    minutes.save()
    assert "/minutes/" not in _found(client, "退院後")


def test_website_pages_are_found_in_the_language_being_read_only_while_live_and_public(client, demo):
    english = _links(_found(client, "peer support", "/en"))
    assert "/en/about-peer-support/" in english and "/about-peer-support/" not in english
    assert "/about-peer-support/" in _links(_found(client, "ピアサポーター"))
    home = HomePage.objects.get(locale__language_code="en")
    draft = ContentPage(title="Zebra crossing draft", slug="zebra", live=False)
    home.add_child(instance=draft)
    draft.save_revision()
    assert _links(_found(client, "zebra", "/en")) == []
    draft.save_revision().publish()
    assert _links(_found(client, "zebras", "/en")) == ["/en/zebra/"]
    PageViewRestriction.objects.create(page=draft, restriction_type=PageViewRestriction.LOGIN)
    assert _links(_found(client, "zebra", "/en")) == []  # private pages are not listed
    PageViewRestriction.objects.filter(page=draft).delete()
    assert _links(_found(client, "zebra", "/en")) == ["/en/zebra/"]
    draft.refresh_from_db()
    draft.unpublish()
    assert not SearchEntry.objects.filter(kind="page", object_id=draft.pk).exists()
    assert _links(_found(client, "zebra", "/en")) == []


def test_bad_input_gets_a_calm_message_never_an_error(client, demo):
    for q, words in (("退院\x00", "検索できない文字"), ("あ" * 201, "200文字"), ("、。", "探す言葉")):
        html = _found(client, q)
        assert words in html and 'aria-invalid="true"' in html, q
        assert "results-heading" not in html
    html = _found(client, "")
    assert 'role="search"' in html and "results-heading" not in html
    assert "探す言葉" not in html
    # A damaged paging link gives the first page with a notice.
    assert "最初のページ" in _main(client.get("/search/", {"q": "退院", "after": "nonsense"}))


# --- Meetings: only what the meeting page shows the person ----------------------------------------


@pytest.fixture
def meetings(demo):
    """The peer's meeting (one they are invited to) and a meeting of the same body they are not
    invited to, each with an agenda item, a material and room messages that say 図書館."""
    peer = User.objects.get(email="peer@example.org")
    coordinator = as_verified(User.objects.get(email="coordinator@example.org"))
    theirs = MeetingInvitation.objects.filter(user=peer).select_related("meeting").first().meeting
    now = timezone.now()
    other = Meeting.objects.create(body=theirs.body, title="非公開の会議", starts_at=now, place="会議室",
                                   ends_at=now + datetime.timedelta(hours=2))
    for meeting, tag in ((theirs, "招待"), (other, "他所")):
        AgendaItem.objects.create(meeting=meeting, order=90, title=f"図書館支援の議題{tag}")
        Material.objects.create(meeting=meeting, title=f"図書館資料{tag}", file="meetings/x.pdf")
        access = meeting_access_for(coordinator, meeting.pk)
        message_post(access=access, author=coordinator, body=f"図書館の準備について{tag}")
        hidden, _ = message_post(access=access, author=coordinator, body=f"図書館の隠された話{tag}")
        message_hide(access=access, user=coordinator, seq=hidden.seq, reason="個人情報")
        deleted, _ = message_post(access=access, author=coordinator, body=f"図書館の消された話{tag}")
        message_delete(access=access, user=coordinator, seq=deleted.seq)
    return peer, theirs, other


def test_meeting_records_are_found_only_by_those_the_meeting_admits(meetings):
    peer, theirs, other = meetings
    html = _text(_found(signed_in(peer), "図書館"))
    assert "図書館支援の議題招待" in html and "図書館資料招待" in html and "の準備について招待" in html
    assert theirs.title in html
    assert f'/meetings/{theirs.pk}/room/#m' in _found(signed_in(peer), "図書館")
    assert "他所" not in html, "someone else's meeting"
    assert "隠された" not in html and "消された" not in html
    # Someone with no invitation finds none of it; the body's coordinator finds both meetings.
    stranger = User.objects.create_user(email="stranger@example.test", password=None, display_name="無関係")
    assert "招待" not in _found(signed_in(stranger), "図書館")
    coordinator = _text(_found(signed_in(User.objects.get(email="coordinator@example.org")), "図書館"))
    assert "の準備について他所" in coordinator and "隠された" not in coordinator
    # A published material is public: found by anyone, linked to its public address.
    material = Material.objects.get(title="図書館資料他所")
    material.is_published = True
    material.save()
    anonymous = _found(Client(), "図書館資料")
    assert _links(anonymous) == [f"/materials/{material.pk}/"]
    assert other.title not in anonymous  # the meeting itself is not shown to them
    assert other.title in _found(signed_in(User.objects.get(email="coordinator@example.org")), "図書館資料")
    # Access is decided when searching: an invitation withdrawn closes the meeting's records at once.
    MeetingInvitation.objects.filter(user=peer, meeting=theirs).delete()
    assert "招待" not in _text(_found(signed_in(peer), "図書館"))


def test_agenda_items_carried_over_from_action_items_are_found_at_once(meetings):
    from collaboration.services import carry_over_open_action_items

    _, theirs, _ = meetings
    later = Meeting.objects.create(body=theirs.body, title="次の次の会議", place="会議室",
                                   starts_at=timezone.now() + datetime.timedelta(days=60),
                                   ends_at=timezone.now() + datetime.timedelta(days=60, hours=2))
    carried = carry_over_open_action_items(later)
    assert carried
    coordinator = signed_in(User.objects.get(email="coordinator@example.org"))
    html = _found(coordinator, carried[0].title)
    assert f"/meetings/{later.pk}/#agenda-heading" in _links(html)


def test_a_message_under_a_content_note_is_found_without_its_text(meetings):
    peer, theirs, _ = meetings
    coordinator = as_verified(User.objects.get(email="coordinator@example.org"))
    message_post(access=meeting_access_for(coordinator, theirs.pk), author=coordinator,
                 body="つらい入院の記憶", content_note=True)
    html = _found(signed_in(peer), "入院")
    assert "会議室を開いて" in html and "つらい" not in html


def test_an_erased_persons_messages_and_activity_leave_the_index(meetings):
    """Erasure rewrites messages and activity entries in bulk (no signals): the search must not
    keep finding the person's words for the other invitees."""
    from peers.services.privacy import erasure_carry_out, erasure_request

    peer, theirs, _ = meetings
    message_post(access=meeting_access_for(peer, theirs.pk), author=peer, body="私の鳩時計の思い出")
    entry = ActivityEntry.objects.filter(author=peer).first()
    entry.reflection = "鳩時計の話を聞いた"
    entry.save()
    coordinator = User.objects.get(email="coordinator@example.org")
    assert "鳩時計の思い出" in _text(_found(signed_in(coordinator), "鳩時計"))
    admin = as_verified(User.objects.get(email="admin@example.org"))
    erasure_carry_out(actor=admin, request=erasure_request(person=peer))
    assert "思い出" not in _text(_found(signed_in(coordinator), "鳩時計"))
    assert not SearchEntry.objects.filter(text__contains="鳩時計").exists()
    assert not SearchEntry.objects.filter(kind="person", object_id=peer.pk).exists()


# --- Activity and staff records ---------------------------------------------------------------------


def test_activity_entries_are_found_by_their_author_only(demo):
    peer = User.objects.get(email="peer@example.org")
    entry = ActivityEntry.objects.filter(author=peer).first()
    entry.reflection = "退院前の不安を一緒に言葉にした"
    entry.save()
    html = _found(signed_in(peer), "不安")
    assert f"/me/activity/{entry.pk}/" in html and "<mark>不安</mark>" in html
    manager = User.objects.get(email="manager@example.org")
    assert f"/me/activity/{entry.pk}/" not in _found(signed_in(manager), "不安")


def test_staff_find_people_organisations_and_courses_their_pages_show_them(demo):
    manager = User.objects.get(email="manager@example.org")
    managed = Engagement.objects.filter(organisation__in=Organisation.objects.filter(
        role_assignments__user=manager)).select_related("person").exclude(person=manager).first().person
    managed.name_kana = "ウグイスダニ タロウ"
    managed.display_name = "鶯谷 太郎"
    managed.save()
    outsider = User.objects.create_user(email="outsider@example.test", password=None, display_name="鶯谷 花子",
                                        name_kana="ウグイスダニ ハナコ")
    for q in ("鶯谷", "うぐいすだに", "ウグイスダニ", "鶯谷 太郎"):
        html = _found(signed_in(manager), q)
        assert f"/staff/people/{managed.pk}/" in html, q
        assert f"/staff/people/{outsider.pk}/" not in html, q
    # Without the second step, a manager's search holds no staff records; a peer's never does.
    assert "/staff/people/" not in _found(signed_in(manager, two_step=False), "鶯谷")
    peer = User.objects.get(email="peer@example.org")
    organisation = Organisation.objects.exclude(name="").first()
    assert f"/organisations/{organisation.pk}/" in _found(signed_in(manager), organisation.name)
    assert f"/organisations/{organisation.pk}/" not in _found(signed_in(peer), organisation.name)
    # Courses: the trainer's own body's, not another body's.
    trainer = User.objects.get(email="trainer@example.org")
    own = Course.objects.filter(body__in=TrainingBody.objects.filter(
        organisation__role_assignments__user=trainer)).first()
    other_body = TrainingBody.objects.create(organisation=Organisation.objects.create(
        name="他の研修機構", prefecture=Prefecture.objects.get(code="27")), number_prefix="OTH")
    Course.objects.create(body=other_body, kind=own.kind, title=f"{own.title} 他機構")
    html = _found(signed_in(trainer), own.title)
    assert f"/staff/training/{own.body_id}/courses/{own.pk}/" in html and "他機構" not in html
    assert "/courses/" not in _found(signed_in(peer), own.title)


# --- Paging, query counts, the API, rebuilding -------------------------------------------------------


def _messages(meeting, n: int, word: str = "灯台") -> None:
    coordinator = as_verified(User.objects.get(email="coordinator@example.org"))
    access = meeting_access_for(coordinator, meeting.pk)
    for i in range(n):
        message_post(access=access, author=coordinator, body=f"{word}の話 {i}")


def test_results_come_ten_to_a_page_in_fixed_queries(meetings, django_assert_num_queries):
    peer, theirs, _ = meetings
    client = signed_in(peer)
    _messages(theirs, 2)
    client.get("/search/", {"q": "灯台"})  # warm what lives for the process
    with django_assert_num_queries(9):
        two = _found(client, "灯台")
    assert len(_links(two)) == 2
    _messages(theirs, 10)
    with django_assert_num_queries(9):
        first = _found(client, "灯台")
    assert len(_links(first)) == 10 and first.count("<mark>灯台</mark>") == 10
    after = re.search(r'href="\?q=%E7%81%AF%E5%8F%B0&amp;after=([^"]+)"', first).group(1)
    second = _main(client.get("/search/", {"q": "灯台", "after": after}))
    assert len(_links(second)) == 2
    assert set(_links(first)).isdisjoint(_links(second))


def test_the_api_searches_with_the_same_access(meetings):
    peer, theirs, other = meetings
    client = Client()
    client.force_login(peer)
    body = client.get("/api/v1/search/", {"q": "図書館"}).json()
    assert set(body) == {"results", "next"}
    texts = " ".join(r["title"] + r["excerpt_html"] for r in body["results"])
    assert "招待" in texts and "他所" not in texts and "隠された" not in texts
    message = next(r for r in body["results"] if r["kind"] == "message")
    assert message["url"].startswith(f"/meetings/{theirs.pk}/room/#m") and message["where"] == theirs.title
    assert "<mark>図書館</mark>" in message["excerpt_html"]
    for params, code in (({}, "required"), ({"q": "退院\x00"}, "control_characters"),
                         ({"q": "あ" * 201}, "max_length"), ({"q": "退院", "language": "fr"}, "invalid_choice")):
        assert problem(client.get("/api/v1/search/", params), 400)["errors"][0]["code"] == code, params
    assert client.get("/api/v1/search/", {"q": "、。"}).json() == {"results": [], "next": None}
    assert Client().get("/api/v1/search/", {"q": "図書館"}).status_code in (401, 403)
    # Staff without the second step: the API's one answer.
    manager = Client()
    manager.force_login(User.objects.get(email="manager@example.org"))
    assert problem(manager.get("/api/v1/search/", {"q": "図書館"}), 403)["errors"][0]["code"] == "two_step_required"
    login_two_step(manager, User.objects.get(email="manager@example.org"))
    assert manager.get("/api/v1/search/", {"q": "図書館"}).status_code == 200
    # With the peer's token: the same answer as their session, nothing of the other meeting.
    from tests.api_token_support import bearer_for

    token = Client(HTTP_AUTHORIZATION=f"Bearer {bearer_for(peer, scope='read_only')}")
    by_token = token.get("/api/v1/search/", {"q": "図書館"}).json()
    assert sorted(r["url"] for r in by_token["results"]) == sorted(r["url"] for r in body["results"])
    assert "他所" not in " ".join(r["title"] + r["excerpt_html"] for r in by_token["results"])


def test_rebuild_search_index_builds_what_the_signals_keep_and_what_bulk_writes_missed(meetings):
    """Everything saved is already indexed as the rebuild would index it; rows written in bulk
    (imports) wait for the rebuild."""
    def snapshot():
        return set(SearchEntry.objects.values_list("kind", "object_id", "language", "title", "tokens", "parent_id"))

    kept = snapshot()
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", stdout=io.StringIO())
    rebuilt = snapshot()
    assert kept <= rebuilt
    assert {k for k, *_ in rebuilt} >= {"page", "minutes", "agenda", "material", "message", "activity", "person",
                                        "organisation", "course"}
    assert not SearchEntry.objects.filter(text__contains="隠された").exists()
    assert not SearchEntry.objects.filter(text__contains="消された").exists()
