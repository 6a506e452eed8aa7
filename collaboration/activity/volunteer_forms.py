"""Forms of volunteer work (第一群): check-out and a duration. Nothing in them is chosen in
advance but the date: the activity type and the stage start empty, so that no tap saves values
the person did not choose."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.fields import JapaneseDateField
from peers.models import Activity, OrganisationKind

from .forms import EngagementChoice
from .models import Stage
from .selectors.volunteer import volunteer_engagement_list_for

EMPTY = [("", "---------")]


def _activities():
    return Activity.objects.filter(is_active=True)


class CheckOutForm(forms.Form):
    activity = forms.ModelChoiceField(queryset=_activities(), label=_("What did you do?"),
                                      empty_label="---------")
    stage = forms.ChoiceField(choices=EMPTY + list(Stage.choices), label=_("Stage of the people supported"))
    people_supported = forms.IntegerField(
        label=_("How many people were supported (optional)"), min_value=0, max_value=1000, required=False,
        help_text=_("A number only: never a name, a diagnosis or anything that identifies someone."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    setting = forms.ModelChoiceField(
        queryset=OrganisationKind.objects.filter(is_active=True), label=_("Setting"), required=False,
        help_text=_("Leave empty for the organisation's own kind."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = _activities()


class VolunteerHoursForm(CheckOutForm):
    """A duration instead of check-in and check-out."""

    engagement = EngagementChoice(queryset=None, label=_("Where"))
    date = JapaneseDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    duration_minutes = forms.IntegerField(
        label=_("How long (minutes)"), min_value=1, max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    field_order = ["engagement", "date", "duration_minutes", "activity", "stage", "people_supported", "setting"]

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        engagements = volunteer_engagement_list_for(user)
        self.fields["engagement"].queryset = engagements
        if len(engagements) == 1:
            self.fields["engagement"].initial = engagements[0].pk
        self.order_fields(self.field_order)


class VolunteerSettingForm(forms.Form):
    volunteer_hours_need_verification = forms.BooleanField(
        label=_("Volunteer hours need verification"), required=False,
        help_text=_("Off: hours volunteers record are confirmed at once, without the verification queue."),
    )
