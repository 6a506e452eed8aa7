"""Hours: verified hours for renewal, and a person's own charts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from peers.models import (
    Activity,
    Engagement,
)

from ..models import (
    ActivityEntry,
    EntryStatus,
    SupervisionSession,
)
from .entries import SUPERVISION


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def verified_hours_for(person, since: datetime.date, until: datetime.date,
                       categories: list[str] | None = None) -> Decimal:
    """Hours a person did between two dates (inclusive) that count for certification: verified
    activity entries and confirmed supervision sessions.

    `categories` limits what counts: activity codes (the Activity vocabulary) and/or "supervision";
    None counts everything. For training's renewal rules (issue 4). A volunteer's entry
    confirmed without verification (its organisation does not ask for it) does not count:
    renewal needs someone else's verification."""
    entries = ActivityEntry.objects.filter(
        author=person, status=EntryStatus.VERIFIED, verification_waived=False, date__gte=since, date__lte=until
    )
    activity_codes = None if categories is None else [c for c in categories if c != SUPERVISION]
    minutes = 0
    if activity_codes is None or activity_codes:
        if activity_codes:
            entries = entries.filter(activity__code__in=activity_codes)
        minutes += entries.aggregate(m=Sum("duration_minutes"))["m"] or 0
    if categories is None or SUPERVISION in categories:
        minutes += (
            SupervisionSession.objects.filter(
                peer=person, confirmed_at__isnull=False, date__gte=since, date__lte=until
            ).aggregate(m=Sum("minutes"))["m"]
            or 0
        )
    return _hours(minutes)


@dataclass
class RenewalOverview:
    """The person's current certifications with their renewal progress (training's rules), and
    the practice hours still waiting for verification or confirmation."""

    progress: list  # training.selectors.RenewalProgress, one per current certification
    waiting_hours: Decimal

    @property
    def practice_counts(self) -> bool:
        return any(p.practice_counts for p in self.progress)


def renewal_overview_for(user) -> RenewalOverview:
    """Every current certification in a fixed number of queries (one when there is none)."""
    from training.selectors import certification_list_current_of, renewal_progress_list

    progress = renewal_progress_list(list(certification_list_current_of(user)))
    overview = RenewalOverview(progress=progress, waiting_hours=Decimal("0"))
    cycles = [p.certification.cycle_started_on for p in progress if p.practice_counts]
    if cycles:
        since = min(cycles)
        minutes = ActivityEntry.objects.filter(
            author=user, status=EntryStatus.SUBMITTED, date__gte=since
        ).aggregate(m=Sum("duration_minutes"))["m"] or 0
        minutes += SupervisionSession.objects.filter(
            peer=user, confirmed_at__isnull=True, date__gte=since
        ).aggregate(m=Sum("minutes"))["m"] or 0
        overview.waiting_hours = _hours(minutes)
    return overview


PALETTE = ["#1f5f8b", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00838f", "#6d4c41", "#ad1457",
           "#455a64", "#827717"]


@dataclass
class Chart:
    """Hours per month as stacked bars (inline SVG), with the same figures as a table."""

    title: str
    months: list[datetime.date]
    series: list[tuple[str, str]]  # (key, label)
    cells: dict  # (month, key) -> Decimal hours

    @property
    def legend(self):
        # `swatch`: the class of the colour in site.css (no inline style under our CSP).
        return [{"label": label, "colour": PALETTE[i % len(PALETTE)], "swatch": i % len(PALETTE)}
                for i, (_k, label) in enumerate(self.series)]

    def rows(self):
        totals = {m: sum((self.cells.get((m, k), Decimal(0)) for k, _l in self.series), Decimal(0))
                  for m in self.months}
        biggest = max(totals.values(), default=Decimal(0)) or Decimal(1)
        for index, month in enumerate(self.months):
            values, offset = [], Decimal(0)
            for i, (key, label) in enumerate(self.series):
                hours = self.cells.get((month, key), Decimal(0))
                width = hours * 100 / biggest
                values.append({"label": label, "hours": hours, "x": float(offset), "width": float(width),
                               "colour": PALETTE[i % len(PALETTE)]})
                offset += width
            yield {"month": month, "values": values, "total": totals[month], "y": index * 28}

    @property
    def height(self) -> int:
        return len(self.months) * 28


def my_activity_charts(user, since: datetime.date) -> tuple[Chart, Chart]:
    """Hours per month (entries not declined) by activity type, and by kind of engagement."""
    from django.utils.translation import gettext as _


    base = ActivityEntry.objects.filter(author=user, date__gte=since).exclude(status=EntryStatus.DECLINED)
    by_activity = (
        base.annotate(month=TruncMonth("date")).values("month", "activity_id")
        .annotate(m=Sum("duration_minutes")).order_by()
    )
    by_kind = (
        base.annotate(month=TruncMonth("date")).values("month", "engagement_kind")
        .annotate(m=Sum("duration_minutes")).order_by()
    )
    activities = {a.pk: a for a in Activity.objects.all()}
    months = _months(since)

    def chart(title, rows, key_field, labels):
        cells = {}
        for row in rows:
            month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
            cells[(month, row[key_field])] = _hours(row["m"])
        keys = sorted({k for _m, k in cells}, key=lambda k: str(labels.get(k, k)))
        series = [(k, str(labels.get(k, k))) for k in keys]
        return Chart(title=title, months=months, series=series, cells=cells)

    return (
        chart(_("Hours per month by activity type"), by_activity, "activity_id",
              {pk: a.name for pk, a in activities.items()}),
        chart(_("Hours per month by kind of engagement"), by_kind, "engagement_kind",
              dict(Engagement.Kind.choices)),
    )


def _months(since: datetime.date) -> list[datetime.date]:

    today = timezone.localdate()
    month = since.replace(day=1)
    out = []
    while month <= today:
        out.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return out
