"""Attendance and completion."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import User
from peers.services import audit_record

from ..models import (
    Application,
    Attendance,
    Cohort,
    CohortDay,
    Completion,
    ContinuingEducation,
    Course,
    TrainingBody,
)
from ..numbers import (
    COMPLETION_BASE_RE,
    COMPLETION_NUMBER_RE,
    number_normalise,
    number_with_check,
)
from .applications import _lock_cohort, _record_state
from .common import _notify, completion_number


# ---------------------------------------------------------------- attendance and completion
@transaction.atomic
def attendance_record(*, day: CohortDay, present: dict[int, bool], actor: User) -> int:
    """Mark who was there on one day ({application id: present}); only enrolled people count,
    and only once the day has come (attendance is a record of what happened)."""
    today = timezone.localdate()
    if day.date > today:
        raise ValidationError(
            _("Attendance for %(date)s can be recorded from that day on, not before."),
            params={"date": day.date.isoformat()},
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
            {"number": ValidationError(_("The completion number does not follow this body's format (%(example)s)."),
                                       params={"example": f"{body.number_prefix}-C2025-0153"})}
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
            _("This cohort's last day is %(date)s: it can be completed from that day on."),
            params={"date": last_day.isoformat()},
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


