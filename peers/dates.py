"""Dates the Japanese way, read and shown once for every app: the one parser that forms, CSV and
Excel imports and request values use, and the era (和暦) of a date or a fiscal year.

`parse_date(text)` reads

- Western dates: 2025-04-01, 2025/4/1, 2025.4.1, 2025年4月1日;
- era dates: 令和7年4月1日, 令和元年5月1日, 令和 7 年 4 月 1 日, R7.4.1, R07.04.01, r7/4/1,
  Reiwa 7.4.1, ㋿7年4月1日, and the same for 平成 (H), 昭和 (S), 大正 (T) and 明治 (M);
- in full-width or half-width characters alike (２０２５／４／１, Ｒ７．４．１), with any dash a
  Japanese keyboard or a word processor gives between the parts: the long-vowel mark ー (2025ー04ー01,
  what an IME types for "-" in kana mode), the minus sign −, the full-width hyphen －, hyphens and
  en or em dashes (‐ ‑ ‒ – — ―) and their small and half-width forms.

It refuses, with a ValidationError whose message says what is wrong in the reader's language:
text that is not a date (code "invalid_date"), year 0 of an era such as 令和0年4月1日 (an era
begins with 元年, year 1: "no_year_zero"), a day the calendar does not have such as
2026-02-30 ("not_a_day"), an era date outside its era such as 令和1年4月30日 (Reiwa began on
1 May 2019) or 平成31年5月1日 (Heisei ended on 30 April 2019) ("outside_era", naming the day it
probably means), and control characters such as NUL ("control_characters")."""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# (first day, era name in Japanese, in English), newest first.
ERAS: list[tuple[datetime.date, str, str]] = [
    (datetime.date(2019, 5, 1), "令和", "Reiwa"),
    (datetime.date(1989, 1, 8), "平成", "Heisei"),
    (datetime.date(1926, 12, 25), "昭和", "Showa"),
    (datetime.date(1912, 7, 30), "大正", "Taisho"),
    (datetime.date(1868, 10, 23), "明治", "Meiji"),
]
# The last day of each era: the day before the next one began (the newest has none yet).
_ERA_END = {ERAS[i][1]: ERAS[i - 1][0] - datetime.timedelta(days=1) for i in range(1, len(ERAS))}
_ERA_BY_NAME: dict[str, tuple[datetime.date, str, str]] = {}
for _era in ERAS:
    _ERA_BY_NAME[_era[1]] = _era
    _ERA_BY_NAME[_era[2].lower()] = _era
    _ERA_BY_NAME[_era[2][0].lower()] = _era  # r, h, s, t, m

MAX_LENGTH = 40
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SEP = r"\s*[年./\-]\s*"
_WESTERN = re.compile(rf"(?P<year>[0-9]{{4}}){_SEP}(?P<month>[0-9]{{1,2}})\s*[月./\-]\s*(?P<day>[0-9]{{1,2}})\s*日?")
_ERA = re.compile(
    r"(?P<era>令和|平成|昭和|大正|明治|reiwa|heisei|showa|taisho|meiji|[rhstm])\s*\.?\s*"
    rf"(?P<year>元|[0-9]{{1,2}}){_SEP}(?P<month>[0-9]{{1,2}})\s*[月./\-]\s*(?P<day>[0-9]{{1,2}})\s*日?",
    re.IGNORECASE,
)

# Every dash that stands for "-" between a date's parts, after NFKC (which already turns － and
# ﹣ into "-" and ｰ into ー): hyphens and dashes U+2010–2015, the minus sign, ー and the small em
# dash, the superscript and subscript minus, the modifier minus and the heavy minus.
_DASHES = str.maketrans(dict.fromkeys(
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\u30fc\ufe58\u207b\u208b\u02d7\u2796", "-"
))

UNREADABLE = _("Write the date as 2026-04-01 or 令和8年4月1日.")


def era_year(value: datetime.date) -> tuple[str, str, int] | None:
    """The Japanese era of a date and the year within it (元年 is year 1); None before Meiji."""
    for start, name_ja, name_en in ERAS:
        if value >= start:
            return name_ja, name_en, value.year - start.year + 1
    return None


