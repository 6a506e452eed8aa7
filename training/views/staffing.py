"""The staffing check page of an organisation (managers of it and administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peers.fields import JapaneseDateField
from peers.models import User
from peers.selectors import organisation_list_managed_by
from peers.views import staff_required

from ..staffing import (
    fiscal_year_of,
    in_house_training_record,
    staffing_check,
    staffing_publication_record,
)


class InHouseTrainingForm(forms.Form):
    held_on = JapaneseDateField(label=gettext_lazy("Date"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    trainer = forms.CharField(label=gettext_lazy("Trainer"), max_length=200)
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Staff who attended"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    materials = forms.FileField(label=gettext_lazy("Materials (optional)"), required=False)

    def __init__(self, *args, staff_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = User.objects.filter(pk__in=staff_ids).order_by("display_name")


class PublicationForm(forms.Form):
    published_on = JapaneseDateField(label=gettext_lazy("Published on"))
    where = forms.CharField(
        label=gettext_lazy("Where it is published"), max_length=300,
        help_text=gettext_lazy("For example the address of the web page, or 'notice board at the entrance'."),
    )


@staff_required
def staffing(request, pk: int):
    organisation = get_object_or_404(organisation_list_managed_by(request.user), pk=pk)
    result = staffing_check(organisation=organisation)
    staff_ids = [member.person.pk for member in result.staff]
    training_form = InHouseTrainingForm(staff_ids=staff_ids, prefix="training")
    publication_form = PublicationForm(prefix="publication")
    if request.method == "POST":
        if "record_training" in request.POST:
            training_form = InHouseTrainingForm(
                request.POST, request.FILES, staff_ids=staff_ids, prefix="training"
            )
            if training_form.is_valid():
                data = training_form.cleaned_data
                try:
                    in_house_training_record(
                        organisation=organisation, held_on=data["held_on"], title=data["title"],
                        trainer=data["trainer"], attendees=list(data["attendees"]),
                        materials=data.get("materials"), recorded_by=request.user,
                    )
                except ValidationError as error:
                    training_form.add_error(None, error)
                else:
                    messages.success(request, _("The in-house training has been recorded."))
                    return redirect("training:staffing", pk=organisation.pk)
        elif "record_publication" in request.POST:
            publication_form = PublicationForm(request.POST, prefix="publication")
            if publication_form.is_valid():
                data = publication_form.cleaned_data
                staffing_publication_record(
                    organisation=organisation, fiscal_year=fiscal_year_of(data["published_on"]),
                    published_on=data["published_on"], where=data["where"], recorded_by=request.user,
                )
                messages.success(request, _("The publication has been recorded."))
                return redirect("training:staffing", pk=organisation.pk)
    return render(
        request,
        "training/staffing.html",
        {
            "organisation": organisation,
            "result": result,
            "training_form": training_form,
            "publication_form": publication_form,
            "fiscal_year_end": result.fiscal_year + 1,
        },
    )
