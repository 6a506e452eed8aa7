"""The signed-in person's home at /me/: a peer's, a professional's, or both (peer first)."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import Role
from ..selectors import role_assignment_list_for


def home_parts_for(roles) -> dict:
    """Which homes a person gets from their roles: a professional their own; a peer theirs; both
    both, peer first; anyone else (a staff role only, or no role yet) the peer's, as before."""
    held = {assignment.role for assignment in roles}
    professional = Role.PROFESSIONAL in held
    return {"peer_home": Role.PEER in held or not professional, "professional_home": professional}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = role_assignment_list_for(request.user)
    return render(
        request,
        "peers/home.html",
        {"roles": roles, "mfa_enabled": is_mfa_enabled(request.user), **home_parts_for(roles)},
    )
