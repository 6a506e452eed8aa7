"""How a person wants the site to look, and when it may email them.

Display settings are a registry: each `DisplaySetting` names the account field, the cookie that
holds it for visitors, its choices and the `data-*` attribute the base template puts on
`<html>`. The settings page, the account page, the API, the page cache's key and the template
all read this list, so a new setting joins by adding one entry and one field (furigana and wording did).

For a signed-in person the account wins; for a visitor the cookies decide (an unknown value is
the default). Quiet hours are on the account only: emails and digests that reach a person
inside them are held and sent when they end (peers/mail.py); Japan time, and a window may cross
midnight (22:00–07:00).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import Furigana, TextSize, Theme, Wording

JAPAN = ZoneInfo("Asia/Tokyo")
COOKIE_AGE = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class DisplaySetting:
    name: str  # the account field, the form field, the cookie and the API key
    choices: type  # a TextChoices
    default: str
    label: str  # a lazy, translated label for the form

    @property
    def cookie(self) -> str:
        return self.name

    @property
    def attribute(self) -> str:
        return "data-" + self.name.replace("_", "-")

    def clean(self, value) -> str:
        return value if value in self.choices.values else self.default


DISPLAY_SETTINGS: tuple[DisplaySetting, ...] = (
    DisplaySetting("text_size", TextSize, TextSize.STANDARD, _("Text size")),
    DisplaySetting("theme", Theme, Theme.STANDARD, _("Look of the pages")),
    # Japanese pages only: readings over kanji (peers/furigana.py), and the hand-written plain
    # Japanese (やさしい日本語) texts where they exist (peers/plain.py), which carry furigana too.
    DisplaySetting("furigana", Furigana, Furigana.OFF, _("Furigana")),
    DisplaySetting("wording", Wording, Wording.STANDARD, _("Japanese wording")),
)


def display_from_cookies(cookies) -> dict[str, str]:
    """The visitor's display settings from their cookies; unknown values are the defaults."""
    return {item.name: item.clean(cookies.get(item.cookie)) for item in DISPLAY_SETTINGS}


def display_for(request: HttpRequest | None) -> dict[str, str]:
    """The display settings in force for this request: the account's for a signed-in person,
    else the cookies'."""
    if request is None:
        return {item.name: item.default for item in DISPLAY_SETTINGS}
    cached = getattr(request, "_kakehashi_display", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        values = {item.name: item.clean(getattr(user, item.name, None)) for item in DISPLAY_SETTINGS}
    else:
        values = display_from_cookies(request.COOKIES)
    request._kakehashi_display = values
    return values


def furigana_wanted(request: HttpRequest | None) -> bool:
    """Whether this request's Japanese pages carry furigana: asked for, or plain Japanese chosen."""
    values = display_for(request)
    return values["furigana"] == Furigana.ON or values["wording"] == Wording.PLAIN


def plain_wanted(request: HttpRequest | None) -> bool:
    """Whether this request wants the plain Japanese (やさしい日本語) texts where they exist."""
    return display_for(request)["wording"] == Wording.PLAIN


def user_furigana_wanted(user) -> bool:
    """The same for a person's emails, from their account."""
    return getattr(user, "furigana", None) == Furigana.ON or getattr(user, "wording", None) == Wording.PLAIN


def display_cookies_set(response: HttpResponse, values: dict[str, str], *, request: HttpRequest) -> None:
    """Remember display settings in cookies (for visitors, and for a person once signed out)."""
    for item in DISPLAY_SETTINGS:
        if item.name in values:
            response.set_cookie(
                item.cookie, item.clean(values[item.name]), max_age=COOKIE_AGE, path="/",
                secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
                httponly=True, samesite="Lax",
            )


def display_cache_variant(request: HttpRequest) -> str:
    """A short, bounded key part for a visitor's display cookies (the page cache varies on it)."""
    values = display_from_cookies(request.COOKIES)
    return ",".join(values[item.name] for item in DISPLAY_SETTINGS)


# --- Quiet hours ------------------------------------------------------------------------------


def quiet_hours_end_after(*, start: datetime.time | None, end: datetime.time | None,
                          now: datetime.datetime) -> datetime.datetime | None:
    """When the quiet window that holds `now` ends (an aware datetime), or None when `now` is
    outside it or there is no window. Times are Japan time; `start > end` crosses midnight, and
    the window includes `start` and excludes `end`."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(JAPAN)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + datetime.timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.datetime.combine(end_day, end, tzinfo=JAPAN)


def user_quiet_until(user, now: datetime.datetime) -> datetime.datetime | None:
    """When a person's current quiet hours end, or None when mail may go now."""
    return quiet_hours_end_after(start=getattr(user, "quiet_hours_start", None),
                                 end=getattr(user, "quiet_hours_end", None), now=now)
