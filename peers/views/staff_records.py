"""Staff forms that change records: organisations, engagements a manager records or re-terms,
and consent given on paper. MFA is enforced before these by StaffMFAMiddleware.

A record the user may not manage is reported as missing (404), never as forbidden.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ..form_errors import add_service_errors
from ..forms import EngagementTermsForm, OrganisationForm, PaperConsentForm, StaffEngagementForm
from ..selectors import user_is_admin
from ..selectors.workforce import (
    engagement_get_for,
    organisation_get,
    person_get_for,
    person_list_linked_to,
    user_manages_engagement,
    user_manages_organisation,
)
from ..services.privacy import consent_give
from ..services.workforce import (
    engagement_change_terms,
    engagement_start,
    organisation_create,
    organisation_update,
)
from .access import staff_required


def _managed_organisation(user, pk):
    organisation = organisation_get(pk)
    if not user_manages_organisation(user, organisation):
        raise Http404
    return organisation


@staff_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    if not user_is_admin(request.user):
        raise PermissionDenied(_("Only an administrator can add organisations."))
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation has been added. You can now record who works there."))
            return redirect("peers:organisation_staff", organisation.pk)
    return render(request, "peers/staff/organisation_form.html", {"form": form, "organisation": None})


@staff_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request.user, pk)
    form = OrganisationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            organisation.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation's details have been saved. The new details show on its pages from now on."))
            return redirect("peers:organisation_staff", organisation.pk)
    return render(
        request, "peers/staff/organisation_form.html", {"form": form, "organisation": organisation}
    )


@staff_required
def engagement_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager records an engagement for a person at their organisation (confirmed at once)."""
    organisation = _managed_organisation(request.user, pk)
    form = StaffEngagementForm(request.POST or None, people=person_list_linked_to(organisation))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        data.pop("email")
        try:
            engagement_start(actor=request.user, person=person, organisation=organisation, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The engagement has been recorded. It shows in the person's record."))
            return redirect("peers:organisation_staff", organisation.pk)
    return render(
        request, "peers/staff/engagement_record.html", {"form": form, "organisation": organisation}
    )


def record_new_terms(form: EngagementTermsForm, *, actor, engagement) -> bool:
    """New terms from a valid terms form through the service (the person's own page and the
    manager's use it alike); a refusal lands on the form and answers False."""
    if not form.is_valid():
        return False
    data = dict(form.cleaned_data)
    try:
        engagement_change_terms(actor=actor, engagement=engagement, effective_date=data.pop("effective_date"),
                                activities=data.pop("activities"), **data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@staff_required
def engagement_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """New terms for an engagement at one of the manager's organisations: the service ends the
    current engagement and starts a new one pointing back to it."""
    engagement = engagement_get_for(request.user, pk)
    if not user_manages_engagement(request.user, engagement):
        raise Http404
    form = EngagementTermsForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and record_new_terms(form, actor=request.user, engagement=engagement):
        messages.success(request, _("The new terms have been recorded; the old ones are kept."))
        return redirect("peers:organisation_staff", engagement.organisation_id)
    return render(
        request, "peers/engagement_terms.html", {
            "form": form, "engagement": engagement, "for_self": False,
            "cancel_url": reverse("peers:organisation_staff", args=[engagement.organisation_id]),
        }
    )


@staff_required
def paper_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator enters consent the person gave on a signed paper form (合意書)."""
    if not user_is_admin(request.user):
        raise PermissionDenied(_("This page is for administrators."))
    person = person_get_for(request.user, pk)
    form = PaperConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_give(
                person=person, purpose=form.cleaned_data["purpose"], recorded_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent has been recorded in the person's ledger. The person can see it, and withdraw it, on their consent page."))
            return redirect("peers:person_detail", person.pk)
    return render(request, "peers/staff/paper_consent.html", {"form": form, "person": person})
