"""Every change of state about training and certification goes through here.

Services take keyword arguments, run in one transaction, validate with full_clean(), append to
the audit log, and tell people by email once the transaction has committed.
"""

from __future__ import annotations

import calendar
import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peers.models import Consent, Organisation, User
from peers.services import audit_record
from peers.services.privacy import accommodation_consent_for
from peers.tasks import send_email

from .evidence import evidence_check
from .models import (
    Application,
    ApplicationStateChange,
    Attendance,
    CECategory,
    Certification,
    CertificationStatusChange,
    Cohort,
    CohortDay,
    Completion,
    ContinuingEducation,
    Course,
    CredentialType,
    ReminderSent,
    RenewalOverrideReason,
    RenewalRequest,
    TrainingBody,
)
from .numbers import (
    BASE_NUMBER_RE,
    COMPLETION_BASE_RE,
    COMPLETION_NUMBER_RE,
    NUMBER_RE,
    number_check_matches,
    number_kind,
    number_normalise,
    number_with_check,
)

# ---------------------------------------------------------------- numbers
# The formats and check codes live in .numbers (the data migrations use them too).


def number_is_genuine(number: str) -> bool:
    """Whether a certificate or completion number is well formed and carries its body's check
    code.

    Reads the (few) bodies' prefixes and secrets; never the register, so a guessed number
    costs no lookup of certifications or completions."""
    if number_kind(number) is None:
        return False
    prefix = number.split("-", 1)[0]
    secret = (
        TrainingBody.objects.filter(number_prefix=prefix)
        .values_list("check_secret", flat=True)
        .first()
    )
    return secret is not None and number_check_matches(secret=secret, number=number)


def _next_sequence(body: TrainingBody, year: int) -> int:
    # The body row is locked by the caller, so two issues cannot take the same serial.
    last = (
        Certification.objects.filter(body=body, year=year).order_by("-sequence")
        .values_list("sequence", flat=True).first()
    )
    return (last or 0) + 1


def certification_number(*, body: TrainingBody, year: int, sequence: int) -> str:
    base = f"{body.number_prefix}-{year}-{sequence:0{body.sequence_digits}d}"
    return number_with_check(secret=body.check_secret, base=base)


def completion_number(*, body: TrainingBody, year: int, sequence: int) -> str:
    """修了 numbers carry a check code made the same way: PSS-C2026-0001-7KQ."""
    base = f"{body.number_prefix}-C{year}-{sequence:0{body.sequence_digits}d}"
    return number_with_check(secret=body.check_secret, base=base)


# ---------------------------------------------------------------- dates
def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_dates(ctype: CredentialType, start: datetime.date) -> dict:
    """valid_until and the dates the sweep compares with, for a cycle starting on `start`."""
    if not ctype.expires:
        return {"valid_until": None, "renewal_due_from": None, "grace_until": None}
    valid_until = add_months(start, ctype.validity_months) - datetime.timedelta(days=1)
    return {
        "valid_until": valid_until,
        "renewal_due_from": valid_until - datetime.timedelta(days=ctype.renewal_window_days),
        "grace_until": valid_until + datetime.timedelta(days=ctype.grace_days),
    }


def status_for_dates(certification: Certification, today: datetime.date) -> str:
    S = Certification.Status
    if certification.valid_until is None:
        return S.ACTIVE
    if today > certification.grace_until:
        return S.LAPSED
    if today > certification.valid_until:
        return S.GRACE
    if today >= certification.renewal_due_from:
        return S.EXPIRING
    return S.ACTIVE


# ---------------------------------------------------------------- email
def _notify(user: User, subject: str, lines: list, *, language: str | None = None) -> None:
    """Send `subject` and `lines` (lazy strings or callables) in the person's language, on commit."""
    language = language or user.language or settings.LANGUAGE_CODE
    email = user.email

    def _send() -> None:
        with translation.override(language):
            rendered_subject = str(subject() if callable(subject) else subject)
            body = "\n\n".join(str(line() if callable(line) else line) for line in lines)
        send_email.enqueue(subject=rendered_subject, body=body, to=[email])

    transaction.on_commit(_send)


# ---------------------------------------------------------------- bodies, courses, cohorts
@transaction.atomic
def training_body_create(*, organisation: Organisation, number_prefix: str, actor: User | None) -> TrainingBody:
    body = TrainingBody(organisation=organisation, number_prefix=number_prefix.upper())
    body.full_clean()
    body.save()
    audit_record(actor=actor, action="training_body.create", target=body)
    return body


