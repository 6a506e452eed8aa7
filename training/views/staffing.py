"""The staffing check page of an office (its managers and administrators; coordinators of its
prefecture or region read the answer without the people), its records, and the filing pack."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peers.fields import JapaneseDateField
from peers.models import Organisation, User, WelfareService
from peers.selectors import organisation_list_managed_by
from peers.services.workforce import organisation_designations_set
from peers.views import staff_required

from ..staffing import (
    delivery_count_record,
    fiscal_year_of,
    in_house_training_record,
    parse_month,
    staffing_check,
    staffing_filing_prepare,
    staffing_publication_record,
)
from ..staffing.pack import pack_pdf, pack_xlsx
from ..staffing.selectors import (
    staffing_filing_latest,
    staffing_filing_list,
    staffing_organisation_for,
)


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"), max_length=7, required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-05"}),
        help_text=gettext_lazy("Year and month, like 2026-05."),
    )

    def clean_month(self):
        value = self.cleaned_data.get("month") or ""
        if not value:
            return timezone.localdate().replace(day=1)
        month = parse_month(value)
        if month is None:
            raise ValidationError(_("Give the month as year and month, like 2026-05."))
        return month


class DesignationsForm(forms.Form):
    designated_services = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Welfare services the office is designated for (指定サービス種別)"),
        queryset=WelfareService.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
    )
    co_located = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Offices of the same operator on the same premises (兼務)"),
        queryset=Organisation.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Hours the staff work there count together with their hours here."),
    )

    def __init__(self, *args, organisation, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["designated_services"].queryset = WelfareService.objects.filter(is_active=True)
        self.fields["co_located"].queryset = offices.exclude(pk=organisation.pk).order_by("name")


class InHouseTrainingForm(forms.Form):
    held_on = JapaneseDateField(label=gettext_lazy("Date"))
    title = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    given_by = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Given by (placed staff)"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The training counts only when the placed peer staff or co-worker give it, "
                               "alone or with a lecturer."),
    )
    trainer = forms.CharField(label=gettext_lazy("Outside lecturer (if any)"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Staff who attended"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    materials = forms.FileField(label=gettext_lazy("Materials (optional)"), required=False)

    def __init__(self, *args, staff_ids, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(pk__in=staff_ids).order_by("display_name")
        self.fields["attendees"].queryset = people
        self.fields["given_by"].queryset = people


class PublicationForm(forms.Form):
    published_on = JapaneseDateField(label=gettext_lazy("Published on"))
    where = forms.CharField(
        label=gettext_lazy("Where it is published"), max_length=300,
        help_text=gettext_lazy("For example the address of the web page, or 'notice board at the entrance'."),
    )


class DeliveryCountForm(forms.Form):
    service_users = forms.IntegerField(
        label=gettext_lazy("Service users who received peer support this month"), min_value=0, max_value=100000,
        help_text=gettext_lazy("Under their individual support plan. A number only: no names."),
    )


def _month_of(request):
    form = MonthForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["month"]
    return form, timezone.localdate().replace(day=1)


@staff_required
def staffing(request, pk: int):
    organisation, sees_people = staffing_organisation_for(request.user, pk)
    month_form, month = _month_of(request)
    if request.method == "POST":
        if not sees_people:
            raise PermissionDenied
        month = parse_month(request.POST.get("month", "")) or month
    check = staffing_check(organisation=organisation, month=month)
    staff_ids = sorted({line.person.pk for addition in check.additions for line in addition.people})
    offices = organisation_list_managed_by(request.user)
    designations_form = DesignationsForm(
        organisation=organisation, offices=offices, prefix="designations",
        initial={"designated_services": check.designated, "co_located": list(check.co_located)},
    )
    training_form = InHouseTrainingForm(staff_ids=staff_ids, prefix="training")
    publication_form = PublicationForm(prefix="publication")
    delivery_form = DeliveryCountForm(
        prefix="delivery", initial={"service_users": check.delivery.service_users if check.delivery else None})
    here = f"{reverse('training:staffing', args=[organisation.pk])}?month={month:%Y-%m}"
    if request.method == "POST":
        done = None
        try:
            if "record_designations" in request.POST:
                designations_form = DesignationsForm(request.POST, organisation=organisation, offices=offices,
                                                     prefix="designations")
                if designations_form.is_valid():
                    data = designations_form.cleaned_data
                    organisation_designations_set(actor=request.user, organisation=organisation,
                                                  services=data["designated_services"], co_located=data["co_located"])
                    done = _("The designated services and co-located offices have been saved. The check below uses them from now on.")
            elif "record_training" in request.POST:
                training_form = InHouseTrainingForm(request.POST, request.FILES, staff_ids=staff_ids, prefix="training")
                if training_form.is_valid():
                    data = training_form.cleaned_data
                    in_house_training_record(
                        organisation=organisation, held_on=data["held_on"], title=data["title"],
                        trainer=data["trainer"], attendees=list(data["attendees"]), given_by=list(data["given_by"]),
                        materials=data.get("materials"), recorded_by=request.user,
                    )
                    done = _("The in-house training has been recorded. The check below counts it from now on.")
            elif "record_publication" in request.POST:
                publication_form = PublicationForm(request.POST, prefix="publication")
                if publication_form.is_valid():
                    data = publication_form.cleaned_data
                    staffing_publication_record(
                        organisation=organisation, fiscal_year=fiscal_year_of(data["published_on"]),
                        published_on=data["published_on"], where=data["where"], recorded_by=request.user,
                    )
                    done = _("The publication has been recorded. The check below counts it from now on.")
            elif "record_delivery" in request.POST:
                delivery_form = DeliveryCountForm(request.POST, prefix="delivery")
                if delivery_form.is_valid():
                    delivery_count_record(organisation=organisation, month=month,
                                          service_users=delivery_form.cleaned_data["service_users"],
                                          recorded_by=request.user)
                    done = _("The number of service users has been recorded. The check below uses it from now on.")
            elif "prepare_pack" in request.POST:
                staffing_filing_prepare(organisation=organisation, month=month, prepared_by=request.user)
                done = _("The filing pack has been prepared and kept. Download it below.")
        except ValidationError as error:
            form = {"record_designations": designations_form, "record_training": training_form}.get(
                next((k for k in ("record_designations", "record_training") if k in request.POST), ""))
            if form is None:
                raise
            for field_name, errors in error.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        if done:
            messages.success(request, done)
            return redirect(here)
    return render(request, "training/staffing.html", {
        "organisation": organisation, "check": check, "sees_people": sees_people, "month_form": month_form,
        "month": month, "designations_form": designations_form, "training_form": training_form,
        "publication_form": publication_form, "delivery_form": delivery_form,
        "filings": _latest_per_month(staffing_filing_list(organisation)[:60]) if sees_people else [],
        "fiscal_year_end": check.fiscal_year + 1,
    })


def _latest_per_month(filings) -> list:
    seen, out = set(), []
    for filing in filings:
        if filing.month not in seen:
            seen.add(filing.month)
            out.append(filing)
    return out


def _pack(request, pk: int, render_pack, content_type: str, extension: str):
    organisation, sees_people = staffing_organisation_for(request.user, pk)
    if not sees_people:
        raise PermissionDenied
    month = parse_month(request.GET.get("month", ""))
    if month is None:
        from django.http import Http404

        raise Http404
    filing = staffing_filing_latest(organisation, month)
    response = HttpResponse(render_pack(filing.snapshot), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="staffing-{organisation.pk}-{month:%Y-%m}.{extension}"'
    return response


@staff_required
def staffing_pack_xlsx(request, pk: int):
    return _pack(request, pk, pack_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@staff_required
def staffing_pack_pdf(request, pk: int):
    return _pack(request, pk, pack_pdf, "application/pdf", "pdf")
