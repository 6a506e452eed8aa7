"""The language switch on a Wagtail page lands on that page's translation, even under another slug."""

import pytest

from cms.models import ContentPage

pytestmark = pytest.mark.django_db


def test_switch_on_a_page_points_at_its_translation_even_with_another_slug(client, demo):
    english = ContentPage.objects.get(slug="about-peer-support", locale__language_code="en")
    english.slug = "what-is-peer-support"
    english.save_revision().publish()
    html = client.get("/about-peer-support/").content.decode()
    assert 'name="next" value="/en/what-is-peer-support/"' in html
    assert '<link rel="alternate" hreflang="en" href="/en/what-is-peer-support/">' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/what-is-peer-support/"})
    assert response.status_code == 302 and response.url == "/en/what-is-peer-support/"
    assert "What peer supporters do" in client.get(response.url).content.decode()


def test_switch_from_english_page_lands_on_the_japanese_page(client, demo):
    japanese = ContentPage.objects.get(slug="faq", locale__language_code="ja")
    japanese.slug = "yokuaru-shitsumon"
    japanese.save_revision().publish()
    html = client.get("/en/faq/").content.decode()
    assert 'name="next" value="/yokuaru-shitsumon/"' in html
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/yokuaru-shitsumon/"})
    assert response.url == "/yokuaru-shitsumon/"
    assert "よくある質問" in client.get(response.url).content.decode()


def test_switch_off_wagtail_pages_keeps_the_path(client, demo):
    html = client.get("/training/cohorts/").content.decode()
    assert 'name="next" value="/training/cohorts/"' in html


def test_header_lists_top_level_pages_and_footer_the_statements_in_each_language(client, demo):
    html = client.get("/").content.decode()
    header, footer = html.split('class="site-footer"')
    for title in ("ピアサポートとは", "研修の申込み", "お知らせ"):
        assert title in header
    assert "ウェブアクセシビリティ方針" in footer and "個人情報の取り扱い" in footer
    english = client.get("/en/news/").content.decode()
    assert '<a href="/en/news/" aria-current="page">News</a>' in english
    assert 'href="/en/privacy/"' in english


def test_sitemap_lists_pages_in_both_languages(client, demo):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    for path in ("/about-peer-support/", "/en/about-peer-support/", "/news/site-opened/", "/en/courses/", "/en/"):
        assert f"{path}</loc>" in xml, path


def test_menu_follows_a_newly_published_page(client, demo):
    from cms.models import ContentPage, HomePage

    client.get("/")
    home = HomePage.objects.get(locale__language_code="ja")
    page = ContentPage(title="新しいページ", slug="new-page", show_in_menus=True)
    home.add_child(instance=page)
    page.save_revision().publish()
    assert '<a href="/new-page/">新しいページ</a>' in client.get("/").content.decode()
