"""Pages a person uses about themselves: /me/… (profile, engagements, consent, their data)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..form_errors import add_service_errors
from ..forms import (
    EngagementEndForm,
    EngagementForm,
    EngagementTermsForm,
    ErasureRequestForm,
    LivedExperienceForm,
    ProfileForm,
)
from ..models import Consent, Engagement, ErasureRequest, LivedExperience
from ..pagination import keyset_page_for_request
from ..plain import plain
from ..selectors.privacy import (
    consent_get_own,
    consent_list_for,
    personal_data_json,
    personal_data_zip,
)
from ..selectors.workforce import (
    accommodations_read,
    engagement_list_own,
    lived_experience_read,
    profile_for,
    sensitive_access_list_for,
)
from ..services.privacy import (
    consent_give,
    consent_withdraw,
    erasure_request,
    lived_experience_declare,
    lived_experience_remove,
)
from ..services.workforce import (
    engagement_end,
    engagement_start,
    profile_update,
)
from .staff_records import record_new_terms


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = profile_for(user)
    initial = {
        "display_name": user.display_name,
        "name_kana": user.name_kana,
        "prefecture": profile.prefecture_id,
        "languages": profile.languages,
        "professional_roles": list(profile.professional_roles.all()) if profile.pk else [],
        "accommodations": accommodations_read(viewer=user, person=user, context="profile") or "",
        **{f: getattr(profile, f) for f in (
            "directory_opt_in", "public_prefecture", "public_languages", "public_roles",
            "public_engagements",
        )},
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        give = data.pop("consent_accommodations")
        try:
            with transaction.atomic():
                if give and data["accommodations"].strip():
                    consent_give(person=user, purpose=Consent.Purpose.ACCOMMODATIONS)
                profile_update(actor=user, person=user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile has been saved. Your pages use the new details from now on."))
            return redirect("peers:profile")
    return render(request, "peers/profile_form.html", {"form": form})


@login_required
def engagement_list(request: HttpRequest) -> HttpResponse:
    page = keyset_page_for_request(request, engagement_list_own(request.user), fields=["-start_date", "-id"])
    return render(request, "peers/engagement_list.html", {"page": page, "today": timezone.localdate()})


@login_required
def engagement_new(request: HttpRequest) -> HttpResponse:
    form = EngagementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement_start(actor=request.user, person=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Engagement recorded. The organisation's manager will confirm the terms.")
            )
            return redirect("peers:engagement_list")
    return render(request, "peers/engagement_form.html", {"form": form})


@login_required
def engagement_terms_own(request: HttpRequest, pk: int) -> HttpResponse:
    """A person records new terms for their own engagement from a date: the current one ends
    the day before, and the new terms wait for the organisation's manager to confirm them."""
    from django.http import Http404

    try:
        engagement = engagement_list_own(request.user).get(pk=pk)
    except (Engagement.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing
    form = EngagementTermsForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and record_new_terms(form, actor=request.user, engagement=engagement):
        messages.success(request, _(
            "The new terms have been recorded; the old ones are kept. "
            "The organisation's manager will confirm them."
        ))
        return redirect("peers:engagement_list")
    return render(request, "peers/engagement_terms.html", {
        "form": form, "engagement": engagement, "for_self": True, "cancel_url": reverse("peers:engagement_list"),
    })


@login_required
@require_POST
def engagement_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import Http404

    try:
        engagement = engagement_list_own(request.user).get(pk=pk)
    except Engagement.DoesNotExist as missing:
        raise Http404 from missing
    form = EngagementEndForm(request.POST)
    if form.is_valid():
        try:
            engagement_end(actor=request.user, engagement=engagement, end_date=form.cleaned_data["end_date"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The engagement has been ended. It stays in your record as past work."))
    else:
        messages.error(request, _("Please give the last day."))
    return redirect("peers:engagement_list")


@login_required
def consent_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    declaration = lived_experience_read(viewer=user, person=user, context="consent page")
    lived_form = LivedExperienceForm(
        request.POST if request.POST.get("action") == "declare" else None,
        initial={"relation": declaration.relation, "visibility": declaration.visibility}
        if declaration else {"visibility": LivedExperience.Visibility.ONLY_ME},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "give":
                purpose = request.POST.get("purpose")
                if purpose not in Consent.Purpose.values:
                    raise ValidationError(_("Choose a purpose."))
                consent_give(person=user, purpose=purpose)
                messages.success(request, plain(_("Thank you. Your consent has been recorded."),
                                                "ありがとうございます。あなたの同意を記録しました。"))
            elif action == "withdraw":
                consent = consent_get_own(user, request.POST.get("consent"))
                consent_withdraw(actor=user, consent=consent)
                messages.success(request, plain(_(
                    "Your consent has been withdrawn. The data it covered is no longer used."
                ), "同意をやめました（撤回）。その情報は、もう使いません。"))
            elif action == "declare":
                if not lived_form.is_valid():
                    raise ValidationError(_("Please choose both options."))
                lived_experience_declare(person=user, **lived_form.cleaned_data)
                messages.success(request, plain(_("Your declaration has been saved. It is shown only as you chose."),
                                                "保存しました。あなたが選んだ人だけが見られます。"))
            elif action == "remove":
                lived_experience_remove(person=user)
                messages.success(request, plain(_("Your declaration has been removed. It is no longer shown to anyone."),
                                                "消しました。もう、だれにも見えません。"))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            return redirect("peers:consent")
    consents = list(consent_list_for(user))
    active = {c.purpose for c in consents if c.is_active}
    return render(request, "peers/consent.html", {
        "consents": consents,
        "purposes": [(value, label, value in active) for value, label in Consent.Purpose.choices],
        "declaration": declaration,
        "lived_form": lived_form,
        "lived_consent": Consent.Purpose.LIVED_EXPERIENCE in active,
    })


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    page = keyset_page_for_request(request, sensitive_access_list_for(request.user), fields=["-at", "-id"])
    return render(request, "peers/access_log.html", {"page": page})


@login_required
def data_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everything we hold about the person, from every part of the record: JSON, or a zip of
    CSV files (one per table, headers in the person's own language, evidence files inside)."""
    from django.http import Http404
    from django.utils import translation

    stamp = timezone.localdate().isoformat()
    with translation.override(request.user.language or "ja"):
        if fmt == "json":
            response = JsonResponse(personal_data_json(request.user),
                                    json_dumps_params={"ensure_ascii": False, "indent": 2})
            response["Content-Disposition"] = f'attachment; filename="kakehashi-my-data-{stamp}.json"'
        elif fmt in ("zip", "csv"):
            response = HttpResponse(personal_data_zip(request.user), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="kakehashi-my-data-{stamp}.zip"'
        else:
            raise Http404
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Download my data, and ask for erasure."""
    open_request = ErasureRequest.objects.filter(
        person=request.user, status=ErasureRequest.Status.REQUESTED
    ).first()
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and open_request is None:
        erasure_request(person=request.user, note=form.cleaned_data["note"])
        messages.success(request, plain(_(
            "We have received your request. An administrator will carry it out and tell you."
        ), "お願いを受け取りました。管理する人が消します。終わったら、お知らせします。"))
        return redirect("peers:my_data")
    return render(request, "peers/my_data.html", {"form": form, "open_request": open_request})


# --- API tokens -----------------------------------------------------------------------------------


def _token_page(request: HttpRequest, form, *, status: int = 200) -> HttpResponse:
    from allauth.mfa.utils import is_mfa_enabled

    from ..access import two_step_passed
    from ..selectors import api_token_list_for

    return render(request, "peers/api_tokens.html", {
        "tokens": list(api_token_list_for(request.user)[:200]),
        "form": form,
        "two_step_passed": two_step_passed(request.user),
        "mfa_enabled": is_mfa_enabled(request.user),
        "now": timezone.now(),
    }, status=status)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens: the list, and a form to make one (after two-step sign-in)."""
    from ..forms import ApiTokenForm
    from ..services import api_token_create

    if request.method != "POST":
        form = ApiTokenForm(initial={"days": settings.KAKEHASHI_API_TOKEN_DAYS})
        return _token_page(request, form)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _token_page(request, form, status=400)
    try:
        token, secret = api_token_create(user=request.user, **form.cleaned_data)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return _token_page(request, form, status=403)
    except ValidationError as error:
        add_service_errors(form, error)
        return _token_page(request, form, status=400)
    # Shown once, on this answer only: never stored, never cached.
    response = render(request, "peers/api_token_created.html", {"token": token, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoking asks first (no one-tap revoke); it works without two-step sign-in, so someone
    who lost their authenticator can still stop a token."""
    from django.shortcuts import get_object_or_404

    from ..selectors import api_token_list_for
    from ..services import api_token_revoke

    token = get_object_or_404(api_token_list_for(request.user), pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token “%(name)s” was revoked. It no longer works.") % {"name": token.name})
        return redirect("peers:api_tokens")
    return render(request, "peers/api_token_revoke.html", {"token": token})
