"""Two cross-cutting rules: staff need MFA before staff pages; a chosen language is remembered."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.urls.base import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty

from .access import session_two_step_passed, two_step_mark, two_step_marked, two_step_passed
from .selectors import user_has_staff_role

logger = logging.getLogger(__name__)


def _path_without_language(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if code != settings.LANGUAGE_CODE and path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


class TwoStepMarkMiddleware:
    """Marks the request's user with whether two-step sign-in was passed in this session
    (peers.access); the selectors grant staff scopes only on that mark. Place it right after
    Django's AuthenticationMiddleware. The user is still read lazily: a request that never
    looks at it costs nothing more."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        original = getattr(request, "user", None)
        if original is not None:
            request.user = SimpleLazyObject(lambda: _marked_user(request, original))
        return self.get_response(request)


def _marked_user(request: HttpRequest, lazy_user):
    user = lazy_user._wrapped if isinstance(lazy_user, SimpleLazyObject) else lazy_user
    if user is empty:
        lazy_user._setup()
        user = lazy_user._wrapped
    if getattr(user, "is_authenticated", False) and not two_step_marked(user):
        two_step_mark(user, passed=session_two_step_passed(request.session, user))
    return user


STAFF_INDEX = "/staff/"


class StaffMFAMiddleware:
    """Anyone signed in must have passed two-step sign-in in this session before any staff page
    (staff roles, and people given staff work without a staff role, such as a supervisor a
    manager names); they are sent to a page that walks them through enrolling, or through the
    second step again. Whether they may then see the page is decided by the page's selectors,
    which grant staff scopes only on the same mark (peers.access), on every page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = _path_without_language(request.path_info)
        if any(path.startswith(prefix) for prefix in settings.KAKEHASHI_STAFF_PATHS):
            user = request.user
            if path == STAFF_INDEX and user.is_authenticated and not user_has_staff_role(user):
                # The staff index itself shows nobody's data: someone without a staff role gets
                # a calm page there (peers.views.staff), never two-step enrolment. Every other
                # staff page (a named supervisor's queue included) keeps the gate below.
                return self.get_response(request)
            if user.is_authenticated and not two_step_passed(user):
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


SESSION_EXPIRED_TAG = "session-expired"
# A marker that this browser was signed in (and did not sign out): "1", nothing personal. Without
# it a person who was turned away was never signed in here, so no session can have ended.
SIGNED_IN_COOKIE = "kakehashi_signed_in"
SIGNED_IN_COOKIE_AGE = 60 * 60 * 24 * 30  # longer than any session; renewed at each sign-in


def session_ended(request: HttpRequest) -> bool:
    """This browser was signed in (the marker cookie) and the person is not signed in now: the
    session ran out (an explicit sign-out removes the marker)."""
    return request.COOKIES.get(SIGNED_IN_COOKIE) == "1" and not request.user.is_authenticated


class SessionExpiredMiddleware:
    """A form sent after the session ended (a POST by someone not signed in, answered with a
    redirect to the sign-in page) leaves a message on that page saying what happened: the sign-in
    ran out, and what was typed is still on this device (site/static/js/drafts.js keeps it). Only
    a browser that had been signed in is told so (the `SIGNED_IN_COOKIE` marker, set while
    someone is signed in and removed when they sign out); anyone else gets the ordinary sign-in
    page. It changes only the message, never who may do what. Place it after MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        self._keep_marker(request, response)
        if (
            request.method == "POST"
            and response.status_code in (301, 302, 303)
            and session_ended(request)
            and _is_sign_in_page(response.get("Location", ""))
        ):
            from django.contrib import messages
            from django.utils.translation import gettext as _

            messages.info(
                request,
                _(
                    "You were signed out because nothing happened for a while. Please sign in again. "
                    "What you typed is still kept on this device."
                ),
                extra_tags=SESSION_EXPIRED_TAG,
            )
        return response

    @staticmethod
    def _keep_marker(request: HttpRequest, response: HttpResponse) -> None:
        if getattr(request, "signed_out", False):  # peers.signals: the person signed out
            response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")
            return
        # Only a request that carries a session can be a signed-in one: visitors without a
        # session cookie cost no session read here.
        if (
            request.COOKIES.get(SIGNED_IN_COOKIE) != "1"
            and settings.SESSION_COOKIE_NAME in (request.COOKIES.keys() | response.cookies.keys())
            and request.user.is_authenticated
        ):
            response.set_cookie(
                SIGNED_IN_COOKIE, "1", max_age=SIGNED_IN_COOKIE_AGE, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )


def _is_sign_in_page(location: str) -> bool:
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    parts = urlsplit(location)
    if parts.netloc or not parts.path:
        return False
    try:
        return resolve(parts.path).url_name == "account_login"
    except Resolver404:
        return False


class FuriganaMiddleware:
    """Ruby over the kanji of a Japanese HTML page for a person who asked for furigana (or for
    plain Japanese, whose texts carry furigana): peers.preferences and peers.furigana. Only
    whole text/html responses; streamed ones, files, the JSON API and the editors' admin pass
    as they are. Placed after the page cache, so a cached page already carries its ruby (the
    cache's key holds the `furigana` cookie)."""

    SKIPPED_PREFIXES = ("/cms-admin/", "/django-admin/", "/api/", "/static/", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._applies(request, response):
            if hasattr(response, "render") and not response.is_rendered:
                response.add_post_render_callback(_add_furigana)
            else:
                _add_furigana(response)
        return response

    def _applies(self, request: HttpRequest, response: HttpResponse) -> bool:
        from .preferences import furigana_wanted

        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return False
        if request.path.startswith(self.SKIPPED_PREFIXES):
            return False
        language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language() or ""
        return language.startswith("ja") and furigana_wanted(request)


def _add_furigana(response: HttpResponse) -> None:
    """Ruby added to the page; a page that cannot be read as its charset says, or that the HTML
    parser chokes on, is served as it came (without readings, logged), never as an error."""
    from .furigana import ruby_document

    charset = response.charset or "utf-8"
    try:
        content = ruby_document(response.content.decode(charset)).encode(charset)
    except Exception:  # noqa: BLE001 - readings are an aid: the page itself must still arrive
        logger.warning("furigana: page left without readings", exc_info=True)
        return
    response.content = content
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
