"""Emails of the activity log: something waits for someone. Each is rendered in the recipient's
language and handed to the email task once the transaction commits.

They say what waits and where to act, and nothing more: never a reflection note, a topic of
supervision, a number of people supported, or anything else about a service user."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from peers.tasks import send_email


def site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _localised_path(name: str, args: list, language: str) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def send_on_commit(*, user, template: str, context: dict) -> None:
    """Render `collaboration/email/<template>_{subject,message}.txt` for one person, on commit."""
    language = user.language or settings.LANGUAGE_CODE
    email = user.email

    def _send() -> None:
        with translation.override(language):
            full = {**context, "recipient": user}
            subject = render_to_string(f"collaboration/email/{template}_subject.txt", full).strip()
            body = render_to_string(f"collaboration/email/{template}_message.txt", full)
        send_email.enqueue(subject=subject, body=body, to=[email])

    transaction.on_commit(_send)


def colleague_named(*, entry, colleagues) -> None:
    """Each colleague named in an entry learns that it names them and that they may confirm it."""
    for colleague in colleagues:
        if not colleague.is_active:
            continue
        language = colleague.language or settings.LANGUAGE_CODE
        send_on_commit(user=colleague, template="activity_colleague", context={
            "author": entry.author.display_name, "date": entry.date, "activity": entry.activity,
            "organisation": entry.organisation.name,
            "url": site_url(_localised_path("activity:entry_detail", [entry.pk], language)),
        })


def supervision_recorded(*, session) -> None:
    """The other person in a session is asked to confirm it (the topics stay out of the email)."""
    other = session.peer if session.recorded_by_id == session.supervisor_id else session.supervisor
    if not other.is_active:
        return
    language = other.language or settings.LANGUAGE_CODE
    send_on_commit(user=other, template="supervision_confirm", context={
        "recorder": session.recorded_by.display_name, "date": session.date, "minutes": session.minutes,
        "as_supervisor": other.pk == session.supervisor_id,
        "url": site_url(_localised_path("activity:supervision", [], language)),
    })


def verification_digest(*, user, organisations: list[dict]) -> None:
    """One verifier's daily digest: per organisation, how many entries wait, and the queue."""
    language = user.language or settings.LANGUAGE_CODE
    rows = [
        {**row, "url": site_url(_localised_path("activity:queue", [row["organisation"].pk], language))}
        for row in organisations
    ]
    send_on_commit(user=user, template="verification_digest", context={
        "organisations": rows, "total": sum(row["waiting"] for row in rows),
    })
