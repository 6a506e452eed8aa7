"""Demo website pages (Japanese and English). Idempotent."""

from __future__ import annotations

import datetime

from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import (
    AccessibilityStatementPage,
    ContentPage,
    CourseListingPage,
    DirectoryPage,
    HomePage,
    MinutesIndexPage,
    NewsArticlePage,
    NewsIndexPage,
    PrivacyPolicyPage,
    VerificationPage,
)

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


def _load_home() -> HomePage:
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


def _faq(heading, pairs):
    return {"heading": heading, "questions": [{"question": q, "answer": a} for q, a in pairs]}


def _cta(text, label, page):
    return {"text": text, "button_label": label, "page": page, "url": ""}


# Each page: its model, slug and the fields of each language. Callables receive the pages made so
# far in that language (for links between pages).
PAGES = [
    (CourseListingPage, "courses", {
        "ja": {"title": "研修の申込み", "intro": "いま申込みを受け付けている研修です。日程、会場、残りの席、締切を確かめて申し込めます。",
               "body": "<p>申込みにはアカウントが必要です。配慮が必要なことは申込みの画面でお知らせください。</p>"},
        "en": {"title": "Apply for training", "intro": "Training taking applications now. Check the dates, venue, places left and deadline, then apply.",
               "body": "<p>You need an account to apply. Tell us about any adjustments you need on the application form.</p>"},
    }),
    (ContentPage, "about-peer-support", {
        "ja": {"title": "ピアサポートとは", "summary": "ピアサポーターは、自分の経験を生かして、同じような経験をした人を支えます。\n専門職とともにチームで働きます。",
               "body": lambda p: [
                   ("heading", "ピアサポーターの仕事"),
                   ("paragraph", "<p>精神障がいの経験を持つ人が、その経験を生かして、相談にのったり、地域の生活を支えたりします。</p>"),
                   ("quote", {"text": "同じ経験をした人に話を聞いてもらえて、はじめて安心できました。", "attribution": "利用者の声"}),
                   ("call_to_action", _cta("ピアサポーターになるための研修があります。", "研修を見る", p["courses"])),
               ],
               # やさしい日本語: short sentences, one idea each, common words.
               "plain_body": lambda p: [
                   ("heading", "ピアサポーターの しごと"),
                   ("paragraph", "<p>こころの 病気に なった 人が います。</p><p>その 人が、自分の 経験を 生かして 働きます。</p>"
                                 "<p>話を 聞きます。くらしを 手伝います。</p>"),
                   ("quote", {"text": "同じ 経験を した 人が 話を 聞いて くれました。安心 できました。", "attribution": "利用者の声"}),
                   ("call_to_action", _cta("ピアサポーターに なるための 研修が あります。", "研修を 見る", p["courses"])),
               ]},
        "en": {"title": "What is peer support?", "summary": "Peer supporters use their own experience to support people who have been through something similar.\nThey work in teams with professionals.",
               "body": lambda p: [
                   ("heading", "What peer supporters do"),
                   ("paragraph", "<p>People with lived experience of mental illness use that experience to listen, advise and support life in the community.</p>"),
                   ("quote", {"text": "Being listened to by someone who had been through the same made me feel safe for the first time.", "attribution": "A person using services"}),
                   ("call_to_action", _cta("There is training to become a peer supporter.", "See the training", p["courses"])),
               ]},
    }),
    (ContentPage, "training-and-certification", {
        "ja": {"title": "研修と認定のしくみ", "summary": "基礎研修と専門研修を修了すると認定されます。\n認定は更新研修で続けられます。",
               "body": lambda p: [
                   ("heading", "研修の流れ"),
                   ("paragraph", "<ol><li>基礎研修</li><li>専門研修</li><li>認定</li><li>更新研修（数年ごと）</li></ol>"),
                   ("paragraph", "<p>認定証の番号は、だれでも確認ページで確かめられます。</p>"),
               ]},
        "en": {"title": "Training and certification", "summary": "You are certified after completing basic and specialist training.\nRenewal training keeps the certification current.",
               "body": lambda p: [
                   ("heading", "The path"),
                   ("paragraph", "<ol><li>Basic training</li><li>Specialist training</li><li>Certification</li><li>Renewal training (every few years)</li></ol>"),
                   ("paragraph", "<p>Anyone can check a certificate number on the verification page.</p>"),
               ]},
    }),
    (ContentPage, "faq", {
        "ja": {"title": "よくある質問", "summary": "",
               "body": lambda p: [
                   ("faq", _faq("よくある質問", [
                       ("研修の費用はかかりますか。", "<p>研修によって異なります。研修の申込みページに書いてあります。</p>"),
                       ("病状が不安定なときは休めますか。", "<p>はい。研修の担当者に連絡してください。</p>"),
                   ])),
               ]},
        "en": {"title": "Frequently asked questions", "summary": "",
               "body": lambda p: [
                   ("faq", _faq("Frequently asked questions", [
                       ("Does training cost anything?", "<p>It depends on the course. The training page says.</p>"),
                       ("Can I take a break when I am unwell?", "<p>Yes. Contact the person running the training.</p>"),
                   ])),
               ]},
    }),
    (NewsIndexPage, "news", {
        "ja": {"title": "お知らせ", "intro": "架け橋からのお知らせです。"},
        "en": {"title": "News", "intro": "News from Kakehashi."},
    }),
    (VerificationPage, "certificate-check", {
        "ja": {"title": "認定証の確認", "intro": "認定証に印刷された番号を入れると、認定が有効かどうかを確かめられます。",
               "body": "<p>名前は、認定を受けた本人が表示を選んだときだけ表示されます。</p>"},
        "en": {"title": "Check a certificate", "intro": "Enter the number printed on a certificate to see whether the certification is valid.",
               "body": "<p>The holder's name is shown only if they chose to show it.</p>"},
    }),
    (DirectoryPage, "specialists", {
        "ja": {"title": "ピアサポーターの名簿", "intro": "掲載を希望した認定ピアサポーターと専門職です。都道府県と働く場で探せます。",
               "body": "<p>どの項目を載せるかは、一人ひとりが選んでいます。</p>"},
        "en": {"title": "Directory of specialists", "intro": "Certified peer supporters and professionals who chose to be listed. Search by prefecture and setting.",
               "body": "<p>Each person chooses which details appear.</p>"},
    }),
    (MinutesIndexPage, "minutes", {
        "ja": {"title": "協議の場の議事録", "intro": "地域の協議の場の議事録です。個人が特定される情報は除いて公開しています。"},
        "en": {"title": "Minutes of the consultation meetings", "intro": "Minutes of the regional consultation meetings, published with personal details removed."},
    }),
    (AccessibilityStatementPage, "accessibility", {
        "ja": {"title": "ウェブアクセシビリティ方針", "summary": "だれでも使えるサイトをめざしています。使いにくいところがあれば教えてください。",
               "target": "WCAG 2.2 AA / JIS X 8341-3:2016 AA", "checked_on": datetime.date(2026, 11, 1),
               "result": AccessibilityStatementPage.Result.PARTIALLY,
               "result_details": "<p>自動テスト（axe-core）で公開ページをすべて確認し、違反はありませんでした。手作業による確認は一部のページで行いました。</p>",
               "body": "<p>架け橋は、JIS X 8341-3:2016 の適合レベル AA に準拠することを目標とします。</p>"},
        "en": {"title": "Accessibility statement", "summary": "We want everyone to be able to use this site. Tell us if something is hard to use.",
               "target": "WCAG 2.2 AA / JIS X 8341-3:2016 AA", "checked_on": datetime.date(2026, 11, 1),
               "result": AccessibilityStatementPage.Result.PARTIALLY,
               "result_details": "<p>Every public page was checked with an automated tool (axe-core) and no violations were found. Manual checks covered some pages.</p>",
               "body": "<p>Kakehashi aims to conform to JIS X 8341-3:2016 at level AA.</p>"},
    }),
    (PrivacyPolicyPage, "privacy", {
        "ja": {"title": "個人情報の取り扱い", "summary": "必要な情報だけを集め、目的のためだけに使います。同意はいつでも取り消せます。",
               "updated_on": datetime.date(2026, 11, 1),
               "body": "<h2>集める情報</h2><p>氏名、連絡先、研修と活動の記録。</p><h2>使う目的</h2><p>研修の運営、認定、活動の記録のためです。</p><h2>同意の取り消し</h2><p>マイページからいつでも取り消せます。</p><h2>情報の開示の請求</h2><p>ご自分の情報の写しを求めることができます。事務局に連絡してください。</p>"},
        "en": {"title": "Privacy policy", "summary": "We collect only what we need and use it only for its purpose. You can withdraw consent at any time.",
               "updated_on": datetime.date(2026, 11, 1),
               "body": "<h2>What we collect</h2><p>Your name, contact details, and records of training and work.</p><h2>Why</h2><p>To run training, certify and record work.</p><h2>Withdrawing consent</h2><p>You can withdraw consent at any time from My page.</p><h2>Asking for your data</h2><p>You can ask for a copy of the data we hold about you. Contact the office.</p>"},
    }),
]

