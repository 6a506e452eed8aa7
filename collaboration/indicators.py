"""協議の場 indicators: what one consultation body did in one fiscal year (April to March, Japan
time), in a fixed number of queries whatever the number of meetings, turns or people.

- meetings held: meetings starting in the year whose room was opened (open or closed); the ones
  still only scheduled are counted apart;
- attendance by sector: people recorded present at the meetings held (one per meeting and
  person, under the sector recorded with the attendance), and the peers' share of them;
- speaking turns and time by sector: the speaker queue's turns, counted and timed as the room's
  own figures count them (collaboration.participation: a turn lasts from the floor being given
  to its recorded end; a finished turn without an end counts no time);
- action items: opened in the year (created at one of the body's meetings), closed in the year
  (done or dropped, dated by their last change of status: the records hold no separate closing
  date), and open now;
- goals: the records hold no goals of a body (there is no goals model); what they hold instead
  is the body's description and the decisions recorded at its meetings, which are listed.

Who may read these figures, and what is hidden from whom, is decided by the caller
(comparisons.selectors): this module only counts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q

from .models import (
    ActionItem,
    Attendance,
    ConsultationBody,
    Decision,
    Meeting,
    Sector,
    SpeakerQueueEntry,
)
from .participation import SPOKEN, _turn_seconds

HELD = (Meeting.Status.OPEN, Meeting.Status.CLOSED)
CLOSED_ACTIONS = (ActionItem.Status.DONE, ActionItem.Status.DROPPED)


def fiscal_year_window(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """1 April of `year` 00:00 to 1 April of the next year, Japan time (the end excluded)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (datetime.datetime(year, 4, 1, tzinfo=tz), datetime.datetime(year + 1, 4, 1, tzinfo=tz))


@dataclass
class SectorFigures:
    sector: str
    label: str
    attendance: int = 0
    turns: int = 0
    seconds: int = 0


@dataclass
class BodyIndicators:
    body: ConsultationBody
    year: int
    meetings_held: int
    meetings_scheduled: int
    sectors: list[SectorFigures]
    actions_opened: int
    actions_done: int
    actions_dropped: int
    actions_open_now: int
    decisions: list[tuple[datetime.datetime, str]] = field(default_factory=list)

    @property
    def attendance(self) -> int:
        return sum(s.attendance for s in self.sectors)

    @property
    def turns(self) -> int:
        return sum(s.turns for s in self.sectors)

    @property
    def seconds(self) -> int:
        return sum(s.seconds for s in self.sectors)

    @property
    def actions_closed(self) -> int:
        return self.actions_done + self.actions_dropped

    def sector(self, value: str) -> SectorFigures:
        return next(s for s in self.sectors if s.sector == value)

    @property
    def peer_share(self) -> float | None:
        """Peers' share of the attendance, from 0 to 1; None without attendance."""
        return self.sector(Sector.PEER).attendance / self.attendance if self.attendance else None


def body_indicators(body: ConsultationBody, year: int) -> BodyIndicators:
    """The body's figures for fiscal year `year`: five queries whatever the number of rows."""
    start, end = fiscal_year_window(year)
    in_year = Q(meeting__body=body, meeting__starts_at__gte=start, meeting__starts_at__lt=end)
    held = Q(meeting__status__in=HELD)
    meetings = dict(
        Meeting.objects.filter(body=body, starts_at__gte=start, starts_at__lt=end)
        .values_list("status").annotate(n=Count("id")).values_list("status", "n").order_by()
    )
    present = dict(
        Attendance.objects.filter(in_year, held, present=True)
        .values_list("sector").annotate(n=Count("id")).values_list("sector", "n").order_by()
    )
    figures = {value: SectorFigures(value, str(label), attendance=present.get(value, 0))
               for value, label in Sector.choices}
    turns = SpeakerQueueEntry.objects.filter(in_year, held, status__in=SPOKEN, called_at__isnull=False)
    for sector, called_at, done_at, status in turns.values_list("sector", "called_at", "done_at", "status"):
        # A turn still called when the figures are read has no end yet: no time, as a finished
        # turn without an end (a year's report is not a live panel).
        end_at = done_at if status == SpeakerQueueEntry.Status.DONE else None
        figures[sector].turns += 1
        figures[sector].seconds += _turn_seconds(called_at, end_at)
    for f in figures.values():
        f.seconds = round(f.seconds)
    created = Q(created_at__gte=start, created_at__lt=end)
    closed_in_year = Q(updated_at__gte=start, updated_at__lt=end)
    actions = ActionItem.objects.filter(meeting__body=body).aggregate(
        opened=Count("id", filter=created),
        done=Count("id", filter=closed_in_year & Q(status=ActionItem.Status.DONE)),
        dropped=Count("id", filter=closed_in_year & Q(status=ActionItem.Status.DROPPED)),
        open_now=Count("id", filter=Q(status__in=ActionItem.OPEN_STATUSES)),
    )
    decisions = list(
        Decision.objects.filter(in_year).order_by("meeting__starts_at", "created_at", "id")
        .values_list("meeting__starts_at", "text")
    )
    return BodyIndicators(
        body=body, year=year,
        meetings_held=sum(meetings.get(s, 0) for s in HELD),
        meetings_scheduled=meetings.get(Meeting.Status.SCHEDULED, 0),
        sectors=list(figures.values()),
        actions_opened=actions["opened"], actions_done=actions["done"], actions_dropped=actions["dropped"],
        actions_open_now=actions["open_now"], decisions=decisions,
    )


def attendance_by_body(body_ids, year_from: int, year_to: int) -> dict[tuple[int, str, int], int]:
    """People present per (body, sector, fiscal year) at meetings held in fiscal years
    `year_from`..`year_to`: one query, counted per meeting and summed here."""
    from peers.dates import fiscal_year_of

    start, _ = fiscal_year_window(year_from)
    _, end = fiscal_year_window(year_to)
    rows = (
        Attendance.objects.filter(meeting__body_id__in=body_ids, meeting__status__in=HELD,
                                  meeting__starts_at__gte=start, meeting__starts_at__lt=end, present=True)
        .values_list("meeting__body_id", "sector", "meeting_id", "meeting__starts_at")
        .annotate(n=Count("id")).order_by()
    )
    out: dict = {}
    for body_id, sector, _meeting, starts_at, n in rows:
        cell = (body_id, sector, fiscal_year_of(starts_at))
        out[cell] = out.get(cell, 0) + n
    return out