@transaction.atomic
def course_save(*, course: Course, actor: User, prerequisites=None) -> Course:
    course.full_clean()
    created = course._state.adding
    course.save()
    if prerequisites is not None:
        others = [p for p in prerequisites if p.pk != course.pk and p.body_id == course.body_id]
        course.prerequisites.set(others)
    audit_record(actor=actor, action="course.create" if created else "course.update", target=course)
    return course


@transaction.atomic
def cohort_save(*, cohort: Cohort, actor: User) -> Cohort:
    cohort.full_clean()
    created = cohort._state.adding
    cohort.save()
    audit_record(actor=actor, action="cohort.create" if created else "cohort.update", target=cohort)
    return cohort


@transaction.atomic
def cohort_day_add(*, cohort: Cohort, date, starts_at, ends_at, hours=None, module=None, actor: User) -> CohortDay:
    if hours is None:
        start = datetime.datetime.combine(date, starts_at)
        end = datetime.datetime.combine(date, ends_at)
        hours = Decimal((end - start).seconds) / Decimal(3600)
    day = CohortDay(cohort=cohort, date=date, starts_at=starts_at, ends_at=ends_at,
                    hours=Decimal(hours).quantize(Decimal("0.01")), module=module)
    day.full_clean()
    day.save()
    audit_record(actor=actor, action="cohort.day_add", target=cohort, data={"day": day.pk})
    return day


# ---------------------------------------------------------------- applications
TRANSITIONS = {
    "submitted": {"selected", "waitlisted", "declined", "withdrawn"},
    "waitlisted": {"selected", "declined", "withdrawn"},
    "selected": {"enrolled", "declined", "withdrawn"},
    "enrolled": {"completed", "withdrawn"},
    "declined": set(),
    "completed": set(),
    "withdrawn": set(),
}


