"""The choice of a table to compare: source, grouping and fiscal years (pages and API)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Group, Source
from .selectors import current_fiscal_year, groups_for
from .stats import fmt

MAX_YEARS = 10


class TableForm(forms.Form):
    source = forms.ChoiceField(label=_("Records"), choices=Source.choices, initial=Source.CERTIFICATIONS)
    group = forms.ChoiceField(label=_("Compare by"), choices=Group.choices, initial=Group.PREFECTURE)
    year_from = forms.IntegerField(label=_("From fiscal year"), min_value=2000, max_value=2100)
    year_to = forms.IntegerField(label=_("To fiscal year"), min_value=2000, max_value=2100)
    merge = forms.BooleanField(label=_("Merge groups too small for the test"), required=False)

    def __init__(self, data=None, **kwargs):
        year = current_fiscal_year()
        if data is not None:
            data = {"source": Source.CERTIFICATIONS, "group": Group.PREFECTURE, "year_from": year,
                    "year_to": year, **{k: v for k, v in data.items() if v not in ("", None)}}
        super().__init__(data, **kwargs)
        self.fields["year_from"].initial = year
        self.fields["year_to"].initial = year

    def clean(self):
        data = super().clean()
        source, group = data.get("source"), data.get("group")
        if source and group and group not in groups_for(source):
            names = "、".join(str(Group(g).label) for g in groups_for(source))
            self.add_error("group", ValidationError(
                fmt(_("These records cannot be grouped that way. Choose one of: %(names)s."), names=names),
                code="group"))
        start, end = data.get("year_from"), data.get("year_to")
        if start and end:
            if end < start:
                self.add_error("year_to", ValidationError(
                    _("The last fiscal year cannot be before the first."), code="order"))
            elif end - start >= MAX_YEARS:
                self.add_error("year_to", ValidationError(
                    fmt(_("Choose at most %(n)s fiscal years."), n=MAX_YEARS), code="span"))
        return data
