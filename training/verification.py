"""Looking up a certificate or completion number for the public: the /verify/ pages and the
website's verification page (cms.VerifyPage) both answer through here, with one rate limit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .forms import VerifyForm
from .numbers import number_normalise
from .ratelimit import allow
from .selectors import verification_get


def verify_lookup(request: HttpRequest, number: str) -> tuple[dict, int]:
    """The verification of `number` (a certificate or a completion number, as typed: full-width
    and Japanese dashes are read as the number they mean) as a template context and status
    code: status now and since when, what was certified or completed, dates and issuing body;
    the name only if the holder allows. A wrong check code is 'not found' without touching the
    register, and every lookup counts once toward a per-address limit (429, context
    {"limited": True}), so numbers cannot be listed by trying. Used by the /verify/ addresses
    and by the website's verification page."""
    limit = getattr(settings, "KAKEHASHI_VERIFY_LIMIT", 30)
    period = getattr(settings, "KAKEHASHI_VERIFY_PERIOD", 600)
    if not allow(request, scope="verify", limit=limit, period=period):
        return {"limited": True, "retry_after": period}, 429
    number = number_normalise(number)
    verification = verification_get(number)
    context = {"number": number, "verification": verification, "form": VerifyForm(initial={"number": number})}
    return context, 200 if verification else 404


def verify_headers(response: HttpResponse, context: dict) -> HttpResponse:
    """A result is never indexed nor stored by a cache; a refusal says when to come back."""
    if context.get("limited"):
        response["Retry-After"] = str(context["retry_after"])
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response
