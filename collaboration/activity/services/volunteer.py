"""Volunteer work (第一群): check in and out (or a duration), the organisation's choice to
verify volunteer hours, and the quarterly thank-you summary it sends.

The house rule "nothing is saved by one tap on a pre-filled form" holds: a check-in saves only
the moment, by its own button, and can be undone for five minutes; check-out asks for the
activity type and the stage (never chosen in advance) before it makes the entry."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.mail import email_templates, language_of, site_url_for
from peers.models import Activity, Engagement, Organisation, OrganisationKind, User
from peers.services import audit_record

from ..models import ActivityEntry, VolunteerSession, VolunteerThanks
from ..selectors import can_manage_verifiers
from .entries import activity_entry_create

MAX_MINUTES = 24 * 60


def _check_volunteer_engagement(person: User, engagement: Engagement, day: datetime.date) -> None:
    if engagement.person_id != person.pk:
        raise PermissionDenied(_("You can only record activity for your own engagements."))
    if engagement.kind != Engagement.Kind.VOLUNTEER:
        raise ValidationError({"engagement": _("Check-in is for volunteer engagements (第一群).")})
    if not engagement.is_current(day):
        raise ValidationError({"engagement": _("This engagement is not current.")})


@transaction.atomic
def volunteer_check_in(*, person: User, engagement: Engagement, now: datetime.datetime | None = None) -> VolunteerSession:
    """Start a volunteer session now. Only one is open at a time."""
    now = now or timezone.now()
    _check_volunteer_engagement(person, engagement, timezone.localdate(now))
    if VolunteerSession.objects.select_for_update().filter(person=person, checked_out_at__isnull=True).exists():
        raise ValidationError(_("You are already checked in. Check out first."))
    session = VolunteerSession(person=person, engagement=engagement, checked_in_at=now)
    session.full_clean()
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:  # two taps at once: the constraint keeps one open session
        raise ValidationError(_("You are already checked in. Check out first.")) from None
    audit_record(actor=person, action="volunteer.check_in", target=session,
                 data={"engagement": engagement.pk})
    return session


def _locked_open_session(person: User, session: VolunteerSession) -> VolunteerSession:
    locked = VolunteerSession.objects.select_for_update().select_related("engagement__organisation").filter(
        pk=session.pk, person=person).first()
    if locked is None:
        raise PermissionDenied(_("This check-in is not yours."))
    if locked.checked_out_at is not None:
        raise ValidationError(_("You have already checked out."))
    return locked


@transaction.atomic
def volunteer_check_in_undo(*, person: User, session: VolunteerSession, now: datetime.datetime | None = None) -> None:
    """Undo a check-in made by mistake: within five minutes, or discard one left open for more
    than a day (it can no longer become an entry). Nothing else is kept of it but the audit line."""
    now = now or timezone.now()
    session = _locked_open_session(person, session)
    forgotten = now - session.checked_in_at > datetime.timedelta(minutes=MAX_MINUTES)
    if now > session.undo_until() and not forgotten:
        raise ValidationError(_(
            "A check-in can be undone only in the first 5 minutes. Check out instead; you can "
            "correct the entry afterwards."
        ))
    audit_record(actor=person, action="volunteer.check_in_undo" if not forgotten else "volunteer.check_in_discard",
                 target=session, data={"engagement": session.engagement_id})
    session.delete()


@transaction.atomic
def volunteer_check_out(
    *, person: User, session: VolunteerSession, activity: Activity, stage: str, people_supported: int = 0,
    setting: OrganisationKind | None = None, now: datetime.datetime | None = None,
) -> ActivityEntry:
    """End the open session now: it becomes an activity entry of the minutes between check-in
    and check-out, on the day of the check-in (confirmed at once unless the organisation asks
    for verification of volunteer hours)."""
    now = now or timezone.now()
    session = _locked_open_session(person, session)
    minutes = session.minutes_until(now)
    if minutes > MAX_MINUTES:
        raise ValidationError(_(
            "This check-in has been open for more than a day. Discard it and enter the duration instead."
        ))
    local_in = timezone.localtime(session.checked_in_at)
    entry = activity_entry_create(
        author=person, engagement=session.engagement, date=local_in.date(),
        start_time=local_in.time().replace(second=0, microsecond=0), duration_minutes=minutes,
        activity=activity, stage=stage, people_supported=people_supported, setting=setting,
    )
    session.checked_out_at = now
    session.entry = entry
    session.full_clean()
    session.save(update_fields=["checked_out_at", "entry"])
    audit_record(actor=person, action="volunteer.check_out", target=session, data={"entry": entry.pk, "minutes": minutes})
    return entry


@transaction.atomic
def volunteer_hours_record(
    *, person: User, engagement: Engagement, date: datetime.date, duration_minutes: int, activity: Activity,
    stage: str, people_supported: int = 0, setting: OrganisationKind | None = None,
) -> ActivityEntry:
    """A volunteer records a duration instead of checking in and out."""
    if engagement.person_id != person.pk:
        raise PermissionDenied(_("You can only record activity for your own engagements."))
    if engagement.kind != Engagement.Kind.VOLUNTEER:
        raise ValidationError({"engagement": _("Check-in is for volunteer engagements (第一群).")})
    return activity_entry_create(
        author=person, engagement=engagement, date=date, duration_minutes=duration_minutes, activity=activity,
        stage=stage, people_supported=people_supported, setting=setting,
    )


@transaction.atomic
def activity_volunteer_verification_set(*, actor: User, organisation: Organisation, required: bool) -> Organisation:
    """The organisation's manager chooses whether volunteer hours go to the verification queue.
    Entries already recorded keep their state; the choice applies from now on."""
    if not can_manage_verifiers(actor, organisation):
        raise PermissionDenied(_("Only the organisation's manager can change this."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.volunteer_hours_need_verification != required:
        organisation.volunteer_hours_need_verification = required
        organisation.save(update_fields=["volunteer_hours_need_verification"])
        audit_record(actor=actor, action="activity.volunteer_verification", target=organisation,
                     data={"required": required})
    return organisation


@transaction.atomic
def volunteer_thanks_send(*, actor: User, organisation: Organisation, fiscal_year: int, quarter: int) -> int:
    """Send each volunteer of the organisation with confirmed hours in the quarter their
    thank-you summary, by email in their own language, once the transaction commits. Someone
    already thanked for that quarter is not sent it again. Returns how many were sent."""
    from ..selectors.volunteer import organisation_volunteer_thanks, quarter_bounds, quarter_text

    if not can_manage_verifiers(actor, organisation):
        raise PermissionDenied(_("Only the organisation's manager can send thank-you summaries."))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4.")})
    start, end = quarter_bounds(fiscal_year, quarter)
    if start > timezone.localdate():
        raise ValidationError({"quarter": _("This quarter has not begun yet.")})
    # Lock the organisation's sends for this quarter so that two managers at once send once.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    sent = 0
    for row in organisation_volunteer_thanks(organisation, fiscal_year, quarter):
        person, figures = row.person, row.figures
        if row.sent_at is not None or not person.is_active:
            continue
        VolunteerThanks.objects.create(
            organisation=organisation, person=person, fiscal_year=fiscal_year, quarter=quarter,
            minutes=figures.minutes, occasions=figures.occasions, sent_by=actor,
        )
        language = language_of(person)
        activity_ids = dict(figures.activities)

        def context(person=person, figures=figures, activity_ids=activity_ids, language=language):
            names = {a.pk: a.name for a in Activity.objects.filter(pk__in=activity_ids)}  # in the reader's language
            return {
                "recipient": person, "organisation": organisation.name, "period": quarter_text(fiscal_year, quarter),
                "hours": figures.hours, "occasions": figures.occasions,
                "activities": [(names[pk], n) for pk, n in sorted(activity_ids.items(), key=lambda t: -t[1])],
                "url": site_url_for("activity:volunteer_thanks", language=language) + f"?fy={fiscal_year}",
            }

        email_templates(to=person.email, language=language, prefix="collaboration/email/volunteer_thanks",
                        context=context, recipient=person)
        sent += 1
    audit_record(actor=actor, action="volunteer.thanks_send", target=organisation,
                 data={"fiscal_year": fiscal_year, "quarter": quarter, "sent": sent,
                       "period": [start.isoformat(), end.isoformat()]})
    return sent
