"""Who is heard in a meeting: speaking time and turns per sector, per person and per agenda item,
from the speaker queue's given-the-floor and finished times; chat messages counted apart.

The same figures feed the chair's panel in the room (the `participation` frame), the staff page
and `GET /api/v1/meetings/{id}/participation/`. Computed in a fixed number of queries whatever
the number of turns, messages or people: each table is read once and summed here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from .models import (
    AgendaItem,
    Attendance,
    BodyMember,
    Meeting,
    MeetingInvitation,
    Message,
    Sector,
    SpeakerQueueEntry,
)
from .presence import present_user_ids

SPOKEN = (SpeakerQueueEntry.Status.CALLED, SpeakerQueueEntry.Status.DONE)


def _share(part: float, whole: float) -> float | None:
    """A share from 0 to 1 (four decimals), or None when there is nothing to share yet."""
    return round(part / whole, 4) if whole else None


def _bucket() -> dict:
    return {"turns": 0, "seconds": 0.0, "messages": 0}


def _sector_rows(buckets: dict[str, dict]) -> list[dict]:
    """One row per sector the models know, in their order, with shares of turns and seconds."""
    total_turns = sum(b["turns"] for b in buckets.values())
    total_seconds = sum(b["seconds"] for b in buckets.values())
    rows = []
    for sector in Sector.values:
        b = buckets.get(sector) or _bucket()
        rows.append({
            "sector": sector,
            "turns": b["turns"],
            "seconds": round(b["seconds"]),
            "messages": b["messages"],
            "share_turns": _share(b["turns"], total_turns),
            "share_seconds": _share(b["seconds"], total_seconds),
        })
    return rows


def _totals(buckets: dict) -> dict:
    return {
        "turns": sum(b["turns"] for b in buckets.values()),
        "seconds": round(sum(b["seconds"] for b in buckets.values())),
        "messages": sum(b["messages"] for b in buckets.values()),
    }


def _turn_seconds(called_at: datetime, end: datetime | None) -> float:
    """A turn lasts from the floor being given to its end (now, for the current one); a finished
    turn whose end was not recorded counts no time rather than a guess."""
    if end is None:
        return 0.0
    return max(0.0, (end - called_at).total_seconds())


def meeting_participation_live(meeting_id: int, *, now: datetime | None = None) -> dict:
    """The meeting's participation figures (the `participation` frame's content).

    Sectors: a turn counts under the sector the person spoke for when they raised their hand; a
    message under the person's sector in this meeting (their invitation, else their seat on the
    body, else administration: only coordinators enter uninvited). Deleted and hidden messages
    are not counted. `not_yet_spoken` lists invitees in the room or checked in who have had no
    turn on the item under discussion (on the meeting, when no item is chosen).
    """
    now = now or timezone.now()
    meeting = Meeting.objects.values(
        "id", "body_id", "participation_shared", "balanced_queue", "current_agenda_item_id"
    ).get(pk=meeting_id)
    turns = list(
        SpeakerQueueEntry.objects.filter(meeting_id=meeting_id, status__in=SPOKEN, called_at__isnull=False)
        .values_list("user_id", "sector", "agenda_item_id", "called_at", "done_at", "status")
        .order_by("called_at", "id")
    )
    messages = list(
        Message.objects.filter(
            meeting_id=meeting_id, author__isnull=False, deleted_at__isnull=True, hidden_at__isnull=True
        )
        .values_list("author_id", "agenda_item_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    invited = {
        user_id: (sector, display_name or email)
        for user_id, sector, display_name, email in MeetingInvitation.objects.filter(meeting_id=meeting_id)
        .values_list("user_id", "sector", "user__display_name", "user__email")
    }
    seats = dict(BodyMember.objects.filter(body_id=meeting["body_id"]).values_list("user_id", "sector"))
    items = list(
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .values_list("id", "order", "title", "minutes_allotted")
        .order_by("order", "id")
    )
    here = present_user_ids(meeting_id)
    here |= set(Attendance.objects.filter(meeting_id=meeting_id, present=True).values_list("user_id", flat=True))

    def sector_of(user_id: int) -> str:
        if user_id in invited:
            return invited[user_id][0]
        return seats.get(user_id, Sector.ADMINISTRATION)

    # Names of people who spoke or wrote without an invitation (coordinators): one query.
    others = {u for u, *_ in turns} | {a for a, *_ in messages}
    others -= set(invited)
    names = {uid: sector_and_name[1] for uid, sector_and_name in invited.items()}
    if others:
        for pk, display_name, email in get_user_model().objects.filter(pk__in=others).values_list(
                "pk", "display_name", "email"):
            names[pk] = display_name or email

    sectors: dict[str, dict] = defaultdict(_bucket)
    people: dict[int, dict] = {}
    by_item: dict[int | None, dict[str, dict]] = defaultdict(lambda: defaultdict(_bucket))
    spoken_on: dict[int | None, set[int]] = defaultdict(set)
    speaking = None

    def person(user_id: int, sector: str) -> dict:
        if user_id not in people:
            people[user_id] = {"user": user_id, "name": names.get(user_id, ""), "sector": sector, **_bucket()}
        return people[user_id]

    for user_id, sector, item_id, called_at, done_at, status in turns:
        seconds = _turn_seconds(called_at, done_at if status == SpeakerQueueEntry.Status.DONE else now)
        for bucket in (sectors[sector], person(user_id, sector), by_item[item_id][sector]):
            bucket["turns"] += 1
            bucket["seconds"] += seconds
        spoken_on[item_id].add(user_id)
        spoken_on["meeting"].add(user_id)
        if status == SpeakerQueueEntry.Status.CALLED:
            speaking = {"user": user_id, "name": names.get(user_id, ""), "sector": sector,
                        "since": called_at.isoformat(), "agenda_item": item_id}
    for author_id, item_id, n in messages:
        sector = sector_of(author_id)
        for bucket in (sectors[sector], person(author_id, sector), by_item[item_id][sector]):
            bucket["messages"] += n

    item_rows = []
    for item_id, order, title, minutes_allotted in items:
        buckets = by_item.get(item_id, {})
        totals = _totals(buckets)
        item_rows.append({
            "agenda_item": item_id, "order": order, "title": title,
            "seconds_allotted": minutes_allotted * 60, "seconds_used": totals["seconds"],
            "turns": totals["turns"], "messages": totals["messages"], "sectors": _sector_rows(buckets),
        })
    if None in by_item:  # turns and messages not tied to an agenda item
        totals = _totals(by_item[None])
        item_rows.append({
            "agenda_item": None, "order": None, "title": "", "seconds_allotted": None,
            "seconds_used": totals["seconds"], "turns": totals["turns"], "messages": totals["messages"],
            "sectors": _sector_rows(by_item[None]),
        })

    current = meeting["current_agenda_item_id"]
    heard = spoken_on[current] if current else spoken_on["meeting"]
    not_yet = [
        {"user": uid, "name": name, "sector": sector}
        for uid, (sector, name) in sorted(invited.items(), key=lambda kv: (kv[1][1], kv[0]))
        if uid in here and uid not in heard
    ]
    for row in people.values():
        row["seconds"] = round(row["seconds"])
    return {
        "type": "participation",
        "meeting": meeting_id,
        "shared": meeting["participation_shared"],
        "balanced": meeting["balanced_queue"],
        "current_agenda_item": current,
        "sectors": _sector_rows(sectors),
        "totals": _totals(sectors),
        "items": item_rows,
        "people": sorted(people.values(), key=lambda p: (-p["seconds"], -p["turns"], p["name"], p["user"])),
        "speaking": speaking,
        "not_yet_spoken": not_yet,
    }


def participation_for_everyone(figures: dict) -> dict:
    """What members who do not coordinate see when the chair shares: sectors and agenda items,
    not the per-person figures nor who has not spoken yet."""
    shared = {k: v for k, v in figures.items() if k not in ("people", "not_yet_spoken", "speaking")}
    shared["audience"] = "everyone"
    return shared


def participation_for(access, figures: dict | None = None) -> dict | None:
    """What this person may see of the meeting's figures, decided once for the room's page, its
    socket and the API: everything for its coordinators; for everyone else the sector and
    agenda-item figures while the chair shares them; else None."""
    figures = figures if figures is not None else meeting_participation_live(access.meeting.pk)
    if access.can_coordinate:
        return {**figures, "audience": "coordinators"}
    if figures["shared"]:
        return participation_for_everyone(figures)
    return None


def speaker_order(meeting_id: int, entries: list[SpeakerQueueEntry], *, balanced: bool) -> list[tuple]:
    """The waiting and called entries with, for each, whether it is the person's first turn on
    its agenda item. With the balanced list: the person speaking first, then people who have not
    yet spoken on the item, then repeat speakers; peers first within each; then by raised hand."""
    spoken = set(
        SpeakerQueueEntry.objects.filter(meeting_id=meeting_id, status__in=SPOKEN)
        .values_list("user_id", "agenda_item_id")
    )
    rows = [(entry, (entry.user_id, entry.agenda_item_id) not in spoken) for entry in entries]
    if balanced:
        rows.sort(key=lambda row: (
            row[0].status != SpeakerQueueEntry.Status.CALLED,
            not row[1],
            row[0].sector != Sector.PEER,
            row[0].raised_at,
            row[0].pk,
        ))
    return rows
