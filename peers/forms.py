from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import JapaneseDateField
from .models import Organisation, Prefecture, Region, Role, kana_validator


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        help_text=_("The name others see. It need not be your legal name."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    name_kana = forms.CharField(
        label=_("Reading of your name (kana, optional)"),
        max_length=100,
        required=False,
        validators=[kana_validator],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def signup(self, request, user) -> None:
        """allauth calls this after saving; the adapter has already stored our fields."""


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person to invite"))
    role = forms.ChoiceField(label=_("Role"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture (coordinators)"), queryset=Prefecture.objects.all(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region (coordinators)"),
        queryset=Region.objects.select_related("prefecture"),
        required=False,
    )

    def __init__(self, *args, roles: list[str], organisations, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["role"].choices = [(r, labels[r]) for r in roles]
        self.fields["organisation"].queryset = organisations
        if Role.COORDINATOR not in roles:
            del self.fields["prefecture"]
            del self.fields["region"]


# --- Workforce: profile, engagements, consent, directory, import -------------------------------

from django.db.models import Q  # noqa: E402

from .models import (  # noqa: E402
    Activity,
    Consent,
    Engagement,
    LivedExperience,
    OrganisationKind,
    ProfessionalRole,
    User,
)


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=100)
    name_kana = forms.CharField(
        label=_("Reading of your name (kana)"), max_length=100, required=False,
        validators=[kana_validator],
    )
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"), queryset=Prefecture.objects.all(), required=False
    )
    languages = forms.CharField(
        label=_("Languages"), max_length=200, required=False,
        help_text=_("Languages you can support people in, e.g. 日本語, English, 日本手話."),
    )
    professional_roles = forms.ModelMultipleChoiceField(
        label=_("Professional roles"), queryset=ProfessionalRole.objects.filter(is_active=True),
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("For professionals. Leave empty if none applies."),
    )
    accommodations = forms.CharField(
        label=_("Accommodation preferences (合理的配慮)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only what you choose to share with the managers of the organisations you work "
            "with. Saved only with your consent; tick the box below to give it."
        ),
    )
    consent_accommodations = forms.BooleanField(
        label=_("I consent to sharing my accommodation preferences with the managers of the "
                "organisations I work with."),
        required=False,
    )
    directory_opt_in = forms.BooleanField(label=_("List me in the directory"), required=False)
    public_prefecture = forms.BooleanField(label=_("Show my prefecture"), required=False)
    public_languages = forms.BooleanField(label=_("Show my languages"), required=False)
    public_roles = forms.BooleanField(label=_("Show my professional roles"), required=False)
    public_engagements = forms.BooleanField(label=_("Show where I work"), required=False)


class EngagementForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.select_related("prefecture")
    )
    kind = forms.ChoiceField(label=_("Kind of engagement"), choices=Engagement.Kind.choices)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    activities = forms.ModelMultipleChoiceField(
        label=_("Activities"), queryset=Activity.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = JapaneseDateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = JapaneseDateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    honorarium_rate = forms.IntegerField(
        label=_("Honorarium (yen)"), required=False, min_value=0,
        help_text=_("For honorarium (第二群) only."),
    )
    honorarium_unit = forms.ChoiceField(
        label=_("Honorarium paid"), required=False,
        choices=[("", "—"), *Engagement.RateUnit.choices],
    )
    weekly_hours = forms.DecimalField(
        label=_("Weekly contracted hours"), required=False, min_value=0, max_digits=5,
        decimal_places=2, help_text=_("For employment (第三群) only."),
    )
    full_time_weekly_hours = forms.DecimalField(
        label=_("Organisation's full-time weekly hours"), required=False, min_value=0,
        max_digits=5, decimal_places=2,
        help_text=_("Used to work out full-time equivalent (常勤換算)."),
    )
    on_leave = forms.BooleanField(label=_("On leave"), required=False)
    contract = forms.ChoiceField(
        label=_("Form of contract"), required=False,
        choices=[("", "—"), *Engagement.Contract.choices],
        help_text=_("For employment (第三群) only: an employment contract unless you choose otherwise."),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class EngagementEndForm(forms.Form):
    end_date = JapaneseDateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))


class LivedExperienceForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("How you relate to lived experience"), choices=LivedExperience.Relation.choices,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=LivedExperience.Visibility.choices,
        widget=forms.RadioSelect,
    )


class ErasureRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Anything you want us to know (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed and my personal data erased, "
                "except what a rule requires us to keep."),
    )


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"), queryset=Prefecture.objects.all(), required=False,
        to_field_name="code",
    )
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=OrganisationKind.objects.filter(is_active=True),
        required=False, to_field_name="code",
    )
    activity = forms.ModelChoiceField(
        label=_("Activity"), queryset=Activity.objects.filter(is_active=True), required=False,
        to_field_name="code",
    )


class DirectoryFilterForm(forms.Form):
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"), queryset=Prefecture.objects.all(), required=False,
        to_field_name="code",
    )
    kind = forms.ModelChoiceField(
        label=_("Where they work (setting)"),
        queryset=OrganisationKind.objects.filter(is_active=True), required=False,
        to_field_name="code",
    )


class ImportForm(forms.Form):
    SHAPES = [("organisations", _("Organisations")), ("people", _("People with engagements"))]

    shape = forms.ChoiceField(label=_("What the file holds"), choices=SHAPES)
    file = forms.FileField(
        label=_("File (CSV or Excel .xlsx)"),
        help_text=_("The first row names the columns. Download an export to see the shape."),
    )
    apply = forms.BooleanField(
        label=_("Save the rows (leave unticked for a dry run that saves nothing)"), required=False
    )


