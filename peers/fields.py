"""Form fields shared by every app: dates typed the Western or the Japanese (era) way."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .templatetags.kakehashi import ERAS

_ERA_BY_NAME = {}
for _start, _ja, _en in ERAS:
    _ERA_BY_NAME[_ja] = _start
    _ERA_BY_NAME[_en.lower()] = _start
    _ERA_BY_NAME[_en[0].lower()] = _start  # R, H, S, T, M

_ERA_PATTERN = re.compile(
    r"^\s*(?P<era>令和|平成|昭和|大正|明治|reiwa|heisei|showa|taisho|meiji|[rhstm])\s*\.?\s*"
    r"(?P<year>元|\d{1,2})\s*[年.\-/]\s*(?P<month>\d{1,2})\s*[月.\-/]\s*(?P<day>\d{1,2})\s*日?\s*$",
    re.IGNORECASE,
)
_WESTERN_PATTERN = re.compile(
    r"^\s*(?P<year>\d{4})\s*[年.\-/]\s*(?P<month>\d{1,2})\s*[月.\-/]\s*(?P<day>\d{1,2})\s*日?\s*$"
)


def _to_ascii_digits(text: str) -> str:
    return text.translate(str.maketrans("０１２３４５６７８９／－．", "0123456789/-."))


def parse_japanese_date(text: str) -> datetime.date | None:
    """Read 2026-11-23, 2026/11/23, 2026年11月23日, 令和8年11月23日, 令和元年5月1日 or R8.11.23.
    Returns None when the text is not a date in any of these forms (or is not a real day)."""
    text = _to_ascii_digits(text or "")
    match = _WESTERN_PATTERN.match(text)
    try:
        if match:
            return datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))
        match = _ERA_PATTERN.match(text)
        if match:
            start = _ERA_BY_NAME[match["era"].lower() if match["era"].isascii() else match["era"]]
            era_year = 1 if match["year"] == "元" else int(match["year"])
            day = datetime.date(start.year + era_year - 1, int(match["month"]), int(match["day"]))
            return day
    except ValueError:
        return None
    return None


class JapaneseDateField(forms.DateField):
    """A date typed as 2026-11-23 or in the Japanese era (令和8年11月23日)."""

    default_error_messages = {
        "invalid": _("Please enter a date such as 2026-11-23 or 令和8年11月23日."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("For example 2026-11-23 or 令和8年11月23日."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        parsed = parse_japanese_date(str(value))
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed
