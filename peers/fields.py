"""Form fields shared by every app: dates typed the Western or the Japanese (era) way, and years
shown with their era."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .dates import UNREADABLE, fiscal_year_text, parse_date, parse_date_or_none

__all__ = ["JapaneseDateField", "FiscalYearInput", "parse_japanese_date"]

# Kept for the callers that want None rather than the reason: the one parser is peers.dates.
parse_japanese_date = parse_date_or_none

DATE_HELP = _("For example 2026-11-23, or in the Japanese era: 令和8年11月23日 or R8.11.23.")


def _is_picker(widget) -> bool:
    widget = widget() if isinstance(widget, type) else widget
    return getattr(widget, "input_type", None) == "date" or widget.attrs.get("type") == "date"


class JapaneseDateField(forms.DateField):
    """A date typed as 2026-11-23 or in the Japanese era (令和8年11月23日), read by peers.dates.
    An impossible day (2026-02-30, 平成31年5月1日) is refused with the reason."""

    default_error_messages = {"invalid": UNREADABLE}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}))
        if not _is_picker(kwargs["widget"]):
            # A browser's date picker sends 2026-11-23 whatever is chosen: the typing help is for
            # text boxes only. The value is read by the same parser either way.
            kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return parse_date(str(value))


class FiscalYearInput(forms.NumberInput):
    """A year (fiscal year, April to March) with its era shown beside it: 2025年度（令和7年度）.
    The text follows what is typed (site/static/js/forms.js); without scripts it shows the era
    of the value the form was given."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "data-fiscal-year": ""}
        field = super().render(name, value, attrs, renderer)
        try:
            era_text = fiscal_year_text(int(value)) if value not in (None, "") else ""
        except (TypeError, ValueError):
            era_text = ""
        input_id = attrs.get("id") or f"id_{name}"
        return format_html(
            '{} <span class="fiscal-year-era" id="{}_era" data-fiscal-year-era aria-live="polite">{}</span>',
            field, input_id, era_text,
        )
