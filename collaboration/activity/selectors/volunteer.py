"""Volunteer work (第一群): the person's volunteer engagements and open check-in, and the
thank-you summaries per quarter of the fiscal year (April to March, peers.dates.fiscal_year_of).

A summary counts the volunteer's confirmed hours (status verified: checked by someone, or
confirmed at once where the organisation does not ask for verification); entries still waiting
or declined are counted apart so the page can say so."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from peers.dates import fiscal_year_of, fiscal_year_text
from peers.models import Activity, Engagement, Organisation, User

from ..models import ActivityEntry, EntryStatus, VolunteerSession, VolunteerThanks

QUARTERS = (1, 2, 3, 4)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def quarter_bounds(fiscal_year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a quarter: Q1 April–June, Q2 July–September, Q3 October–December,
    Q4 January–March of the next calendar year."""
    first_month = 4 + (quarter - 1) * 3
    year = fiscal_year + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    start = datetime.date(year, month, 1)
    end_month = month + 3
    end = datetime.date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end


def quarter_of(day: datetime.date) -> int:
    return ((day.month - 4) % 12) // 3 + 1


def quarter_text(fiscal_year: int, quarter: int) -> str:
    """2026年度（令和8年度） 第1四半期（4月〜6月） / FY2026 (Reiwa 8), quarter 1 (April to June)."""
    months = {
        1: _("April to June"), 2: _("July to September"), 3: _("October to December"), 4: _("January to March"),
    }[quarter]
    return _("%(year)s, quarter %(quarter)s (%(months)s)") % {
        "year": fiscal_year_text(fiscal_year), "quarter": quarter, "months": months,
    }


