"""The website's search over its pages."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import IntegerField, Q
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from wagtail.models import Locale, Page

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200
# Scripts written without spaces between words (Japanese kana and kanji).
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def _pages_containing(pages, query: str):
    """Pages whose indexed title or text contains every word of `query`. The database search
    backends split text into words at spaces, which Japanese does not have, so a Japanese word
    is looked for inside the text Wagtail's search index keeps for each page."""
    from wagtail.search.models import IndexEntry

    title, body = ("title_text", "body_text") if connection.vendor == "postgresql" else ("title", "body")
    from django.contrib.contenttypes.models import ContentType

    # Only pages' rows: images and documents are indexed too, and their ids are not page ids.
    page_types = ContentType.objects.filter(pk__in=pages.values("content_type"))
    entries = IndexEntry.objects.filter(content_type__in=page_types)
    for word in query.split():
        entries = entries.filter(Q(**{f"{title}__icontains": word}) | Q(**{f"{body}__icontains": word}))
    ids = entries.annotate(page_id=Cast("object_id", IntegerField())).values("page_id")
    return pages.filter(pk__in=ids).order_by("path")


def search(request: HttpRequest) -> HttpResponse:
    """Live public pages in the language being read that match `q` (Wagtail search), ten to a
    page, in a fixed number of queries whatever the number of pages found."""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().filter(locale=Locale.get_active())
        found = _pages_containing(pages, query) if UNSPACED.search(query) else pages.search(query)
        results = Paginator(found, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    response = render(request, "cms/search.html", {"search_query": query, "results": results})
    response["X-Robots-Tag"] = "noindex"
    return response
