"""The staff home at /staff/: per role, the counts of what waits and the page where it is done.

Counts come from the apps' selectors, each a fixed number of queries: peers' own here (terms to
confirm, erasure requests), training's and collaboration's through the panels they register
for the "staff_home" slot (peers.links), so peers names nothing above it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ..access import two_step_passed
from ..models import ErasureRequest
from ..selectors import (
    invitable_roles_for,
    organisation_list_for_trainer,
    organisation_list_managed_by,
    prefecture_list_coordinated_by,
    region_list_coordinated_by,
    user_has_staff_role,
    user_is_admin,
)
from ..selectors.privacy import erasure_request_list_for
from ..selectors.workforce import engagement_list_pending_for

LISTED = 50


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Someone without a staff role is never sent into two-step enrolment from here (the
    middleware lets this one address through for them): they get a calm page pointing to their
    own home. Every other staff page still asks for two-step sign-in of anyone signed in."""
    user = request.user
    if not user_has_staff_role(user):
        return render(request, "peers/staff_not_staff.html", status=403)
    if not two_step_passed(user):
        target = reverse("peers:mfa_required")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
    is_admin = user_is_admin(user)
    managed = list(organisation_list_managed_by(user)[:LISTED])
    return render(
        request,
        "peers/staff_home.html",
        {
            "is_admin": is_admin,
            "managed_organisations": managed,
            "training_bodies": list(organisation_list_for_trainer(user)[:LISTED]),
            "prefectures": list(prefecture_list_coordinated_by(user)[:LISTED]),
            "regions": list(region_list_coordinated_by(user)[:LISTED]),
            "can_invite": bool(invitable_roles_for(user)),
            "engagements_to_confirm": engagement_list_pending_for(user).order_by().count() if managed else None,
            "erasure_requests_open": (
                erasure_request_list_for(user).filter(status=ErasureRequest.Status.REQUESTED).order_by().count()
                if is_admin else None
            ),
        },
    )
