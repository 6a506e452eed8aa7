"""Coordinators' pages for consultation bodies and their members (by sector)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peers.form_errors import add_service_errors
from peers.models import Organisation, Prefecture, Region, User
from peers.payment_forms import YenField
from peers.selectors import prefecture_list_coordinated_by
from peers.views import staff_required

from .. import services
from ..models import ConsultationBody, Sector, VoteMajority, VoteQuorum
from ..selectors import body_list_coordinated_by
from ..services.honoraria import honorarium_payer_choices


class BodyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=ConsultationBody.Level.choices)
    prefecture = forms.ModelChoiceField(label=gettext_lazy("Prefecture"), queryset=Prefecture.objects.none())
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region (for a regional body)"), queryset=Region.objects.none(), required=False
    )
    municipality = forms.CharField(
        label=gettext_lazy("Municipality (for a municipal body)"), max_length=100, required=False
    )
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefectures = prefecture_list_coordinated_by(user)
        self.fields["prefecture"].queryset = prefectures
        self.fields["region"].queryset = Region.objects.filter(prefecture__in=prefectures).select_related("prefecture")


class MemberForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email address of the member's account"),
        help_text=gettext_lazy("The person must already have an account. Invite them first if not."),
    )
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), choices=Sector.choices)
    affiliation = forms.CharField(label=gettext_lazy("Affiliation (optional)"), max_length=200, required=False)
    is_coordinator = forms.BooleanField(label=gettext_lazy("Also a coordinator of this body"), required=False)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(_("No account has this email address. Invite the person first."))
        self.cleaned_data["member"] = user
        return email


class HonorariumForm(forms.Form):
    """The body's honorarium per meeting for its peer members, and who pays it."""

    amount = YenField(
        label=gettext_lazy("Honorarium per meeting for peer members (yen)"), required=False,
        help_text=gettext_lazy("Each peer member who attends gets a payment to confirm at this rate. "
                               "Leave empty for none."),
    )
    payer = forms.ModelChoiceField(
        label=gettext_lazy("Organisation that pays the honoraria"), queryset=Organisation.objects.none(),
        required=False,
        help_text=gettext_lazy("Named as the payer on the payment statement. Organisations in the body's prefecture."),
    )

    def __init__(self, *args, body, **kwargs):
        kwargs.setdefault("initial", {"amount": body.honorarium_per_meeting, "payer": body.honorarium_payer_id})
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = honorarium_payer_choices(body)

    def clean(self):
        data = super().clean()
        if data.get("amount") and not data.get("payer"):
            self.add_error("payer", _("Choose the organisation that pays the honoraria."))
        return data


@staff_required
def body_list(request):
    bodies = body_list_coordinated_by(request.user).select_related("prefecture", "region").order_by("name")
    form = BodyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            body = services.body_create(
                user=request.user, name=data["name"], level=data["level"], prefecture=data["prefecture"],
                region=data.get("region"), municipality=data.get("municipality", ""),
                description=data.get("description", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The body has been created. Add its members next."))
            return redirect("collaboration:staff_body", pk=body.pk)
    return render(request, "collaboration/staff/body_list.html", {"bodies": bodies[:200], "form": form})


@staff_required
def body_members(request, pk: int):
    body = get_object_or_404(body_list_coordinated_by(request.user), pk=pk)
    is_honorarium = request.POST.get("form") == "honorarium"
    honorarium_form = HonorariumForm(request.POST if is_honorarium else None, body=body)
    if is_honorarium:
        if honorarium_form.is_valid():
            try:
                services.body_honorarium_set(user=request.user, body=body,
                                             amount=honorarium_form.cleaned_data["amount"],
                                             payer=honorarium_form.cleaned_data["payer"])
            except ValidationError as error:
                add_service_errors(honorarium_form, error)
            except PermissionDenied as error:
                honorarium_form.add_error(None, str(error))
            else:
                messages.success(request, _("The honorarium is saved. Peer members who attend a meeting from now "
                                            "on get a payment to confirm."))
                return redirect("collaboration:staff_body", pk=body.pk)
    form = MemberForm(request.POST if request.method == "POST" and not is_honorarium else None)
    if request.method == "POST" and not is_honorarium and form.is_valid():
        data = form.cleaned_data
        try:
            services.body_member_add(
                user=request.user, body=body, member=data["member"], sector=data["sector"],
                affiliation=data.get("affiliation", ""), is_coordinator=data.get("is_coordinator", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The member has been added. They can now be invited to this body's meetings."))
            return redirect("collaboration:staff_body", pk=body.pk)
    members = body.members.select_related("user").order_by("sector", "user__display_name")
    return render(request, "collaboration/staff/body_members.html", {
        "body": body, "members": members, "form": form, "honorarium_form": honorarium_form,
        "majorities": VoteMajority.choices, "quorums": VoteQuorum.choices,
    }, status=400 if request.method == "POST" and (honorarium_form.errors or form.errors) else 200)
