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
            given = {k: v for k, v in data.items() if v not in ("", None)}
            source = given.get("source", Source.CERTIFICATIONS)
            # Each source's first grouping when none is named (bodies for meeting attendance).
            group = groups_for(source)[0] if source in Source.values else Group.PREFECTURE
            data = {"source": Source.CERTIFICATIONS, "group": group, "year_from": year, "year_to": year, **given}
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


MAX_UPLOAD_BYTES = 1_000_000
MAX_COUNT = 10**9  # as the API's compare


class UploadForm(forms.Form):
    """A table of one's own (or published statistics) to compare: nothing is stored."""

    table_file = forms.FileField(
        label=_("Your table (CSV or Excel)"),
        help_text=_("First column: the group; then one column per outcome, with counts. The first row names the "
                    "columns. Nothing is stored."),
    )

    def clean_table_file(self):
        from peers.japanese import normalise
        from peers.request_params import no_control_characters, parse_int
        from peers.spreadsheets import read_table

        upload = self.cleaned_data["table_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large: at most 1 MB."), code="size")
        header, raw_rows = read_table(upload.name, upload.read(), max_rows=2000)
        columns = [h for h in header[1:]]
        for text in [*header, *(str(raw[0]) for raw in raw_rows if raw)]:
            no_control_characters(text)
        rows = []
        for number, raw in enumerate(raw_rows, start=2):
            label, values = str(raw[0]), list(raw[1:len(header)]) + [""] * (len(header) - len(raw))
            counts = []
            for column, value in zip(columns, values, strict=False):
                # Full-width digits are counts too (NFKC); "٣", "1.5" or a thousand digits are not (parse_int).
                text = normalise(str(value)).replace(",", "").strip()
                try:
                    counts.append(parse_int(text, min_value=0, max_value=MAX_COUNT))
                except ValidationError:
                    raise ValidationError(fmt(_("Row %(row)s, column “%(column)s”: “%(value)s” is not a count (a "
                                                "whole number of 0 or more)."), row=number, column=column,
                                              value=text[:20]), code="not_count") from None
            rows.append((label, counts))
        return columns, rows


class FiscalYearForm(forms.Form):
    """The fiscal year of a consultation body's indicators (April to March, named by its start)."""

    year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100,
                              help_text=_("The year the fiscal year starts in April, for example 2026."))

    def __init__(self, data=None, **kwargs):
        year = current_fiscal_year()
        if data is not None:
            data = {"year": year, **{k: v for k, v in data.items() if v not in ("", None)}}
        super().__init__(data, **kwargs)
        self.fields["year"].initial = year
