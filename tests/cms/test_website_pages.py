"""Certificate verification, the directory and published minutes as pages editors place in the
tree; the search over pages; social cards; the friendly error pages."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from wagtail.test.utils import WagtailPageTestCase

from cms.models import (
    ContentPage,
    DirectoryPage,
    HomePage,
    MinutesIndexPage,
    VerificationPage,
)
from collaboration.models import Minutes
from peers.models import Profile, User
from tests.conftest import login_as
from training.models import Certification

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


# --- Certificate verification ---------------------------------------------------------------


def test_verification_page_shows_the_editors_text_and_the_form(client, demo):
    html = _main(client.get("/en/certificate-check/"))
    assert "Enter the number printed on a certificate" in html
    assert 'name="number"' in html and 'action="/en/certificate-check/"' in html
    assert "only if they chose to show it." in html


def test_verification_page_shows_the_result_of_the_same_lookup_as_verify(client, demo):
    certification = Certification.objects.select_related("credential_type").first()
    response = client.get("/en/certificate-check/", {"number": certification.number.lower()})
    assert response.status_code == 200
    html = _main(response)
    # Since issue 12 the heading is the state in words; the number is the first fact.
    assert 'id="result-heading"' in html and f" translate=\"no\">{certification.number}</dd>" in html
    assert certification.credential_type.name in html
    assert response["X-Robots-Tag"] == "noindex" and response["Cache-Control"] == "no-store"
    # The old address printed on certificates still answers, with the same result partial.
    old = _main(client.get(f"/en/verify/{certification.number}/"))
    assert f" translate=\"no\">{certification.number}</dd>" in old


def test_verification_page_reads_full_width_numbers_and_completion_numbers(client, demo):
    from training.models import Completion

    for record in (Certification.objects.filter(status="lapsed").first(), Completion.objects.first()):
        typed = "".join("－" if ch == "-" else chr(ord(ch) + 0xFEE0) for ch in record.number)
        response = client.get("/certificate-check/", {"number": typed})
        assert response.status_code == 200
        html = _main(response)
        assert f" translate=\"no\">{record.number}</dd>" in html
        assert ("失効" if isinstance(record, Certification) else "修了") in html


def test_verification_page_unknown_number_is_not_found(client, demo):
    response = client.get("/en/certificate-check/", {"number": "PSS-2020-9999-AAA"})
    assert response.status_code == 404
    assert "No certificate has the number" in _main(response)


def test_verification_page_counts_toward_the_same_rate_limit(client, demo, settings):
    settings.KAKEHASHI_VERIFY_LIMIT = 2
    number = Certification.objects.first().number
    assert client.get(f"/en/verify/{number}/").status_code == 200
    assert client.get("/en/certificate-check/", {"number": number}).status_code == 200
    refused = client.get("/en/certificate-check/", {"number": number})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert number not in _main(refused)


def test_verification_page_empty_number_asks_for_one(client, demo):
    response = client.get("/en/certificate-check/", {"number": "   x" * 20})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode() or "alert" in _main(response)


# --- Directory ------------------------------------------------------------------------------


def test_directory_page_asks_visitors_to_sign_in_and_shows_no_one(client, demo):
    html = _main(client.get("/en/specialists/"))
    assert "Certified peer supporters and professionals who chose to be listed." in html
    assert "/en/accounts/login/?next=/en/specialists/" in html
    assert "ピア 陽子" not in html


def test_directory_page_shows_members_only_the_fields_each_chose(client, demo):
    peer = User.objects.get(email="peer@example.org")
    listed = Profile.objects.filter(directory_opt_in=True).exclude(user=peer).select_related("user").first()
    Profile.objects.filter(pk=listed.pk).update(public_prefecture=False, languages="秘密の言語", public_languages=False)
    login_as(client, peer)
    response = client.get("/en/specialists/")
    html = _main(response)
    assert listed.user.display_name in html
    card = html.split(listed.user.display_name, 1)[1].split("</li>", 1)[0]
    assert "秘密の言語" not in card and "Prefecture" not in card
    assert 'role="search"' in html
    # Search by prefecture matches only people who show it.
    Profile.objects.filter(pk=listed.pk).update(public_prefecture=True)
    found = client.get("/en/specialists/", {"prefecture": listed.prefecture_id})
    assert listed.user.display_name in _main(found)
    hidden = client.get("/en/specialists/", {"prefecture": "47" if listed.prefecture_id != "47" else "01"})
    assert listed.user.display_name not in _main(hidden)


# --- Published minutes ----------------------------------------------------------------------


def test_minutes_index_lists_published_minutes_only_and_links_to_each(client, demo):
    published = Minutes.objects.filter(status=Minutes.Status.PUBLISHED).select_related("meeting").first()
    assert published is not None
    draft_meeting = Minutes.objects.exclude(status=Minutes.Status.PUBLISHED).select_related("meeting").first()
    html = _main(client.get("/en/minutes/"))
    assert "Minutes of the regional consultation meetings" in html
    assert f'href="/en/meetings/{published.meeting_id}/minutes/"' in html
    assert published.meeting.title in html
    if draft_meeting is not None:
        assert f"/meetings/{draft_meeting.meeting_id}/minutes/" not in html
    Minutes.objects.filter(pk=published.pk).update(status=Minutes.Status.APPROVED)
    from django.core.cache import cache

    cache.clear()
    assert f"/meetings/{published.meeting_id}/minutes/" not in _main(client.get("/en/minutes/"))
    assert client.get(f"/en/meetings/{published.meeting_id}/minutes/").status_code == 404


class TestWhereTheNewPagesBelong(WagtailPageTestCase):
    def test_parents(self):
        for model in (VerificationPage, DirectoryPage, MinutesIndexPage):
            self.assertAllowedParentPageTypes(model, {HomePage, ContentPage})
            self.assertAllowedSubpageTypes(model, set())


# --- Search ---------------------------------------------------------------------------------


# Finding pages (and minutes, meetings, messages) is tests/cms/test_search.py's.


def test_every_page_has_a_search_box(client, demo):
    for path in ("/", "/en/news/", "/en/accounts/login/"):
        html = client.get(path).content.decode()
        assert 'role="search"' in html and 'name="q"' in html, path


# --- Titles, descriptions, social cards; error pages ----------------------------------------


def test_pages_carry_title_description_and_social_card(client, demo):
    html = client.get("/en/about-peer-support/").content.decode()
    head = html.split("</head>", 1)[0]
    assert "<title>What is peer support? | Kakehashi</title>" in head
    assert '<meta name="description" content="Peer supporters use their own experience' in head
    assert '<meta property="og:title" content="What is peer support?">' in head
    assert '<meta property="og:description" content="Peer supporters use their own experience' in head
    assert '<meta property="og:image" content="http://testserver/static/img/social-card.png">' in head
    assert '<meta name="twitter:card" content="summary_large_image">' in head
    assert '<meta property="og:locale" content="en_GB">' in head
    assert '<link rel="canonical" href="http://localhost/en/about-peer-support/">' in head or 'rel="canonical"' in head
    japanese = client.get("/about-peer-support/").content.decode().split("</head>", 1)[0]
    assert '<meta property="og:title" content="ピアサポートとは">' in japanese
    assert '<meta property="og:locale" content="ja_JP">' in japanese


def test_social_card_uses_the_image_the_editor_chose(client, demo):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Card", file=get_test_image_file(size=(1600, 900)))
    page = ContentPage.objects.get(slug="faq", locale__language_code="en")
    page.social_image = image
    page.save_revision().publish()
    head = client.get("/en/faq/").content.decode().split("</head>", 1)[0]
    assert 'og:image" content="http://testserver/media/images/' in head
    assert '<meta property="og:image:width" content="1200">' in head


def test_not_found_page_in_each_language(client, demo):
    japanese = client.get("/no-such-page/")
    assert japanese.status_code == 404
    assert "ページが見つかりません" in japanese.content.decode()
    english = client.get("/en/no-such-page/")
    assert english.status_code == 404
    body = english.content.decode()
    assert '<html lang="en" ' in body and "We could not find that page" in body
    assert 'href="/en/"' in body


def test_server_error_page_speaks_both_languages_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/en/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "一時的な問題が起きました" in body and "Something went wrong on our side" in body
    assert 'href="/en/"' in body and '<section lang="en">' in body
