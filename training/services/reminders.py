"""The daily sweep of certificate status, and renewal reminders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from peers.models import User
from peers.services import audit_record

from ..models import (
    Certification,
    CertificationStatusChange,
    CredentialType,
    ReminderSent,
    TrainingBody,
)
from ..signals import certification_history_added
from .common import _notify


# ---------------------------------------------------------------- daily sweep
def _sweep_sql(to_status: str, from_statuses: list[str], condition: str, today, now) -> tuple[str, str, list]:
    """INSERT … SELECT of the history rows, and the UPDATE, for one transition."""
    cert = connection.ops.quote_name(Certification._meta.db_table)
    hist = connection.ops.quote_name(CertificationStatusChange._meta.db_table)
    placeholders = ", ".join(["%s"] * len(from_statuses))
    where = f"status IN ({placeholders}) AND {condition}"
    insert = (
        f"INSERT INTO {hist} (certification_id, from_status, to_status, event, at, actor_id, reason, valid_until) "
        f"SELECT id, status, %s, %s, %s, NULL, '', valid_until FROM {cert} WHERE {where}"
    )
    update = f"UPDATE {cert} SET status = %s WHERE {where}"
    return insert, update, [*from_statuses, connection.ops.adapt_datefield_value(today)]


@transaction.atomic
def certification_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Move every certification whose dates were reached to its new status: three transitions,
    each one INSERT … SELECT into the history and one UPDATE, whatever the number of rows."""
    today = today or timezone.localdate()
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    S = Certification.Status
    steps = [
        (S.LAPSED, [S.ACTIVE, S.EXPIRING, S.GRACE], "grace_until < %s"),
        (S.GRACE, [S.ACTIVE, S.EXPIRING], "valid_until < %s"),
        (S.EXPIRING, [S.ACTIVE], "renewal_due_from <= %s"),
    ]
    counts = {}
    with connection.cursor() as cursor:
        for to_status, from_statuses, condition in steps:
            insert, update, where_params = _sweep_sql(to_status, [str(s) for s in from_statuses], condition, today, now)
            cursor.execute(insert, [str(to_status), CertificationStatusChange.Event.SWEEP.value, now, *where_params])
            cursor.execute(update, [str(to_status), *where_params])
            counts[str(to_status)] = cursor.rowcount
    if counts[str(S.LAPSED)]:  # the rollups of lapses (comparisons) count the rows just added
        certification_history_added.send(sender=CertificationStatusChange, at=moment)
    audit_record(actor=None, action="certification.sweep", target=TrainingBody(), data={"date": today.isoformat(), **counts})
    return counts


