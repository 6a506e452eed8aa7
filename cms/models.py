"""Generic Wagtail pages: home, content pages, news, the course listing, and the statements
every public body publishes (accessibility, privacy)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from training.selectors import cohort_list_open

from .blocks import BodyBlock

SUMMARY_HELP = _(
    "Optional. A few short sentences in plain words, shown in a box at the top of the page "
    "for readers who want the main points first."
)


def summary_field():
    return models.TextField(_("plain-language summary"), blank=True, help_text=SUMMARY_HELP)


class DescribedPage:
    """The description search engines and social cards show: the editor's own, else the page's
    summary or lead."""

    @property
    def meta_description(self) -> str:
        return (
            self.search_description
            or getattr(self, "summary", "")
            or getattr(self, "intro", "")
            or self.title
        )


class HomePage(DescribedPage, Page):
    """The public home page, one per language."""

    intro = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class ContentPage(DescribedPage, Page):
    """A page of text built from blocks: headings, text, images, quotes, a call to action, FAQ."""

    summary = summary_field()
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")


class NewsIndexPage(DescribedPage, Page):
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


class NewsArticlePage(DescribedPage, Page):
    date = models.DateField(_("date"))
    summary = summary_field()
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news article")


class CourseListingPage(DescribedPage, Page):
    """Upcoming cohorts taking applications, read live from the training records."""

    intro = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(_("text below the list"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        cohorts = list(cohort_list_open()[:100])
        for cohort in cohorts:
            cohort.places_left = max(cohort.capacity - cohort.places_taken, 0)
        context["cohorts"] = cohorts
        return context

    class Meta:
        verbose_name = _("course listing")


class AccessibilityStatementPage(DescribedPage, Page):
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

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
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


class PrivacyPolicyPage(DescribedPage, Page):
    """What is collected, why, how to withdraw consent, how to ask for one's data."""

    summary = summary_field()
    body = RichTextField(_("policy"))
    updated_on = models.DateField(_("last updated"), null=True, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("updated_on"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("privacy policy")
