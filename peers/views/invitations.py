"""Invitations: staff send them, the invited person accepts one by its link."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..adapters import INVITATION_SESSION_KEY
from ..forms import InvitationForm
from ..selectors import (
    invitable_roles_for,
    invitation_get_usable,
    invitation_list_for,
    organisation_list_managed_by,
    user_get_by_email,
)
from ..services import invitation_accept, invitation_create
from .access import staff_required


@staff_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    roles = invitable_roles_for(request.user)
    if not roles:
        raise PermissionDenied(_("You cannot invite people."))
    invitations = invitation_list_for(request.user).order_by("-created_at")[:100]
    return render(request, "peers/invitation_list.html", {"invitations": invitations})


@staff_required
def invitation_new(request: HttpRequest) -> HttpResponse:
    roles = invitable_roles_for(request.user)
    if not roles:
        raise PermissionDenied(_("You cannot invite people."))
    organisations = organisation_list_managed_by(request.user)
    form = InvitationForm(request.POST or None, roles=roles, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_create(
                invited_by=request.user,
                email=data["email"],
                role=data["role"],
                organisation=data.get("organisation"),
                prefecture=data.get("prefecture"),
                region=data.get("region"),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s. The role is added when they accept it.") % {"email": invitation.email}
            )
            return redirect("peers:invitation_list")
    return render(request, "peers/invitation_form.html", {"form": form})


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_get_usable(token)
    if invitation is None:
        return render(request, "peers/invitation_invalid.html", status=410)
    if request.user.is_authenticated:
        try:
            invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            return render(
                request, "peers/invitation_invalid.html", {"reason": " ".join(error.messages)},
                status=400,
            )
        messages.success(request, _("Welcome. Your new role has been added to your account."))
        return redirect("peers:home")
    request.session[INVITATION_SESSION_KEY] = invitation.token
    if user_get_by_email(invitation.email) is not None:
        messages.info(request, _("You already have an account. Please sign in to accept the invitation."))
        return redirect(f"{reverse('account_login')}?next={request.path}")
    # The link reached this address, so the address is verified.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(f"{reverse('account_signup')}?email={invitation.email}")
