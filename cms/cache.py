"""What the website keeps in Django's cache: the header and footer menus, and whole pages for
visitors who are not signed in. Both carry the site's cache version, which publishing,
unpublishing, moving or deleting a page, or saving the navigation settings, moves on: what was
cached before is then never served again.

A page is stored only when all of these hold: a Wagtail page allowed it (`page_cache_allow`,
from the page type's `cache_seconds`); a GET without query string; no session or messages
cookie (so never for someone signed in, nor with a message waiting); the page rendered no CSRF
token and set no cookie; status 200. A hit costs no database query. Pages are kept apart by the
visitor's display cookies (`text_size`, `theme`, `furigana`, `wording`), which change the page.
Furigana is added before the page is stored (peers.middleware.FuriganaMiddleware runs inside).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import cache

from peers.preferences import display_cache_variant

VERSION_KEY = "cms:version"
HIT_HEADER = "X-Page-Cache"


def site_cache_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A random start, not 1: after the cache was emptied (or the key evicted) the versions
        # counted from here never meet those remembered before (cms.routing's process memory).
        cache.add(VERSION_KEY, secrets.randbits(48), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def request_site_version(request) -> int:
    """The site's cache version, read once per request (one cache read for the page cache, the
    menus, and Wagtail's lookups in cms.routing)."""
    if request is None:
        return site_cache_version()
    version = getattr(request, "_cms_site_version", None)
    if version is None:
        version = request._cms_site_version = site_cache_version()
    return version


def site_cache_clear(**kwargs) -> None:
    """Forget every cached menu and page (a signal receiver: publish, unpublish, move, delete)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or evicted: whatever was cached is unreachable anyway
        cache.set(VERSION_KEY, secrets.randbits(48), timeout=None)


def page_cache_allow(request, seconds: int) -> None:
    """Called by a page while it serves: it may be kept `seconds` (0: never)."""
    if seconds > 0:
        request._cms_page_cache_seconds = seconds


def _enabled() -> bool:
    return getattr(settings, "KAKEHASHI_PAGE_CACHE", True)


def _request_may_use_cache(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request) -> str:
    # The scheme too: pages carry absolute addresses (canonical, og:image) built from the request.
    # And the visitor's display cookies (text size, theme), which the page's <html> carries: one
    # copy per combination, from the known values only (peers/preferences.py).
    return (f"cms:page:{request_site_version(request)}:{display_cache_variant(request)}:"
            f"{request.scheme}://{request.get_host()}:{request.path}")


def _carries_nonce(request, response) -> bool:
    nonce = getattr(request, "_csp_nonce", None)
    return bool(nonce) and nonce.encode() in response.content


class PageCacheMiddleware:
    """Near the end of MIDDLEWARE (only the furigana one after it), so the language redirects and
    security checks run before a hit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _enabled() or not _request_may_use_cache(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            cached[HIT_HEADER] = "hit"
            return cached
        response = self.get_response(request)
        seconds = getattr(request, "_cms_page_cache_seconds", 0)
        session = getattr(request, "session", None)
        if (
            seconds
            and request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not (session is not None and session.modified)
            and not request.user.is_authenticated
        ):
            # A page whose markup carries this response's CSP nonce would be refused by browsers
            # when served again under another nonce: such a page is never kept (config/csp.py).
            def keep(rendered):
                if not _carries_nonce(request, rendered):
                    cache.set(key, rendered, seconds)

            if hasattr(response, "render") and not response.is_rendered:
                response.add_post_render_callback(keep)
            else:
                keep(response)
        return response
