"""Menus and footer links edited in the admin's settings; the menu and page caches, and that
every change to what is live (publish, unpublish, move, delete, settings) shows at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.models import Site

from cms.cache import HIT_HEADER
from cms.models import ContentPage, CourseListingPage, NavigationSettings
from peers.models import User
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    return html.split('class="wrap main-nav"', 1)[1].split("</nav>", 1)[0]


def _footer(html: str) -> str:
    return html.split('class="site-footer"', 1)[1]


def _navigation(header, footer):
    settings = NavigationSettings.for_site(Site.objects.get(is_default_site=True))
    settings.header_links = header
    settings.footer_links = footer
    settings.save()


def test_menus_set_in_the_admin_show_each_pages_translation(client, demo):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    courses = CourseListingPage.objects.get(locale__language_code="ja")
    client.get("/")  # menus cached from the pages before the settings are saved
    _navigation(
        [("page", {"page": faq}), ("page", {"page": courses}),
         ("link", {"url": "https://www.mhlw.go.jp/", "label_ja": "厚生労働省", "label_en": "Ministry of Health"})],
        [("page", {"page": faq})],
    )
    japanese = client.get("/").content.decode()
    header = _header(japanese)
    assert header.index("よくある質問") < header.index("研修の申込み") < header.index("厚生労働省")
    assert "お知らせ" not in header  # only the chosen links
    assert '<a href="/faq/">よくある質問</a>' in _footer(japanese)
    assert "個人情報の取り扱い" not in _footer(japanese)
    english = client.get("/en/").content.decode()
    assert '<a href="/en/faq/">Frequently asked questions</a>' in _header(english)
    assert '<a href="https://www.mhlw.go.jp/">Ministry of Health</a>' in _header(english)
    assert '<a href="/en/faq/">Frequently asked questions</a>' in _footer(english)


def test_menus_fall_back_to_top_level_pages_when_settings_are_empty(client, demo):
    _navigation([], [])
    html = client.get("/en/").content.decode()
    assert "News" in _header(html) and "Privacy policy" in _footer(html)


def test_menu_drops_a_deleted_page_at_once(client, demo):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    assert "よくある質問" in _header(client.get("/").content.decode())
    faq.get_translations().delete()
    faq.delete()
    assert "よくある質問" not in _header(client.get("/").content.decode())
    assert "よくある質問" not in _header(client.get("/news/").content.decode())


def test_menu_drops_an_unpublished_page_at_once(client, demo):
    faq = ContentPage.objects.get(slug="faq", locale__language_code="en")
    assert "Frequently asked questions" in _header(client.get("/en/").content.decode())
    faq.unpublish()
    assert "Frequently asked questions" not in _header(client.get("/en/").content.decode())


# --- Page cache -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/en/", "/about-peer-support/", "/en/news/", "/en/courses/",
                                  "/en/certificate-check/", "/en/specialists/", "/en/minutes/"])
def test_second_anonymous_view_is_served_from_cache_without_queries(client, demo, django_assert_num_queries, path):
    first = client.get(path)
    assert first.status_code == 200 and HIT_HEADER not in first
    assert "csrfmiddlewaretoken" not in first.content.decode()
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content


def test_publishing_a_change_shows_at_once(client, demo):
    client.get("/en/faq/")
    page = ContentPage.objects.get(slug="faq", locale__language_code="en")
    page.title = "Questions people ask"
    page.save_revision().publish()
    response = client.get("/en/faq/")
    assert HIT_HEADER not in response
    assert "<h1>Questions people ask</h1>" in response.content.decode()


def test_signed_in_people_never_get_cached_pages(client, demo):
    client.get("/en/")
    login_as(client, User.objects.get(email="peer@example.org"))
    response = client.get("/en/")
    assert HIT_HEADER not in response
    assert "Sign out" in response.content.decode()
    again = client.get("/en/")
    assert HIT_HEADER not in again
    # ... and what they see is never stored for others.
    client.logout()
    client.cookies.clear()
    assert "Sign out" not in client.get("/en/").content.decode()


def test_verification_results_and_searches_are_not_cached(client, demo):
    from training.models import Certification

    number = Certification.objects.first().number
    for _ in range(2):
        response = client.get("/en/certificate-check/", {"number": number})
        assert HIT_HEADER not in response
    for _ in range(2):
        assert HIT_HEADER not in client.get("/en/search/", {"q": "news"})


def test_course_listing_is_cached_briefly_and_others_until_publish(client, demo, monkeypatch):
    stored = {}
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("cms:page:"):
            stored[key.rsplit(":", 1)[-1]] = timeout
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    client.get("/en/courses/")
    client.get("/en/about-peer-support/")
    assert stored["/en/courses/"] == 60
    assert stored["/en/about-peer-support/"] == 3600


def test_a_page_rendering_a_csrf_token_is_not_stored(client, demo):
    """A signed-in person's page carries a token; a visitor with a leftover session cookie is
    treated the same way."""
    client.cookies["sessionid"] = "stale"
    client.get("/en/")
    response = client.get("/en/")
    assert HIT_HEADER not in response


def test_anonymous_language_switch_works_from_a_cached_page(client, demo):
    client.get("/about-peer-support/")
    cached = client.get("/about-peer-support/")
    assert cached[HIT_HEADER] == "hit"
    csrf_client_response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/about-peer-support/"})
    assert csrf_client_response.status_code == 302


def test_signed_in_language_switch_still_needs_its_token(demo):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "en", "next": "/en/"}).status_code == 302
    login_as(strict, User.objects.get(email="peer@example.org"))
    assert strict.post("/i18n/setlang/", {"language": "en", "next": "/en/"}).status_code == 403




def test_editor_opens_the_navigation_settings_and_adds_the_new_page_types(client, demo):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    editor = User.objects.get(email="admin@example.org")
    if not Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(editor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    login_as(client, editor)
    site = Site.objects.get(is_default_site=True)
    response = client.get(f"/cms-admin/settings/cms/navigationsettings/{site.pk}/")
    assert response.status_code == 200
    assert "Header menu" in response.content.decode() or "header_links" in response.content.decode()
    # One of each already sits under the home page; a content page may hold them too.
    parent = ContentPage.objects.get(slug="about-peer-support", locale__language_code="ja")
    for model in ("verificationpage", "directorypage", "minutesindexpage"):
        add = client.get(f"/cms-admin/pages/add/cms/{model}/{parent.pk}/")
        assert add.status_code == 200, model
        assert 'name="intro"' in add.content.decode()


def test_making_a_page_private_drops_its_cached_copy(client, demo):
    from wagtail.models import PageViewRestriction

    client.get("/en/faq/")
    assert client.get("/en/faq/")[HIT_HEADER] == "hit"  # served from the cache
    page = ContentPage.objects.get(slug="faq", locale__language_code="en")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/en/faq/")
    assert HIT_HEADER not in response
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_editors_admin_is_japanese_including_the_workflow_name(client, demo):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    editor = User.objects.get(email="admin@example.org")
    if not Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(editor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    login_as(client, editor)
    page = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    html = client.get(f"/cms-admin/pages/{page.pk}/edit/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "管理者の承認" in html
    assert "Moderators approval" not in html
