"""The staff register: search, the expiry filter and the export rows."""

from __future__ import annotations

import calendar
import datetime
import unicodedata
from collections.abc import Iterator

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ..models import (
    Certification,
    TrainingBody,
)
from ..numbers import number_normalise
from .bodies import _body_ids
from .certifications import certification_list_for_staff


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the calendar quarter of `day` (the fiscal year from April
    keeps the same quarters)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end_month = first_month + 2
    end = datetime.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    return start, end


# Expiry windows of the register's filter: value -> label (dates from quarter_of and today).
EXPIRY_CHOICES = [
    ("this_quarter", pgettext_lazy("expiry filter", "Expires by the end of this quarter")),
    ("next_quarter", pgettext_lazy("expiry filter", "Expires next quarter")),
    ("within_90_days", pgettext_lazy("expiry filter", "Expires within 90 days")),
    ("expired", pgettext_lazy("expiry filter", "Validity already ended")),
]


def expiry_window(expiry: str, today: datetime.date) -> tuple[datetime.date | None, datetime.date | None] | None:
    """The dates (first, last; either may be open) of an expiry filter value, None if unknown."""
    if expiry == "this_quarter":  # still to come: those already past are in grace or lapsed
        return today, quarter_of(today)[1]
    if expiry == "next_quarter":
        return quarter_of(quarter_of(today)[1] + datetime.timedelta(days=1))
    if expiry == "within_90_days":
        return today, today + datetime.timedelta(days=90)
    if expiry == "expired":
        return None, today - datetime.timedelta(days=1)
    return None


_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))


_KATAKANA = "".join(chr(c + 0x60) for c in range(0x3041, 0x3097))


_TO_KATAKANA = str.maketrans(_HIRAGANA, _KATAKANA)


_TO_HIRAGANA = str.maketrans(_KATAKANA, _HIRAGANA)


def _without_spaces(expression):
    return Replace(Replace(expression, Value(" "), Value("")), Value("\u3000"), Value(""))


def certification_search_for_staff(
    user, *, body: TrainingBody, q: str = "", status: str = "", expiry: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Certification]:
    """The body's register as the staff search it: `q` matches the number however it is typed
    (full-width, Japanese dashes: NFKC as verification reads it), the holder's name, or the
    reading in hiragana or katakana (spaces ignored); `status` and `expiry` filter. Only the
    bodies the person runs (another body is a 404). Newest numbers first."""
    if body.pk not in _body_ids(user):
        raise Http404
    qs = certification_list_for_staff(user).filter(body=body)
    text = "".join(unicodedata.normalize("NFKC", q or "").split())
    if text:
        qs = qs.annotate(
            _name_flat=_without_spaces(F("holder__display_name")),
            _kana_flat=_without_spaces(F("holder__name_kana")),
        ).filter(
            Q(number__icontains=number_normalise(text))
            | Q(_name_flat__icontains=text)
            | Q(_kana_flat__contains=text.translate(_TO_KATAKANA))
            | Q(_kana_flat__contains=text.translate(_TO_HIRAGANA))
        )
    if status in Certification.Status.values:
        qs = qs.filter(status=status)
    qs = _expiring(qs, expiry, today or timezone.localdate())
    return qs.order_by("-year", "-sequence", "-id")


def _expiring(qs: QuerySet[Certification], expiry: str, today: datetime.date) -> QuerySet[Certification]:
    window = expiry_window(expiry, today)
    if window is None:
        return qs
    first, last = window
    qs = qs.filter(valid_until__isnull=False)
    if first is not None:
        qs = qs.filter(valid_until__gte=first)
    if last is not None:
        qs = qs.filter(valid_until__lte=last)
    return qs


def certification_export_rows(certifications) -> tuple[list[str], Iterator[list]]:
    """The header and rows of the register's CSV and Excel export (the rows of `certifications`,
    a queryset the caller scoped with certification_search_for_staff)."""
    header = [
        _("Certificate number"), _("Holder"), _("Reading (kana)"), _("Credential"), _("Status"),
        _("First issued on"), _("Cycle"), _("Current cycle from"), _("Valid until"), _("Grace period until"),
    ]

    def rows():
        for c in certifications.iterator(chunk_size=2000):
            yield [
                c.number, c.holder.display_name, c.holder.name_kana, c.credential_type.name,
                str(c.get_status_display()), c.issued_on.isoformat(), c.cycle, c.cycle_started_on.isoformat(),
                c.valid_until.isoformat() if c.valid_until else "", c.grace_until.isoformat() if c.grace_until else "",
            ]

    return header, rows()
