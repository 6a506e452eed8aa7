"""Wagtail's per-request lookups, kept in process memory for the site's cache version.

Wagtail finds, for every request, the site (`Site.find_for_request`: one query), then walks the
page tree from the site's root in the request's language (the locale, the localised root, each
slug, each page's specific row: four to six queries for a page one level down), then reads the
view restrictions of the page and its ancestors (two queries); the layout reads the page's
translations for the language links (one query). On main these were about 40 % of a signed-in
page (profiled under gunicorn, bench/production.py).

`WagtailLookupMiddleware` answers them from memory instead: the site by host and port, the route
as (page type, id) by site, language and path, whether any view restriction applies, and the
page's translations' addresses. The page itself is still read, fresh, in one query (only if it
is still live; otherwise Wagtail routes as usual). Everything is keyed by the site's cache
version (cms.cache), which publishing, unpublishing, moving or deleting a page, changing a view
restriction, a site or a locale moves on, read once per request; entries also expire after
`MEMORY_SECONDS`, so a process never serves a route more than that late even when the version
could not be read (Redis down). Only what Wagtail's own routing gives is remembered: a page type
that overrides `route()` (RoutablePageMixin) is routed by Wagtail every time.
"""

from __future__ import annotations

import pickle
import threading
import time

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import get_language

from .cache import request_site_version

MEMORY_SECONDS = 60
MEMORY_ENTRIES = 10_000

_memory: dict[tuple, tuple[float, object]] = {}
_memory_version: list[object] = [None]
_lock = threading.Lock()
_MISSING = object()


def remembered(request, key: tuple, compute):
    """`compute()` once per site version, key and `MEMORY_SECONDS`, in this process."""
    version = request_site_version(request)
    now = time.monotonic()
    if _memory_version[0] != version or len(_memory) > MEMORY_ENTRIES:
        with _lock:
            if _memory_version[0] != version or len(_memory) > MEMORY_ENTRIES:
                _memory.clear()
                _memory_version[0] = version
    entry = _memory.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = compute()
    _memory[key] = (now + MEMORY_SECONDS, value)
    return value


def memory_clear() -> None:
    """Forget everything (tests: each starts from its own database)."""
    with _lock:
        _memory.clear()
        _memory_version[0] = None


def _site_for(request):
    from wagtail.models import Site

    def find():
        site = Site._find_for_request(request)
        return None if site is None else pickle.dumps(site)

    key = ("site", request._get_raw_host(), request.get_port())
    blob = remembered(request, key, find)
    # Each request gets its own copy: Wagtail and our code set attributes on what they are given.
    return None if blob is None else pickle.loads(blob)


def _default_routing_only() -> bool:
    from wagtail.models import Page, get_page_models

    global _DEFAULT_ROUTING
    if _DEFAULT_ROUTING is None:
        _DEFAULT_ROUTING = all(model.route is Page.route for model in get_page_models())
    return _DEFAULT_ROUTING


_DEFAULT_ROUTING: bool | None = None


def _no_view_restrictions():
    from wagtail.models import PageViewRestriction

    return PageViewRestriction.objects.none()


def _route(request, site, path: str) -> None:
    """Set Wagtail's own per-request route (`request._wagtail_route_for_request`) from memory."""
    from wagtail.models import Page
    from wagtail.url_routing import RouteResult

    def find():
        result = Page.route_for_request(request, path)
        if result is None:
            return None
        page, args, kwargs = result
        if args or kwargs:
            return None
        restricted = page.get_view_restrictions().exists()
        return (page.content_type_id, page.pk, restricted)

    key = ("route", site.pk, get_language(), path)
    found = remembered(request, key, find)
    if found is None or hasattr(request, "_wagtail_route_for_request"):
        return  # not remembered (Wagtail routes as usual), or just routed by find()
    content_type_id, pk, restricted = found
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    page = model._default_manager.filter(pk=pk, live=True).first() if model is not None else None
    if page is None:
        return
    if not restricted:
        # Wagtail's check_view_restrictions hook asks the page; none apply (the version moves
        # when a restriction is added), so it needs no query.
        page.get_view_restrictions = _no_view_restrictions
    request._wagtail_route_for_request = RouteResult(page)


def language_urls(request, page) -> dict[str, str | None]:
    """The address of each live translation of `page`, by language code (not the page's own)."""

    def find():
        return {
            translation.locale.language_code: translation.get_url(request=request)
            for translation in page.get_translations(inclusive=False).live().select_related("locale")
        }

    site = getattr(request, "_wagtail_site", None)
    return remembered(request, ("languages", page.pk, getattr(site, "pk", None), request.get_host()), find)


def find_for_request(request):
    """Wagtail's `Site.find_for_request`, answered from memory (`install()` puts it in Wagtail's
    place): asked only when something needs the site, so an API call or a file download that
    never shows a page reads no site at all."""
    if request is None:
        return None
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = _site_for(request)
    return request._wagtail_site


def install() -> None:
    """Called once from cms.apps.CmsConfig.ready(): every caller of `Site.find_for_request`
    (Wagtail, its template tags, ours) goes through the memory above."""
    from wagtail.models import Site

    Site.find_for_request = staticmethod(find_for_request)


class WagtailLookupMiddleware:
    """Before a view: the request's Wagtail site from memory; before Wagtail's page view, its
    route too (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail import views as wagtail_views

        if view_func is not wagtail_views.serve:
            return None  # the site only when something asks for it (find_for_request, below)
        site = find_for_request(request)
        if site is not None and _default_routing_only():
            path = view_args[0] if view_args else view_kwargs.get("path", "")
            _route(request, site, path)
        return None
