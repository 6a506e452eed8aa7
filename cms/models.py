"""Generic Wagtail pages: home, content pages, news, the course listing, and the statements
every public body publishes (accessibility, privacy)."""

from __future__ import annotations

from django.db import models
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from collaboration.selectors import minutes_list_published
from peers.preferences import plain_wanted
from training.selectors import cohort_list_open_with_places

from .blocks import BodyBlock, MenuBlock
from .cache import page_cache_allow

SUMMARY_HELP = _(
    "Optional. A few short sentences in plain words, shown in a box at the top of the page "
    "for readers who want the main points first."
)


def summary_field():
    return models.TextField(_("plain-language summary"), blank=True, help_text=SUMMARY_HELP)


PLAIN_BODY_LABEL = _("body in plain Japanese (やさしい日本語)")
PLAIN_BODY_HELP = _(
    "Optional, Japanese pages only. The same content as the body, in short sentences with one "
    "idea each and common words (furigana are added for the reader). Readers who chose plain "
    "Japanese see it instead of the body; everyone else sees a note that it exists. Leave it "
    "empty on English pages."
)


def plain_stream_field():
    return StreamField(BodyBlock(), verbose_name=PLAIN_BODY_LABEL, blank=True, help_text=PLAIN_BODY_HELP)


def plain_rich_text_field():
    return RichTextField(PLAIN_BODY_LABEL, blank=True, help_text=PLAIN_BODY_HELP)


class PlainJapaneseVersion:
    """A page whose editors may write a やさしい日本語 version of its body in `plain_body`, a field
    of the same kind as `body` (the same blocks, or rich text), on the Japanese page.

    Chosen by the reader's `wording` setting (the account, else the cookie: peers.preferences),
    on Japanese pages only, and only where it was written; the page cache keeps one copy per
    wording (cms.cache). A translation into another language starts without it."""

    def plain_version(self, request) -> dict[str, bool]:
        """`exists`: this Japanese page has a plain version; `shown`: this reader gets it."""
        exists = bool(self.plain_body) and (translation.get_language() or "").startswith("ja")
        return {"exists": exists, "shown": exists and plain_wanted(request)}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["plain_version"] = self.plain_version(request)
        return context

    def copy_for_translation(self, locale, copy_parents=False, alias=False, exclude_fields=None):
        if not alias and not locale.language_code.startswith("ja"):
            exclude_fields = [*(exclude_fields or []), "plain_body"]
        return super().copy_for_translation(locale, copy_parents=copy_parents, alias=alias,
                                            exclude_fields=exclude_fields)

    copy_for_translation.alters_data = True


class DescribedPage(Page):
    """The description search engines and social cards show: the editor's own, else the page's
    summary or lead. Served from the page cache (cms.cache) for visitors who are not signed in,
    for `cache_seconds` or until anything on the website is published; 0 never caches."""

    social_image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("social card image"),
        help_text=_("Shown when the page is shared (cropped to 1200 × 630). Left empty, the site's own card is used."),
    )

    promote_panels = Page.promote_panels + [FieldPanel("social_image")]

    cache_seconds = 60 * 60

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        page_cache_allow(request, self.cache_seconds)
        return super().serve(request, *args, **kwargs)

    @property
    def meta_description(self) -> str:
        return (
            self.search_description
            or getattr(self, "summary", "")
            or getattr(self, "intro", "")
            or self.title
        )


class HomePage(PlainJapaneseVersion, DescribedPage):
    """The public home page, one per language."""

    intro = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)
    plain_body = plain_rich_text_field()

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body"), FieldPanel("plain_body")]

    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class ContentPage(PlainJapaneseVersion, DescribedPage):
    """A page of text built from blocks: headings, text, images, quotes, a call to action, FAQ."""

    summary = summary_field()
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    plain_body = plain_stream_field()

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body"), FieldPanel("plain_body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body"),
                                          index.SearchField("plain_body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")


