"""The signed-in person's home at /me/: a peer's, a professional's, or both (peer first)."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..selectors import home_parts_for, role_assignment_list_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = role_assignment_list_for(request.user)
    return render(
        request,
        "peers/home.html",
        {"roles": roles, "mfa_enabled": is_mfa_enabled(request.user), **home_parts_for(roles)},
    )