def _lock_cohort(cohort: Cohort) -> Cohort:
    """Lock the cohort's row: every change that takes a place waits here for the others."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _places_taken(cohort: Cohort) -> int:
    return Application.objects.filter(cohort=cohort, state__in=Application.PLACE_STATES).count()


def _record_state(application: Application, from_state: str, to_state: str, actor, note="") -> None:
    ApplicationStateChange.objects.create(
        application=application, from_state=from_state, to_state=to_state,
        actor=actor if actor is not None and actor.pk else None, note=note[:300],
    )
    audit_record(
        actor=actor, action=f"application.{to_state}", target=application,
        data={"from": from_state, "to": to_state},
    )
    state_label = Application.State(to_state).label
    cohort_name = application.cohort.name
    _notify(
        application.applicant,
        lambda: _("Your application to %(cohort)s: %(state)s") % {"cohort": cohort_name, "state": state_label},
        [
            lambda: _("Hello %(name)s,") % {"name": application.applicant.display_name},
            lambda: _("The state of your application to %(cohort)s is now: %(state)s.")
            % {"cohort": cohort_name, "state": state_label},
            *([note] if note else []),
            lambda: _("You can see your applications on your training page."),
        ],
    )


def _prerequisites_missing(course: Course, person: User) -> list[Course]:
    done = set(Completion.objects.filter(person=person).values_list("course_id", flat=True))
    return [c for c in course.prerequisites.all() if c.pk not in done]


@transaction.atomic
def application_submit(
    *,
    cohort: Cohort,
    applicant: User,
    consent: bool,
    organisation: Organisation | None = None,
    partner_email: str = "",
    accommodation_request: str = "",
    accommodation_consent: bool = False,
) -> Application:
    """Apply to an open cohort. First-come cohorts give a place at once while any is left.

    A reasonable-accommodation request is sensitive: it is stored only under the applicant's
    consent to share it with the training body's staff (`accommodation_consent`, recorded in
    the consent ledger), or an active consent they gave before."""
    cohort = _lock_cohort(cohort)
    if not cohort.is_open:
        raise ValidationError(_("This cohort is not taking applications."))
    if not consent:
        raise ValidationError({"consent": _("Please agree to how your data is used to apply.")})
    if Application.objects.filter(cohort=cohort, applicant=applicant).exists():
        raise ValidationError(_("You have already applied to this cohort."))
    missing = _prerequisites_missing(cohort.course, applicant)
    if missing:
        raise ValidationError(
            _("Complete these courses first: %(courses)s")
            % {"courses": "、".join(c.title for c in missing)}
        )
    if cohort.pair_applications and organisation is None:
        raise ValidationError(
            {"organisation": _("This cohort takes pairs from one organisation: choose yours.")}
        )
    accommodation_request = (accommodation_request or "").strip()
    accommodation_consent_row = None
    if accommodation_request:
        accommodation_consent_row = accommodation_consent_for(
            person=applicant, purpose=Consent.Purpose.TRAINING_ACCOMMODATIONS, given=accommodation_consent,
        )
    application = Application(
        cohort=cohort, applicant=applicant, organisation=organisation,
        accommodation_request=accommodation_request, accommodation_consent=accommodation_consent_row,
        consent_at=timezone.now(),
    )
    application.full_clean()
    application.save()
    _record_state(application, "", Application.State.SUBMITTED, applicant)
    if partner_email:
        partner = (
            Application.objects.select_for_update()
            .filter(cohort=cohort, applicant__email__iexact=partner_email.strip(),
                    organisation=organisation, pair__isnull=True)
            .exclude(pk=application.pk)
            .first()
        )
        if partner is not None:
            application.pair = partner
            application.save(update_fields=["pair"])
            partner.pair = application
            partner.save(update_fields=["pair"])
    if cohort.selection == Cohort.Selection.FIRST_COME:
        to_state = (
            Application.State.SELECTED
            if _places_taken(cohort) < cohort.capacity
            else Application.State.WAITLISTED
        )
        application.state = to_state
        application.save(update_fields=["state"])
        _record_state(application, Application.State.SUBMITTED, to_state, None)
    return application


@transaction.atomic
def application_transition(*, application: Application, to_state: str, actor: User, note: str = "") -> Application:
    """Move an application on (select, wait-list, decline, enrol, withdraw). Taking a place
    locks the cohort first, so two staff selecting at once can never exceed capacity."""
    cohort = _lock_cohort(application.cohort)
    application = Application.objects.select_for_update().select_related("applicant", "cohort").get(
        pk=application.pk
    )
    from_state = application.state
    if to_state not in TRANSITIONS.get(from_state, set()):
        raise ValidationError(
            _("An application that is “%(from)s” cannot become “%(to)s”.")
            % {"from": Application.State(from_state).label,
               "to": Application.State(to_state).label if to_state in Application.State.values else to_state}
        )
    takes_place = to_state in Application.PLACE_STATES and from_state not in Application.PLACE_STATES
    if takes_place and _places_taken(cohort) >= cohort.capacity:
        raise ValidationError(
            _("The cohort is full (%(capacity)s places). Wait-list the application instead.")
            % {"capacity": cohort.capacity}
        )
    application.state = to_state
    application.save(update_fields=["state"])
    _record_state(application, from_state, to_state, actor, note)
    return application


# ---------------------------------------------------------------- attendance and completion
@transaction.atomic
def attendance_record(*, day: CohortDay, present: dict[int, bool], actor: User) -> int:
    """Mark who was there on one day ({application id: present}); only enrolled people count,
    and only once the day has come (attendance is a record of what happened)."""
    today = timezone.localdate()
    if day.date > today:
        raise ValidationError(
            _("Attendance for %(date)s can be recorded from that day on, not before.")
            % {"date": day.date.isoformat()}
        )
    enrolled = set(
        Application.objects.filter(
            cohort_id=day.cohort_id, state=Application.State.ENROLLED, pk__in=list(present)
        ).values_list("pk", flat=True)
    )
    unknown = set(present) - enrolled
    if unknown:
        raise ValidationError(_("Attendance can only be recorded for enrolled applicants."))
    for application_id, is_present in present.items():
        Attendance.objects.update_or_create(
            day=day, application_id=application_id,
            defaults={"present": bool(is_present), "recorded_by": actor, "recorded_at": timezone.now()},
        )
    audit_record(actor=actor, action="attendance.record", target=day, data={"count": len(present)})
    return len(present)


def _attended_hours(application: Application) -> tuple[Decimal, bool]:
    days = list(CohortDay.objects.filter(cohort_id=application.cohort_id).values_list("pk", "hours"))
    present = set(
        Attendance.objects.filter(application=application, present=True).values_list("day_id", flat=True)
    )
    hours = sum((h for pk, h in days if pk in present), Decimal("0"))
    return hours, bool(days) and all(pk in present for pk, _h in days)


def _next_completion_sequence(body: TrainingBody, year: int) -> int:
    """One more than the highest serial of the body's completions of `year` (the body row is
    locked by the caller). Read from the numbers, so imported ones are never taken twice."""
    numbers = Completion.objects.filter(body=body, number__startswith=f"{body.number_prefix}-C{year}-")
    serials = [int(m["seq"]) for m in map(COMPLETION_NUMBER_RE.match, numbers.values_list("number", flat=True)) if m]
    return max(serials, default=0) + 1


def _completion_number_for(body: TrainingBody, number: str, completed_on: datetime.date) -> str:
    """The number a new completion gets: the next serial of its year, or the imported one
    (with or without its check code: one is added, a wrong one refused)."""
    if not number:
        year = completed_on.year
        return completion_number(body=body, year=year, sequence=_next_completion_sequence(body, year))
    typed = number_normalise(number)
    match = COMPLETION_NUMBER_RE.match(typed) or COMPLETION_BASE_RE.match(typed)
    if not match or match["prefix"] != body.number_prefix:
        raise ValidationError(
            {"number": _("The completion number does not follow this body's format (%(example)s).")
             % {"example": f"{body.number_prefix}-C2025-0153"}}
        )
    base = f"{match['prefix']}-C{match['year']}-{match['seq']}"
    full = number_with_check(secret=body.check_secret, base=base)
    if "check" in match.groupdict() and full != typed:
        raise ValidationError({"number": _("The number's check code is wrong.")})
    if Completion.objects.filter(body=body, number=full).exists():
        raise ValidationError({"number": _("This completion number is already in the register.")})
    return full


@transaction.atomic
def completion_issue(
    *, person: User, course: Course, completed_on: datetime.date, actor: User | None,
    cohort: Cohort | None = None, hours: Decimal = Decimal("0"), number: str = "", notify: bool = True,
    today: datetime.date | None = None,
) -> Completion:
    """Record a completed course (修了) on the day it was completed (never a day to come). It
    never expires; its number carries the body's check code, so it can be verified."""
    if completed_on > (today or timezone.localdate()):
        raise ValidationError({"completed_on": _("A course cannot be completed on a day that has not come.")})
    body = TrainingBody.objects.select_for_update().get(pk=course.body_id)
    completion = Completion(
        body=body, course=course, cohort=cohort, person=person, completed_on=completed_on,
        hours=hours, number=_completion_number_for(body, number, completed_on),
    )
    completion.full_clean()
    completion.save()
    audit_record(actor=actor, action="completion.issue", target=completion, data={"number": completion.number})
    if cohort is not None and course.ce_category_id and hours:
        ContinuingEducation.objects.get_or_create(
            person=person, cohort=cohort,
            defaults={
                "body": body, "date": completed_on, "provider": str(body), "title": course.title,
                "hours": hours, "category_id": course.ce_category_id,
                "review": ContinuingEducation.Review.ACCEPTED,
            },
        )
    title = course.title
    number_text = completion.number
    if notify:
        _notify(person, lambda: _("You have completed %(course)s") % {"course": title}, [
            lambda: _("Congratulations. Your completion number is %(number)s.") % {"number": number_text},
        ])
    return completion