# ---------------------------------------------------------------- reminders
def _notify_reminder(certification: Certification, missing: list[str]) -> None:
    until = certification.valid_until.isoformat()
    number = certification.number

    def missing_text() -> str:
        if not missing:
            return _("You have everything needed: apply for renewal.")
        return _("Still missing for renewal:") + "\n" + "\n".join(f"・{m}" for m in missing)

    _notify(certification.holder, lambda: _("Your certification needs renewing"), [
        lambda: _("Certificate %(number)s is valid until %(date)s.") % {"number": number, "date": until},
        missing_text,
    ])


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send each due reminder once: at the offsets the credential type sets (days before
    expiry; negative = during grace), each listing what is still missing for renewal."""
    from ..selectors import renewal_progress

    today = today or timezone.localdate()
    S = Certification.Status
    sent = 0
    for ctype in CredentialType.objects.filter(expires=True).exclude(reminder_offsets=[]):
        offsets = sorted({int(o) for o in ctype.reminder_offsets}, reverse=True)
        if not offsets:
            continue
        horizon = today + datetime.timedelta(days=max(offsets))
        candidates = Certification.objects.filter(
            credential_type=ctype, status__in=[S.ACTIVE, S.EXPIRING, S.GRACE], valid_until__lte=horizon
        ).select_related("holder", "credential_type")
        # What was already sent, read once, so only certifications with a reminder due cost more.
        already = set(
            ReminderSent.objects.filter(
                certification__credential_type=ctype,
                certification__status__in=[S.ACTIVE, S.EXPIRING, S.GRACE],
                certification__valid_until__lte=horizon, channel=ReminderSent.Channel.EMAIL,
            ).values_list("certification_id", "cycle", "offset_days")
        )
        for certification in candidates.iterator(chunk_size=2000):
            days_left = (certification.valid_until - today).days
            due = [o for o in offsets if days_left <= o]
            if not due or (days_left < 0 and today > certification.grace_until):
                continue
            offset = min(due)  # the latest one reached; earlier missed ones are not sent late
            if (certification.pk, certification.cycle, offset) in already:
                continue
            with transaction.atomic():
                # What is missing is worded in the holder's language, as the email is.
                with translation.override(certification.holder.language or settings.LANGUAGE_CODE):
                    missing = [str(m) for m in renewal_progress(certification).missing]
                _reminder, created = ReminderSent.objects.get_or_create(
                    certification=certification, cycle=certification.cycle, offset_days=offset,
                    channel=ReminderSent.Channel.EMAIL, defaults={"missing": missing},
                )
                if not created:
                    continue
                _notify_reminder(certification, missing)
                sent += 1
    return sent


@dataclass(frozen=True)
class ManualReminderPlan:
    """Who a manual renewal reminder would reach, before staff confirm it."""

    to_send: list[Certification]
    not_renewable: int  # no expiry date, or lapsed, suspended or revoked
    reminded_today: int  # already had a reminder (either kind) today

    @property
    def people(self) -> int:
        return len({c.holder_id for c in self.to_send})


def reminder_manual_plan(*, certifications, today: datetime.date | None = None) -> ManualReminderPlan:
    """Split the selected certifications into those a manual reminder would go to and those it
    would skip (two queries, whatever their number). Reads only; reminder_manual_send sends."""
    today = today or timezone.localdate()
    S = Certification.Status
    selected = list(certifications)
    renewable = [c for c in selected if c.valid_until is not None and c.status in (S.ACTIVE, S.EXPIRING, S.GRACE)]
    today_keys = {(c.pk, c.cycle, (c.valid_until - today).days) for c in renewable}
    already = set(
        ReminderSent.objects.filter(certification_id__in=[c.pk for c in renewable])
        .values_list("certification_id", "cycle", "offset_days")
    ) & today_keys
    to_send = [c for c in renewable if (c.pk, c.cycle, (c.valid_until - today).days) not in already]
    return ManualReminderPlan(to_send=to_send, not_renewable=len(selected) - len(renewable),
                              reminded_today=len(renewable) - len(to_send))


@transaction.atomic
def reminder_manual_send(*, certifications, actor: User, today: datetime.date | None = None) -> ManualReminderPlan:
    """Send a renewal reminder now to each selected certification that can still be renewed,
    listing what is missing (as the scheduled ones do), and record each in the reminder log as
    sent by staff, with the days left today as its offset: the log's rule (one reminder per
    certification, cycle and offset) then keeps a person to one reminder a day, whoever sends
    it. Returns what was sent and what was skipped. Certifications are locked while deciding,
    so two staff confirming at once send each reminder once."""
    from ..selectors import renewal_progress_list

    today = today or timezone.localdate()
    ids = sorted(c.pk for c in certifications)
    locked = list(
        Certification.objects.select_for_update(of=("self",)).filter(pk__in=ids)
        .select_related("holder", "credential_type").order_by("pk")
    )
    plan = reminder_manual_plan(certifications=locked, today=today)
    by_language: dict[str, list[Certification]] = {}
    for certification in plan.to_send:
        by_language.setdefault(certification.holder.language or settings.LANGUAGE_CODE, []).append(certification)
    missing: dict[int, list[str]] = {}
    for language, group in by_language.items():
        # What is missing is worded in the holder's language, as the email is.
        with translation.override(language):
            for progress in renewal_progress_list(group):
                missing[progress.certification.pk] = [str(m) for m in progress.missing]
    ReminderSent.objects.bulk_create([
        ReminderSent(certification=c, cycle=c.cycle, offset_days=(c.valid_until - today).days,
                     kind=ReminderSent.Kind.MANUAL, missing=missing[c.pk])
        for c in plan.to_send
    ])
    for certification in plan.to_send:
        audit_record(actor=actor, action="certification.remind", target=certification,
                     data={"offset_days": (certification.valid_until - today).days})
        _notify_reminder(certification, missing[certification.pk])
    return plan


