"""Reads about honorarium payments (第二群 謝金). Who may see which payment is decided here.

- the person paid sees their own payments (never someone else's: that is a 404);
- the paying organisation's manager (after two-step sign-in), and an administrator, see and
  handle the organisation's payments;
- an upper app may give more reach (`register_payment_reach`): collaboration lets a body's
  coordinators see and confirm the payments made from their meetings' attendance. peers
  knows only the `source_group` string they name.

Totals: a fiscal year (April to March, peers.dates.fiscal_year_of) counts a payment by the day
of the occasion it pays for; the yearly statement for a tax return counts a calendar year
(January to December, as 確定申告 and the 支払調書 do) by the day it was paid.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from ..dates import fiscal_year_of
from ..models import HonorariumPayment, Organisation, Role
from .accounts import role_assignment_list_for, user_is_admin

# Upper apps' reach: user -> Q over HonorariumPayment (or None for none).
_reach: list[Callable[[object], Q | None]] = []


def register_payment_reach(reach: Callable[[object], Q | None]) -> None:
    """An app says which payments someone may see and confirm beyond their organisation's (from
    its AppConfig.ready): `reach(user)` gives a Q over HonorariumPayment, or None. It must grant
    staff reach only to a user who passed two-step sign-in (peers.access)."""
    if reach not in _reach:
        _reach.append(reach)


def _payments() -> QuerySet[HonorariumPayment]:
    return HonorariumPayment.objects.select_related(
        "person", "organisation__prefecture", "engagement", "confirmed_by", "created_by"
    )


def _managed_ids(user) -> list[int]:
    return [a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER]


def _extra_reach(user) -> Q | None:
    found = None
    for reach in _reach:
        q = reach(user)
        if q is not None:
            found = q if found is None else found | q
    return found


def _handled_q(user) -> Q | None:
    """Payments this user handles for others (their organisations', and registered reach)."""
    if not getattr(user, "is_authenticated", False):
        return None
    managed = _managed_ids(user)
    q = Q(organisation_id__in=managed) if managed else None
    extra = _extra_reach(user)
    if extra is not None:
        q = extra if q is None else q | extra
    return q


def honorarium_payment_list_for(user) -> QuerySet[HonorariumPayment]:
    """Every payment this user may see: their own, and those they handle."""
    qs = _payments()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user_is_admin(user):
        return qs.all()
    handled = _handled_q(user)
    return qs.filter(Q(person=user) | handled) if handled is not None else qs.filter(person=user)


def honorarium_payment_list_handled_by(user) -> QuerySet[HonorariumPayment]:
    """Payments this user handles for others (not their own, unless they handle those too)."""
    qs = _payments()
    if user_is_admin(user):
        return qs.all()
    handled = _handled_q(user)
    return qs.filter(handled) if handled is not None else qs.none()


def honorarium_payment_list_own(user) -> QuerySet[HonorariumPayment]:
    if not getattr(user, "is_authenticated", False):
        return _payments().none()
    return _payments().filter(person=user)


def honorarium_payment_get_for(user, pk) -> HonorariumPayment:
    try:
        return honorarium_payment_list_for(user).get(pk=pk)
    except (HonorariumPayment.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def honorarium_payment_get_own(user, pk) -> HonorariumPayment:
    try:
        return honorarium_payment_list_own(user).get(pk=pk)
    except (HonorariumPayment.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def user_handles_payment(user, payment: HonorariumPayment) -> bool:
    """Whether the user may confirm, correct, cancel and mark paid this payment."""
    if user_is_admin(user):
        return True
    return honorarium_payment_list_handled_by(user).filter(pk=payment.pk).exists()


def user_records_payments_for(user, organisation: Organisation) -> bool:
    """Whether the user may record payments by hand for the organisation: its manager."""
    return user_is_admin(user) or organisation.pk in _managed_ids(user)


def fiscal_year_range(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a fiscal year (April to March)."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def in_fiscal_year(qs: QuerySet[HonorariumPayment], year: int) -> QuerySet[HonorariumPayment]:
    start, end = fiscal_year_range(year)
    return qs.filter(occasion_date__gte=start, occasion_date__lte=end)


def _sums() -> dict:
    S = HonorariumPayment.Status
    return {
        "count": Count("id"),
        "to_confirm": Sum("amount", filter=Q(status=S.TO_CONFIRM), default=0),
        "confirmed": Sum("amount", filter=Q(status=S.CONFIRMED), default=0),
        "paid": Sum("amount", filter=Q(status=S.PAID), default=0),
        "withholding_tax": Sum("withholding_tax", filter=Q(status=S.PAID), default=0),
    }


def _with_total(row: dict) -> dict:
    row["total"] = row["to_confirm"] + row["confirmed"] + row["paid"]
    return row


def honorarium_totals(qs: QuerySet[HonorariumPayment]) -> list[dict]:
    """Totals per person, organisation and fiscal year of the payments in `qs` (cancelled ones
    left out), newest year first: to confirm, confirmed, paid, tax withheld on what was paid,
    all in yen. One query, summed by occasion date."""
    rows = (
        qs.exclude(status=HonorariumPayment.Status.CANCELLED)
        .values("person_id", "person__display_name", "organisation_id", "organisation__name", "occasion_date")
        .order_by()
    )
    # Fiscal years are grouped here: one row per payment date read, a few hundred a year at most.
    totals: dict[tuple, dict] = {}
    for row in rows.annotate(**_sums()):
        key = (fiscal_year_of(row["occasion_date"]), row["person_id"], row["organisation_id"])
        bucket = totals.setdefault(key, {
            "fiscal_year": key[0], "person_id": row["person_id"], "person": row["person__display_name"],
            "organisation_id": row["organisation_id"], "organisation": row["organisation__name"],
            "count": 0, "to_confirm": 0, "confirmed": 0, "paid": 0, "withholding_tax": 0,
        })
        for field in ("count", "to_confirm", "confirmed", "paid", "withholding_tax"):
            bucket[field] += row[field] or 0
    ordered = sorted(totals.values(), key=lambda r: (-r["fiscal_year"], r["person"], r["organisation"]))
    return [_with_total(r) for r in ordered]


def honorarium_totals_own(user) -> list[dict]:
    """The person's own totals per organisation and fiscal year."""
    return honorarium_totals(honorarium_payment_list_own(user))


def honorarium_fiscal_years(qs: QuerySet[HonorariumPayment]) -> list[int]:
    """The fiscal years that have payments in `qs`, newest first (at least the current one)."""
    from django.utils import timezone

    days = qs.dates("occasion_date", "month")
    years = {fiscal_year_of(day) for day in days} | {fiscal_year_of(timezone.localdate())}
    return sorted(years, reverse=True)


def honorarium_statement(user, year: int) -> dict:
    """The person's yearly statement for a tax return: what each organisation paid them in the
    calendar year `year` (by the day paid), with the 支払調書's fields the records hold.

    `payers` is one entry per paying organisation: its name, operator and where it is (as far
    as recorded), the payments, and the sums of 支払金額 and 源泉徴収税額 (None when no payment
    of it recorded the tax)."""
    payments = list(
        honorarium_payment_list_own(user)
        .filter(status=HonorariumPayment.Status.PAID, paid_on__year=year)
        .order_by("organisation__name", "organisation_id", "paid_on", "id")
    )
    payers: dict[int, dict] = {}
    for payment in payments:
        organisation = payment.organisation
        payer = payers.setdefault(organisation.pk, {
            "organisation": organisation,
            "name": organisation.name,
            "corporation": organisation.corporation,
            "address": "".join(part for part in (organisation.prefecture.name_ja, organisation.municipality) if part),
            "phone": organisation.contact_phone,
            "payments": [], "amount": 0, "withholding_tax": None,
        })
        payer["payments"].append(payment)
        payer["amount"] += payment.amount
        if payment.withholding_tax is not None:
            payer["withholding_tax"] = (payer["withholding_tax"] or 0) + payment.withholding_tax
    amount = sum(p["amount"] for p in payers.values())
    taxed = [p["withholding_tax"] for p in payers.values() if p["withholding_tax"] is not None]
    return {
        "person": user, "year": year, "payers": list(payers.values()), "count": len(payments),
        "amount": amount, "withholding_tax": sum(taxed) if taxed else None,
    }


def honorarium_statement_years(user) -> list[int]:
    """Calendar years in which the person was paid, newest first."""
    days = honorarium_payment_list_own(user).filter(
        status=HonorariumPayment.Status.PAID).dates("paid_on", "year", order="DESC")
    return [day.year for day in days]
