"""Demo website pages (Japanese and English). Idempotent."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage

HOME = {
    "ja": {
        "title": "架け橋：ピアサポートの働き手のためのプラットフォーム",
        "intro": "精神障がいの経験を生かして働くピアサポーターと、ともに働く専門職・事業所・地域をつなぎます。",
        "body": "<p>研修の申込み、認定の確認、日々の活動の記録、地域の協議の場への参加が、ひとつの場所でできます。</p>",
    },
    "en": {
        "title": "Kakehashi: the platform of the peer-support workforce",
        "intro": "Connecting peer supporters, who use their own experience of mental illness in their work, with the professionals, organisations and communities they work with.",
        "body": "<p>Apply for training, verify a certificate, record your daily work and take part in your region's consultation meetings, all in one place.</p>",
    },
}


@transaction.atomic
def load() -> HomePage:
    ja = Locale.objects.get_or_create(language_code="ja")[0]
    en = Locale.objects.get_or_create(language_code="en")[0]
    home = HomePage.objects.filter(locale=ja).first()
    if home is None:
        root = Page.get_first_root_node()
        if root is None:  # a flushed database: Wagtail's migration normally makes the root
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=ja))
        home = root.add_child(instance=HomePage(locale=ja, slug="home-ja", **HOME["ja"]))
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site is None:
            Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="Kakehashi")
        else:
            site.root_page = home
            site.site_name = "Kakehashi"
            site.save()
        if old_root is not None and old_root.pk != home.pk and old_root.depth == 2:
            old_root.delete()
    if not HomePage.objects.filter(locale=en, translation_key=home.translation_key).exists():
        english = home.copy_for_translation(en)
        for field, value in HOME["en"].items():
            setattr(english, field, value)
        english.slug = "home-en"
        english.save_revision().publish()
    return home