@transaction.atomic
def cohort_complete(*, cohort: Cohort, actor: User, on: datetime.date | None = None) -> list[Completion]:
    """Apply the course's completion rule to everyone enrolled; those who meet it complete.

    Not before the cohort's last day (`on`, today unless given, is the day this is done). The
    completion date recorded, and printed on the 修了証, is the cohort's last day: the day the
    course was completed, however much later staff record it."""
    cohort = _lock_cohort(cohort)
    course = cohort.course
    on = on or timezone.localdate()
    last_day = CohortDay.objects.filter(cohort=cohort).order_by("-date").values_list("date", flat=True).first()
    if last_day is not None and on < last_day:
        raise ValidationError(
            _("This cohort's last day is %(date)s: it can be completed from that day on.")
            % {"date": last_day.isoformat()}
        )
    completed_on = last_day or on
    issued = []
    for application in Application.objects.filter(cohort=cohort, state=Application.State.ENROLLED).select_related("applicant"):
        hours, every_day = _attended_hours(application)
        if course.completion_rule == Course.CompletionRule.ALL_DAYS:
            meets = every_day
        else:
            meets = hours >= (course.minimum_hours or 0)
        if not meets:
            continue
        issued.append(completion_issue(person=application.applicant, course=course, completed_on=completed_on,
                                       actor=actor, cohort=cohort, hours=hours, today=on))
        application.state = Application.State.COMPLETED
        application.save(update_fields=["state"])
        _record_state(application, Application.State.ENROLLED, Application.State.COMPLETED, actor)
    return issued


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
                _("%(name)s has not completed %(course)s.")
                % {"name": holder.display_name, "course": credential_type.initial_course.title}
            )
    held = (
        Certification.objects.filter(holder=holder, credential_type=credential_type, replaced_on__isnull=True)
        .exclude(status=Certification.Status.REVOKED).select_related("credential_type").first()
    )
    if held is not None:
        limit = renewal_late_limit(held)
        if held.status == Certification.Status.LAPSED and limit is not None and timezone.localdate() > limit:
            raise ValidationError(
                _("%(number)s lapsed and can no longer be renewed: certify the person again from its page.")
                % {"number": held.number}
            )
        raise ValidationError(_("This person already holds this credential."))
    if imported_number:
        imported_number = number_normalise(imported_number)
        match = NUMBER_RE.match(imported_number) or BASE_NUMBER_RE.match(imported_number)
        if not match or match["prefix"] != body.number_prefix:
            raise ValidationError(
                {"number": _("The number does not follow this body's format (%(example)s).")
                 % {"example": f"{body.number_prefix}-2025-0153"}}
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
    from .selectors import renewal_progress

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
            _("The late-renewal limit passed on %(date)s: certify the person again instead.")
            % {"date": late_limit.isoformat()}
        )
    if on < certification.renewal_due_from:
        opens = _("Renewal opens on %(date)s.") % {"date": certification.renewal_due_from.isoformat()}
        if not override:
            raise ValidationError(opens)
        if not exception.allows_early_renewal:
            early = "、".join(str(r.label) for r in RenewalOverrideReason if r.allows_early_renewal)
            raise ValidationError({"override_reason": " ".join([
                opens, _("Before then, renewal by exception is possible only for: %(reasons)s.") % {"reasons": early},
            ])})
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
            _("It can still be renewed late until %(date)s: renew it instead.") % {"date": late_limit.isoformat()}
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
                _("To be certified again, %(name)s must complete %(course)s again after the lapse on %(date)s.")
                % {"name": old.holder.display_name, "course": ctype.initial_course.title,
                   "date": lapsed_on.isoformat()}
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


