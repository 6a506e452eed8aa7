"""How the site looks for this person: /display/ (everyone, linked from every page's header)
and /account/preferences/ (the signed-in person's settings, quiet hours for emails too).

Both are plain POST forms with CSRF and a save button; nothing needs JavaScript. Saving writes
the cookies (`text_size`, `theme`) and, for a signed-in person, the account, whose values win
(peers/preferences.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from ..form_errors import add_service_errors
from ..forms import DisplaySettingsForm, PreferencesForm
from ..models import Furigana, Wording
from ..preferences import display_cookies_set, display_for
from ..services.accounts import user_preferences_save


def safe_next(request: HttpRequest, value: str | None) -> str:
    """`value` when it is an address on this site (a path, or this host over the same scheme),
    else ""."""
    value = (value or "").strip()
    if not value or "\\" in value:
        return ""
    if url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return value
    return ""


def display_settings(request: HttpRequest) -> HttpResponse:
    """Text size and theme, for anyone; back to the page the person came from once saved."""
    next_url = safe_next(request, request.POST.get("next") if request.method == "POST" else request.GET.get("next"))
    if request.method == "POST":
        form = DisplaySettingsForm(request.POST)
        if form.is_valid():
            values = form.display_values()
            if request.user.is_authenticated:
                user_preferences_save(user=request.user, display=values)
            messages.success(request, _("Display settings saved. Every page now uses them."))
            response = redirect(next_url or reverse("peers:display"))
            display_cookies_set(response, values, request=request)
            return response
    else:
        form = DisplaySettingsForm(initial=display_for(request))
    return render(request, "peers/display_settings.html", {"form": form, "next": next_url})


@csrf_exempt
@require_POST
def furigana_switch(request: HttpRequest) -> HttpResponse:
    """The furigana button in every page's header: on or off in one press, back to the same
    page; and the same for the wording (`wording=plain|standard`), from the note on a website
    page that has a やさしい日本語 version (cms/_plain_version.html). As with the language switch
    (peers.views.language), only a signed-in person's press changes stored data, so only theirs
    needs a CSRF token, and visitors' pages stay cacheable."""
    if request.user.is_authenticated:
        return _furigana_switch_signed_in(request)
    return _furigana_switch(request)


_SWITCHES = {"furigana": Furigana, "wording": Wording}


def _furigana_switch(request: HttpRequest) -> HttpResponse:
    values = {name: request.POST[name] for name, choices in _SWITCHES.items()
              if request.POST.get(name) in choices.values}
    response = redirect(safe_next(request, request.POST.get("next")) or "/")
    if not values:
        return response
    if request.user.is_authenticated:
        user_preferences_save(user=request.user, display=values)
    display_cookies_set(response, values, request=request)
    return response


_furigana_switch_signed_in = csrf_protect(_furigana_switch)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's settings: display, and quiet hours for emails and digests."""
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            values = form.display_values()
            try:
                user_preferences_save(user=user, display=values, quiet_hours=form.quiet_hours())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your settings are saved. Display settings apply on every page; "
                                            "emails follow your quiet hours from now on."))
                response = redirect("peers:preferences")
                display_cookies_set(response, values, request=request)
                return response
    else:
        form = PreferencesForm(initial={
            **display_for(request),
            "quiet_hours_start": user.quiet_hours_start, "quiet_hours_end": user.quiet_hours_end,
        })
    return render(request, "peers/preferences.html", {"form": form})
