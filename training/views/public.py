"""Public verification, open cohorts, applying, and the person's own training page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from peers.form_errors import add_service_errors
from peers.preferences import furigana_wanted

from ..certificates import certificate_refused, certification_pdf, completion_pdf
from ..evidence import EvidenceUploadLimit, declared_too_large, evidence_response, too_large_error
from ..forms import (
    ApplicationForm,
    CERecordForm,
    EvidenceUploadForm,
    PublicApplicationForm,
    RenewalRequestForm,
    VerifyForm,
)
from ..models import TrainingBody
from ..numbers import number_normalise
from ..ratelimit import allow
from ..selectors import (
    application_list_of,
    ce_evidence_request_list_of,
    ce_record_get_own,
    ce_record_get_visible,
    ce_record_list_of,
    certification_get_visible,
    certification_list_of,
    certification_verification,
    cohort_get_open,
    cohort_list_open_with_places,
    completion_get_visible,
    completion_list_of,
    reminder_list_of,
    renewal_progress_list,
)
from ..services import (
    application_pair_submit,
    application_public_confirm,
    application_public_submit,
    application_submit,
    application_transition,
    ce_evidence_submit,
    ce_record_add,
    certification_set_public_name,
    completion_set_public_name,
    public_confirmation_application,
    renewal_request_submit,
)
from ..verification import verify_headers, verify_lookup


def verify_url(request: HttpRequest, number: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("training:verify", args=[number])
    return request.build_absolute_uri(path) if request else path


def credential_url(request: HttpRequest, kind: str, pk: int) -> str:
    """The holder's download of a digital credential, as the certificate's second QR code."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(f"training:{kind}_credential", args=[pk, "json"])
    return request.build_absolute_uri(path)


