"""Reports of a body: the register report and the yearly table."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from ..models import (
    Certification,
    CertificationStatusChange,
    Cohort,
    TrainingBody,
)
from .bodies import _body_ids


def register_report(user, *, body: TrainingBody) -> list[dict]:
    """Per year and prefecture: how many were certified, renewed and lapsed (from the history)."""

    if body.pk not in _body_ids(user):
        raise Http404
    rows: dict[tuple[int, str], dict] = {}

    def bump(year, prefecture, key, count):
        row = rows.setdefault(
            (year, prefecture or ""),
            {"year": year, "prefecture": prefecture or "", "certified": 0, "renewed": 0, "lapsed": 0},
        )
        row[key] += count

    # The holder's prefecture is where their first completion's cohort took place, if known.
    certified = (
        Certification.objects.filter(body=body)
        .values("issued_on__year", "basis__cohort__prefecture__name_ja")
        .annotate(n=Count("id"))
    )
    for r in certified:
        bump(r["issued_on__year"], r["basis__cohort__prefecture__name_ja"], "certified", r["n"])
    changes = (
        CertificationStatusChange.objects.filter(certification__body=body)
        .filter(Q(event__in=["renewed", "renewed_override"]) | Q(event="sweep", to_status=Certification.Status.LAPSED))
        .values("at__year", "event", "certification__basis__cohort__prefecture__name_ja")
        .annotate(n=Count("id"))
    )
    for r in changes:
        key = "lapsed" if r["event"] == "sweep" else "renewed"
        bump(r["at__year"], r["certification__basis__cohort__prefecture__name_ja"], key, r["n"])
    return sorted(rows.values(), key=lambda r: (r["year"], r["prefecture"]))


def yearly_table(user, *, body: TrainingBody) -> list[dict]:
    """Seed 000's table: per year, the funding, the courses run and their venues."""
    if body.pk not in _body_ids(user):
        raise Http404
    years: dict[int, dict] = {}
    cohorts = (
        Cohort.objects.filter(course__body=body)
        .select_related("course", "prefecture")
        .order_by("year", "id")
    )
    for cohort in cohorts:
        row = years.setdefault(
            cohort.year,
            {"year": cohort.year, "funding": [], "funding_total": 0, "courses": [], "venues": []},
        )
        if cohort.funding_source and cohort.funding_source not in row["funding"]:
            row["funding"].append(cohort.funding_source)
        row["funding_total"] += cohort.funding_thousand_yen or 0
        if cohort.course.title not in row["courses"]:
            row["courses"].append(cohort.course.title)
        venue = _("Online") if cohort.online else (cohort.place or str(cohort.prefecture))
        if venue not in row["venues"]:
            row["venues"].append(venue)
    return list(years.values())
