"""Helpers every training service uses: certificate numbers, cycle dates, email."""

from __future__ import annotations

import calendar
import datetime

from peers.mail import email_lines, language_of
from peers.models import User

from ..models import (
    Certification,
    CredentialType,
    TrainingBody,
)
from ..numbers import (
    number_check_matches,
    number_kind,
    number_with_check,
)

# ---------------------------------------------------------------- numbers
# The formats and check codes live in .numbers (the data migrations use them too).


def number_is_genuine(number: str) -> bool:
    """Whether a certificate or completion number is well formed and carries its body's check
    code.

    Reads the (few) bodies' prefixes and secrets; never the register, so a guessed number
    costs no lookup of certifications or completions."""
    if number_kind(number) is None:
        return False
    prefix = number.split("-", 1)[0]
    secret = (
        TrainingBody.objects.filter(number_prefix=prefix)
        .values_list("check_secret", flat=True)
        .first()
    )
    return secret is not None and number_check_matches(secret=secret, number=number)


def _next_sequence(body: TrainingBody, year: int) -> int:
    # The body row is locked by the caller, so two issues cannot take the same serial.
    last = (
        Certification.objects.filter(body=body, year=year).order_by("-sequence")
        .values_list("sequence", flat=True).first()
    )
    return (last or 0) + 1


def certification_number(*, body: TrainingBody, year: int, sequence: int) -> str:
    base = f"{body.number_prefix}-{year}-{sequence:0{body.sequence_digits}d}"
    return number_with_check(secret=body.check_secret, base=base)


def completion_number(*, body: TrainingBody, year: int, sequence: int) -> str:
    """修了 numbers carry a check code made the same way: PSS-C2026-0001-7KQ."""
    base = f"{body.number_prefix}-C{year}-{sequence:0{body.sequence_digits}d}"
    return number_with_check(secret=body.check_secret, base=base)


# ---------------------------------------------------------------- dates
def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_dates(ctype: CredentialType, start: datetime.date) -> dict:
    """valid_until and the dates the sweep compares with, for a cycle starting on `start`."""
    if not ctype.expires:
        return {"valid_until": None, "renewal_due_from": None, "grace_until": None}
    valid_until = add_months(start, ctype.validity_months) - datetime.timedelta(days=1)
    return {
        "valid_until": valid_until,
        "renewal_due_from": valid_until - datetime.timedelta(days=ctype.renewal_window_days),
        "grace_until": valid_until + datetime.timedelta(days=ctype.grace_days),
    }


def status_for_dates(certification: Certification, today: datetime.date) -> str:
    S = Certification.Status
    if certification.valid_until is None:
        return S.ACTIVE
    if today > certification.grace_until:
        return S.LAPSED
    if today > certification.valid_until:
        return S.GRACE
    if today >= certification.renewal_due_from:
        return S.EXPIRING
    return S.ACTIVE


# ---------------------------------------------------------------- email
def _notify(user: User, subject: str, lines: list, *, language: str | None = None) -> None:
    """Send `subject` and `lines` (lazy strings or callables) in the person's language, on commit."""
    email_lines(to=user.email, language=language or language_of(user), subject=subject, lines=lines,
                recipient=user)


