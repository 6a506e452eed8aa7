from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from peers.fields import FiscalYearInput, JapaneseDateField
from peers.models import Organisation, kana_validator
from peers.selectors.workforce import organisation_list_belonged_to

from .evidence import max_bytes
from .models import (
    ACCOMMODATION_MAX_CHARS,
    ELIGIBILITY_FOR_ROLE,
    Application,
    CECategory,
    Certification,
    Cohort,
    Course,
    CredentialType,
    Eligibility,
    PairRole,
    RenewalOverrideReason,
)
from .selectors import EXPIRY_CHOICES


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class TimeInput(forms.TimeInput):
    input_type = "time"


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"), max_length=40,
        help_text=_("As printed on the certificate, for example PSS-2025-0153-7KQ."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class CredentialVerifyForm(forms.Form):
    """A digital credential to check: the file (JSON, or the PNG badge) or its text pasted."""

    file = forms.FileField(label=_("Credential file (JSON or PNG badge)"), required=False)
    text = forms.CharField(
        label=_("Or paste the credential (JSON)"), required=False, max_length=256 * 1024,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose the credential file or paste its text."))
        return data


class CountedTextarea(forms.Textarea):
    """A textarea with a live count of characters left (site/static/js/counter.js); the
    limit is enforced by the form and the service whatever the browser does."""

    def __init__(self, *, max_chars: int, attrs=None):
        super().__init__(attrs={
            "rows": 4, "maxlength": str(max_chars), "data-counter": str(max_chars),
            "data-counter-left": _("%(count)s characters left"),
            "data-counter-over": _("%(count)s characters too many"),
            **(attrs or {}),
        })


def _eligibility_choices(role: str):
    return [(value, Eligibility(value).label) for value in ELIGIBILITY_FOR_ROLE[role]]


class _AccommodationFields(forms.Form):
    accommodation_request = forms.CharField(
        label=_("Reasonable-accommodation request (optional)"),
        max_length=ACCOMMODATION_MAX_CHARS,
        widget=CountedTextarea(max_chars=ACCOMMODATION_MAX_CHARS), required=False,
    )
    accommodation_consent = forms.BooleanField(
        label=_("I agree that the training body's staff for this cohort read my accommodation request "
                "to arrange it. Every time someone reads it, it is written in my access log."),
        help_text=_("Needed only if you write a request. You can withdraw this consent at any time "
                    "on your consent page; the request is then erased."),
        required=False,
    )
    consent = forms.BooleanField(
        label=_("I agree that the training body uses my data to run this training."),
        required=True,
    )


class ApplicationForm(_AccommodationFields):
    """Applying while signed in. A pairs-only cohort asks for the office and both people."""

    organisation = forms.ModelChoiceField(
        label=_("Office you apply from"), queryset=Organisation.objects.all(), required=False
    )
    peer_email = forms.EmailField(
        label=_("Email address of the 当事者"), required=False,
        help_text=_("The person with lived experience. It may be you. They need an account."),
    )
    peer_eligibility = forms.ChoiceField(
        label=_("The 当事者 is"), choices=_eligibility_choices(PairRole.PEER), required=False,
        widget=forms.RadioSelect,
    )
    supporter_email = forms.EmailField(
        label=_("Email address of the 協働支援者"), required=False,
        help_text=_("A manager or co-worker of the same office. It may be you. They need an account."),
    )
    supporter_eligibility = forms.ChoiceField(
        label=_("The 協働支援者 is"), choices=_eligibility_choices(PairRole.SUPPORTER), required=False,
        widget=forms.RadioSelect,
    )
    field_order = ["organisation", "peer_email", "peer_eligibility", "supporter_email", "supporter_eligibility",
                   "accommodation_request", "accommodation_consent", "consent"]

    def __init__(self, *args, cohort: Cohort, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accommodation_request"].help_text = _(
            "Only the cohort's organisers will read this. Up to %(max)s characters.") % {"max": ACCOMMODATION_MAX_CHARS}
        self.pair = cohort.pair_applications
        if not self.pair:
            for name in ("organisation", "peer_email", "peer_eligibility", "supporter_email", "supporter_eligibility"):
                del self.fields[name]
            return
        for name in ("organisation", "peer_email", "peer_eligibility", "supporter_email", "supporter_eligibility"):
            self.fields[name].required = True
        if user is not None and user.is_authenticated:
            self.fields["organisation"].queryset = organisation_list_belonged_to(user)


class PublicApplicationForm(forms.Form):
    """A visitor applies without an account. `website` is a trap for robots: hidden from
    people (and from screen readers), so anything typed in it marks the sender as a robot."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    kana = forms.CharField(label=_("Reading of your name (kana)"), max_length=100, validators=[kana_validator])
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We email you a link to confirm the application. Nothing is sent to the training body before you confirm."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.ModelChoiceField(label=_("Office you apply from"), queryset=Organisation.objects.all())
    role = forms.ChoiceField(label=_("Your role in the pair"), choices=PairRole.choices, widget=forms.RadioSelect)
    eligibility = forms.ChoiceField(
        label=_("About you"), choices=Eligibility.choices, widget=forms.RadioSelect,
        help_text=_("当事者: employed, or with a concrete prospect of employment, at a target service. "
                    "協働支援者: a manager or co-worker of the same office."),
    )
    partner_name = forms.CharField(label=_("Your partner's name"), max_length=100)
    partner_kana = forms.CharField(label=_("Reading of your partner's name (kana)"), max_length=100,
                                   validators=[kana_validator])
    partner_email = forms.EmailField(label=_("Your partner's email address"))
    partner_eligibility = forms.ChoiceField(label=_("About your partner"), choices=Eligibility.choices,
                                            widget=forms.RadioSelect)
    consent = forms.BooleanField(
        label=_("I agree that the training body uses this data (and my partner's, with their agreement) "
                "to run this training."),
    )
    website = forms.CharField(label=_("Leave this empty"), required=False, widget=forms.TextInput(
        attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.pair = cohort.pair_applications
        if not self.pair:
            for name in ("role", "eligibility", "partner_name", "partner_kana", "partner_email", "partner_eligibility"):
                del self.fields[name]
            self.fields["consent"].label = _("I agree that the training body uses this data to run this training.")

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name != "website"]


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["kind", "title", "description", "prerequisites", "completion_rule", "minimum_hours",
                  "ce_category", "active"]
        # Checkboxes, not a multiple <select>: on a phone a course's long name wraps in its own
        # line, and choosing several needs no Ctrl key.
        widgets = {"prerequisites": forms.CheckboxSelectMultiple}

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        self.fields["prerequisites"].queryset = Course.objects.filter(body=body)
        self.fields["ce_category"].queryset = CECategory.objects.filter(body=body)


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["course", "name", "year", "online", "prefecture", "place", "capacity",
                  "applications_open", "applications_close", "selection", "pair_applications",
                  "fee_yen", "funding_source", "funding_thousand_yen", "published"]
        widgets = {"applications_open": DateTimeInput(), "applications_close": DateTimeInput(),
                   "year": FiscalYearInput()}
        help_texts = {"year": _("The fiscal year (April to March) in Western years, such as 2026; "
                                "its era is shown beside it.")}

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(body=body)


class CohortDayForm(forms.Form):
    date = JapaneseDateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), widget=TimeInput())


class InstructorForm(forms.Form):
    name = forms.CharField(label=_("Instructor's name"), max_length=100)
    is_peer = forms.BooleanField(label=_("Peer instructor"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput())


class RenewOverrideForm(forms.Form):
    """Renewal by exception: a reason from the one list (RenewalOverrideReason) and in words."""

    override_reason = forms.ChoiceField(label=_("Reason for the exception"), choices=())
    reason = forms.CharField(
        label=_("Explanation"), max_length=300, widget=forms.TextInput(),
        help_text=_("Kept in the history and shown to the holder."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["override_reason"].choices = [("", _("Choose a reason"))] + list(RenewalOverrideReason.choices)
        early = "、".join(str(r.label) for r in RenewalOverrideReason if r.allows_early_renewal)
        self.fields["override_reason"].help_text = _(
            "Before the renewal window opens, only these reasons allow renewal: %(reasons)s."
        ) % {"reasons": early}


class RecertifyForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: certify this person again, with a new certification linked to the lapsed one"),
    )


class RenewalRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the training body (optional)"), max_length=300, required=False, widget=forms.TextInput(),
    )


class IssueCertificationForm(forms.Form):
    credential_type = forms.ModelChoiceField(label=_("Credential type"), queryset=CredentialType.objects.none())
    holder_email = forms.EmailField(label=_("Holder's email address"))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credential_type"].queryset = CredentialType.objects.filter(body=body)


class CERecordForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Training body"), queryset=None)
    date = JapaneseDateField(label=_("Date"), widget=DateInput())
    provider = forms.CharField(label=_("Provider"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.25, max_digits=5, decimal_places=2)
    category = forms.ModelChoiceField(label=_("Category"), queryset=CECategory.objects.none())
    evidence = forms.FileField(
        label=_("Evidence (certificate, receipt)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,"
                                               "application/pdf,image/jpeg,image/png,image/heic"}),
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _("PDF, JPEG, PNG or HEIC, up to %(megabytes)s MB.") % {
            "megabytes": f"{max_bytes() / 1024 / 1024:g}"
        }
        self.fields["body"].queryset = bodies
        self.fields["category"].queryset = CECategory.objects.filter(body__in=bodies).select_related("body")
        self.fields["category"].label_from_instance = lambda c: f"{c.body} — {c.name}"


class EvidenceUploadForm(forms.Form):
    """The evidence asked for by audit sampling (one record)."""

    evidence = forms.FileField(
        label=_("Evidence file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,"
                                               "application/pdf,image/jpeg,image/png,image/heic"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "A certificate of attendance, a receipt or the programme with your name: PDF, JPEG, PNG or "
            "HEIC, up to %(megabytes)s MB."
        ) % {"megabytes": f"{max_bytes() / 1024 / 1024:g}"}


class EvidenceReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), max_length=300, required=False, widget=forms.TextInput(),
        help_text=_("Needed to reject. The person is told it and may upload again until the due date."),
    )


class EvidenceDaysForm(forms.Form):
    evidence_due_days = forms.IntegerField(
        label=_("Days to send evidence when sampled"), min_value=1, max_value=365,
        help_text=_("Counted from the day a record is picked for evidence review."),
    )


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("How many records to sample"), min_value=1, max_value=500, initial=10)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Register file (CSV or Excel .xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run): change nothing"), required=False, initial=True)


APPLICATION_ACTIONS = {
    Application.State.SELECTED: _("Select"),
    Application.State.WAITLISTED: _("Wait-list"),
    Application.State.DECLINED: _("Decline"),
    Application.State.ENROLLED: _("Enrol"),
    Application.State.WITHDRAWN: _("Withdraw"),
}
# The actions a pair takes together, named for the pair.
PAIR_ACTIONS = {
    Application.State.SELECTED: _("Select the pair"),
    Application.State.WAITLISTED: _("Wait-list the pair"),
    Application.State.DECLINED: _("Decline the pair"),
}
# Consequential actions: the page asks to confirm first.
CONFIRM_STATES = frozenset({Application.State.DECLINED, Application.State.WITHDRAWN})


class CredentialTypeForm(forms.ModelForm):
    reminder_days = forms.CharField(
        label=_("Reminder days"), required=False,
        help_text=_("Days before expiry, separated by commas, e.g. 120, 60, 30, 7. Negative numbers "
                    "are days after expiry, during the grace period."),
    )
    floors = forms.CharField(
        label=_("Minimum hours per category"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line as category = hours, e.g. 倫理 = 3."),
    )

    class Meta:
        model = CredentialType
        fields = ["name", "initial_course", "expires", "validity_months", "renewal_window_days", "grace_days",
                  "late_renewal_limit_months", "renewal_course", "ce_hours_required", "practice_ce_category"]

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.body = body
        courses = Course.objects.filter(body=body)
        self.fields["initial_course"].queryset = courses
        self.fields["renewal_course"].queryset = courses
        self.fields["practice_ce_category"].queryset = CECategory.objects.filter(body=body)
        if self.instance.pk:
            self.fields["reminder_days"].initial = ", ".join(str(d) for d in self.instance.reminder_offsets)
            self.fields["floors"].initial = "\n".join(
                f"{f.category.name} = {f.minimum_hours.normalize():f}"
                for f in self.instance.ce_floors.select_related("category")
            )

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"].replace("、", ",")
        try:
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of days separated by commas.")) from None

    def clean_floors(self) -> dict[str, str]:
        floors = {}
        for line in self.cleaned_data["floors"].splitlines():
            if not line.strip():
                continue
            name, sep, hours = line.replace("＝", "=").partition("=")
            try:
                from decimal import Decimal, InvalidOperation

                value = Decimal(hours.strip())
            except (InvalidOperation, ValueError):
                value = None
            if not sep or not name.strip() or value is None or value < 0:
                raise forms.ValidationError(_("Write each line as category = hours, e.g. 倫理 = 3."))
            floors[name.strip()] = value
        return floors


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=5, decimal_places=2)


class BodySettingsForm(forms.Form):
    number_prefix = forms.CharField(
        label=_("Certificate number prefix"), max_length=10,
        validators=[RegexValidator(r"^[A-Za-z][A-Za-z0-9]{0,9}$", _(
            "Use capital letters and digits only, starting with a letter (up to 10)."
        ))],
        help_text=_("Capital letters and digits, starting with a letter, e.g. PSS. It can change only until the first certificate is issued."),
    )
    sequence_digits = forms.IntegerField(
        label=_("Digits in the serial part"), min_value=3, max_value=8,
        help_text=_("4 gives numbers such as PSS-2026-0153-K7Q."),
    )
    recertification_keeps_number = forms.BooleanField(
        label=_("Re-certification keeps the certificate number"), required=False,
        help_text=_(
            "When someone whose certification lapsed is certified again: keep their old number, or give "
            "them a new one (the old number then points to the new one)."
        ),
    )


class CECategoryForm(forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=100)


class CertificationSearchForm(forms.Form):
    """The register's search and filters (GET). A bad value is a form error, never a 500."""

    q = forms.CharField(
        label=_("Search"), max_length=100, required=False,
        help_text=_("Certificate number, name or reading in kana."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    expiry = forms.ChoiceField(label=_("Expiry"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(Certification.Status.choices)
        self.fields["expiry"].choices = [("", _("Any"))] + EXPIRY_CHOICES

    def filters(self) -> dict:
        """The valid filters only (a bad one is dropped and shown as an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data.get(key) or "" for key in ("q", "status", "expiry")}


class IdListField(forms.Field):
    """Record ids ticked in a list (checkboxes named alike)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("The selection could not be read. Select the rows again.")}

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if any(i <= 0 or i > 2**63 - 1 for i in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


BULK_ACTIONS = {
    "remind": _("Send a renewal reminder"),
    "export_csv": _("Export the selected (CSV)"),
    "export_xlsx": _("Export the selected (Excel)"),
}


class CertificationBulkForm(forms.Form):
    """Rows ticked in the register (or every row matching the filter), and what to do with them."""

    action = forms.ChoiceField(choices=list(BULK_ACTIONS.items()))
    selected = IdListField(required=False)
    all_matching = forms.BooleanField(required=False)
    confirm = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("all_matching") and not data.get("selected") and "selected" not in self.errors:
            raise forms.ValidationError(_("Select at least one certification first."), code="empty")
        return data
