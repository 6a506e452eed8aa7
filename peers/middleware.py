"""Two cross-cutting rules: staff need MFA before staff pages; a chosen language is remembered."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.urls.base import translate_url
from django.utils import translation


def _path_without_language(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if code != settings.LANGUAGE_CODE and path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


class StaffMFAMiddleware:
    """Anyone signed in must have two-step sign-in turned on before any staff page (staff
    roles, and people given staff work without a staff role, such as a supervisor a manager
    names); they are sent to a page that walks them through it. This is the one place the rule
    lives. Whether they may then see the page is decided by the page's selectors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = _path_without_language(request.path_info)
        if any(path.startswith(prefix) for prefix in settings.KAKEHASHI_STAFF_PATHS):
            user = request.user
            if user.is_authenticated and not is_mfa_enabled(user):
                target = reverse("peers:mfa_required")
                return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class RememberedLanguageMiddleware:
    """Japanese pages have no prefix, English ones live under /en/. Someone who chose English
    (cookie, or their account's setting) and opens a Japanese address is taken to the English
    one, so the choice is remembered across visits and devices."""

    SKIP = ("/static/", "/media/", "/api/", "/ws/", "/healthz", "/cms-admin/", "/django-admin/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        redirect = self._redirect_for(request)
        if redirect is not None:
            return redirect
        return self.get_response(request)

    def _redirect_for(self, request: HttpRequest) -> HttpResponse | None:
        if request.method not in ("GET", "HEAD"):
            return None
        path = request.path_info
        if path.startswith(self.SKIP) or _path_without_language(path) != path:
            return None
        preferred = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if preferred is None and getattr(request, "user", None) is not None:
            if request.user.is_authenticated:
                preferred = request.user.language
        if not preferred or preferred == settings.LANGUAGE_CODE:
            return None
        if preferred not in dict(settings.LANGUAGES):
            return None
        with translation.override(settings.LANGUAGE_CODE):
            target = translate_url(path, preferred)
        if target == path:
            return None
        query = request.META.get("QUERY_STRING")
        return HttpResponseRedirect(f"{target}?{query}" if query else target)