# ---------------------------------------------------------------- renewal requests
@transaction.atomic
def renewal_request_submit(*, certification: Certification, holder: User, note: str = "") -> RenewalRequest:
    """The holder asks the body to renew, once the renewal window is open and the requirements
    are met (the selector's renewal progress decides). One open request at a time."""
    from .selectors import renewal_progress

    certification = _lock_certification(certification)
    if certification.holder_id != holder.pk:
        raise PermissionDenied
    progress = renewal_progress(certification)
    if not progress.renewable_now:
        raise ValidationError(_("This certification cannot be renewed now."))
    if progress.missing:
        raise ValidationError(progress.missing)
    if RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).exists():
        raise ValidationError(_("You have already asked for renewal; the training body will reply."))
    request = RenewalRequest(certification=certification, cycle=certification.cycle, note=(note or "").strip()[:300])
    request.full_clean()
    request.save()
    _certification_history(certification, certification.status,
                           CertificationStatusChange.Event.RENEWAL_REQUESTED, holder, request.note)
    audit_record(actor=holder, action="certification.renewal_request", target=certification,
                 data={"request": request.pk})
    number = certification.number
    _notify(holder, lambda: _("We have received your request for renewal"), [
        lambda: _("The training body will review your request to renew certificate %(number)s.") % {"number": number},
    ])
    return request