def _is_japanese() -> bool:
    return (translation.get_language() or "ja").startswith("ja")


def era_date_text(day: datetime.date) -> str:
    """令和元年5月1日 in Japanese, 2019-05-01 in English (for messages)."""
    era = era_year(day)
    if era is None or not _is_japanese():
        return day.isoformat()
    name_ja, _name_en, year = era
    return f"{name_ja}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def fiscal_year_of(day: datetime.date | datetime.datetime) -> int:
    """Japan's fiscal year (April to March), named by the year it starts: 2026-03-31 is in
    FY2025. A moment counts on its local (Japan) day."""
    if isinstance(day, datetime.datetime):
        from django.utils import timezone

        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_text(year: int) -> str:
    """A fiscal year (April to March) with its era beside it: 2025年度（令和7年度） in Japanese,
    FY2025 (Reiwa 7) in English. The era is the one of the year's end, so FY2019 is 令和元年度
    as offices write it."""
    era = era_year(datetime.date(year, 12, 31)) if 1868 < year < 10000 else None
    if era is None:
        return f"{year}年度" if _is_japanese() else f"FY{year}"
    name_ja, name_en, era_number = era
    if _is_japanese():
        return f"{year}年度（{name_ja}{'元' if era_number == 1 else era_number}年度）"
    return f"FY{year} ({name_en} {era_number})"


def _era_name(era) -> str:
    return era[1] if _is_japanese() else era[2]


_lazy_text = lazy(lambda fn, *args: fn(*args), str)


def _outside_era(era, *, before: bool, day: datetime.date) -> ValidationError:
    params = {
        "era": _lazy_text(_era_name, era),
        "suggestion": _lazy_text(era_date_text, day),
    }
    if before:
        params["start"] = _lazy_text(era_date_text, era[0])
        message = _("%(era)s began on %(start)s, so this day is not in %(era)s. Did you mean %(suggestion)s?")
    else:
        params["end"] = _lazy_text(era_date_text, _ERA_END[era[1]])
        message = _("%(era)s ended on %(end)s, so this day is not in %(era)s. Did you mean %(suggestion)s?")
    return ValidationError(message, code="outside_era", params=params)


def _day(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("There is no such day in the calendar: check the month and the day."), code="not_a_day"
        ) from None


def parse_date(text) -> datetime.date:
    """The day `text` names (see the module's docstring for the forms read). Raises
    ValidationError with a message for the person who typed it."""
    if isinstance(text, datetime.datetime):
        return text.date()
    if isinstance(text, datetime.date):
        return text
    if not isinstance(text, str):
        raise ValidationError(UNREADABLE, code="invalid_date")
    if _CONTROL.search(text):
        raise ValidationError(
            _("This contains a control character (such as NUL), which is not allowed."), code="control_characters"
        )
    if len(text) > MAX_LENGTH:
        raise ValidationError(UNREADABLE, code="invalid_date")
    # NFKC turns full-width digits and signs into ASCII and ㋿ / ㍻ into 令和 / 平成; then every
    # dash variant (ー, −, –, …) becomes "-".
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).strip()
    match = _WESTERN.fullmatch(text)
    if match:
        return _day(int(match["year"]), int(match["month"]), int(match["day"]))
    match = _ERA.fullmatch(text)
    if not match:
        raise ValidationError(UNREADABLE, code="invalid_date")
    name = match["era"]
    era = _ERA_BY_NAME[name.lower() if name.isascii() else name]
    number = 1 if match["year"] == "元" else int(match["year"])
    if number < 1:
        raise ValidationError(
            _("An era has no year 0: its first year is 元年 (year 1), as in 令和元年5月1日."), code="no_year_zero"
        )
    day = _day(era[0].year + number - 1, int(match["month"]), int(match["day"]))
    if day < era[0]:
        raise _outside_era(era, before=True, day=day)
    end = _ERA_END.get(era[1])
    if end is not None and day > end:
        raise _outside_era(era, before=False, day=day)
    return day


def parse_date_or_none(text) -> datetime.date | None:
    """`parse_date`, with None instead of the error."""
    try:
        return parse_date(text)
    except ValidationError:
        return None
