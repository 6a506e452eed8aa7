"""The page types of the public website render what editors enter, and only where they belong."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone, translation
from wagtail.blocks import StructBlockValidationError
from wagtail.test.utils import WagtailPageTestCase

from cms.blocks import CallToActionBlock
from cms.models import (
    AccessibilityStatementPage,
    ContentPage,
    CourseListingPage,
    HomePage,
    NewsArticlePage,
    NewsIndexPage,
    PrivacyPolicyPage,
)
from training.models import Cohort

pytestmark = pytest.mark.django_db


def stream(*blocks) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def test_content_page_shows_summary_first_and_every_block(client, home, publish):
    page = publish(home, ContentPage(
        title="Peer support at work", slug="peer-support-at-work",
        summary="Peer supporters use their own experience.\nThey work beside professionals.",
        body=stream(
            ("heading", "What peer supporters do"),
            ("paragraph", "<p>They listen and share.</p>"),
            ("quote", {"text": "I was heard.", "attribution": "A service user"}),
            ("call_to_action", {"text": "Ready to train?", "button_label": "See courses", "page": None, "url": "https://example.org/courses"}),
            ("faq", {"heading": "Questions", "questions": [{"question": "Is it paid?", "answer": "<p>Yes, an honorarium.</p>"}]}),
        ),
    ))
    html = client.get(page.url).content.decode()
    assert html.index('class="summary"') < html.index("What peer supporters do")
    assert "Peer supporters use their own experience.<br>They work beside professionals." in html
    assert "<h2>What peer supporters do</h2>" in html
    assert "They listen and share." in html
    assert "<blockquote><p>I was heard.</p></blockquote>" in html and "A service user" in html
    assert 'class="button" href="https://example.org/courses">See courses</a>' in html
    assert "<summary>Is it paid?</summary>" in html and "Yes, an honorarium." in html


def test_content_page_without_summary_shows_no_summary_box(client, home, publish):
    page = publish(home, ContentPage(title="Plain", slug="plain", body=stream(("paragraph", "<p>Text.</p>"))))
    html = client.get(page.url).content.decode()
    assert 'class="summary"' not in html
    assert "Text." in html


def test_call_to_action_needs_a_page_or_an_address():
    block = CallToActionBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"text": "Go", "button_label": "Go", "page": None, "url": ""}))
    assert set(error.value.block_errors) == {"page"}
    with translation.override("en"):
        assert error.value.block_errors["page"].messages == ["Choose a page or give an address."]
    # Either one is enough.
    assert block.clean(block.to_python({"text": "Go", "button_label": "Go", "page": None,
                                        "url": "https://example.org/"}))["url"] == "https://example.org/"


def test_news_index_lists_its_articles_newest_first(client, home, publish):
    index = publish(home, NewsIndexPage(title="News", slug="news-2", intro="What is new."))
    publish(index, NewsArticlePage(title="Older article", slug="older", date=datetime.date(2026, 4, 1), summary="First."))
    publish(index, NewsArticlePage(title="Newer article", slug="newer", date=datetime.date(2026, 10, 1), summary="Second."))
    draft = NewsArticlePage(title="Draft article", slug="draft", date=datetime.date(2026, 11, 1), live=False)
    index.add_child(instance=draft)
    html = client.get(index.url).content.decode()
    assert html.index("Newer article") < html.index("Older article")
    assert "Draft article" not in html
    article = client.get(NewsArticlePage.objects.get(slug="newer").url).content.decode()
    assert '<time datetime="2026-10-01">' in article
    assert f'href="{index.url}"' in article


def test_course_listing_shows_open_cohorts_with_dates_venue_places_deadline_and_apply(client, home, publish):
    page = publish(home, CourseListingPage(title="Courses", slug="courses-2", intro="Apply now."))
    now = timezone.now()
    open_cohorts = Cohort.objects.filter(published=True, applications_open__lte=now, applications_close__gt=now)
    assert open_cohorts.exists()
    closed = Cohort.objects.exclude(pk__in=open_cohorts).first()
    html = client.get(page.url).content.decode()
    for cohort in open_cohorts:
        assert cohort.name in html
        assert f'href="/training/cohorts/{cohort.pk}/apply/"' in html
    if closed is not None:
        assert closed.name not in html
    assert "2026年度 東京（募集中）" in html
    assert "東京都新宿区" in html
    assert "申込みの締切" in html


def test_course_listing_counts_places_left(client, home, publish):
    page = publish(home, CourseListingPage(title="Courses", slug="courses-2"))
    cohort = Cohort.objects.get(name="2026年度 東京（募集中）")
    response = client.get(page.url)
    listed = next(c for c in response.context["cohorts"] if c.pk == cohort.pk)
    assert listed.places_left == cohort.capacity - listed.places_taken


def test_course_listing_says_places_left(client, home, publish):
    page = publish(home, CourseListingPage(title="Courses", slug="courses-2"))
    html = client.get(page.url).content.decode()
    assert "残り" in html and "席" in html


def test_accessibility_statement_shows_target_date_and_result(client, home, publish):
    page = publish(home, AccessibilityStatementPage(
        title="Accessibility", slug="accessibility-2", target="WCAG 2.2 AA / JIS X 8341-3:2016 AA",
        checked_on=datetime.date(2026, 11, 1), result=AccessibilityStatementPage.Result.PARTIALLY,
        result_details="<p>Two videos lack captions.</p>", body="<p>We aim for AA.</p>",
    ))
    html = client.get(page.url).content.decode()
    assert "WCAG 2.2 AA / JIS X 8341-3:2016 AA" in html
    assert '<time datetime="2026-11-01">' in html
    assert str(AccessibilityStatementPage.Result.PARTIALLY.label) in html
    assert "Two videos lack captions." in html and "We aim for AA." in html


def test_privacy_policy_shows_its_text(client, home, publish):
    page = publish(home, PrivacyPolicyPage(
        title="Privacy", slug="privacy-2", body="<h2>How to withdraw consent</h2><p>Write to us.</p>",
        updated_on=datetime.date(2026, 11, 1),
    ))
    html = client.get(page.url).content.decode()
    assert "How to withdraw consent" in html and "Write to us." in html


class TestWhereEachPageBelongs(WagtailPageTestCase):
    def test_parent_and_child_types(self):
        self.assertAllowedParentPageTypes(NewsArticlePage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsArticlePage})
        self.assertAllowedParentPageTypes(CourseListingPage, {HomePage, ContentPage})
        self.assertAllowedParentPageTypes(AccessibilityStatementPage, {HomePage})
        self.assertAllowedParentPageTypes(PrivacyPolicyPage, {HomePage})
        self.assertCanCreateAt(HomePage, ContentPage)
        self.assertCanCreateAt(ContentPage, ContentPage)
        self.assertCanNotCreateAt(HomePage, NewsArticlePage)
