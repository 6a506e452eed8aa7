"""Forms of the activity log: quick entry (phone), a past week in one go, decline, supervision."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from peers.fields import JapaneseDateField
from peers.models import Activity, Engagement, OrganisationKind, ProfessionalRole, User

from .models import Mode, Stage
from .selectors import NOT_A_COUNTERPART, PEER, SUPERVISOR, supervision_counterpart_list_for


def _engagements(user):
    today = timezone.localdate()
    return (
        Engagement.objects.select_related("organisation")
        .filter(person=user, start_date__lte=today)
        .exclude(end_date__lt=today - datetime.timedelta(days=60))
        .order_by("organisation__name", "-start_date")
    )


class EngagementChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Engagement) -> str:
        return f"{obj.organisation.name} · {obj.get_kind_display()}"


class EmailsField(forms.CharField):
    """Colleagues on the platform, by email address (no list of everyone is ever shown)."""

    def clean(self, value):
        value = super().clean(value)
        emails = [e.strip().lower() for e in (value or "").replace("、", ",").split(",") if e.strip()]
        users = list(User.objects.filter(email__in=emails, is_active=True))
        missing = set(emails) - {u.email.lower() for u in users}
        if missing:
            raise forms.ValidationError(
                _("No one on the platform has this address: %(emails)s"), params={"emails": ", ".join(sorted(missing))}
            )
        return users


class EntryForm(forms.Form):
    engagement = EngagementChoice(queryset=Engagement.objects.none(), label=_("Engagement"))
    date = JapaneseDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    activity = forms.ModelChoiceField(queryset=Activity.objects.filter(is_active=True), label=_("Activity type"))
    mode = forms.ChoiceField(choices=Mode.choices, label=_("Mode"), initial=Mode.IN_PERSON)
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Stage of the person supported"))
    people_supported = forms.IntegerField(
        label=_("How many people were supported"), min_value=0, max_value=1000, initial=1,
        help_text=_("A number only: never a name, a diagnosis or anything that identifies someone."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    setting = forms.ModelChoiceField(
        queryset=OrganisationKind.objects.filter(is_active=True), label=_("Setting"), required=False,
        help_text=_("Leave empty for the organisation's own kind."),
    )
    professional_roles = forms.ModelMultipleChoiceField(
        queryset=ProfessionalRole.objects.filter(is_active=True), required=False,
        label=_("Professionals worked with"), widget=forms.CheckboxSelectMultiple,
    )
    colleagues = EmailsField(
        label=_("Colleagues on the platform (email addresses)"), required=False,
        help_text=_("They will see this entry and may confirm it. Separate addresses with commas."),
    )
    level_person = forms.BooleanField(label=_("Effect on the person"), required=False)
    level_professionals = forms.BooleanField(label=_("Effect on professionals"), required=False)
    level_organisation = forms.BooleanField(label=_("Effect on the organisation"), required=False)
    level_community = forms.BooleanField(label=_("Effect on the community"), required=False)
    recovery_personal = forms.BooleanField(
        label=_("Personal recovery (内面的): self-acceptance, hope, feeling safe"), required=False,
        help_text=_("The effect on the person, as seed 000 frames recovery: counts as an effect on the person."),
    )
    recovery_social = forms.BooleanField(
        label=_("Social recovery (外見的): living, working and taking part in the community"), required=False,
    )
    reflection = forms.CharField(
        label=_("Reflection (only you can read it)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )
    reflection_shared = forms.BooleanField(label=_("Share my reflection with my supervisor"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = _engagements(user)


def day_label(date: datetime.date) -> str:
    """A day as people say it: 11月23日（月） in Japanese, Monday 23 November in English."""
    return date_format(date, pgettext("a day of the week form", "l j F"))


def monday_of(date: datetime.date) -> datetime.date:
    return date - datetime.timedelta(days=date.weekday())


class WeekForm(forms.Form):
    """One engagement, one week: minutes and activity per day; empty days are skipped. The week
    is chosen before the form (`?week=`), so each day is named by its real date."""

    engagement = EngagementChoice(queryset=Engagement.objects.none(), label=_("Engagement"))
    week_start = JapaneseDateField(label=_("Week starting"), widget=forms.HiddenInput)
    mode = forms.ChoiceField(choices=Mode.choices, label=_("Mode"), initial=Mode.IN_PERSON)
    stage = forms.ChoiceField(choices=Stage.choices, label=_("Stage of the people supported"))

    def __init__(self, *args, user, week_start: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = _engagements(user)
        self.fields["week_start"].initial = week_start
        self.week_start = week_start
        activities = Activity.objects.filter(is_active=True)
        for day, date in enumerate(self.dates()):
            name = day_label(date)
            self.fields[f"minutes_{day}"] = forms.IntegerField(
                label=_("Minutes, %(day)s") % {"day": name}, required=False, min_value=1, max_value=24 * 60,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
            )
            self.fields[f"activity_{day}"] = forms.ModelChoiceField(
                queryset=activities, required=False, label=_("Activity, %(day)s") % {"day": name},
            )
            self.fields[f"people_{day}"] = forms.IntegerField(
                label=_("People supported, %(day)s") % {"day": name}, required=False, min_value=0, max_value=1000,
            )

    def dates(self) -> list[datetime.date]:
        return [self.week_start + datetime.timedelta(days=day) for day in range(7)]

    def day_fields(self):
        for day, date in enumerate(self.dates()):
            yield day_label(date), self[f"minutes_{day}"], self[f"activity_{day}"], self[f"people_{day}"]

    def clean(self):
        data = super().clean()
        rows = []
        for day in range(7):
            minutes = data.get(f"minutes_{day}")
            if not minutes:
                continue
            if not data.get(f"activity_{day}"):
                self.add_error(f"activity_{day}", _("Choose the activity for this day."))
                continue
            if data.get("week_start"):
                rows.append({
                    "date": data["week_start"] + datetime.timedelta(days=day), "duration_minutes": minutes,
                    "activity": data[f"activity_{day}"], "mode": data.get("mode"), "stage": data.get("stage"),
                    "people_supported": data.get(f"people_{day}") or 0,
                })
        if not rows and not self.errors:
            raise forms.ValidationError(_("Give the minutes for at least one day."))
        data["rows"] = rows
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class SupervisionForm(forms.Form):
    """The other person is chosen from the people this user works with
    (selectors.supervision_counterpart_list_for), grouped by the part they had: never typed in."""

    other = forms.ChoiceField(label=_("The other person"))
    date = JapaneseDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=24 * 60)
    topics = forms.CharField(label=_("Topics"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Themes only: no names of the people supported."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.counterparts = supervision_counterpart_list_for(user)
        choices = [("", "---------")]
        if self.counterparts.supervisors:
            choices.append((_("My supervisor (I was supervised)"),
                            [(f"{SUPERVISOR}:{p.pk}", p.display_name) for p in self.counterparts.supervisors]))
        if self.counterparts.peers:
            choices.append((_("A peer I supervised"),
                            [(f"{PEER}:{p.pk}", p.display_name) for p in self.counterparts.peers]))
        field = self.fields["other"]
        field.choices = choices
        field.error_messages["invalid_choice"] = NOT_A_COUNTERPART
        if len(choices) == 1:
            field.help_text = _(
                "No one to choose yet: a session is recorded with a manager or named supervisor of the "
                "organisation where the peer works."
            )

    def clean_other(self):
        """(part the other person had, the person)."""
        part, _sep, pk = self.cleaned_data["other"].partition(":")
        person = self.counterparts.get(part, int(pk)) if pk.isdigit() else None
        if person is None:
            raise forms.ValidationError(NOT_A_COUNTERPART)
        return part, person