@transaction.atomic
def renewal_request_decline(*, renewal_request: RenewalRequest, actor: User, reason: str) -> RenewalRequest:
    """Staff decline an open renewal request, saying why (the holder is told)."""
    reason = _require_reason(reason)
    renewal_request = RenewalRequest.objects.select_for_update().select_related(
        "certification__holder").get(pk=renewal_request.pk)
    if renewal_request.outcome != RenewalRequest.Outcome.OPEN:
        raise ValidationError(_("This renewal request has already been answered."))
    renewal_request.outcome = RenewalRequest.Outcome.DECLINED
    renewal_request.closed_at = timezone.now()
    renewal_request.closed_by = actor
    renewal_request.save(update_fields=["outcome", "closed_at", "closed_by"])
    certification = renewal_request.certification
    _certification_history(certification, certification.status,
                           CertificationStatusChange.Event.RENEWAL_DECLINED, actor, reason)
    audit_record(actor=actor, action="certification.renewal_decline", target=certification,
                 data={"request": renewal_request.pk, "reason": reason})
    number = certification.number
    _notify(certification.holder, lambda: _("Your request for renewal"), [
        lambda: _("The training body could not yet renew certificate %(number)s:") % {"number": number},
        reason,
    ])
    return renewal_request


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
    now = connection.ops.adapt_datetimefield_value(timezone.now())
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
    from .selectors import renewal_progress

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


# ---------------------------------------------------------------- continuing education
@transaction.atomic
def ce_record_add(
    *, person: User, body: TrainingBody, date: datetime.date, provider: str, hours: Decimal,
    category: CECategory, title: str = "", evidence=None, actor: User | None = None,
) -> ContinuingEducation:
    if category.body_id != body.pk:
        raise ValidationError({"category": _("Choose a category of this training body.")})
    record = ContinuingEducation(
        person=person, body=body, date=date, provider=provider, hours=hours, category=category,
        title=title,
    )
    if evidence is not None:
        try:
            evidence_check(evidence)  # PDF, JPEG, PNG or HEIC by content, within the size limit
        except ValidationError as error:
            raise ValidationError({"evidence": error.error_list}) from error
        record.evidence = evidence
    record.full_clean()
    record.save()
    audit_record(actor=actor or person, action="ce.add", target=record)
    return record


@transaction.atomic
def ce_credit_practice_withdraw(*, person_id: int, source_ref: str) -> int:
    """Take back the hours credited for one piece of practice (an entry its author corrected
    goes back for verification; verifying it again credits the corrected hours)."""
    deleted, _detail = ContinuingEducation.objects.filter(
        person_id=person_id, source_ref=source_ref
    ).exclude(source_ref="").delete()
    return deleted


def ce_credit_practice(*, items: list[dict]) -> int:
    """Credit verified peer-support practice (activity entries, confirmed supervision) as
    continuing-education hours, wherever the person holds a live certification whose credential
    type says practice counts (`practice_ce_category`). Each item: person_id, date, hours,
    provider, title, source_ref. Never twice for the same source; three queries for any number.

    Called by collaboration when it verifies entries (the dependency runs that way)."""
    if not items:
        return 0
    S = Certification.Status
    person_ids = {item["person_id"] for item in items}
    targets: dict[int, list[tuple[int, int]]] = {}
    for person_id, body_id, category_id in (
        Certification.objects.filter(
            holder_id__in=person_ids, status__in=[S.ACTIVE, S.EXPIRING, S.GRACE],
            credential_type__practice_ce_category__isnull=False,
        )
        .values_list("holder_id", "body_id", "credential_type__practice_ce_category_id")
        .distinct()
    ):
        targets.setdefault(person_id, []).append((body_id, category_id))
    if not targets:
        return 0
    refs = {item["source_ref"] for item in items}
    existing = set(
        ContinuingEducation.objects.filter(person_id__in=targets, source_ref__in=refs).values_list(
            "person_id", "body_id", "source_ref"
        )
    )
    records = []
    for item in items:
        for body_id, category_id in targets.get(item["person_id"], []):
            key = (item["person_id"], body_id, item["source_ref"])
            if key in existing or item["hours"] <= 0:
                continue
            existing.add(key)
            records.append(
                ContinuingEducation(
                    person_id=item["person_id"], body_id=body_id, category_id=category_id,
                    date=item["date"], hours=item["hours"], provider=item["provider"][:200],
                    title=item.get("title", "")[:200], source_ref=item["source_ref"],
                )
            )
    ContinuingEducation.objects.bulk_create(records)
    return len(records)


@transaction.atomic
def ce_sample(*, body: TrainingBody, actor: User, size: int, seed: int | None = None) -> list[ContinuingEducation]:
    """Pick `size` unreviewed records at random and ask for their evidence."""
    ids = list(
        ContinuingEducation.objects.filter(body=body, review=ContinuingEducation.Review.NOT_REVIEWED)
        .values_list("pk", flat=True)
    )
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    chosen = rng.sample(ids, min(size, len(ids)))
    ContinuingEducation.objects.filter(pk__in=chosen).update(review=ContinuingEducation.Review.SAMPLED)
    audit_record(actor=actor, action="ce.sample", target=body, data={"ids": chosen})
    return list(ContinuingEducation.objects.filter(pk__in=chosen).select_related("person"))


