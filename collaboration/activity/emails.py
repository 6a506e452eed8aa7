"""Emails of the activity log: something waits for someone. Each is rendered in the recipient's
language and handed to the email task once the transaction commits.

They say what waits and where to act, and nothing more: never a reflection note, a topic of
supervision, a number of people supported, or anything else about a service user."""

from __future__ import annotations

from peers.mail import email_templates, language_of, site_url_for


def send_on_commit(*, user, template: str, context: dict) -> None:
    """Render `collaboration/email/<template>_{subject,message}.txt` for one person, on commit."""
    email_templates(to=user.email, language=language_of(user), prefix=f"collaboration/email/{template}",
                    context={**context, "recipient": user}, recipient=user)


def colleague_named(*, entry, colleagues) -> None:
    """Each colleague named in an entry learns that it names them and that they may confirm it."""
    for colleague in colleagues:
        if not colleague.is_active:
            continue
        language = language_of(colleague)
        send_on_commit(user=colleague, template="activity_colleague", context={
            "author": entry.author.display_name, "date": entry.date, "activity": entry.activity,
            "organisation": entry.organisation.name,
            "url": site_url_for("activity:entry_detail", [entry.pk], language=language),
        })


def supervision_recorded(*, session) -> None:
    """The other person in a session is asked to confirm it (the topics stay out of the email)."""
    other = session.peer if session.recorded_by_id == session.supervisor_id else session.supervisor
    if not other.is_active:
        return
    language = language_of(other)
    send_on_commit(user=other, template="supervision_confirm", context={
        "recorder": session.recorded_by.display_name, "date": session.date, "minutes": session.minutes,
        "as_supervisor": other.pk == session.supervisor_id,
        "url": site_url_for("activity:supervision", language=language),
    })


def verification_digest(*, user, organisations: list[dict]) -> None:
    """One verifier's daily digest: per organisation, how many entries wait, and the queue."""
    language = language_of(user)
    rows = [
        {**row, "url": site_url_for("activity:queue", [row["organisation"].pk], language=language)}
        for row in organisations
    ]
    send_on_commit(user=user, template="verification_digest", context={
        "organisations": rows, "total": sum(row["waiting"] for row in rows),
    })
