"""Who may open staff pages, and the page that walks a person through two-step sign-in."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ..access import two_step_passed
from ..selectors import user_has_staff_role


def staff_required(view):
    """Only people with a staff role; MFA is enforced before this by StaffMFAMiddleware."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not user_has_staff_role(request.user):
            raise PermissionDenied(_("This page is for staff roles only."))
        if not two_step_passed(request.user):
            target = reverse("peers:mfa_required")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def mfa_required(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return render(
        request,
        "peers/mfa_required.html",
        {
            "next": next_url or reverse("peers:staff_home"),
            "mfa_enabled": is_mfa_enabled(request.user),
            "two_step_passed": two_step_passed(request.user),
        },
    )
