"""Reads about training and certification. Access for this app is decided here, and only here:
a trainer sees the bodies whose staff they are (an administrator sees every body); anyone else
sees only their own applications, completions, certifications and records."""

from __future__ import annotations

import calendar
import datetime
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Replace
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from peers.models import DataCategory
from peers.selectors import organisation_list_for_trainer, user_is_admin
from peers.selectors.privacy import sensitive_access_record

from .models import (
    Application,
    Attendance,
    CEFloor,
    Certification,
    CertificationStatusChange,
    Cohort,
    CohortDay,
    Completion,
    ContinuingEducation,
    Course,
    CredentialType,
    ReminderSent,
    RenewalRequest,
    TrainingBody,
)
from .numbers import number_kind, number_normalise


# ---------------------------------------------------------------- bodies and staff scope
def training_body_list_for(user) -> QuerySet[TrainingBody]:
    """Bodies whose records this user runs as training-body staff (every body for an admin)."""
    qs = TrainingBody.objects.select_related("organisation__prefecture")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user_is_admin(user):
        return qs.all()
    return qs.filter(organisation__in=organisation_list_for_trainer(user))


def training_body_get_for(user, pk) -> TrainingBody:
    body = training_body_list_for(user).filter(pk=pk).first()
    if body is None:
        raise Http404
    return body


def user_is_trainer_of(user, body: TrainingBody) -> bool:
    return training_body_list_for(user).filter(pk=body.pk).exists()


def _body_ids(user) -> list[int]:
    cache_attr = "_kakehashi_training_body_ids"
    ids = getattr(user, cache_attr, None)
    if ids is None:
        ids = list(training_body_list_for(user).values_list("pk", flat=True))
        if getattr(user, "is_authenticated", False):
            setattr(user, cache_attr, ids)
    return ids


# ---------------------------------------------------------------- courses and cohorts
def course_list_for(user) -> QuerySet[Course]:
    return (
        Course.objects.filter(body_id__in=_body_ids(user))
        .select_related("body__organisation", "ce_category")
        .prefetch_related("modules", "prerequisites")
    )


def course_get_for(user, pk) -> Course:
    course = course_list_for(user).filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def _cohort_qs() -> QuerySet[Cohort]:
    return (
        Cohort.objects.select_related("course__body__organisation", "prefecture")
        .prefetch_related("days", "instructors")
        .annotate(
            places_taken=Count(
                "applications", filter=Q(applications__state__in=Application.PLACE_STATES)
            )
        )
    )


def cohort_list_for(user) -> QuerySet[Cohort]:
    """Cohorts of the bodies this user runs."""
    return _cohort_qs().filter(course__body_id__in=_body_ids(user))


def cohort_get_for(user, pk) -> Cohort:
    cohort = cohort_list_for(user).filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort


def cohort_list_open(*, now: datetime.datetime | None = None) -> QuerySet[Cohort]:
    """Published cohorts taking applications now: anyone may see these."""
    now = now or timezone.now()
    return _cohort_qs().filter(
        published=True, applications_open__lte=now, applications_close__gt=now
    ).order_by("applications_close", "id")


def cohort_get_open(pk) -> Cohort:
    cohort = cohort_list_open().filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort


# ---------------------------------------------------------------- applications
def application_list_for(user) -> QuerySet[Application]:
    """Applications to cohorts this user runs (organisers see accommodation requests). A
    visitor's application still waiting for its email confirmation is not among them."""
    return (
        Application.objects.filter(cohort__course__body_id__in=_body_ids(user))
        .exclude(state=Application.State.UNCONFIRMED)
        .select_related("applicant", "organisation", "cohort__course__body", "pair__applicant",
                        "accommodation_consent")
    )


