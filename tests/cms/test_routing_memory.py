"""Wagtail's site, route, view restrictions and translations remembered per site version
(cms.routing): each change that moves the version shows on the next request, signed in too
(so never from the page cache)."""

from __future__ import annotations

import pytest
from wagtail.models import Locale, PageViewRestriction, Site

from cms.models import ContentPage
from peers.models import User
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, demo):
    login_as(client, User.objects.get(email="peer@example.org"))
    return client


def test_an_unpublished_page_is_gone_at_once_though_its_route_was_remembered(signed_in):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    assert signed_in.get("/faq/").status_code == 200
    assert signed_in.get("/faq/").status_code == 200  # from memory now
    faq.unpublish()
    assert signed_in.get("/faq/").status_code == 404


def test_a_new_slug_moves_the_page_and_the_old_address_is_gone(signed_in):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    assert signed_in.get("/faq/").status_code == 200
    faq.slug = "questions"
    faq.save_revision().publish()
    assert signed_in.get("/faq/").status_code == 404
    assert signed_in.get("/questions/").status_code == 200


def test_a_restriction_added_to_a_remembered_page_applies_at_once(client, demo):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    assert client.get("/faq/").status_code == 200
    client.get("/faq/")
    PageViewRestriction.objects.create(page=faq, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/faq/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_translation_published_later_shows_in_the_language_links(signed_in):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    english = faq.get_translation(Locale.objects.get(language_code="en"))
    english.unpublish()
    html = signed_in.get("/faq/").content.decode()
    assert 'hreflang="en" href="/en/faq/"' in html  # the same path: no translation live
    english.slug = "questions"
    english.save_revision().publish()
    html = signed_in.get("/faq/").content.decode()
    assert 'hreflang="en" href="/en/questions/"' in html


def test_a_site_whose_root_changes_routes_from_the_new_root_at_once(signed_in):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    assert "<h1>" in signed_in.get("/").content.decode()
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    site.root_page = faq
    site.save()
    assert signed_in.get("/").content.decode().count(faq.title) >= 1
    assert signed_in.get("/faq/").status_code == 404  # the home page's children are no longer reached
    site.root_page = home
    site.save()
    assert signed_in.get("/faq/").status_code == 200