def volunteer_engagement_list_for(user, *, on: datetime.date | None = None) -> QuerySet[Engagement]:
    """The person's current volunteer engagements (where they may check in)."""
    day = on or timezone.localdate()
    return (
        Engagement.objects.select_related("organisation__kind")
        .filter(person=user, kind=Engagement.Kind.VOLUNTEER, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("organisation__name", "id")
    )


def volunteer_session_open_for(user) -> VolunteerSession | None:
    """The person's open check-in, if any (at most one: a database constraint)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        VolunteerSession.objects.select_related("engagement__organisation__kind")
        .filter(person=user, checked_out_at__isnull=True).first()
    )


@dataclass
class QuarterFigures:
    fiscal_year: int
    quarter: int
    minutes: int = 0
    occasions: int = 0
    activities: dict[int, int] = field(default_factory=dict)  # activity id -> occasions
    activity_names: list[tuple[str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return quarter_text(self.fiscal_year, self.quarter)

    @property
    def hours(self) -> Decimal:
        return _hours(self.minutes)

    @property
    def start(self) -> datetime.date:
        return quarter_bounds(self.fiscal_year, self.quarter)[0]

    @property
    def end(self) -> datetime.date:
        return quarter_bounds(self.fiscal_year, self.quarter)[1]


def _name_activities(figures: list[QuarterFigures]) -> None:
    ids = {pk for f in figures for pk in f.activities}
    names = {a.pk: a.name for a in Activity.objects.filter(pk__in=ids)}
    for f in figures:
        f.activity_names = sorted(((names[pk], n) for pk, n in f.activities.items()), key=lambda t: (-t[1], t[0]))


@dataclass
class OrganisationThanks:
    organisation: Organisation
    quarters: list[QuarterFigures]
    waiting: int = 0  # entries of this fiscal year still waiting for verification

    @property
    def minutes(self) -> int:
        return sum(q.minutes for q in self.quarters)

    @property
    def hours(self) -> Decimal:
        return _hours(self.minutes)

    @property
    def occasions(self) -> int:
        return sum(q.occasions for q in self.quarters)


def fiscal_years_with_volunteering(user) -> list[int]:
    """Fiscal years in which the person has volunteer entries, newest first (the current one
    always among them)."""
    dates = ActivityEntry.objects.filter(author=user, engagement_kind=Engagement.Kind.VOLUNTEER).dates("date", "year")
    years = {fiscal_year_of(timezone.localdate())}
    for day in dates:
        years.update({day.year, day.year - 1})
    first = ActivityEntry.objects.filter(author=user, engagement_kind=Engagement.Kind.VOLUNTEER).order_by("date").first()
    if first is not None:
        years = {y for y in years if y >= fiscal_year_of(first.date)}
    return sorted(years, reverse=True)


def volunteer_thanks_for(user, fiscal_year: int) -> list[OrganisationThanks]:
    """The person's thank-you summary of a fiscal year: per organisation where they volunteered,
    per quarter, the confirmed hours, occasions and activity types. Two queries."""
    start, _q1_end = quarter_bounds(fiscal_year, 1)
    _q4_start, end = quarter_bounds(fiscal_year, 4)
    rows = (
        ActivityEntry.objects.filter(
            author=user, engagement_kind=Engagement.Kind.VOLUNTEER, date__gte=start, date__lte=end,
        )
        .exclude(status=EntryStatus.DECLINED)
        .values_list("organisation_id", "date", "duration_minutes", "activity_id", "status")
    )
    by_org: dict[int, dict[int, QuarterFigures]] = defaultdict(dict)
    waiting: dict[int, int] = defaultdict(int)
    for organisation_id, day, minutes, activity_id, status in rows:
        if status != EntryStatus.VERIFIED:
            waiting[organisation_id] += 1
            continue
        quarter = quarter_of(day)
        figures = by_org[organisation_id].setdefault(quarter, QuarterFigures(fiscal_year, quarter))
        figures.minutes += minutes
        figures.occasions += 1
        figures.activities[activity_id] = figures.activities.get(activity_id, 0) + 1
    organisations = Organisation.objects.in_bulk(set(by_org) | set(waiting))
    result = []
    for pk, organisation in sorted(organisations.items(), key=lambda item: item[1].name):
        quarters = [by_org[pk].get(q) or QuarterFigures(fiscal_year, q) for q in QUARTERS]
        result.append(OrganisationThanks(organisation=organisation, quarters=quarters, waiting=waiting.get(pk, 0)))
    _name_activities([q for o in result for q in o.quarters])
    return result


@dataclass
class VolunteerRow:
    person: User
    figures: QuarterFigures
    sent_at: datetime.datetime | None = None


def organisation_volunteer_thanks(organisation: Organisation, fiscal_year: int, quarter: int) -> list[VolunteerRow]:
    """The organisation's volunteers with confirmed hours in one quarter, with their figures and
    whether the thank-you summary was sent. Three queries (figures, activity types, sent)."""
    start, end = quarter_bounds(fiscal_year, quarter)
    entries = ActivityEntry.objects.filter(
        organisation=organisation, engagement_kind=Engagement.Kind.VOLUNTEER, status=EntryStatus.VERIFIED,
        date__gte=start, date__lte=end,
    )
    totals = {
        row["author_id"]: row for row in entries.values("author_id").annotate(
            minutes=Sum("duration_minutes"), occasions=Count("id")).order_by()
    }
    if not totals:
        return []
    figures: dict[int, QuarterFigures] = {}
    for author_id, row in totals.items():
        figures[author_id] = QuarterFigures(fiscal_year, quarter, minutes=row["minutes"], occasions=row["occasions"])
    for row in entries.values("author_id", "activity_id").annotate(n=Count("id")).order_by():
        figures[row["author_id"]].activities[row["activity_id"]] = row["n"]
    _name_activities(list(figures.values()))
    sent = dict(VolunteerThanks.objects.filter(
        organisation=organisation, fiscal_year=fiscal_year, quarter=quarter).values_list("person_id", "sent_at"))
    people = User.objects.in_bulk(list(figures))
    rows = [VolunteerRow(person=people[pk], figures=f, sent_at=sent.get(pk)) for pk, f in figures.items()]
    return sorted(rows, key=lambda r: (r.person.display_name, r.person.pk))


def read_fiscal_year_and_quarter(params, *, default_previous: bool = True, lenient: bool = False) -> tuple[int, int]:
    """`?fy=2026&quarter=1` from a request, each checked (a bad value is a BadParameter, a 400
    in both languages; pages read leniently and fall back to the default). By default the
    quarter before the current one, the one to thank for."""
    from peers.request_params import read_int

    today = timezone.localdate()
    fy, quarter = fiscal_year_of(today), quarter_of(today)
    if default_previous:
        fy, quarter = (fy, quarter - 1) if quarter > 1 else (fy - 1, 4)
    fy = read_int(params, "fy", min=2000, max=2100, default=fy, lenient=lenient)
    quarter = read_int(params, "quarter", min=1, max=4, default=quarter, lenient=lenient)
    return fy, quarter
