"""Honorarium payments (第二群 謝金) on pages: the person's own (/me/honoraria/, with the yearly
statement for a tax return), and the staff's (/staff/honoraria/: to confirm and pay; an
organisation's payments per fiscal year, recorded, and exported).

Who may see and change which payment is decided by peers.selectors.payments; a payment outside
it is a 404. Every change goes through peers.services.payments."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import spreadsheets
from ..dates import fiscal_year_of, fiscal_year_text
from ..form_errors import add_service_errors
from ..models import AuditEvent, Engagement, HonorariumPayment
from ..pagination import keyset_page_for_request
from ..payment_forms import (
    PaymentCancelForm,
    PaymentCorrectForm,
    PaymentPaidForm,
    PaymentRecordForm,
)
from ..request_params import read_choice, read_int
from ..selectors.payments import (
    honorarium_fiscal_years,
    honorarium_payment_get_for,
    honorarium_payment_list_handled_by,
    honorarium_payment_list_own,
    honorarium_statement,
    honorarium_statement_years,
    honorarium_totals,
    honorarium_totals_own,
    in_fiscal_year,
    user_handles_payment,
    user_records_payments_for,
)
from ..selectors.workforce import organisation_get
from ..services import payments as services
from ..statements import (
    calendar_year_text,
    organisation_export_header,
    organisation_export_rows,
    statement_header,
    statement_pdf,
    statement_rows,
)

FIELDS = ["-occasion_date", "-id"]
STATUS_FILTERS = [*HonorariumPayment.Status.values, "all"]
MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(request, default: int) -> int:
    return read_int(request.GET, "year", min=MIN_YEAR, max=MAX_YEAR, default=default, lenient=True)


# --- The person's own -----------------------------------------------------------------------


@login_required
def my_honoraria(request: HttpRequest) -> HttpResponse:
    own = honorarium_payment_list_own(request.user)
    page = keyset_page_for_request(request, own, fields=FIELDS)
    years = honorarium_statement_years(request.user)
    language = translation.get_language() or "ja"
    return render(request, "peers/honoraria/mine.html", {
        "page": page,
        "totals": honorarium_totals_own(request.user),
        "statement_years": [(year, calendar_year_text(year, "ja" if language.startswith("ja") else "en"))
                            for year in years or [timezone.localdate().year]],
    })


def _statement_year(request) -> int:
    return _year(request, timezone.localdate().year)


@login_required
def my_statement_pdf(request: HttpRequest) -> HttpResponse:
    year = _statement_year(request)
    language = "en" if (translation.get_language() or "ja").startswith("en") else "ja"
    pdf = statement_pdf(honorarium_statement(request.user, year), language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="honoraria-{year}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_statement_csv(request: HttpRequest) -> HttpResponse:
    year = _statement_year(request)
    statement = honorarium_statement(request.user, year)
    response = spreadsheets.respond("csv", f"honoraria-{year}", statement_header(), statement_rows(statement))
    response["Cache-Control"] = "no-store"
    return response


# --- Staff: to confirm and pay --------------------------------------------------------------


@login_required
def honorarium_list(request: HttpRequest) -> HttpResponse:
    """Payments the user handles (their organisations', their bodies' meetings'), to confirm by
    default. Someone who handles none sees an empty list (the selector decides)."""
    status = read_choice(request.GET, "status", STATUS_FILTERS, default=HonorariumPayment.Status.TO_CONFIRM,
                         lenient=True)
    handled = honorarium_payment_list_handled_by(request.user)
    qs = handled if status == "all" else handled.filter(status=status)
    page = keyset_page_for_request(request, qs, fields=FIELDS)
    return render(request, "peers/honoraria/staff_list.html", {
        "page": page, "status": status, "query": urlencode({"status": status}),
        "statuses": [(value, label) for value, label in HonorariumPayment.Status.choices] + [("all", _("All"))],
    })


def _history(payment: HonorariumPayment):
    return AuditEvent.objects.select_related("actor").filter(
        target_type="HonorariumPayment", target_id=str(payment.pk)).order_by("at", "id")[:100]


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def honorarium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One payment: its facts and history; for who handles it, the forms to confirm, mark paid,
    correct or cancel (one POST address, the form's `action` says which)."""
    payment = honorarium_payment_get_for(request.user, pk)
    handles = user_handles_payment(request.user, payment)
    if not handles:
        raise Http404  # the person's own payments are on their own page
    forms = {
        "paid": PaymentPaidForm(initial={"paid_on": timezone.localdate(), "withholding_tax": payment.withholding_tax}),
        "correct": PaymentCorrectForm(payment=payment),
        "cancel": PaymentCancelForm(),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                services.honorarium_payment_confirm(actor=request.user, payment=payment)
                messages.success(request, _("The payment is confirmed. Record the day it is paid when it is."))
                return redirect(_next_url(request, reverse("peers:honorarium_detail", args=[payment.pk])))
            if action == "paid":
                form = forms["paid"] = PaymentPaidForm(request.POST)
                if form.is_valid():
                    services.honorarium_payment_mark_paid(actor=request.user, payment=payment, **form.cleaned_data)
                    messages.success(request, _("The payment is marked paid. The person sees it on their statement."))
                    return redirect("peers:honorarium_detail", pk=payment.pk)
            elif action == "correct":
                form = forms["correct"] = PaymentCorrectForm(request.POST, payment=payment)
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    reason = data.pop("reason", "")
                    services.honorarium_payment_correct(actor=request.user, payment=payment, reason=reason, **data)
                    messages.success(request, _("The payment is corrected. The earlier values are kept in its history."))
                    return redirect("peers:honorarium_detail", pk=payment.pk)
            elif action == "cancel":
                form = forms["cancel"] = PaymentCancelForm(request.POST)
                if form.is_valid():
                    services.honorarium_payment_cancel(actor=request.user, payment=payment,
                                                       reason=form.cleaned_data["reason"])
                    messages.success(request, _("The payment is cancelled. It stays in the list, marked cancelled."))
                    return redirect("peers:honorarium_detail", pk=payment.pk)
            else:
                messages.error(request, _("Unknown action."))
                form = None
            status = 400
        except ValidationError as error:
            status = 400
            target = forms.get(action)
            if target is not None and hasattr(error, "error_dict"):
                add_service_errors(target, error)
            else:  # about the payment's state: said above the forms
                messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            status = 403
            messages.error(request, str(error))
        payment.refresh_from_db()
    return render(request, "peers/honoraria/staff_detail.html", {
        "payment": payment, "forms": forms, "history": _history(payment),
        "list_url": reverse("peers:honorarium_list"),
    }, status=status)


# --- Staff: an organisation's payments per fiscal year ---------------------------------------


def _organisation_for_payments(request, pk):
    organisation = organisation_get(pk)
    if not user_records_payments_for(request.user, organisation):
        raise Http404
    return organisation


def _honorarium_engagements(organisation):
    return Engagement.objects.select_related("person").filter(
        organisation=organisation, kind=Engagement.Kind.HONORARIUM).order_by("person__display_name", "-start_date")


@login_required
def organisation_honoraria(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_for_payments(request, pk)
    payments = honorarium_payment_list_handled_by(request.user).filter(organisation=organisation)
    year = _year(request, fiscal_year_of(timezone.localdate()))
    engagements = _honorarium_engagements(organisation)
    form = PaymentRecordForm(request.POST or None, engagements=engagements)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                payment = services.honorarium_payment_record(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The payment is recorded and confirmed. Record the day it is paid when it is."))
                return redirect(f"{reverse('peers:organisation_honoraria', args=[organisation.pk])}?"
                                f"{urlencode({'year': fiscal_year_of(payment.occasion_date)})}")
        status = 400
    in_year = in_fiscal_year(payments, year)
    page = keyset_page_for_request(request, in_year, fields=FIELDS)
    return render(request, "peers/honoraria/organisation.html", {
        "organisation": organisation, "form": form, "page": page, "year": year,
        "has_engagements": engagements.exists(),
        "year_text": fiscal_year_text(year), "query": urlencode({"year": year}),
        "years": [(y, fiscal_year_text(y)) for y in honorarium_fiscal_years(payments)],
        "totals": honorarium_totals(in_year),
    }, status=status)


@login_required
def organisation_honoraria_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in spreadsheets.FORMATS:
        raise Http404
    organisation = _organisation_for_payments(request, pk)
    year = _year(request, fiscal_year_of(timezone.localdate()))
    payments = in_fiscal_year(
        honorarium_payment_list_handled_by(request.user).filter(organisation=organisation), year
    ).order_by("occasion_date", "id")
    response = spreadsheets.respond(fmt, f"honoraria-{organisation.pk}-fy{year}", organisation_export_header(),
                                    organisation_export_rows(payments.iterator(chunk_size=500), year))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def honorarium_confirm_many(request: HttpRequest) -> HttpResponse:
    """Confirm the ticked payments of the list at once (each through the service)."""
    ids = [value for value in request.POST.getlist("payment") if value.isascii() and value.isdigit()][:200]
    handled = honorarium_payment_list_handled_by(request.user).filter(
        pk__in=ids, status=HonorariumPayment.Status.TO_CONFIRM)
    done = 0
    for payment in handled:
        try:
            services.honorarium_payment_confirm(actor=request.user, payment=payment)
        except (ValidationError, PermissionDenied):
            continue
        done += 1
    if done:
        messages.success(request, _("Payments confirmed: %(count)d. Record the day each is paid when it is.") % {"count": done})
    else:
        messages.error(request, _("No payment was confirmed: tick the payments to confirm first."))
    return redirect(f"{reverse('peers:honorarium_list')}?{urlencode({'status': 'to_confirm'})}")
