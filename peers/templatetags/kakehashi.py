"""Shared presentation helpers: dates the Japanese way, with the era year where a form expects it."""

from __future__ import annotations

import datetime

from django import template
from django.utils import formats, timezone, translation

register = template.Library()

# (first day, era name in Japanese, in English)
ERAS: list[tuple[datetime.date, str, str]] = [
    (datetime.date(2019, 5, 1), "令和", "Reiwa"),
    (datetime.date(1989, 1, 8), "平成", "Heisei"),
    (datetime.date(1926, 12, 25), "昭和", "Showa"),
    (datetime.date(1912, 7, 30), "大正", "Taisho"),
    (datetime.date(1868, 10, 23), "明治", "Meiji"),
]


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None


def era_year(value: datetime.date) -> tuple[str, str, int] | None:
    """The Japanese era of a date and the year within it (元年 is year 1)."""
    for start, name_ja, name_en in ERAS:
        if value >= start:
            return name_ja, name_en, value.year - start.year + 1
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
def jdate(value) -> str:
    """2026年11月23日 in Japanese, 23 November 2026 in English (the locale's DATE_FORMAT)."""
    day = _as_date(value)
    if day is None:
        return ""
    return formats.date_format(day, "DATE_FORMAT")