# --- Staff forms: organisations, engagements recorded by managers, paper consent ---------------


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=OrganisationKind.objects.filter(is_active=True), required=False
    )
    prefecture = forms.ModelChoiceField(label=_("Prefecture"), queryset=Prefecture.objects.all())
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)
    corporation = forms.CharField(
        label=_("Operating corporation"), max_length=200, required=False,
        help_text=_("The corporation (法人) that runs it."),
    )
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        if organisation is not None:
            kwargs.setdefault("initial", {
                "name": organisation.name, "kind": organisation.kind_id,
                "prefecture": organisation.prefecture_id,
                "municipality": organisation.municipality,
                "corporation": organisation.corporation,
                "contact_email": organisation.contact_email,
                "contact_phone": organisation.contact_phone,
            })
        super().__init__(*args, **kwargs)
        if organisation is not None and organisation.kind_id:
            # A retired kind stays choosable for the organisation that already has it.
            self.fields["kind"].queryset = OrganisationKind.objects.filter(
                Q(is_active=True) | Q(pk=organisation.kind_id)
            )


class EngagementTermsForm(EngagementForm):
    """New terms for an engagement, from a date: the old one ends the day before."""

    effective_date = JapaneseDateField(
        label=_("New terms start on"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The current engagement ends the day before; its history is kept."),
    )

    field_order = ["effective_date"]

    def __init__(self, *args, engagement: Engagement, **kwargs):
        kwargs.setdefault("initial", {
            "kind": engagement.kind, "job_title": engagement.job_title,
            "activities": list(engagement.activities.all()),
            "honorarium_rate": engagement.honorarium_rate,
            "honorarium_unit": engagement.honorarium_unit,
            "weekly_hours": engagement.weekly_hours,
            "full_time_weekly_hours": engagement.full_time_weekly_hours,
            "on_leave": engagement.on_leave,
            "contract": engagement.contract,
        })
        super().__init__(*args, **kwargs)
        for name in ("organisation", "start_date", "end_date"):
            del self.fields[name]


class StaffEngagementForm(EngagementForm):
    """A manager records an engagement for someone at their organisation: a person already
    linked to it, or an existing account found by email."""

    person = forms.ModelChoiceField(
        label=_("Person linked to this organisation"), queryset=User.objects.none(),
        required=False,
    )
    email = forms.EmailField(
        label=_("Or the email address of their account"), required=False,
        help_text=_("The person must already have an account. Invite them first if not."),
    )

    field_order = ["person", "email"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["organisation"]
        self.fields["person"].queryset = people

    def clean(self):
        data = super().clean()
        person, email = data.get("person"), (data.get("email") or "").strip()
        if person and email:
            raise forms.ValidationError(_("Choose a person or give an email address, not both."))
        if not person and not email and not self.has_error("email"):
            raise forms.ValidationError(_("Choose a person or give the email address of their account."))
        if email:
            found = User.objects.filter(email__iexact=email, is_active=True).first()
            if found is None:
                self.add_error("email", _(
                    "No account has this email address. Invite the person first."
                ))
            else:
                data["person"] = found
        return data


class PaperConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose the person consented to"), choices=Consent.Purpose.choices,
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I have the consent form signed by the person, and it will be kept."),
    )


class ApiTokenForm(forms.Form):
    """A new API token: read only is chosen unless the person picks otherwise (the safe choice)."""

    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("What it is for, so you can tell your tokens apart (e.g. \"monthly report script\")."),
    )
    scope = forms.ChoiceField(
        label=_("What it may do"), widget=forms.RadioSelect, initial="read_only",
        choices=[("read_only", _("Read only")), ("read_write", _("Read and write"))],
    )
    days = forms.IntegerField(
        label=_("Days until it expires"), min_value=1, max_value=365, initial=90,
        help_text=_("Between 1 and 365 days. 90 days unless you choose otherwise."),
    )


class DisplaySettingsForm(forms.Form):
    """How the site looks: every display setting, as a group of choices. Further settings join
    by their entry in peers.preferences.DISPLAY_SETTINGS."""

    def __init__(self, *args, **kwargs):
        from .preferences import DISPLAY_SETTINGS

        super().__init__(*args, **kwargs)
        for item in DISPLAY_SETTINGS:
            self.fields[item.name] = forms.ChoiceField(
                label=item.label, choices=item.choices.choices, initial=item.default,
                widget=forms.RadioSelect,
            )

    def display_values(self) -> dict:
        from .preferences import DISPLAY_SETTINGS

        return {item.name: self.cleaned_data[item.name] for item in DISPLAY_SETTINGS}


class PreferencesForm(DisplaySettingsForm):
    """The account's settings: display, and quiet hours for emails and digests (Japan time)."""

    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours start (Japan time)"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For example 21:00. Leave both times empty to receive emails at any time."),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end (Japan time)"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For example 08:00. Emails and digests that arrive in the quiet hours are sent "
                    "when they end. Security emails (sign-in, password) are always sent at once."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_hours_start"), data.get("quiet_hours_end")
        if "quiet_hours_start" in data and "quiet_hours_end" in data:
            if (start is None) != (end is None):
                missing = "quiet_hours_end" if end is None else "quiet_hours_start"
                self.add_error(missing, _("Please give both a start and an end, or leave both empty."))
            elif start is not None and start == end:
                self.add_error("quiet_hours_end", _("The end must differ from the start."))
        return data

    def quiet_hours(self) -> tuple:
        return (self.cleaned_data.get("quiet_hours_start"), self.cleaned_data.get("quiet_hours_end"))