ARTICLES = [
    ("new-cohorts-2026", datetime.date(2026, 4, 1), {
        "ja": {"title": "2026年度の研修の募集を始めました", "summary": "東京、仙台、オンラインで研修を行います。",
               "body": [("paragraph", "<p>2026年度の基礎研修、専門研修、更新研修の募集を始めました。研修の申込みページから申し込めます。</p>")]},
        "en": {"title": "Applications open for 2026 training", "summary": "Training runs in Tokyo, Sendai and online.",
               "body": [("paragraph", "<p>Applications are open for 2026 basic, specialist and renewal training. Apply from the training page.</p>")]},
    }),
    ("site-opened", datetime.date(2026, 10, 1), {
        "ja": {"title": "架け橋を公開しました", "summary": "研修、認定、活動の記録がひとつの場所でできるようになりました。",
               "body": [("paragraph", "<p>ピアサポートの働き手のためのプラットフォーム「架け橋」を公開しました。</p>")]},
        "en": {"title": "Kakehashi is open", "summary": "Training, certification and work records are now in one place.",
               "body": [("paragraph", "<p>Kakehashi, the platform of the peer-support workforce, is now open.</p>")]},
    }),
]


def _fill(page, fields: dict, made: dict) -> None:
    for field, value in fields.items():
        setattr(page, field, value(made) if callable(value) else value)


def _place(parent, model, slug: str, fields: dict, english_fields: dict, made: dict, en, extra=None):
    """The Japanese page under parent and its English translation, each made once."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=parent.locale, **(extra or {}))
        _fill(page, fields, made["ja"])
        parent.add_child(instance=page)
        page.save_revision().publish()
    made["ja"][slug] = page
    english = model.objects.filter(locale=en, translation_key=page.translation_key).first()
    if english is None:
        english = page.copy_for_translation(en)
        _fill(english, english_fields, made["en"])
        english.save_revision().publish()
    made["en"][slug] = english
    return page


@transaction.atomic
def load() -> HomePage:
    home = _load_home()
    en = Locale.objects.get(language_code="en")
    made: dict[str, dict] = {"ja": {}, "en": {}}
    for model, slug, fields in PAGES:
        in_menu = model not in (AccessibilityStatementPage, PrivacyPolicyPage)
        _place(home, model, slug, fields["ja"], fields["en"], made, en, extra={"show_in_menus": in_menu})
    news = made["ja"]["news"]
    for slug, date, fields in ARTICLES:
        _place(news, NewsArticlePage, slug, fields["ja"], fields["en"], made, en, extra={"date": date})
    return home
