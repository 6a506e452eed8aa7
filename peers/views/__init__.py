from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from ..access import two_step_passed
from ..adapters import INVITATION_SESSION_KEY
from ..forms import InvitationForm
from ..selectors import (
    invitable_roles_for,
    invitation_get_usable,
    invitation_list_for,
    organisation_list_for_trainer,
    organisation_list_managed_by,
    prefecture_list_coordinated_by,
    region_list_coordinated_by,
    role_assignment_list_for,
    user_get_by_email,
    user_has_staff_role,
    user_is_admin,
)
from ..services import invitation_accept, invitation_create, user_set_language


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
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "peers/home.html",
        {"roles": role_assignment_list_for(request.user), "mfa_enabled": is_mfa_enabled(request.user)},
    )


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


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "peers/staff_home.html",
        {
            "is_admin": user_is_admin(user),
            "managed_organisations": organisation_list_managed_by(user)[:50],
            "training_bodies": organisation_list_for_trainer(user)[:50],
            "prefectures": prefecture_list_coordinated_by(user)[:50],
            "regions": region_list_coordinated_by(user)[:50],
            "can_invite": bool(invitable_roles_for(user)),
        },
    )


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


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language and land on the same page in it; the choice is kept in a cookie and,
    for a signed-in person, on their account. Only a signed-in person's switch changes stored
    data, so only theirs needs a CSRF token: pages for everyone else carry none, which lets
    them be served from the page cache (cms.cache)."""
    if request.user.is_authenticated:
        return _set_language_signed_in(request)
    return _set_language(request)


def _set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return redirect(next_url)
    # translate_url resolves in the active language, which must be that of the page we came from.
    with translation.override(get_language_from_path(next_url) or settings.LANGUAGE_CODE):
        target = translate_url(next_url, language)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response


_set_language_signed_in = csrf_protect(_set_language)
