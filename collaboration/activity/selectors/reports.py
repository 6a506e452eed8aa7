"""Organisation and region reports: the collaboration matrix, the team summary and the region
counts (cells under 5 shown as "<5")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from peers.models import (
    Activity,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
)
from peers.selectors import prefecture_list_coordinated_by

from ..models import (
    ActivityRoleRollup,
    ActivityRollup,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
    OrganisationWaitingRollup,
)
from .hours import _hours

SUPPRESS_BELOW = 5


SUPPRESSED = "<5"


def collaboration_matrix(organisation: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """Verified entries of one organisation by activity type × professional role worked with
    (from its rollup: the cost does not grow with the entries)."""
    rows = (
        OrganisationRoleRollup.objects.filter(organisation=organisation, month__gte=since.replace(day=1),
                                              month__lte=until)
        .values("activity_id", "role_id").annotate(n=Sum("entries")).order_by()
    )
    cells = {(r["activity_id"], r["role_id"]): r["n"] for r in rows if r["n"]}
    activity_ids = {a for a, _r in cells}
    role_ids = {r for _a, r in cells}
    roles = [r for r in ProfessionalRole.objects.all() if r.pk in role_ids]
    return {
        "roles": roles,
        "rows": [
            {"activity": a, "cells": [cells.get((a.pk, r.pk), 0) for r in roles]}
            for a in Activity.objects.all() if a.pk in activity_ids
        ],
        "cells": cells,
    }


def team_summary(organisation: Organisation, since: datetime.date, until: datetime.date) -> list[dict]:
    """Per person: verified entries and hours, and how many wait for verification (both from
    rollups: the cost grows with the people, not the entries)."""
    rows = (
        OrganisationActivityRollup.objects.filter(organisation=organisation, month__gte=since.replace(day=1),
                                                  month__lte=until)
        .values("author_id", "author__display_name")
        .annotate(n=Sum("entries"), m=Sum("minutes"))
        .order_by()
    )
    waiting = {
        r["author_id"]: r
        for r in OrganisationWaitingRollup.objects.filter(organisation=organisation, entries__gt=0)
        .values("author_id", "author__display_name", "entries")
    }
    people = {}
    for r in rows:
        if r["n"]:
            people[r["author_id"]] = {"name": r["author__display_name"], "entries": r["n"], "hours": _hours(r["m"]),
                                      "waiting": 0}
    for pk, r in waiting.items():
        people.setdefault(pk, {"name": r["author__display_name"], "entries": 0, "hours": _hours(0), "waiting": 0})
        people[pk]["waiting"] = r["entries"]
    return sorted(people.values(), key=lambda row: row["name"])


def _suppress(value: int):
    return SUPPRESSED if 0 < value < SUPPRESS_BELOW else value


@dataclass
class RegionReport:
    prefectures: list
    by_setting: list[dict]
    by_activity: list[dict]
    by_role: list[dict]


def region_report_for(user, since: datetime.date, until: datetime.date) -> RegionReport:
    """Verified entries in the coordinator's prefectures, from the rollup tables. Any count under 5
    (and its minutes) is shown as "<5" so that no one can be singled out."""
    prefectures = list(prefecture_list_coordinated_by(user))
    codes = [p.code for p in prefectures]
    window = {"prefecture_id__in": codes, "month__gte": since.replace(day=1), "month__lte": until}
    base = ActivityRollup.objects.filter(**window)
    settings_ = {k.pk: k for k in OrganisationKind.objects.all()}
    activities = {a.pk: a for a in Activity.objects.all()}
    roles = {r.pk: r for r in ProfessionalRole.objects.all()}

    def table(rows, key, names):
        out = []
        for r in rows:
            entries = r["n"] or 0
            hidden = 0 < entries < SUPPRESS_BELOW
            out.append({
                "label": names[r[key]].name if r[key] in names else r[key],
                "entries": _suppress(entries),
                "hours": SUPPRESSED if hidden else _hours(r["m"]),
            })
        return sorted(out, key=lambda row: str(row["label"]))

    by_setting = base.values("setting_id").annotate(n=Sum("entries"), m=Sum("minutes")).order_by()
    by_activity = base.values("activity_id").annotate(n=Sum("entries"), m=Sum("minutes")).order_by()
    by_role = (
        ActivityRoleRollup.objects.filter(**window).values("role_id")
        .annotate(n=Sum("entries"), m=Sum("minutes")).order_by()
    )
    return RegionReport(
        prefectures=prefectures,
        by_setting=table(by_setting, "setting_id", settings_),
        by_activity=table(by_activity, "activity_id", activities),
        by_role=table(by_role, "role_id", roles),
    )


def month_start_before(months: int) -> datetime.date:
    """The first day of the month `months - 1` months before this one (12: a year of months)."""
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def region_report_allowed(user) -> bool:
    """Who reads the region report: administrators and regional coordinators."""
    from peers.models import Role
    from peers.selectors import user_has_role, user_is_admin

    return user_is_admin(user) or user_has_role(user, Role.COORDINATOR)
