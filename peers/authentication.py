"""The API's way in: who is calling (session or token) and whether staff data may open to them.

Every endpoint asks `TwoStepForStaff` (a default permission): someone who holds a staff
capability but has not passed two-step sign-in (in the session; for a token: still has an
authenticator) gets 403 `application/problem+json` (RFC 9457) saying how to enrol, except on
endpoints that serve only the caller's own record (`own_record_only = True` on the view).
The selectors behind every endpoint grant staff scopes on the same mark (peers.access).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission

from .access import two_step_passed, user_holds_staff_capability
from .errors import both_languages

PROBLEM_JSON = "application/problem+json"


class Problem(exceptions.APIException):
    """An error answered as RFC 9457 problem details, with one typed code per error."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    title = _("Forbidden")
    message = _("You cannot do this.")
    explained_at = "peers:mfa_required"  # the page that explains (an absolute URL in the answer)
    field = None

    def __init__(self):
        super().__init__(detail=str(self.message), code=self.code)

    def body(self, request) -> dict:
        return {
            "type": request.build_absolute_uri(reverse(self.explained_at)),
            "title": str(self.title),
            "status": self.status_code,
            "detail": str(self.message),
            "errors": [{"field": self.field, "code": self.code, "message": both_languages(self.message)}],
        }


class TwoStepRequired(Problem):
    code = "two_step_required"
    title = _("Two-step sign-in required")
    message = _(
        "Staff data opens only after two-step sign-in. Turn it on at /accounts/2fa/ (an "
        "authenticator app or a passkey) and sign in with the second step; an API token works "
        "for staff data only while your account has two-step sign-in."
    )


def exception_handler(exc, context):
    """DRF's handler, except that our problems are answered as application/problem+json."""
    from rest_framework.response import Response
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Problem):
        request = context["request"]
        return Response(exc.body(request), status=exc.status_code, content_type=PROBLEM_JSON)
    return drf_exception_handler(exc, context)


class TwoStepForStaff(BasePermission):
    """Staff-capable people reach the API beyond their own record only after two-step sign-in."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "own_record_only", False):
            return True
        user = request.user
        if not getattr(user, "is_authenticated", False) or two_step_passed(user):
            return True
        if user_holds_staff_capability(user):
            raise TwoStepRequired()
        return True
