"""The site's one search (cms.search): website pages, minutes, meetings, messages, the person's
own activity and, for staff, their records; each person sees only what their pages show them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from peers.pagination import keyset_page_for_request
from peers.request_params import BadParameter, read_text

from .search import MAX_QUERY_LENGTH, ORDERING, parse_query, results, search_for

RESULTS_PER_PAGE = 10


def search(request: HttpRequest) -> HttpResponse:
    """Ten results to a page, newest first, with a link to the next ten; the same number of
    queries whatever the number of results."""
    error = ""
    query_text = ""
    page = None
    shown = None
    try:
        query_text = read_text(request.GET, "q", max_length=MAX_QUERY_LENGTH)
    except BadParameter as bad:
        if bad.error.code == "max_length":
            error = _("Please use fewer words: at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}
        else:
            error = _("The words contain a character that cannot be searched for. Please type them again.")
    query = parse_query(query_text) if query_text else None
    if query_text and query is None:
        error = _("Please type a word to look for (punctuation alone finds nothing).")
    if query is not None:
        language = translation.get_language() or "ja"
        page = keyset_page_for_request(request, search_for(request.user, query, language=language),
                                       fields=ORDERING, size=RESULTS_PER_PAGE)
        shown = results(page.items, query, language=language)
    response = render(request, "cms/search.html", {
        "search_query": query_text, "error": error, "page": page, "results": shown,
        "max_length": MAX_QUERY_LENGTH, "pager_query": urlencode({"q": query_text}),
    })
    response["X-Robots-Tag"] = "noindex"
    return response