def application_get_for(user, pk) -> Application:
    application = application_list_for(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def application_groups(applications) -> list[list[Application]]:
    """Applications as the staff table shows them: a pair is one group (当事者 first) placed
    where its first application came in, anyone alone a group of one."""
    by_pk = {a.pk: a for a in applications}
    groups, seen = [], set()
    for application in applications:
        if application.pk in seen:
            continue
        group = [application]
        partner = by_pk.get(application.pair_id)
        if partner is not None and partner.pk not in seen:
            group.append(partner)
            group.sort(key=lambda a: (a.pair_role != "peer", a.pk))
        seen.update(a.pk for a in group)
        groups.append(group)
    return groups


def application_list_of(user) -> QuerySet[Application]:
    """A person's own applications."""
    return Application.objects.filter(applicant=user).select_related(
        "cohort__course__body__organisation", "cohort__prefecture", "accommodation_consent"
    )


def application_can_see_accommodation(user, application: Application) -> bool:
    """The reasonable-accommodation request is for the cohort's organisers only (the training
    body's staff; and the applicant, who wrote it), while its consent is active."""
    consent = application.accommodation_consent
    if not application.accommodation_request or consent is None or not consent.covers(
        DataCategory.ACCOMMODATIONS
    ):
        return False
    if application.applicant_id is not None and application.applicant_id == getattr(user, "pk", None):
        return True
    return application.cohort.course.body_id in _body_ids(user)


def accommodation_requests_read(*, viewer, applications, context: str) -> dict[int, str]:
    """The accommodation requests of `applications` that `viewer` may read, by application id.
    Each one read by someone other than the applicant is written to the applicant's access log
    (one insert for the lot). Load the applications with `accommodation_consent` and
    `cohort__course`."""
    shown = {a.pk: a for a in applications if application_can_see_accommodation(viewer, a)}
    sensitive_access_record(
        viewer=viewer, person_ids=[a.applicant_id for a in shown.values()],
        category=DataCategory.ACCOMMODATIONS, context=context,
    )
    return {pk: a.accommodation_request for pk, a in shown.items()}


def attendance_map(cohort: Cohort) -> dict[tuple[int, int], bool]:
    rows = Attendance.objects.filter(day__cohort=cohort).values_list(
        "day_id", "application_id", "present"
    )
    return {(day_id, app_id): present for day_id, app_id, present in rows}


def cohort_day_list(cohort: Cohort) -> QuerySet[CohortDay]:
    return CohortDay.objects.filter(cohort=cohort).select_related("module")


# ---------------------------------------------------------------- completions, certifications
def completion_list_for(user) -> QuerySet[Completion]:
    return Completion.objects.filter(body_id__in=_body_ids(user)).select_related(
        "person", "course", "cohort", "body__organisation"
    )


def completion_list_of(user) -> QuerySet[Completion]:
    return Completion.objects.filter(person=user).select_related(
        "course", "cohort", "body__organisation"
    )


def completion_get_visible(user, pk) -> Completion:
    completion = (
        Completion.objects.filter(Q(person=user) | Q(body_id__in=_body_ids(user)))
        .select_related("person", "course", "body__organisation")
        .filter(pk=pk)
        .first()
    )
    if completion is None:
        raise Http404
    return completion


def _certification_qs() -> QuerySet[Certification]:
    return Certification.objects.select_related(
        "holder", "credential_type", "body__organisation", "recertified_as", "recertification_of"
    )


def certification_list_for(user) -> QuerySet[Certification]:
    """Staff see their bodies' register; everyone else sees only what they hold."""
    if not getattr(user, "is_authenticated", False):
        return Certification.objects.none()
    return _certification_qs().filter(Q(body_id__in=_body_ids(user)) | Q(holder=user))


def certification_list_for_staff(user) -> QuerySet[Certification]:
    return _certification_qs().filter(body_id__in=_body_ids(user))


def certification_get_for_staff(user, pk) -> Certification:
    certification = certification_list_for_staff(user).filter(pk=pk).first()
    if certification is None:
        raise Http404
    return certification


def certification_get_visible(user, pk) -> Certification:
    certification = certification_list_for(user).filter(pk=pk).first()
    if certification is None:
        raise Http404
    return certification


def certification_list_of(user, *, with_records: bool = False) -> QuerySet[Certification]:
    """What the person holds (current and past). `with_records` adds, in three more queries
    whatever the number, each one's status history, reminder log and renewal requests (the
    person's training page shows them)."""
    qs = _certification_qs().filter(holder=user).select_related("credential_type__renewal_course")
    if with_records:
        qs = qs.prefetch_related(
            Prefetch("history", queryset=CertificationStatusChange.objects.order_by("at", "id")),
            Prefetch("reminders", queryset=ReminderSent.objects.order_by("-sent_at", "-id")),
            Prefetch("renewal_requests", queryset=RenewalRequest.objects.filter(outcome=RenewalRequest.Outcome.OPEN),
                     to_attr="open_renewal_requests"),
        )
    return qs


def certification_get_by_number(number: str) -> Certification | None:
    """For public verification only: callers check the number's check code first. A number a
    re-certification kept belongs to the newest record that carries it."""
    return _certification_qs().filter(number=number).order_by("-id").first()


def certification_history_for_staff(user, certification: Certification) -> QuerySet[CertificationStatusChange]:
    if certification.body_id not in _body_ids(user):
        raise Http404
    return certification.history.select_related("actor").order_by("at", "id")


def reminder_log_for_staff(user, certification: Certification) -> QuerySet[ReminderSent]:
    """Which reminder went out when, by which channel (every cycle, newest first)."""
    if certification.body_id not in _body_ids(user):
        raise Http404
    return ReminderSent.objects.filter(certification=certification).order_by("-sent_at", "-id")


def renewal_request_open_for_staff(user, certification: Certification) -> RenewalRequest | None:
    if certification.body_id not in _body_ids(user):
        raise Http404
    return RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).first()


