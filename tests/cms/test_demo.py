"""The demo website: every page in Japanese and English, published, loaded once however often run."""

import pytest
from django.core.management import call_command
from wagtail.models import Page

from cms.models import (
    AccessibilityStatementPage,
    ContentPage,
    CourseListingPage,
    DirectoryPage,
    MinutesIndexPage,
    NewsArticlePage,
    NewsIndexPage,
    PrivacyPolicyPage,
    VerificationPage,
)

pytestmark = pytest.mark.django_db


def test_demo_has_every_page_in_both_languages_and_loads_once(demo):
    for model, expected in [
        (ContentPage, 3), (NewsIndexPage, 1), (NewsArticlePage, 2), (CourseListingPage, 1),
        (AccessibilityStatementPage, 1), (PrivacyPolicyPage, 1),
        (VerificationPage, 1), (DirectoryPage, 1), (MinutesIndexPage, 1),
    ]:
        for language in ("ja", "en"):
            pages = model.objects.live().filter(locale__language_code=language)
            assert pages.count() == expected, (model.__name__, language)
    before = Page.objects.count()
    call_command("load_demo", "--quiet-summary")
    assert Page.objects.count() == before


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/about-peer-support/", "ピアサポーターの仕事"),
        ("/en/about-peer-support/", "What peer supporters do"),
        ("/news/site-opened/", "架け橋を公開しました"),
        ("/en/news/site-opened/", "Kakehashi is open"),
        ("/courses/", "2026年度 東京（募集中）"),
        ("/en/courses/", "Apply for training"),
        ("/accessibility/", "JIS X 8341-3"),
        ("/en/privacy/", "Withdrawing consent"),
        ("/certificate-check/", "認定証に印刷された番号"),
        ("/en/specialists/", "Directory of specialists"),
        ("/minutes/", "協議の場の議事録"),
    ],
)
def test_demo_pages_answer_in_each_language(client, demo, path, text):
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_english_call_to_action_links_to_the_english_course_listing(client, demo):
    html = client.get("/en/about-peer-support/").content.decode()
    assert 'href="/en/courses/"' in html
