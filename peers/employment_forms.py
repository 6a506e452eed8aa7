"""Forms of employed work (第三群): leave and return, and the accommodations agreed at work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import JapaneseDateField
from .models import EngagementLeave

_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "---------"), *EngagementLeave.Kind.choices], label=_("Kind of leave"),
        help_text=_("A plain category only: never a diagnosis or a medical detail."),
    )
    start_date = JapaneseDateField(label=_("Leave starts"), **_DATE)
    expected_return = JapaneseDateField(label=_("Expected return"), required=False, **_DATE)


class LeaveReturnForm(forms.Form):
    expected_return = JapaneseDateField(label=_("Expected return"), required=False, **_DATE)
    actual_return = JapaneseDateField(label=_("Returned on"), required=False, **_DATE)


class AccommodationForm(forms.Form):
    text = forms.CharField(
        label=_("What was agreed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The arrangement itself, e.g. a quiet desk or written instructions: no diagnosis."),
    )
    agreed_on = JapaneseDateField(label=_("Agreed on"), **_DATE)
    review_on = JapaneseDateField(label=_("Review on"), required=False, **_DATE)


class OwnAccommodationForm(AccommodationForm):
    consent_given = forms.BooleanField(
        label=_("I agree that my accommodations at work are stored and shown to the managers of the "
                "organisations I work with (and no one else)."), required=False,
    )
