"""iCalendar (RFC 5545) for meetings: one file per meeting, and a person's feed. Small enough to
write by hand: escaped text, CRLF line ends, lines folded at 75 octets, times in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.urls import reverse

from peers.mail import site_url

PRODID = "-//Kakehashi//Consultation meetings//JA"


def _escape(text: str) -> str:
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets without splitting a character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not out else 74  # continuation lines start with a space
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(meeting) -> list[str]:
    url = site_url(reverse("collaboration:meeting_detail", args=[meeting.pk]))
    location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    description = "\n".join(x for x in (meeting.description, url) if x)
    status = "CANCELLED" if getattr(meeting, "is_cancelled", False) else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@kakehashi",
        f"DTSTAMP:{_utc(meeting.created_at)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        f"STATUS:{status}",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings: Iterable, name: str = "") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{_escape(name)}")
    for meeting in meetings:
        lines.extend(_event(meeting))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
