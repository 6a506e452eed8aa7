from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peers.fields import JapaneseDateField
from peers.models import User

from .models import ActionItem, AgendaItem, Meeting, Proposal, Reply, Sector


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["body", "title", "starts_at", "ends_at", "place", "online_url", "description"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["body"].queryset = bodies


class ReplyForm(forms.ModelForm):
    accommodation_consent = forms.BooleanField(
        label=_("I agree that the meeting's coordinators read my accommodation request to arrange it. "
                "Every time someone reads it, it is written in my access log."),
        help_text=_("Needed only if you write a request. You can withdraw this consent at any time "
                    "on your consent page; the request is then erased."),
        required=False,
    )

    class Meta:
        model = Reply
        fields = ["response", "accommodation_request"]
        widgets = {"response": forms.RadioSelect, "accommodation_request": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No blank choice among the radios: nothing is chosen until the person chooses.
        self.fields["response"].choices = Reply.Response.choices


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "minutes_allotted", "presenter", "presenter_name"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = people if people is not None else User.objects.none()


class GuestForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the guest's account"))
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, invitations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (inv.user_id, f"{inv.user} ({inv.get_sector_display()})") for inv in invitations
        ]


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 14}))


class PublicDraftForm(forms.Form):
    text = forms.CharField(
        label=_("Public version"), max_length=100_000, strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Edit freely: this is what the public site will show once you confirm it."),
    )


class PublishMinutesForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read the public version above and it names no one who should not be named."),
    )
    digest = forms.CharField(max_length=64, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "owner", "due_on", "agenda_item"]
        field_classes = {"due_on": JapaneseDateField}
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, meeting=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all() if meeting else AgendaItem.objects.none()
        self.fields["owner"].queryset = people if people is not None else User.objects.none()


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))


class RoomMessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    content_note = forms.BooleanField(label=_("Content note: collapse this message until opened"), required=False)
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False)
    # The number (seq) of the message answered; the service checks that it is this room's.
    reply_to = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class ProposalForm(forms.Form):
    """The chair's proposal on an agenda item (collaboration.services.proposal_create)."""

    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none())
    text = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    method = forms.ChoiceField(label=_("How the body decides"), choices=Proposal.Method.choices,
                               widget=forms.RadioSelect, initial=Proposal.Method.CONSENSUS)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("order", "id")
