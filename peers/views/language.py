"""The language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from ..services import user_set_language


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and land on the same page in it; the choice is kept in a cookie and,
    for a signed-in person, on their account. Only a signed-in person's switch changes stored
    data, so only theirs needs a CSRF token: pages for everyone else carry none, which lets
    them be served from the page cache (cms.cache)."""
    if request.user.is_authenticated:
        return _set_language_signed_in(request)
    return _set_language(request)


def _set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return redirect(next_url)
    # translate_url resolves in the active language, which must be that of the page we came from.
    with translation.override(get_language_from_path(next_url) or settings.LANGUAGE_CODE):
        target = translate_url(next_url, language)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response


_set_language_signed_in = csrf_protect(_set_language)