def verify_form(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        return redirect("training:verify", number=number_normalise(form.cleaned_data["number"]) or "-")
    return render(request, "training/verify_form.html", {"form": form})


def verify(request: HttpRequest, number: str) -> HttpResponse:
    context, status = verify_lookup(request, number)
    template = "training/verify_limited.html" if context.get("limited") else "training/verify.html"
    return verify_headers(render(request, template, context, status=status), context)


def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(request, "training/cohort_list_public.html", {"cohorts": cohort_list_open_with_places()})


@login_required
def cohort_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply to an open cohort. Anyone signed in; someone signed out is sent to sign in first,
    or applies from the public form (cohort_apply_public). A pairs-only cohort takes the office
    and both people of the pair."""
    cohort = cohort_get_open(pk)
    form = ApplicationForm(request.POST or None, cohort=cohort, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "cohort": cohort, "consent": data["consent"],
            "accommodation_request": data.get("accommodation_request") or "",
            "accommodation_consent": bool(data.get("accommodation_consent")),
        }
        try:
            if cohort.pair_applications:
                application_pair_submit(
                    submitted_by=request.user, organisation=data.get("organisation"),
                    peer_email=data["peer_email"], peer_eligibility=data["peer_eligibility"],
                    supporter_email=data["supporter_email"],
                    supporter_eligibility=data["supporter_eligibility"], **common,
                )
            else:
                application_submit(applicant=request.user, **common)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your application has been sent. We have emailed you a copy."))
            return redirect("training:me")
    return render(request, "training/cohort_apply.html", {"cohort": cohort, "form": form})


def _public_limit() -> tuple[int, int]:
    return (getattr(settings, "KAKEHASHI_PUBLIC_APPLY_LIMIT", 5),
            getattr(settings, "KAKEHASHI_PUBLIC_APPLY_PERIOD", 3600))


def cohort_apply_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A visitor without an account applies with name, kana, email and office (a pair: their
    partner's too). Robots are kept out without a puzzle anyone must solve: a per-address
    limit on sending, and a field hidden from people that only robots fill in (they are shown
    the same page as people, and nothing is stored)."""
    cohort = cohort_get_open(pk)
    form = PublicApplicationForm(request.POST or None, cohort=cohort)
    if request.method == "POST":
        limit, period = _public_limit()
        if not allow(request, scope="public_apply", limit=limit, period=period):
            response = render(request, "training/cohort_apply_public.html",
                              {"cohort": cohort, "form": form, "limited": True}, status=429)
            response["Retry-After"] = str(period)
            return response
        if form.is_robot:
            return render(request, "training/cohort_apply_sent.html", {"cohort": cohort})
        if form.is_valid():
            data = form.cleaned_data
            try:
                application_public_submit(
                    cohort=cohort, name=data["name"], kana=data["kana"], email=data["email"],
                    organisation=data["organisation"], consent=data["consent"],
                    role=data.get("role", ""), eligibility=data.get("eligibility", ""),
                    partner_name=data.get("partner_name", ""), partner_kana=data.get("partner_kana", ""),
                    partner_email=data.get("partner_email", ""),
                    partner_eligibility=data.get("partner_eligibility", ""),
                    language=(translation.get_language() or settings.LANGUAGE_CODE)[:2],
                    confirm_url=request.build_absolute_uri(reverse("training:application_confirm")),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Thank you. Please check your email to confirm the application."))
                return render(request, "training/cohort_apply_sent.html", {"cohort": cohort})
    return render(request, "training/cohort_apply_public.html", {"cohort": cohort, "form": form})


def application_confirm(request: HttpRequest) -> HttpResponse:
    """The link in a visitor's confirmation email. Opening it shows a button (mail scanners
    that open links confirm nothing); pressing it sends the application."""
    key = request.POST.get("key") or request.GET.get("key") or ""
    try:
        application = public_confirmation_application(key)
    except ValidationError as error:
        return render(request, "training/application_confirm.html", {"error": " ".join(error.messages)}, status=400)
    if request.method == "POST":
        try:
            application = application_public_confirm(key=key)
        except ValidationError as error:
            return render(request, "training/application_confirm.html",
                          {"error": " ".join(error.messages)}, status=400)
        messages.success(request, _("Your application has been confirmed and sent to the training body. The training body will tell you the next steps."))
        return render(request, "training/application_confirm.html", {"application": application, "done": True})
    return render(request, "training/application_confirm.html", {"application": application, "key": key})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    certifications = list(certification_list_of(user, with_records=True))
    bodies = TrainingBody.objects.filter(certifications__holder=user).distinct()
    return render(
        request,
        "training/me.html",
        {
            "completions": completion_list_of(user),
            "progress": renewal_progress_list(certifications),
            "request_form": RenewalRequestForm(),
            "applications": application_list_of(user).order_by("-created_at")[:50],
            "ce_records": ce_record_list_of(user)[:100],
            "reminders": reminder_list_of(user),
            "ce_form": CERecordForm(bodies=bodies) if bodies else None,
            "evidence_requests": list(ce_evidence_request_list_of(user)),
            "evidence_form": EvidenceUploadForm(),
        },
    )


@csrf_exempt  # checked below, once the upload's size limit is in place (as ce_add)
@login_required
@require_POST
def ce_evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the evidence asked for one of the person's own records (audit sampling)."""
    record = ce_record_get_own(request.user, pk)
    if declared_too_large(request):
        return render(request, "training/ce_evidence_form.html", {
            "record": record, "form": EvidenceUploadForm(), "refused": too_large_error().messages[0],
        }, status=413)
    request.upload_handlers.insert(0, EvidenceUploadLimit(request))
    return _ce_evidence_upload(request, record)


@csrf_protect
def _ce_evidence_upload(request: HttpRequest, record) -> HttpResponse:
    form = EvidenceUploadForm(request.POST, request.FILES)
    if getattr(request, "evidence_too_large", False):
        form.is_valid()
        form.add_error("evidence", too_large_error())
    if form.is_valid():
        try:
            ce_evidence_submit(record=record, person=request.user, evidence=form.cleaned_data["evidence"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your evidence has been sent. Staff will review it; until then these "
                                        "hours count as waiting."))
            return redirect(reverse("training:me") + "#evidence-requests-heading")
    return render(request, "training/ce_evidence_form.html", {"record": record, "form": form}, status=400)


@csrf_exempt  # checked below, once the upload's size limit is in place (see _ce_add)
@login_required
@require_POST
def ce_add(request: HttpRequest) -> HttpResponse:
    """Refuse an upload declared too large before reading it; drop one that grows too large while
    it streams (training/evidence.py). Nothing is stored in either case."""
    bodies = TrainingBody.objects.filter(certifications__holder=request.user).distinct()
    if declared_too_large(request):
        return render(request, "training/ce_form.html", {
            "form": CERecordForm(bodies=bodies), "refused": too_large_error().messages[0],
        }, status=413)
    request.upload_handlers.insert(0, EvidenceUploadLimit(request))
    return _ce_add(request, bodies)


@csrf_protect
def _ce_add(request: HttpRequest, bodies) -> HttpResponse:
    form = CERecordForm(request.POST, request.FILES, bodies=bodies)
    if getattr(request, "evidence_too_large", False):
        form.is_valid()
        form.add_error("evidence", too_large_error())
    if form.is_valid():
        data = form.cleaned_data
        try:
            ce_record_add(person=request.user, body=data["body"], date=data["date"], provider=data["provider"],
                          hours=data["hours"], category=data["category"], title=data["title"],
                          evidence=data.get("evidence"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your continuing-education record has been added. You can see it in your training record."))
            return redirect("training:me")
    return render(request, "training/ce_form.html", {"form": form}, status=400)


@login_required
@require_POST
def public_name(request: HttpRequest, pk: int) -> HttpResponse:
    certification = certification_get_visible(request.user, pk)
    if certification.holder_id != request.user.pk:
        raise Http404
    certification_set_public_name(certification=certification, holder=request.user,
                                  show=request.POST.get("show") == "1")
    messages.success(request, _("Your choice has been saved. The public verification page follows it from now on."))
    return redirect("training:me")


@login_required
@require_POST
def renewal_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder asks for renewal from their training page (someone else's record is a 404)."""
    certification = certification_get_visible(request.user, pk)
    if certification.holder_id != request.user.pk:
        raise Http404
    form = RenewalRequestForm(request.POST)
    if form.is_valid():
        try:
            renewal_request_submit(certification=certification, holder=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your request for renewal has been sent to the training body. You will be told when they have decided."))
            return redirect("training:me")
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("training:me")


@login_required
@require_POST
def completion_public_name(request: HttpRequest, pk: int) -> HttpResponse:
    completion = completion_get_visible(request.user, pk)
    if completion.person_id != request.user.pk:
        raise Http404
    completion_set_public_name(completion=completion, person=request.user, show=request.POST.get("show") == "1")
    messages.success(request, _("Your choice has been saved. The public verification page follows it from now on."))
    return redirect("training:me")


def _language(request) -> str:
    language = request.GET.get("lang", "")
    return language if language in dict(settings.LANGUAGES) else (translation.get_language() or "ja")[:2]


@login_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate as the certification stands now: plain, marked across, or (revoked)
    refused with a page that says why and where to check."""
    certification = certification_get_visible(request.user, pk)
    verification = certification_verification(certification)
    if certificate_refused(verification):
        return render(request, "training/certificate_refused.html",
                      {"certification": certification, "verification": verification}, status=410)
    size = "card" if request.GET.get("size") == "card" else "a4"
    credential = ""
    if certification.holder_id == request.user.pk and certification.replaced_on is None:
        credential = credential_url(request, "certification", certification.pk)
    pdf = certification_pdf(certification, verify_url=verify_url(request, certification.number),
                            language=_language(request), size=size, verification=verification,
                            credential_url=credential,
                            readings=certification.holder_id == request.user.pk and furigana_wanted(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certification.number}-{size}.pdf"'
    return response


@login_required
def completion_certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    completion = completion_get_visible(request.user, pk)
    credential = credential_url(request, "completion", completion.pk) if completion.person_id == request.user.pk else ""
    # The holder's own copy carries furigana when they read with them; anyone else's is the plain page.
    pdf = completion_pdf(completion, verify_url=verify_url(request, completion.number), language=_language(request),
                         credential_url=credential,
                         readings=completion.person_id == request.user.pk and furigana_wanted(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{completion.number}.pdf"'
    return response


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant withdraws their own application (any other person's is a 404)."""
    application = application_list_of(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    try:
        application_transition(application=application, to_state="withdrawn", actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your application has been withdrawn. Nothing more is needed from you."))
    return redirect("training:me")


@login_required
def ce_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file of a continuing-education record: its person and the body's staff only."""
    record = ce_record_get_visible(request.user, pk)
    if not record.evidence:
        raise Http404
    try:
        return evidence_response(record.evidence)
    except FileNotFoundError as missing:
        raise Http404 from missing
