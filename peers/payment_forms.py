"""Forms for honorarium payments (第二群 謝金), and the one field that reads an amount of yen."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .fields import JapaneseDateField
from .models import Engagement
from .models.payments import MAX_AMOUNT
from .request_params import no_control_characters

# What people type around a number of yen: thousands separators, the yen sign, 円, spaces.
_DECORATION = re.compile(r"[,\s円¥]")
_DIGITS = re.compile(r"[0-9]+")


class YenField(forms.IntegerField):
    """An amount in whole yen, as people type it: 1200, １２００ (full-width, a Japanese
    keyboard's default), 1,200, 1,200円 or ¥1,200. Anything else is refused with the reason: a
    minus sign, a decimal point, other scripts' digits (² ١٢), a control character."""

    default_error_messages = {
        "invalid": _("Give the amount in yen as a whole number, e.g. 5000 or 5,000円."),
        "min_value": _("Give an amount of at least 1 yen."),
        "max_value": _("This is more than %(limit_value)s yen: check the number of zeros."),
    }

    def __init__(self, *, min_value: int = 1, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(min_value=min_value, max_value=MAX_AMOUNT, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        text = str(value)
        no_control_characters(text)
        # Full-width digits, comma and yen sign become ASCII; ² and ① would too, so they are
        # refused first (only the digits 0-9 in either width count).
        if any(unicodedata.category(c) in ("No", "Nd") and not ("0" <= c <= "9" or "０" <= c <= "９")
               for c in text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        text = _DECORATION.sub("", unicodedata.normalize("NFKC", text).replace("￥", "¥"))
        if text.startswith("-") and _DIGITS.fullmatch(text[1:]):
            raise ValidationError(self.error_messages["min_value"], code="min_value",
                                  params={"limit_value": self.min_value})
        if not _DIGITS.fullmatch(text) or len(text) > 12:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class _PaymentText:
    @staticmethod
    def fields():
        return {
            "category": forms.CharField(
                label=_("Kind of payment (区分)"), max_length=40, required=False,
                validators=[no_control_characters],
                help_text=_("As on the payment statement, e.g. 講演料 (talk) or 謝金 (honorarium). Optional."),
            ),
            "description": forms.CharField(
                label=_("What for (細目)"), max_length=200, validators=[no_control_characters],
                help_text=_("For example: co-facilitating the basic training, 2nd day."),
            ),
        }


class PaymentRecordForm(forms.Form):
    """A manager records a payment for one of the organisation's honorarium engagements."""

    engagement = forms.ModelChoiceField(label=_("Person and engagement"), queryset=Engagement.objects.none())
    occasion_date = JapaneseDateField(label=_("Date of the occasion"))
    amount = YenField(label=_("Amount (yen)"), required=False,
                      help_text=_("Leave empty to use the engagement's honorarium."))
    withholding_tax = YenField(label=_("Income tax withheld (yen, optional)"), required=False, min_value=0,
                               help_text=_("源泉徴収税額, if tax is withheld from this payment."))

    def __init__(self, *args, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_PaymentText.fields())
        self.order_fields(["engagement", "occasion_date", "category", "description", "amount", "withholding_tax"])
        self.fields["engagement"].queryset = engagements
        self.fields["engagement"].label_from_instance = lambda e: (
            f"{e.person.display_name} — {e.job_title or e.get_kind_display()} "
            f"(¥{e.honorarium_rate:,} {e.get_honorarium_unit_display()})"
        )


class PaymentPaidForm(forms.Form):
    paid_on = JapaneseDateField(label=_("Paid on"))
    withholding_tax = YenField(label=_("Income tax withheld (yen, optional)"), required=False, min_value=0)


class PaymentCorrectForm(forms.Form):
    occasion_date = JapaneseDateField(label=_("Date of the occasion"))
    amount = YenField(label=_("Amount (yen)"))
    withholding_tax = YenField(label=_("Income tax withheld (yen, optional)"), required=False, min_value=0)
    paid_on = JapaneseDateField(label=_("Paid on"), required=False)
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200, required=False,
                             validators=[no_control_characters],
                             help_text=_("Needed once the payment is paid: it is kept in its history."))

    def __init__(self, *args, payment, **kwargs):
        kwargs.setdefault("initial", {
            "occasion_date": payment.occasion_date, "category": payment.category,
            "description": payment.description, "amount": payment.amount,
            "withholding_tax": payment.withholding_tax, "paid_on": payment.paid_on,
        })
        super().__init__(*args, **kwargs)
        self.fields.update(_PaymentText.fields())
        self.order_fields(["occasion_date", "category", "description", "amount", "withholding_tax", "paid_on",
                           "reason"])
        if payment.status != payment.Status.PAID:
            del self.fields["paid_on"]


class PaymentCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200, validators=[no_control_characters])
