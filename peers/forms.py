from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