class NewsIndexPage(DescribedPage):
    """Lists its news articles, newest first."""

    intro = models.CharField(_("lead"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsArticlePage"]
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = (
            NewsArticlePage.objects.live().public().child_of(self).order_by("-date", "-pk")[:50]
        )
        return context

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")


class NewsArticlePage(PlainJapaneseVersion, DescribedPage):
    date = models.DateField(_("date"))
    summary = summary_field()
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    plain_body = plain_stream_field()

    content_panels = Page.content_panels + [
        FieldPanel("date"), FieldPanel("summary"), FieldPanel("body"), FieldPanel("plain_body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body"),
                                          index.SearchField("plain_body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")


class ListingPage(DescribedPage):
    """A page whose list is read from the records (the open cohorts, the directory): the editor
    writes a lead above it and a `body` below it (each page names its own body); one per parent,
    under the home page or a content page, with no pages below."""

    intro = models.CharField(_("lead"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        abstract = True


class CourseListingPage(ListingPage):
    """Upcoming cohorts taking applications, read live from the training records (cached for a
    minute only, as places are taken)."""

    cache_seconds = 60

    body = RichTextField(_("text below the list"), blank=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["cohorts"] = cohort_list_open_with_places()
        return context

    class Meta:
        verbose_name = _("course listing")
        verbose_name_plural = _("course listings")


class AccessibilityStatementPage(PlainJapaneseVersion, DescribedPage):
    """ウェブアクセシビリティ方針: the standard aimed at and what the latest check found."""

    class Result(models.TextChoices):
        CONFORMS = "conforms", _("Conforms (準拠)")
        PARTIALLY = "partially", _("Partially conforms (一部準拠)")
        ATTEMPTED = "attempted", _("Working towards conformance (配慮)")

    summary = summary_field()
    target = models.CharField(
        _("target standard"), max_length=200, default="WCAG 2.2 AA / JIS X 8341-3:2016 AA"
    )
    checked_on = models.DateField(_("date of the latest check"), null=True, blank=True)
    result = models.CharField(
        _("result of the latest check"), max_length=20, choices=Result.choices, default=Result.PARTIALLY
    )
    result_details = RichTextField(_("what the check found"), blank=True)
    body = RichTextField(_("policy"), blank=True)
    plain_body = plain_rich_text_field()

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("plain_body"),
        MultiFieldPanel(
            [FieldPanel("target"), FieldPanel("checked_on"), FieldPanel("result"), FieldPanel("result_details")],
            heading=_("Latest check"),
        ),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")
        verbose_name_plural = _("accessibility statements")


class PrivacyPolicyPage(PlainJapaneseVersion, DescribedPage):
    """What is collected, why, how to withdraw consent, how to ask for one's data."""

    summary = summary_field()
    body = RichTextField(_("policy"))
    plain_body = plain_rich_text_field()
    updated_on = models.DateField(_("last updated"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"), FieldPanel("updated_on"), FieldPanel("body"), FieldPanel("plain_body"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("privacy policy")
        verbose_name_plural = _("privacy policies")


class VerificationPage(DescribedPage):
    """Certificate verification: the editor's text above the form; `?number=` shows the result
    (the same lookup, rate limit and result partial as /verify/<number>/, never cached)."""

    intro = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(_("text below the form"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    def serve(self, request, *args, **kwargs):
        # Forms load allauth, which is not ready while models load.
        from training.forms import VerifyForm
        from training.verification import verify_headers, verify_lookup

        number = request.GET.get("number", "").strip()
        if not number:
            return super().serve(request, *args, **kwargs)
        form = VerifyForm(request.GET)
        if not form.is_valid():
            context = {**self.get_context(request), "form": form}
            return TemplateResponse(request, self.get_template(request), context, status=400)
        result, status = verify_lookup(request, form.cleaned_data["number"])
        context = {**self.get_context(request), **result, "checked": True}
        template = "training/verify_limited.html" if result.get("limited") else self.get_template(request)
        return verify_headers(TemplateResponse(request, template, context, status=status), result)

    def get_context(self, request, *args, **kwargs):
        from training.forms import VerifyForm

        context = super().get_context(request, *args, **kwargs)
        context.setdefault("form", VerifyForm())
        return context

    class Meta:
        verbose_name = _("certificate verification")
        verbose_name_plural = _("certificate verifications")


class DirectoryPage(ListingPage):
    """The directory of people who chose to be listed (search by prefecture and setting; only
    the fields each chose). People are promised that signed-in members see their entry, so a
    visitor who is not signed in sees the editor's text and a way to sign in."""

    body = RichTextField(_("text below the directory"), blank=True)

    def get_context(self, request, *args, **kwargs):
        from peers.directory import directory_context

        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            directory = directory_context(request)
            del directory["page"]  # the Wagtail page keeps that name; the pager reads directory_page
            context.update(directory)
        return context

    class Meta:
        verbose_name = _("directory")
        verbose_name_plural = _("directories")


class MinutesIndexPage(DescribedPage):
    """Published minutes of the consultation meetings, newest first, each linking to its public
    text (cached for five minutes, as minutes are published outside the page tree)."""

    cache_seconds = 5 * 60

    intro = models.CharField(_("lead"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["minutes_list"] = list(minutes_list_published()[:100])
        return context

    class Meta:
        verbose_name = _("published minutes")
        verbose_name_plural = _("published minutes")


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The header menu and footer links, edited in the admin. A link to a page shows that page's
    translation in the language being read; an address needs its own label in each language.
    Left empty, the header lists the top-level pages marked "show in menus" and the footer the
    accessibility statement and privacy policy."""

    header_links = StreamField(MenuBlock(), verbose_name=_("header menu"), blank=True)
    footer_links = StreamField(MenuBlock(), verbose_name=_("footer links"), blank=True)

    panels = [FieldPanel("header_links"), FieldPanel("footer_links")]

    class Meta:
        verbose_name = _("navigation and footer")


class SearchEntry(models.Model):
    """One thing a person may find with the site's search (cms.search): a website page in one
    language, published minutes, an agenda item, a material or a room message of a meeting, an
    activity entry, and for staff a person, an organisation or a course.

    `tokens` holds the words of the text as the morphological analysis gives them (surface,
    lemma and reading in hiragana; English words and their stems), separated by spaces. On
    PostgreSQL a generated `tsvector` column made from them carries a GIN index (migration
    0006). `parent_id` (the meeting, or a course's training body) and `owner_id` (an activity
    entry's author) let the search decide access with the apps' own selectors without reading
    the records themselves; hidden and deleted messages are never kept here."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Website page")
        MINUTES = "minutes", _("Published minutes")
        AGENDA = "agenda", _("Agenda item")
        MATERIAL = "material", _("Meeting material")
        MESSAGE = "message", _("Room message")
        ACTIVITY = "activity", _("Your activity entry")
        PERSON = "person", _("Person record")
        ORGANISATION = "organisation", _("Organisation")
        COURSE = "course", _("Course")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    language = models.CharField(_("language"), max_length=10, blank=True,
                                help_text=_("A website page's language; empty for records shown in both."))
    title = models.CharField(_("title"), max_length=300, blank=True)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    where = models.CharField(_("where"), max_length=300, blank=True)
    text = models.TextField(_("text shown in results"), blank=True)
    tokens = models.TextField(_("words for search"), blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    parent_id = models.PositiveBigIntegerField(_("meeting or body"), null=True, blank=True)
    owner_id = models.PositiveBigIntegerField(_("owner"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    flagged = models.BooleanField(_("content note"), default=False)
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "language"], name="search_entry_unique"),
        ]
        indexes = [
            models.Index(fields=["parent_id"], name="search_entry_parent_idx"),
            models.Index(fields=["owner_id"], name="search_entry_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