@transaction.atomic
def ce_review(*, record: ContinuingEducation, actor: User, accepted: bool) -> ContinuingEducation:
    record.review = ContinuingEducation.Review.ACCEPTED if accepted else ContinuingEducation.Review.REJECTED
    record.reviewed_by = actor
    record.save(update_fields=["review", "reviewed_by"])
    audit_record(actor=actor, action="ce.review", target=record, data={"accepted": accepted})
    return record


def hours_total(person: User, body: TrainingBody, since: datetime.date) -> Decimal:
    total = ContinuingEducation.objects.filter(person=person, body=body, date__gte=since).exclude(
        review=ContinuingEducation.Review.REJECTED
    ).aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")



# ---------------------------------------------------------------- credential types and modules
@transaction.atomic
def credential_type_save(
    *, credential_type: CredentialType, actor: User, reminder_offsets: list[int], floors: dict[str, Decimal]
) -> CredentialType:
    """Save a credential type's rules; floors name categories (created when new)."""
    from .models import CEFloor

    credential_type.reminder_offsets = sorted(set(reminder_offsets), reverse=True)
    credential_type.full_clean()
    created = credential_type._state.adding
    credential_type.save()
    credential_type.ce_floors.all().delete()
    for name, hours in floors.items():
        category, _created = CECategory.objects.get_or_create(body_id=credential_type.body_id, name=name)
        CEFloor.objects.create(credential_type=credential_type, category=category, minimum_hours=hours)
    audit_record(
        actor=actor, action="credential_type.create" if created else "credential_type.update",
        target=credential_type, data={"floors": {k: str(v) for k, v in floors.items()}},
    )
    return credential_type


@transaction.atomic
def course_module_add(*, course: Course, title: str, hours: Decimal, actor: User):
    from .models import CurriculumModule

    module = CurriculumModule(course=course, title=title, hours=hours, order=course.modules.count())
    module.full_clean()
    module.save()
    audit_record(actor=actor, action="course.module_add", target=course, data={"module": module.pk})
    return module


# ---------------------------------------------------------------- body settings
@transaction.atomic
def training_body_settings_update(*, body: TrainingBody, actor: User, number_prefix: str,
                                  sequence_digits: int,
                                  recertification_keeps_number: bool | None = None) -> TrainingBody:
    """The body's certificate numbering. The prefix is part of every number already printed on
    a certificate and checked by /verify/, so it can change only until the first one is issued.
    `recertification_keeps_number` (unchanged when None): whether a re-certification after a
    lapse keeps the old number or gets a new one."""
    body = TrainingBody.objects.select_for_update().get(pk=body.pk)
    number_prefix = number_prefix.strip().upper()
    if number_prefix != body.number_prefix and body.certifications.exists():
        raise ValidationError({"number_prefix": _(
            "Certificates have already been issued with this prefix, so it can no longer change."
        )})
    before = {"number_prefix": body.number_prefix, "sequence_digits": body.sequence_digits,
              "recertification_keeps_number": body.recertification_keeps_number}
    body.number_prefix, body.sequence_digits = number_prefix, sequence_digits
    if recertification_keeps_number is not None:
        body.recertification_keeps_number = bool(recertification_keeps_number)
    body.full_clean()
    body.save(update_fields=["number_prefix", "sequence_digits", "recertification_keeps_number"])
    audit_record(actor=actor, action="training_body.settings", target=body,
                 data={"before": before, "after": {"number_prefix": number_prefix,
                                                   "sequence_digits": sequence_digits,
                                                   "recertification_keeps_number": body.recertification_keeps_number}})
    return body


@transaction.atomic
def ce_category_save(*, body: TrainingBody, actor: User, name: str,
                     category: CECategory | None = None) -> CECategory:
    """Add a continuing-education category, or rename one (records keep pointing at it)."""
    if category is not None and category.body_id != body.pk:
        raise PermissionDenied
    category = category or CECategory(body=body)
    category.name = name.strip()
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="ce_category.save", target=category, data={"name": category.name})
    return category
