"""Public verification of a certificate: its status today and the words that say it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from ..models import (
    Certification,
    CertificationStatusChange,
    Completion,
    TrainingBody,
)
from ..numbers import number_kind, number_normalise
from .certifications import certification_get_by_number
from .renewal import CURRENT_STATUSES

# Statuses the calendar sets (the daily sweep, or a register issued or imported already there).
_DATE_STATUSES = {Certification.Status.EXPIRING, Certification.Status.GRACE, Certification.Status.LAPSED}


def certification_status_now(certification: Certification, today: datetime.date | None = None) -> str:
    """The status at this moment: what staff set (suspended, revoked, lapsed) stands; otherwise
    the dates decide, so a certificate or the verification page never says more than is true
    on a day the sweep has not yet run."""
    from ..services import status_for_dates

    if certification.status not in CURRENT_STATUSES:
        return certification.status
    return status_for_dates(certification, today or timezone.localdate())


def certification_status_since(certification: Certification, status: str, last_change) -> datetime.date:
    """The day the certification came into `status`: the date of its last status change in the
    history; for a change the calendar made, the day its dates put it there (the day the sweep
    records when it runs on time, and the true day for a register imported already lapsed)."""
    Change = CertificationStatusChange
    made_by_calendar = (
        last_change is None
        or last_change.to_status != status
        or last_change.event in (Change.Event.SWEEP, Change.Event.ISSUED, Change.Event.IMPORTED,
                                 Change.Event.RECERTIFIED)
    )
    if made_by_calendar and certification.valid_until is not None and status in _DATE_STATUSES:
        return {
            Certification.Status.EXPIRING: certification.renewal_due_from,
            Certification.Status.GRACE: certification.valid_until + datetime.timedelta(days=1),
            Certification.Status.LAPSED: certification.grace_until + datetime.timedelta(days=1),
        }[status]
    if last_change is None or (status == Certification.Status.ACTIVE and made_by_calendar):
        return certification.cycle_started_on
    return timezone.localdate(last_change.at)


# The words verification uses for each state (distinct from the staff register's labels).
VERDICTS = {
    "completion": pgettext_lazy("verification", "Completed"),
    Certification.Status.ACTIVE: pgettext_lazy("verification", "Valid"),
    Certification.Status.EXPIRING: pgettext_lazy("verification", "Renewal due soon"),
    Certification.Status.GRACE: pgettext_lazy("verification", "In grace period"),
    Certification.Status.LAPSED: pgettext_lazy("verification", "Lapsed"),
    Certification.Status.SUSPENDED: pgettext_lazy("verification", "Suspended"),
    Certification.Status.REVOKED: pgettext_lazy("verification", "Revoked"),
}


@dataclass
class Verification:
    """What the public may know about one number: a certification (認定) or a completion (修了)."""

    number: str
    kind: str  # "certification" or "completion"
    certification: Certification | None = None
    completion: Completion | None = None
    status: str = ""  # a certification's status now (completions do not expire)
    status_since: datetime.date | None = None
    holder_name: str | None = None
    # The re-certification that replaced this certification after it lapsed (another number).
    replaced_by: Certification | None = None

    @property
    def record(self):
        return self.certification or self.completion

    @property
    def body(self) -> TrainingBody:
        return self.record.body

    @property
    def verdict(self):
        """The state in words: 有効, 更新期限が近い, 猶予期間中, 失効, 停止中, 取消 or 修了."""
        return VERDICTS["completion" if self.kind == "completion" else self.status]

    @property
    def valid_now(self) -> bool:
        """Whether the certification stands as valid now (a completion always does)."""
        return self.kind == "completion" or self.status in (
            Certification.Status.ACTIVE, Certification.Status.EXPIRING
        )


def verification_get(number: str, *, today: datetime.date | None = None) -> Verification | None:
    """The one lookup behind the verification page, the API, the website's verification page
    and the certificates: recognises certification and completion numbers as typed (full-width,
    Japanese dashes, spaces), refuses a wrong check code before reading the register, and
    returns only what the public may see (the name only if the holder allows)."""
    from ..services import number_is_genuine

    number = number_normalise(number)
    kind = number_kind(number)
    if kind is None or not number_is_genuine(number):
        return None
    if kind == "completion":
        completion = (
            Completion.objects.select_related("person", "course", "body__organisation")
            .filter(number=number).first()
        )
        if completion is None:
            return None
        return Verification(
            number=number, kind=kind, completion=completion, status_since=completion.completed_on,
            holder_name=completion.person.display_name if completion.show_name_publicly else None,
        )
    certification = certification_get_by_number(number)
    return None if certification is None else certification_verification(certification, today=today)


def certification_verification(certification: Certification, *, today: datetime.date | None = None) -> Verification:
    """What verification says about a certification in hand (its certificate says the same)."""
    status = certification_status_now(certification, today)
    last_change = (
        CertificationStatusChange.objects.filter(certification=certification)
        .exclude(event__in=CertificationStatusChange.NOTE_EVENTS).order_by("-at", "-id").first()
    )
    successor = certification.successor
    while successor is not None and successor.replaced_on is not None:  # replaced again (rare)
        successor = Certification.objects.select_related("recertified_as").get(pk=successor.pk).successor
    return Verification(
        number=certification.number, kind="certification", certification=certification, status=status,
        status_since=certification_status_since(certification, status, last_change),
        holder_name=certification.holder.display_name if certification.show_name_publicly else None,
        replaced_by=successor if successor is not None and successor.number != certification.number else None,
    )