def renewal_request_queue_for(user, *, body: TrainingBody) -> list[tuple[RenewalRequest, RenewalProgress]]:
    """The body's open renewal requests, oldest first, each with its renewal progress, in a
    fixed number of queries (at most five) whatever their number."""
    if body.pk not in _body_ids(user):
        raise Http404
    requests = list(
        RenewalRequest.objects.filter(certification__body=body, outcome=RenewalRequest.Outcome.OPEN)
        .select_related(
            "certification__holder", "certification__credential_type__renewal_course",
            "certification__credential_type__practice_ce_category", "certification__body",
        )
        .order_by("requested_at", "id")[:500]
    )
    progress = renewal_progress_list([r.certification for r in requests])
    return list(zip(requests, progress, strict=True))


# ---------------------------------------------------------------- the staff register: search and filters
def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the calendar quarter of `day` (the fiscal year from April
    keeps the same quarters)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end_month = first_month + 2
    end = datetime.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    return start, end


# Expiry windows of the register's filter: value -> label (dates from quarter_of and today).
EXPIRY_CHOICES = [
    ("this_quarter", pgettext_lazy("expiry filter", "Expires by the end of this quarter")),
    ("next_quarter", pgettext_lazy("expiry filter", "Expires next quarter")),
    ("within_90_days", pgettext_lazy("expiry filter", "Expires within 90 days")),
    ("expired", pgettext_lazy("expiry filter", "Validity already ended")),
]


def expiry_window(expiry: str, today: datetime.date) -> tuple[datetime.date | None, datetime.date | None] | None:
    """The dates (first, last; either may be open) of an expiry filter value, None if unknown."""
    if expiry == "this_quarter":  # still to come: those already past are in grace or lapsed
        return today, quarter_of(today)[1]
    if expiry == "next_quarter":
        return quarter_of(quarter_of(today)[1] + datetime.timedelta(days=1))
    if expiry == "within_90_days":
        return today, today + datetime.timedelta(days=90)
    if expiry == "expired":
        return None, today - datetime.timedelta(days=1)
    return None


_HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
_KATAKANA = "".join(chr(c + 0x60) for c in range(0x3041, 0x3097))
_TO_KATAKANA = str.maketrans(_HIRAGANA, _KATAKANA)
_TO_HIRAGANA = str.maketrans(_KATAKANA, _HIRAGANA)


def _without_spaces(expression):
    return Replace(Replace(expression, Value(" "), Value("")), Value("\u3000"), Value(""))


