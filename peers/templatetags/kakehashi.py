"""Shared presentation helpers: dates the Japanese way, with the era year where a form expects it."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone, translation

from peers.dates import ERAS, era_year, fiscal_year_text  # noqa: F401 - ERAS re-exported

register = template.Library()

def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter
def wareki(value) -> str:
    """令和8年11月23日 in Japanese; "Reiwa 8 (2026-11-23)" in English."""
    day = _as_date(value)
    if day is None:
        return ""
    era = era_year(day)
    if era is None:
        return jdate(day)
    name_ja, name_en, year = era
    if (translation.get_language() or "ja").startswith("ja"):
        year_text = "元" if year == 1 else str(year)
        return f"{name_ja}{year_text}年{day.month}月{day.day}日"
    return f"{name_en} {year} ({day.isoformat()})"


@register.filter
def fiscal_year(value) -> str:
    """2025年度（令和7年度） in Japanese, FY2025 (Reiwa 7) in English; empty for no year."""
    try:
        return fiscal_year_text(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def jdate(value) -> str:
    """2026年11月23日 in Japanese, 23 November 2026 in English (the locale's DATE_FORMAT)."""
    day = _as_date(value)
    if day is None:
        return ""
    return formats.date_format(day, "DATE_FORMAT")


@register.filter
def yen(value) -> str:
    """5,000円 in Japanese, ¥5,000 in English; empty for no amount."""
    if value is None or value == "":
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    if (translation.get_language() or "ja").startswith("ja"):
        return f"{amount:,}円"
    return f"¥{amount:,}"
