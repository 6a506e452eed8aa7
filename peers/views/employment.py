"""Leave and the accommodations agreed at work (第三群), for the person (/me/engagements/<pk>/
employment/) and the manager of the organisation (/staff/engagements/<pk>/employment/, behind
two-step sign-in). One view, one selector deciding access (peers.selectors.employment):
anyone else is told the page does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..employment_forms import AccommodationForm, LeaveForm, LeaveReturnForm, OwnAccommodationForm
from ..form_errors import add_service_errors
from ..models import Consent, DataCategory
from ..request_params import read_id
from ..selectors.employment import (
    accommodation_get_for,
    accommodation_list_for,
    employment_engagement_get_for,
    leave_get_for,
    leave_list_for,
)
from ..services.employment import (
    accommodation_record,
    accommodation_remove,
    accommodation_update,
    leave_record,
    leave_remove,
    leave_update,
)


def _page(request, engagement, *, own: bool, leave_form=None, accommodation_form=None, status=200):
    user = request.user
    consent = Consent.objects.filter(person=engagement.person, purpose=Consent.Purpose.ACCOMMODATIONS,
                                     withdrawn_at__isnull=True).first()
    form_class = OwnAccommodationForm if own else AccommodationForm
    leaves = list(leave_list_for(user, engagement))
    today = timezone.localdate()
    return render(request, "peers/employment.html", {
        "engagement": engagement, "own": own,
        "leaves": [(leave, LeaveReturnForm(initial={"expected_return": leave.expected_return,
                                                    "actual_return": leave.actual_return},
                                           prefix=f"leave-{leave.pk}"), leave.is_open(today)) for leave in leaves],
        "on_leave": any(leave.is_open(today) for leave in leaves),
        "open_leave": any(leave.actual_return is None for leave in leaves),
        "accommodations": [
            (item, form_class(initial={"text": item.text, "agreed_on": item.agreed_on, "review_on": item.review_on},
                              prefix=f"acc-{item.pk}"))
            for item in accommodation_list_for(user, engagement, context=f"employment page, engagement {engagement.pk}")
        ],
        "consent_active": bool(consent and consent.covers(DataCategory.ACCOMMODATIONS)),
        "leave_form": leave_form or LeaveForm(),
        "accommodation_form": accommodation_form or form_class(initial={"agreed_on": today}),
    }, status=status)


def _refused(form, error) -> None:
    add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))


def _employment(request: HttpRequest, pk: int, *, own: bool) -> HttpResponse:
    engagement = employment_engagement_get_for(request.user, pk)
    if engagement is None or (own and engagement.person_id != request.user.pk):
        raise Http404
    if request.method != "POST":
        return _page(request, engagement, own=own)
    action = request.POST.get("action", "")
    user = request.user
    done = None
    if action == "leave_add":
        form = LeaveForm(request.POST)
        if form.is_valid():
            try:
                leave_record(actor=user, engagement=engagement, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                _refused(form, error)
            else:
                done = _("Leave recorded.")
        if done is None:
            return _page(request, engagement, own=own, leave_form=form, status=400)
    elif action in ("leave_update", "leave_remove"):
        leave = leave_get_for(user, read_id(request.POST, "leave", lenient=True))
        if leave is None or leave.engagement_id != engagement.pk:
            raise Http404
        if action == "leave_remove":
            leave_remove(actor=user, leave=leave)
            done = _("The leave is removed.")
        else:
            form = LeaveReturnForm(request.POST, prefix=f"leave-{leave.pk}")
            try:
                if not form.is_valid():
                    raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
                leave_update(actor=user, leave=leave, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return _page(request, engagement, own=own, status=400)
            done = _("Saved.") if not form.cleaned_data.get("actual_return") else _("The return is recorded. Welcome back.")
    elif action == "accommodation_add":
        form = (OwnAccommodationForm if own else AccommodationForm)(request.POST)
        if form.is_valid():
            try:
                accommodation_record(actor=user, engagement=engagement, text=form.cleaned_data["text"],
                                     agreed_on=form.cleaned_data["agreed_on"], review_on=form.cleaned_data["review_on"],
                                     consent_given=bool(form.cleaned_data.get("consent_given")))
            except (ValidationError, PermissionDenied) as error:
                _refused(form, error)
            else:
                done = _("The accommodation is recorded.")
        if done is None:
            return _page(request, engagement, own=own, accommodation_form=form, status=400)
    elif action in ("accommodation_update", "accommodation_remove"):
        item = accommodation_get_for(user, read_id(request.POST, "item", lenient=True))
        if item is None or item.engagement_id != engagement.pk:
            raise Http404
        if action == "accommodation_remove":
            accommodation_remove(actor=user, item=item)
            done = _("The accommodation is removed.")
        else:
            form = AccommodationForm(request.POST, prefix=f"acc-{item.pk}")
            try:
                if not form.is_valid():
                    raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
                accommodation_update(actor=user, item=item, **{k: form.cleaned_data[k] for k in ("text", "agreed_on", "review_on")})
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return _page(request, engagement, own=own, status=400)
            done = _("Saved.")
    else:
        messages.error(request, _("Choose what to do."))
        return _page(request, engagement, own=own, status=400)
    messages.success(request, done)
    return redirect(request.path)


@login_required
def employment_own(request: HttpRequest, pk: int) -> HttpResponse:
    return _employment(request, pk, own=True)


@login_required
def employment_staff(request: HttpRequest, pk: int) -> HttpResponse:
    return _employment(request, pk, own=False)