def certification_search_for_staff(
    user, *, body: TrainingBody, q: str = "", status: str = "", expiry: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Certification]:
    """The body's register as the staff search it: `q` matches the number however it is typed
    (full-width, Japanese dashes: NFKC as verification reads it), the holder's name, or the
    reading in hiragana or katakana (spaces ignored); `status` and `expiry` filter. Only the
    bodies the person runs (another body is a 404). Newest numbers first."""
    if body.pk not in _body_ids(user):
        raise Http404
    qs = certification_list_for_staff(user).filter(body=body)
    text = "".join(unicodedata.normalize("NFKC", q or "").split())
    if text:
        qs = qs.annotate(
            _name_flat=_without_spaces(F("holder__display_name")),
            _kana_flat=_without_spaces(F("holder__name_kana")),
        ).filter(
            Q(number__icontains=number_normalise(text))
            | Q(_name_flat__icontains=text)
            | Q(_kana_flat__contains=text.translate(_TO_KATAKANA))
            | Q(_kana_flat__contains=text.translate(_TO_HIRAGANA))
        )
    if status in Certification.Status.values:
        qs = qs.filter(status=status)
    qs = _expiring(qs, expiry, today or timezone.localdate())
    return qs.order_by("-year", "-sequence", "-id")


def _expiring(qs: QuerySet[Certification], expiry: str, today: datetime.date) -> QuerySet[Certification]:
    window = expiry_window(expiry, today)
    if window is None:
        return qs
    first, last = window
    qs = qs.filter(valid_until__isnull=False)
    if first is not None:
        qs = qs.filter(valid_until__gte=first)
    if last is not None:
        qs = qs.filter(valid_until__lte=last)
    return qs


def certification_export_rows(certifications) -> tuple[list[str], Iterator[list]]:
    """The header and rows of the register's CSV and Excel export (the rows of `certifications`,
    a queryset the caller scoped with certification_search_for_staff)."""
    header = [
        _("Certificate number"), _("Holder"), _("Reading (kana)"), _("Credential"), _("Status"),
        _("First issued on"), _("Cycle"), _("Current cycle from"), _("Valid until"), _("Grace period until"),
    ]

    def rows():
        for c in certifications.iterator(chunk_size=2000):
            yield [
                c.number, c.holder.display_name, c.holder.name_kana, c.credential_type.name,
                str(c.get_status_display()), c.issued_on.isoformat(), c.cycle, c.cycle_started_on.isoformat(),
                c.valid_until.isoformat() if c.valid_until else "", c.grace_until.isoformat() if c.grace_until else "",
            ]

    return header, rows()


# ---------------------------------------------------------------- the body's home: counts and to-dos
@dataclass(frozen=True)
class HomeCount:
    """One count on a training body's home page, and where the staff work through it: a URL
    name of this app (taking body_id) and a query string."""

    key: str
    label: str
    count: int
    url_name: str
    query: str = ""


