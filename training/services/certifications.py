"""Certifications: issue, renew, recertify, suspend, reinstate, revoke, public names."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from peers.models import User
from peers.services import audit_record

from ..models import (
    Certification,
    CertificationStatusChange,
    Completion,
    CredentialType,
    RenewalOverrideReason,
    RenewalRequest,
    TrainingBody,
)
from ..numbers import (
    BASE_NUMBER_RE,
    NUMBER_RE,
    number_normalise,
)
from .badges import badge_status_changed
from .common import (
    _next_sequence,
    _notify,
    add_months,
    certification_number,
    cycle_dates,
    status_for_dates,
)


# ---------------------------------------------------------------- certifications
def _certification_history(certification, from_status, event, actor=None, reason="", override_reason="") -> None:
    """Append one row to the status history (never edit one: the history is evidence)."""
    CertificationStatusChange.objects.create(
        certification=certification, from_status=from_status, to_status=certification.status,
        event=event, actor=actor if actor is not None and actor.pk else None,
        reason=reason[:300], override_reason=override_reason, valid_until=certification.valid_until,
    )


def renewal_late_limit(certification: Certification) -> datetime.date | None:
    """The last day the certification can still be renewed (late); after it, the person is
    certified again (certification_recertify). None for one that does not expire."""
    if certification.grace_until is None:
        return None
    return add_months(certification.grace_until, certification.credential_type.late_renewal_limit_months)


@transaction.atomic
def certification_issue(
    *, credential_type: CredentialType, holder: User, actor: User | None,
    issued_on: datetime.date | None = None, basis: Completion | None = None,
    imported_number: str = "", valid_until: datetime.date | None = None, notify: bool = True,
) -> Certification:
    """Certify a person once the credential type's requirements are met (the initial course
    completed). Imports pass the body's existing number (with or without its check code: one
    is added) and dates."""
    body = TrainingBody.objects.select_for_update().get(pk=credential_type.body_id)
    issued_on = issued_on or timezone.localdate()
    if credential_type.initial_course_id and not imported_number:
        basis = basis or Completion.objects.filter(
            person=holder, course_id=credential_type.initial_course_id
        ).order_by("-completed_on").first()
        if basis is None or basis.course_id != credential_type.initial_course_id:
            raise ValidationError(
                _("%(name)s has not completed %(course)s."),
                params={"name": holder.display_name, "course": credential_type.initial_course.title},
            )
    held = (
        Certification.objects.filter(holder=holder, credential_type=credential_type, replaced_on__isnull=True)
        .exclude(status=Certification.Status.REVOKED).select_related("credential_type").first()
    )
    if held is not None:
        limit = renewal_late_limit(held)
        if held.status == Certification.Status.LAPSED and limit is not None and timezone.localdate() > limit:
            raise ValidationError(
                _("%(number)s lapsed and can no longer be renewed: certify the person again from its page."),
                params={"number": held.number},
            )
        raise ValidationError(_("This person already holds this credential."))
    if imported_number:
        imported_number = number_normalise(imported_number)
        match = NUMBER_RE.match(imported_number) or BASE_NUMBER_RE.match(imported_number)
        if not match or match["prefix"] != body.number_prefix:
            raise ValidationError(
                {"number": ValidationError(_("The number does not follow this body's format (%(example)s)."),
                                           params={"example": f"{body.number_prefix}-2025-0153"})}
            )
        year, sequence = int(match["year"]), int(match["seq"])
        number = certification_number(body=body, year=year, sequence=sequence)
        if "check" in match.groupdict() and number != imported_number:
            raise ValidationError({"number": _("The number's check code is wrong.")})
        if Certification.objects.filter(body=body, year=year, sequence=sequence).exists():
            raise ValidationError({"number": _("This number is already in the register.")})
    else:
        year = issued_on.year
        sequence = _next_sequence(body, year)
        number = certification_number(body=body, year=year, sequence=sequence)
    dates = cycle_dates(credential_type, issued_on)
    if valid_until is not None and credential_type.expires:
        dates["valid_until"] = valid_until
        dates["renewal_due_from"] = valid_until - datetime.timedelta(days=credential_type.renewal_window_days)
        dates["grace_until"] = valid_until + datetime.timedelta(days=credential_type.grace_days)
    certification = Certification(
        body=body, credential_type=credential_type, holder=holder, number=number, year=year,
        sequence=sequence, basis=basis, issued_on=issued_on, cycle_started_on=issued_on, **dates,
    )
    certification.status = status_for_dates(certification, timezone.localdate())
    certification.full_clean()
    certification.save()
    _certification_history(
        certification, "",
        CertificationStatusChange.Event.IMPORTED if imported_number else CertificationStatusChange.Event.ISSUED,
        actor,
    )
    audit_record(actor=actor, action="certification.issue", target=certification, data={"number": number})
    ctype_name = credential_type.name
    if notify:
        _notify(holder, lambda: _("You are certified: %(type)s") % {"type": ctype_name}, [
            lambda: _("Your certificate number is %(number)s.") % {"number": number},
            lambda: _("Anyone can check it on the verification page."),
        ])
    return certification


def _lock_certification(certification: Certification) -> Certification:
    return (
        Certification.objects.select_for_update()
        .select_related("credential_type", "holder", "body")
        .get(pk=certification.pk)
    )


def _override_reason(override_reason: str) -> RenewalOverrideReason:
    if override_reason not in RenewalOverrideReason.values:
        raise ValidationError({"override_reason": _("Choose the reason for the exception from the list.")})
    return RenewalOverrideReason(override_reason)


@transaction.atomic
def certification_renew(
    *, certification: Certification, actor: User, on: datetime.date | None = None, override: bool = False,
    override_reason: str = "", reason: str = "",
) -> Certification:
    """Start a new cycle, keeping the number, once the renewal window has opened and the
    credential type's requirements are met. Refused once the late-renewal limit has passed
    (the person is then certified again: certification_recertify).

    By exception (`override`): staff renew without the requirements, giving one of
    RenewalOverrideReason and the reason in words (`reason`); before the renewal window only
    for a reason whose `allows_early_renewal` is true. The history and the holder's email say
    it was an exception, and why. An open renewal request of the holder is closed as renewed."""
    from ..selectors import renewal_progress

    override = override or bool(override_reason)
    if override:
        exception = _override_reason(override_reason)
        reason = _require_reason(reason)
    certification = _lock_certification(certification)
    ctype = certification.credential_type
    on = on or timezone.localdate()
    S = Certification.Status
    if not ctype.expires:
        raise ValidationError(_("This credential does not expire and needs no renewal."))
    if certification.replaced_on is not None:
        raise ValidationError(_("This certification was replaced by a re-certification; renew the new one."))
    if certification.status in (S.SUSPENDED, S.REVOKED):
        raise ValidationError(_("A suspended or revoked certification cannot be renewed."))
    late_limit = renewal_late_limit(certification)
    if on > late_limit:
        raise ValidationError(
            _("The late-renewal limit passed on %(date)s: certify the person again instead."),
            params={"date": late_limit.isoformat()},
        )
    if on < certification.renewal_due_from:
        opens = _("Renewal opens on %(date)s.")
        params = {"date": certification.renewal_due_from.isoformat()}
        if not override:
            raise ValidationError(opens, params=params)
        if not exception.allows_early_renewal:
            params["reasons"] = "、".join(str(r.label) for r in RenewalOverrideReason if r.allows_early_renewal)
            raise ValidationError({"override_reason": ValidationError(format_lazy(
                "{} {}", opens, _("Before then, renewal by exception is possible only for: %(reasons)s."),
            ), params=params)})
    progress = renewal_progress(certification)
    if progress.missing and not override:
        raise ValidationError(progress.missing)
    start = certification.valid_until + datetime.timedelta(days=1)
    if on > certification.grace_until:  # late renewal: the new cycle starts today
        start = on
    from_status = certification.status
    certification.cycle += 1
    certification.cycle_started_on = start
    for key, value in cycle_dates(ctype, start).items():
        setattr(certification, key, value)
    certification.status = status_for_dates(certification, on)
    certification.status_reason = ""
    certification.full_clean()
    certification.save()
    Event = CertificationStatusChange.Event
    _certification_history(
        certification, from_status, Event.RENEWED_OVERRIDE if override else Event.RENEWED, actor,
        reason if override else "", exception.value if override else "",
    )
    RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).update(
        outcome=RenewalRequest.Outcome.RENEWED, closed_at=timezone.now(), closed_by=actor if actor and actor.pk else None,
    )
    audit_record(actor=actor, action="certification.renew", target=certification,
                 data={"cycle": certification.cycle, "override": override,
                       "override_reason": exception.value if override else "",
                       "missing": len(progress.missing)})
    until = certification.valid_until.isoformat()
    number = certification.number
    lines = [lambda: _("Certificate %(number)s is now valid until %(date)s.") % {"number": number, "date": until}]
    if override:
        lines.append(lambda: _("This renewal was made by exception (%(reason)s): %(text)s")
                     % {"reason": exception.label, "text": reason})
    _notify(certification.holder, lambda: _("Your certification has been renewed"), lines)
    return certification


@transaction.atomic
def certification_recertify(
    *, certification: Certification, actor: User | None, on: datetime.date | None = None, notify: bool = True,
) -> Certification:
    """Certify again someone whose certification lapsed past its late-renewal limit: a new
    certification, linked to the lapsed one (`recertification_of`), which keeps its own record
    and history and is marked replaced. The body's `recertification_keeps_number` decides
    whether the new one keeps the old number or gets the next one; verifying the old number
    then points to the new certification. Where the credential type asks for an initial
    course, it must have been completed again after the lapse."""
    old = _lock_certification(certification)
    body = TrainingBody.objects.select_for_update().get(pk=old.body_id)
    ctype = old.credential_type
    on = on or timezone.localdate()
    S = Certification.Status
    if old.replaced_on is not None:
        raise ValidationError(_("This certification has already been followed by a re-certification."))
    if old.status != S.LAPSED:
        raise ValidationError(_("Only a lapsed certification can be followed by a re-certification."))
    late_limit = renewal_late_limit(old)
    if late_limit is not None and on <= late_limit:
        raise ValidationError(
            _("It can still be renewed late until %(date)s: renew it instead."), params={"date": late_limit.isoformat()}
        )
    if Certification.objects.filter(
        holder=old.holder, credential_type=ctype, replaced_on__isnull=True
    ).exclude(pk=old.pk).exclude(status=S.REVOKED).exists():
        raise ValidationError(_("This person already holds this credential."))
    basis = None
    if ctype.initial_course_id:
        lapsed_on = old.grace_until + datetime.timedelta(days=1) if old.grace_until else old.issued_on
        basis = (
            Completion.objects.filter(person=old.holder, course_id=ctype.initial_course_id, completed_on__gte=lapsed_on)
            .order_by("-completed_on").first()
        )
        if basis is None:
            raise ValidationError(
                _("To be certified again, %(name)s must complete %(course)s again after the lapse on %(date)s."),
                params={"name": old.holder.display_name, "course": ctype.initial_course.title,
                   "date": lapsed_on.isoformat()},
            )
    if body.recertification_keeps_number:
        year, sequence, number = old.year, old.sequence, old.number
    else:
        year = on.year
        sequence = _next_sequence(body, year)
        number = certification_number(body=body, year=year, sequence=sequence)
    old.replaced_on = on
    old.save(update_fields=["replaced_on"])
    new = Certification(
        body=body, credential_type=ctype, holder=old.holder, number=number, year=year, sequence=sequence,
        basis=basis, issued_on=on, cycle_started_on=on, recertification_of=old,
        show_name_publicly=old.show_name_publicly, **cycle_dates(ctype, on),
    )
    new.status = status_for_dates(new, timezone.localdate())
    new.full_clean()
    new.save()
    Event = CertificationStatusChange.Event
    _certification_history(old, old.status, Event.SUPERSEDED, actor, new.number)
    _certification_history(new, "", Event.RECERTIFIED, actor, old.number)
    audit_record(actor=actor, action="certification.recertify", target=new,
                 data={"number": new.number, "previous": old.pk, "previous_number": old.number})
    if notify:
        ctype_name = ctype.name
        _notify(old.holder, lambda: _("You are certified again: %(type)s") % {"type": ctype_name}, [
            lambda: _("Your certificate number is %(number)s.") % {"number": number},
            lambda: _("Anyone can check it on the verification page."),
        ])
    return new


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason; it is kept in the history.")})
    return reason


@transaction.atomic
def certification_suspend(*, certification: Certification, actor: User, reason: str) -> Certification:
    reason = _require_reason(reason)
    certification = _lock_certification(certification)
    if certification.status in (Certification.Status.SUSPENDED, Certification.Status.REVOKED):
        raise ValidationError(_("This certification is already suspended or revoked."))
    return _set_status(certification, Certification.Status.SUSPENDED, CertificationStatusChange.Event.SUSPENDED, actor, reason)


@transaction.atomic
def certification_reinstate(*, certification: Certification, actor: User, reason: str) -> Certification:
    reason = _require_reason(reason)
    certification = _lock_certification(certification)
    if certification.status != Certification.Status.SUSPENDED:
        raise ValidationError(_("Only a suspended certification can be reinstated."))
    new_status = status_for_dates(certification, timezone.localdate())
    return _set_status(certification, new_status, CertificationStatusChange.Event.REINSTATED, actor, reason)


@transaction.atomic
def certification_revoke(*, certification: Certification, actor: User, reason: str) -> Certification:
    reason = _require_reason(reason)
    certification = _lock_certification(certification)
    if certification.status == Certification.Status.REVOKED:
        raise ValidationError(_("This certification is already revoked."))
    return _set_status(certification, Certification.Status.REVOKED, CertificationStatusChange.Event.REVOKED, actor, reason)


def _set_status(certification, status, event, actor, reason) -> Certification:
    from_status = certification.status
    certification.status = status
    certification.status_reason = reason
    certification.full_clean()
    certification.save(update_fields=["status", "status_reason"])
    _certification_history(certification, from_status, event, actor, reason)
    badge_status_changed(certification)
    audit_record(actor=actor, action=f"certification.{event}", target=certification, data={"reason": reason})
    label = Certification.Status(status).label
    _notify(certification.holder, lambda: _("Your certification: %(status)s") % {"status": label}, [
        lambda: _("Certificate %(number)s is now: %(status)s.") % {"number": certification.number, "status": label},
        reason,
    ])
    return certification


@transaction.atomic
def certification_set_public_name(*, certification: Certification, holder: User, show: bool) -> None:
    """Only the holder decides whether their name shows on the public verification page."""
    if certification.holder_id != holder.pk:
        raise PermissionDenied
    Certification.objects.filter(pk=certification.pk).update(show_name_publicly=show)
    audit_record(actor=holder, action="certification.public_name", target=certification, data={"show": show})


@transaction.atomic
def completion_set_public_name(*, completion: Completion, person: User, show: bool) -> None:
    """As for certifications: only the person decides whether their name shows when someone
    verifies their completion number."""
    if completion.person_id != person.pk:
        raise PermissionDenied
    Completion.objects.filter(pk=completion.pk).update(show_name_publicly=show)
    audit_record(actor=person, action="completion.public_name", target=completion, data={"show": show})