def _applications_waiting(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = Application.objects.filter(cohort__course__body=body, state=Application.State.SUBMITTED).count()
    return HomeCount("applications_waiting", _("Applications waiting for a decision"), count, "training:staff_cohorts")


def _cohorts_to_complete(body: TrainingBody, today: datetime.date) -> HomeCount:
    """Cohorts whose last day has passed with people still enrolled: completion not yet run."""
    enrolled = Application.objects.filter(cohort=OuterRef("pk"), state=Application.State.ENROLLED)
    count = (
        Cohort.objects.filter(course__body=body)
        .annotate(last_day=Max("days__date"))
        .filter(last_day__lt=today)
        .filter(Exists(enrolled))
        .count()
    )
    return HomeCount("cohorts_to_complete", _("Cohorts to complete"), count, "training:staff_cohorts")


def _expiring_this_quarter(body: TrainingBody, today: datetime.date) -> HomeCount:
    # The same rows the register shows for its "this quarter" filter.
    count = _expiring(Certification.objects.filter(body=body), "this_quarter", today).count()
    return HomeCount("expiring_this_quarter", _("Certifications expiring this quarter"), count,
                     "training:staff_certifications", "expiry=this_quarter")


def _in_grace(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = Certification.objects.filter(body=body, status=Certification.Status.GRACE).count()
    return HomeCount("in_grace", _("Certifications in the grace period"), count,
                     "training:staff_certifications", "status=grace")


def _lapsed(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = Certification.objects.filter(body=body, status=Certification.Status.LAPSED).count()
    return HomeCount("lapsed", _("Lapsed certifications"), count, "training:staff_certifications", "status=lapsed")


def _sampled_evidence_waiting(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = ContinuingEducation.objects.filter(body=body, review=ContinuingEducation.Review.SAMPLED).count()
    return HomeCount("sampled_evidence_waiting", _("Sampled records waiting for review"), count,
                     "training:staff_ce", "review=sampled")


def _renewal_requests_waiting(body: TrainingBody, today: datetime.date) -> HomeCount:
    count = RenewalRequest.objects.filter(certification__body=body, outcome="").count()
    return HomeCount("renewal_requests", _("Renewal requests waiting"), count, "training:staff_renewal_requests")


# The counts of a body's home page, in order: each a small function (body, today) -> HomeCount
# running one query. Another count is one more function appended here.
BODY_HOME_COUNTS: list[Callable[[TrainingBody, datetime.date], HomeCount]] = [
    _applications_waiting,
    _cohorts_to_complete,
    _expiring_this_quarter,
    _in_grace,
    _lapsed,
    _sampled_evidence_waiting,
    _renewal_requests_waiting,
]


def training_body_home_counts(user, *, body: TrainingBody, today: datetime.date | None = None) -> list[HomeCount]:
    """The counts and to-dos of a body's home page (one query each, whatever the numbers)."""
    if body.pk not in _body_ids(user):
        raise Http404
    today = today or timezone.localdate()
    return [count(body, today) for count in BODY_HOME_COUNTS]


# ---------------------------------------------------------------- public verification
# Statuses the calendar sets (the daily sweep, or a register issued or imported already there).
_DATE_STATUSES = {Certification.Status.EXPIRING, Certification.Status.GRACE, Certification.Status.LAPSED}


def certification_status_now(certification: Certification, today: datetime.date | None = None) -> str:
    """The status at this moment: what staff set (suspended, revoked, lapsed) stands; otherwise
    the dates decide, so a certificate or the verification page never says more than is true
    on a day the sweep has not yet run."""
    from .services import status_for_dates

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
    from .services import number_is_genuine

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


def credential_type_list_for(user) -> QuerySet[CredentialType]:
    return CredentialType.objects.filter(body_id__in=_body_ids(user)).select_related(
        "body__organisation", "initial_course", "renewal_course"
    ).prefetch_related("ce_floors__category")


def ce_record_list_for(user) -> QuerySet[ContinuingEducation]:
    return ContinuingEducation.objects.filter(body_id__in=_body_ids(user)).select_related(
        "person", "category", "body", "cohort"
    )


def ce_record_list_of(user) -> QuerySet[ContinuingEducation]:
    return ContinuingEducation.objects.filter(person=user).select_related("category", "body")


def ce_evidence_request_list_of(user) -> QuerySet[ContinuingEducation]:
    """The person's records picked for an evidence check that are still open: evidence to send,
    sent and waiting for review, or rejected with time left to send it again. Soonest due first."""
    if user is None or not user.is_authenticated:
        return ContinuingEducation.objects.none()
    R = ContinuingEducation.Review
    return (
        ContinuingEducation.objects.filter(person=user, evidence_due_on__isnull=False)
        .filter(Q(review__in=[R.SAMPLED, R.SUBMITTED])
                | Q(review=R.REJECTED, evidence_due_on__gte=timezone.localdate()))
        .select_related("category", "body__organisation")
        .order_by("evidence_due_on", "date", "id")
    )


def ce_record_get_own(user, pk) -> ContinuingEducation:
    """One of the person's own records; anyone else's is a 404."""
    record = ContinuingEducation.objects.filter(person=user, pk=pk).select_related("category", "body").first()
    if record is None:
        raise Http404
    return record


def ce_record_get_for_staff(user, *, body, pk) -> ContinuingEducation:
    """A record of `body` for its staff to review; another body's (or no access) is a 404."""
    record = ce_record_list_for(user).filter(body=body, pk=pk).select_related("reviewed_by").first()
    if record is None:
        raise Http404
    return record


# ---------------------------------------------------------------- renewal progress
CURRENT_STATUSES = (Certification.Status.ACTIVE, Certification.Status.EXPIRING, Certification.Status.GRACE)


def certification_list_current_of(user) -> QuerySet[Certification]:
    """What the person holds now and may renew: active, due for renewal or in the grace period."""
    return (
        Certification.objects.filter(holder=user, status__in=CURRENT_STATUSES)
        .select_related(
            "credential_type__renewal_course", "credential_type__practice_ce_category", "body__organisation"
        )
        .order_by("valid_until", "id")
    )


@dataclass
class RenewalProgress:
    certification: Certification
    hours_total: Decimal = Decimal("0")
    hours_required: Decimal = Decimal("0")
    # Of hours_total, those credited from verified activity and confirmed supervision.
    hours_from_practice: Decimal = Decimal("0")
    # Not in hours_total: hours whose evidence was asked for (audit sampling), until accepted.
    hours_waiting: Decimal = Decimal("0")
    by_category: list[dict] = field(default_factory=list)
    renewal_course_done: bool = True
    missing: list[str] = field(default_factory=list)
    # Whether renewal can happen today: the window has opened and the late-renewal limit has
    # not passed (nor is the certification suspended, revoked or replaced).
    renewable_now: bool = False
    renewal_opens_on: datetime.date | None = None
    late_limit: datetime.date | None = None

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def hours_enough(self) -> bool:
        return self.hours_total >= self.hours_required

    @property
    def can_request(self) -> bool:
        """The holder may ask for renewal: it is possible now and nothing is missing."""
        return self.renewable_now and self.complete

    @property
    def practice_counts(self) -> bool:
        return self.certification.credential_type.practice_ce_category_id is not None


def renewal_progress(certification: Certification) -> RenewalProgress:
    """What this cycle has toward renewal, and in words what is still missing (in the active
    language). The one source of these figures: the home card, the training page, the activity
    page, the staff pages and the reminders all read them from here (renewal_progress_list)."""
    return renewal_progress_list([certification])[0]


def renewal_progress_list(certifications: list[Certification]) -> list[RenewalProgress]:
    """renewal_progress for many certifications in a fixed number of queries (at most four,
    whatever their number): a page can show every certification a person holds."""
    certifications = list(certifications)
    if not certifications:
        return []
    # Hours of continuing education in each certification's current cycle, by category: one
    # query with a conditional sum per certification (cycles start on different days).
    window = Q()
    sums = {}
    for c in certifications:
        own = Q(person_id=c.holder_id, body_id=c.body_id, date__gte=c.cycle_started_on)
        if c.credential_type.practice_ce_category_id is None:
            # Practice credited for another credential type of the body does not count here.
            own &= Q(source_ref="")
        window |= own
        # Hours picked for an evidence check wait (w) until accepted: not earned meanwhile.
        waiting = own & Q(review__in=ContinuingEducation.WAITING_REVIEWS)
        own &= ~Q(review__in=ContinuingEducation.WAITING_REVIEWS)
        sums[f"h{c.pk}"] = Sum("hours", filter=own)
        sums[f"p{c.pk}"] = Sum("hours", filter=own & ~Q(source_ref=""))
        sums[f"w{c.pk}"] = Sum("hours", filter=waiting)
    rows = list(
        ContinuingEducation.objects.filter(window)
        .exclude(review=ContinuingEducation.Review.REJECTED)
        .values("category_id")
        .annotate(**sums)
        .order_by()
    )
    type_ids = {c.credential_type_id for c in certifications}
    floors: dict[int, list] = {}
    for floor in CEFloor.objects.filter(credential_type_id__in=type_ids).select_related("category").order_by("id"):
        floors.setdefault(floor.credential_type_id, []).append(floor)
    renewal_course_ids = {c.credential_type.renewal_course_id for c in certifications} - {None}
    completed: dict[tuple[int, int], datetime.date] = {}
    if renewal_course_ids:
        for person_id, course_id, on in Completion.objects.filter(
            person_id__in={c.holder_id for c in certifications}, course_id__in=renewal_course_ids
        ).values_list("person_id", "course_id", "completed_on"):
            key = (person_id, course_id)
            completed[key] = max(on, completed.get(key, on))
        uncached = [c.credential_type for c in certifications if c.credential_type.renewal_course_id
                    and not CredentialType.renewal_course.is_cached(c.credential_type)]
        if uncached:
            courses = Course.objects.in_bulk({t.renewal_course_id for t in uncached})
            for ctype in uncached:
                ctype.renewal_course = courses[ctype.renewal_course_id]
    return [_progress(c, rows, floors.get(c.credential_type_id, []), completed) for c in certifications]


def _progress(certification: Certification, rows: list[dict], floors: list, completed: dict) -> RenewalProgress:
    from .services import renewal_late_limit

    ctype = certification.credential_type
    progress = RenewalProgress(certification=certification, hours_required=ctype.ce_hours_required)
    if ctype.expires and certification.valid_until is not None:
        today = timezone.localdate()
        progress.renewal_opens_on = certification.renewal_due_from
        progress.late_limit = renewal_late_limit(certification)
        progress.renewable_now = (
            certification.replaced_on is None
            and certification.status not in (Certification.Status.SUSPENDED, Certification.Status.REVOKED)
            and certification.renewal_due_from <= today <= progress.late_limit
        )
    per_category = {r["category_id"]: r[f"h{certification.pk}"] for r in rows if r[f"h{certification.pk}"]}
    progress.hours_total = sum(per_category.values(), Decimal("0"))
    progress.hours_from_practice = sum(
        (r[f"p{certification.pk}"] for r in rows if r[f"p{certification.pk}"]), Decimal("0")
    )
    progress.hours_waiting = sum(
        (r[f"w{certification.pk}"] for r in rows if r[f"w{certification.pk}"]), Decimal("0")
    )
    if ctype.ce_hours_required and progress.hours_total < ctype.ce_hours_required:
        progress.missing.append(
            _("%(hours)s more hours of continuing education (%(have)s of %(need)s).")
            % {
                "hours": _hours(ctype.ce_hours_required - progress.hours_total),
                "have": _hours(progress.hours_total),
                "need": _hours(ctype.ce_hours_required),
            }
        )
    for floor in floors:
        have = per_category.get(floor.category_id) or Decimal("0")
        progress.by_category.append(
            {"category": floor.category, "have": have, "need": floor.minimum_hours}
        )
        if have < floor.minimum_hours:
            progress.missing.append(
                _("%(hours)s more hours of %(category)s (%(have)s of %(need)s).")
                % {
                    "hours": _hours(floor.minimum_hours - have),
                    "category": floor.category.name,
                    "have": _hours(have),
                    "need": _hours(floor.minimum_hours),
                }
            )
    if ctype.renewal_course_id:
        done_on = completed.get((certification.holder_id, ctype.renewal_course_id))
        progress.renewal_course_done = done_on is not None and done_on >= certification.cycle_started_on
        if not progress.renewal_course_done:
            progress.missing.append(
                _("Complete the renewal course “%(course)s”.") % {"course": ctype.renewal_course.title}
            )
    return progress


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def reminder_list_of(user, *, limit: int = 5) -> QuerySet[ReminderSent]:
    """Reminders for the person's home page: those of the current cycle only."""
    return (
        ReminderSent.objects.filter(
            certification__holder=user,
            certification__status__in=[
                Certification.Status.ACTIVE,
                Certification.Status.EXPIRING,
                Certification.Status.GRACE,
            ],
            cycle=F("certification__cycle"),
        )
        .select_related("certification__credential_type__renewal_course")
        .order_by("-sent_at")[:limit]
    )


# ---------------------------------------------------------------- reports
def register_report(user, *, body: TrainingBody) -> list[dict]:
    """Per year and prefecture: how many were certified, renewed and lapsed (from the history)."""
    from .models import CertificationStatusChange

    if body.pk not in _body_ids(user):
        raise Http404
    rows: dict[tuple[int, str], dict] = {}

    def bump(year, prefecture, key, count):
        row = rows.setdefault(
            (year, prefecture or ""),
            {"year": year, "prefecture": prefecture or "", "certified": 0, "renewed": 0, "lapsed": 0},
        )
        row[key] += count

    # The holder's prefecture is where their first completion's cohort took place, if known.
    certified = (
        Certification.objects.filter(body=body)
        .values("issued_on__year", "basis__cohort__prefecture__name_ja")
        .annotate(n=Count("id"))
    )
    for r in certified:
        bump(r["issued_on__year"], r["basis__cohort__prefecture__name_ja"], "certified", r["n"])
    changes = (
        CertificationStatusChange.objects.filter(certification__body=body)
        .filter(Q(event__in=["renewed", "renewed_override"]) | Q(event="sweep", to_status=Certification.Status.LAPSED))
        .values("at__year", "event", "certification__basis__cohort__prefecture__name_ja")
        .annotate(n=Count("id"))
    )
    for r in changes:
        key = "lapsed" if r["event"] == "sweep" else "renewed"
        bump(r["at__year"], r["certification__basis__cohort__prefecture__name_ja"], key, r["n"])
    return sorted(rows.values(), key=lambda r: (r["year"], r["prefecture"]))


def yearly_table(user, *, body: TrainingBody) -> list[dict]:
    """Seed 000's table: per year, the funding, the courses run and their venues."""
    if body.pk not in _body_ids(user):
        raise Http404
    years: dict[int, dict] = {}
    cohorts = (
        Cohort.objects.filter(course__body=body)
        .select_related("course", "prefecture")
        .order_by("year", "id")
    )
    for cohort in cohorts:
        row = years.setdefault(
            cohort.year,
            {"year": cohort.year, "funding": [], "funding_total": 0, "courses": [], "venues": []},
        )
        if cohort.funding_source and cohort.funding_source not in row["funding"]:
            row["funding"].append(cohort.funding_source)
        row["funding_total"] += cohort.funding_thousand_yen or 0
        if cohort.course.title not in row["courses"]:
            row["courses"].append(cohort.course.title)
        venue = _("Online") if cohort.online else (cohort.place or str(cohort.prefecture))
        if venue not in row["venues"]:
            row["venues"].append(venue)
    return list(years.values())


def cohort_prefetch_applications() -> Prefetch:
    return Prefetch("applications", queryset=Application.objects.select_related("applicant"))


def ce_record_get_visible(user, pk) -> ContinuingEducation:
    """A record its person or the body's staff may open (with its evidence file)."""
    record = (
        ContinuingEducation.objects.filter(Q(person=user) | Q(body_id__in=_body_ids(user)))
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    return record


# ---------------------------------------------------------------- for the API (appended)
def credential_type_list_visible(user) -> QuerySet[CredentialType]:
    """Credential types a person may read: every type of the bodies they run as staff, and the
    types of the certifications they hold (their rules and floors decide their renewal)."""
    if not getattr(user, "is_authenticated", False):
        return CredentialType.objects.none()
    return (
        CredentialType.objects.filter(Q(body_id__in=_body_ids(user)) | Q(certifications__holder=user))
        .distinct()
        .select_related("body__organisation", "initial_course", "renewal_course")
        .prefetch_related("ce_floors__category")
    )


def renewal_request_list_of(user) -> QuerySet[RenewalRequest]:
    """The renewal requests a holder sent, open and answered."""
    if not getattr(user, "is_authenticated", False):
        return RenewalRequest.objects.none()
    return RenewalRequest.objects.filter(certification__holder=user).select_related("certification")


def renewal_request_list_for_staff(user) -> QuerySet[RenewalRequest]:
    """The open renewal requests of the bodies the user runs as staff (the queue of each body's
    renewal-requests page)."""
    return (
        RenewalRequest.objects.filter(certification__body_id__in=_body_ids(user), outcome=RenewalRequest.Outcome.OPEN)
        .select_related(
            "certification__holder", "certification__credential_type__renewal_course",
            "certification__credential_type__practice_ce_category", "certification__body",
        )
    )


def training_body_list_held_by(user) -> QuerySet[TrainingBody]:
    """Bodies that certified the person: where they add their continuing education (as the
    training page's form offers)."""
    if not getattr(user, "is_authenticated", False):
        return TrainingBody.objects.none()
    return TrainingBody.objects.filter(certifications__holder=user).distinct()
