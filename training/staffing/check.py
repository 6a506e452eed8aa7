"""The staffing check for the peer-support welfare-fee additions (ピアサポート体制加算 and
ピアサポート実施加算), for one office and one month, against the rule version in force that month
(training.StaffingRule; DOMAIN.md "Training and certification").

For each addition: whether the office is designated for a service the version applies to; a
peer (the person holding the peer-supporter role, whom the prefecture or municipality recognises
as having or having had a disability) and a manager or co-worker, each with the trainings the
version asks of their role, each at the FTE floor, counting only engagements the version counts
(kind and form of contract, confirmed by the organisation's manager, on leave or not: the
engagement's flag or a period of leave recorded in the month) that cover
the whole month, with hours at co-located offices of the same operator summed (兼務) when the
version says so; the staff trainings of the fiscal year given by (or with) the placed staff; the
publication; and for the delivery addition, the month's count of service users. Each person gets
a line of reasons in Japanese and English; the office gets what is missing in the order to fix it.

Reads run a fixed number of queries whatever the number of people (pinned in the tests).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from peers.dates import fiscal_year_of
from peers.models import Engagement, EngagementLeave, Organisation, Role, RoleAssignment, User

from ..models import (
    Addition,
    Completion,
    CourseKind,
    InHouseTraining,
    PeerSupportDeliveryCount,
    StaffingPublication,
    StaffingRule,
)

PEER = "peer"
PARTNER = "partner"
ROLE_LABELS = {
    PEER: _("Peer staff (a person with lived experience of disability)"),
    PARTNER: _("Manager or co-worker"),
}
LANGUAGES = ("ja", "en")


def fiscal_year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def month_range(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def parse_month(value: str) -> datetime.date | None:
    """"2026-05" → 2026-05-01; anything else → None."""
    try:
        year, month = (value or "").strip().split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        return None


def fte_text(value: Decimal) -> str:
    """0.60 → "0.6", 1.00 → "1.0", 0.55 → "0.55" (as the filing forms write it)."""
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def bilingual(message, **params) -> dict[str, str]:
    """A lazy message in both languages; a parameter may itself be {"ja": …, "en": …}."""
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            values = {
                key: (value[language] if isinstance(value, dict) else str(value)) for key, value in params.items()
            }
            out[language] = str(message) % values if values else str(message)
    return out


def _label(lazy) -> dict[str, str]:
    return bilingual(lazy)


def _names(terms) -> dict[str, str]:
    return {"ja": "、".join(t.name_ja for t in terms), "en": ", ".join(t.name_en for t in terms)}


def _course_names(kinds) -> dict[str, str]:
    labels = [_label(CourseKind(kind).label) for kind in kinds]
    return {"ja": "・".join(label["ja"] for label in labels), "en": " and ".join(label["en"] for label in labels)}


@dataclass
class EngagementLine:
    engagement: Engagement
    organisation_name: str
    here: bool
    counted: bool
    reason: dict[str, str] | None  # why it does not count, if it does not

    @property
    def fte(self) -> Decimal:
        return self.engagement.fte or Decimal(0)


@dataclass
class PersonLine:
    person: User
    role: str
    counts: bool
    fte: Decimal
    reasons: list[dict[str, str]]
    engagements: list[EngagementLine]
    completions: list[dict]

    @property
    def fte_text(self) -> str:
        return fte_text(self.fte)

    def role_label(self) -> dict[str, str]:
        return _label(ROLE_LABELS[self.role])

    def as_json(self) -> dict:
        return {"person": self.person.pk, "role": self.role, "counts": self.counts, "fte": self.fte_text,
                "reasons": self.reasons}


@dataclass
class AdditionResult:
    code: str
    rule: StaffingRule | None
    eligible: bool
    meets: bool
    units: int
    missing: list[dict[str, str]]
    people: list[PersonLine]
    trainings: list[InHouseTraining] = field(default_factory=list)
    counted_trainings: list[InHouseTraining] = field(default_factory=list)
    service_users: int | None = None
    transitional: bool = False

    @property
    def label(self) -> dict[str, str]:
        return _label(Addition(self.code).label)

    def as_json(self, *, people: bool = True) -> dict:
        return {
            "code": self.code, "rule_version": self.rule.label if self.rule else None,
            "eligible": self.eligible, "meets": self.meets, "units": self.units, "missing": self.missing,
            "people": [line.as_json() for line in self.people] if people else [],
        }


@dataclass
class StaffingCheck:
    organisation: Organisation
    month: datetime.date
    additions: list[AdditionResult]
    designated: list  # WelfareService
    co_located: dict[int, str]
    trainings: list[InHouseTraining]
    publication: StaffingPublication | None
    delivery: PeerSupportDeliveryCount | None
    fiscal_year: int

    @property
    def month_text(self) -> str:
        return f"{self.month:%Y-%m}"

    def as_json(self, *, people: bool = True) -> dict:
        return {"organisation": self.organisation.pk, "month": self.month_text,
                "additions": [a.as_json(people=people) for a in self.additions]}


def rules_in_force(month: datetime.date) -> dict[str, StaffingRule]:
    """The version of each addition in force in `month` (the latest that started on or before
    its first day). Two queries."""
    first, _last = month_range(month)
    found: dict[str, StaffingRule] = {}
    for rule in StaffingRule.objects.filter(in_force_from__lte=first).prefetch_related("eligible_services").order_by(
        "addition", "-in_force_from"
    ):
        found.setdefault(rule.addition, rule)
    return found


def _engagement_reason(engagement: Engagement, rule: StaffingRule, first, last) -> dict[str, str] | None:
    """Why this engagement does not count under `rule` (None: it counts)."""
    kind = engagement.kind
    if kind not in rule.counted_kinds:
        if kind == Engagement.Kind.VOLUNTEER:
            return bilingual(_("Volunteer work does not count: an employment contract is needed."))
        if kind == Engagement.Kind.HONORARIUM:
            return bilingual(_("Honorarium work does not count: an employment contract is needed."))
        return bilingual(_("This kind of engagement does not count."))
    if kind == Engagement.Kind.EMPLOYED and engagement.contract_form not in rule.counted_contracts:
        if engagement.contract_form == Engagement.Contract.OUTSOURCING:
            return bilingual(_("Does not count because the work is under an outsourcing contract (業務委託)."))
        if engagement.contract_form == Engagement.Contract.WORK:
            return bilingual(_("Does not count because the work is under a contract for work (請負)."))
        return bilingual(_("This form of contract does not count."))
    if not engagement.is_confirmed:
        return bilingual(_("The terms of work are not yet confirmed by the organisation's manager."))
    if not rule.on_leave_counts:
        if getattr(engagement, "leave_in_month", False):
            return bilingual(_("Leave is recorded for part or all of this month: does not count this month."))
        if engagement.on_leave:
            return bilingual(_("On leave: does not count this month."))
    if engagement.start_date > first or (engagement.end_date is not None and engagement.end_date < last):
        return bilingual(_("The work does not cover the whole month, so it is not counted for this month."))
    return None


def _evaluate_person(
    *, person: User, role: str, rule: StaffingRule, engagements: list[Engagement], here_id: int,
    co_located: dict[int, str], co_eligible: set[int], kinds: dict[str, dict], transitional: bool, first, last,
) -> PersonLine:
    lines: list[EngagementLine] = []
    reasons: list[dict[str, str]] = []
    for engagement in engagements:
        here = engagement.organisation_id == here_id
        if not here and not (rule.combine_co_located and engagement.organisation_id in co_eligible):
            continue
        reason = _engagement_reason(engagement, rule, first, last)
        name = "" if here else co_located.get(engagement.organisation_id, "")
        lines.append(EngagementLine(engagement=engagement, organisation_name=name, here=here,
                                    counted=reason is None, reason=reason))
        if reason is not None:
            reasons.append(reason if here else bilingual(_("%(office)s: %(reason)s"), office=name, reason=reason))
    counted_here = [line for line in lines if line.counted and line.here]
    counted_elsewhere = [line for line in lines if line.counted and not line.here]
    fte = sum((line.fte for line in counted_here + counted_elsewhere), Decimal(0)) if counted_here else Decimal(0)

    # Trainings the role needs under this version (or its transitional measure).
    required = rule.peer_courses if role == PEER else rule.partner_courses
    lacking = [kind for kind in required if kind not in kinds]
    trained = not lacking
    completions = [kinds[kind] for kind in required if kind in kinds]
    training_reasons = []
    if not trained and transitional:
        if role == PEER and rule.transitional_peer_courses and all(k in kinds for k in rule.transitional_peer_courses):
            trained = True
            completions = [kinds[k] for k in rule.transitional_peer_courses]
            training_reasons.append(bilingual(
                _("Counted under the transitional measure (until %(date)s): completed %(courses)s."),
                date=rule.transitional_until.isoformat(), courses=_course_names(rule.transitional_peer_courses)))
        elif role == PARTNER and rule.transitional_partner_untrained:
            trained = True
            training_reasons.append(bilingual(
                _("Counted under the transitional measure (until %(date)s) before completing the trainings."),
                date=rule.transitional_until.isoformat()))
    if trained and not training_reasons and required:
        training_reasons.append(bilingual(
            _("Completed %(courses)s (numbers %(numbers)s)."), courses=_course_names(required),
            numbers=", ".join(c["number"] for c in completions)))
    if not trained:
        for kind in lacking:
            training_reasons.append(bilingual(_("No record of completing the %(course)s."),
                                              course=_label(CourseKind(kind).label)))

    floor = rule.fte_floor
    fte_reasons = []
    if counted_here:
        if counted_elsewhere:
            fte_reasons.append(bilingual(_("%(fte)s FTE together with the work at co-located offices (兼務)."),
                                         fte=fte_text(fte)))
        else:
            fte_reasons.append(bilingual(_("%(fte)s FTE."), fte=fte_text(fte)))
        if fte < floor:
            fte_reasons.append(bilingual(_("%(fte)s FTE is less than the %(floor)s FTE needed."),
                                         fte=fte_text(fte), floor=fte_text(floor)))
    elif not reasons:
        reasons.append(bilingual(_("No work here that counts this month.")))
    counts = bool(counted_here) and trained and fte >= floor
    return PersonLine(person=person, role=role, counts=counts, fte=fte,
                      reasons=reasons + training_reasons + fte_reasons, engagements=lines, completions=completions)


def staffing_check(*, organisation: Organisation, month: datetime.date) -> StaffingCheck:
    """The answer for each addition for `organisation` in `month`. A fixed number of queries."""
    first, last = month_range(month)
    year = fiscal_year_of(first)
    fy_start, fy_end = fiscal_year_range(year)
    rules = rules_in_force(first)

    co_located = dict(organisation.co_located.values_list("id", "name"))
    service_rows = list(
        Organisation.designated_services.through.objects.filter(
            organisation_id__in=[organisation.pk, *co_located]
        ).select_related("welfareservice").order_by("welfareservice__sort_order", "welfareservice__code")
    )
    designated = [row.welfareservice for row in service_rows if row.organisation_id == organisation.pk]
    services_of: dict[int, set[int]] = {}
    for row in service_rows:
        services_of.setdefault(row.organisation_id, set()).add(row.welfareservice_id)

    overlapping = Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))
    here_people = Engagement.objects.filter(overlapping, organisation=organisation).values("person_id")
    # A period of leave recorded on the employment page (EngagementLeave: away from its first day
    # until the day of return) that touches the month; its kind is never read here.
    leave_in_month = EngagementLeave.objects.filter(
        Q(actual_return__isnull=True) | Q(actual_return__gt=first), engagement=OuterRef("pk"), start_date__lte=last,
    )
    engagements = list(
        Engagement.objects.filter(overlapping, person_id__in=here_people,
                                  organisation_id__in=[organisation.pk, *co_located])
        .annotate(leave_in_month=Exists(leave_in_month))
        .select_related("person").order_by("start_date", "id")
    )
    by_person: dict[int, list[Engagement]] = {}
    people: dict[int, User] = {}
    for engagement in engagements:
        by_person.setdefault(engagement.person_id, []).append(engagement)
        people[engagement.person_id] = engagement.person
    kinds_needed = set()
    for rule in rules.values():
        kinds_needed.update(rule.peer_courses, rule.partner_courses, rule.transitional_peer_courses)
    kinds_by_person: dict[int, dict[str, dict]] = {}
    for row in (
        Completion.objects.filter(person_id__in=people, course__kind__in=kinds_needed, completed_on__lte=last)
        .order_by("completed_on", "id")
        .values("person_id", "course__kind", "course__title", "number", "completed_on", "body__organisation__name")
    ):
        kinds_by_person.setdefault(row["person_id"], {}).setdefault(row["course__kind"], {
            "kind": row["course__kind"], "course": row["course__title"], "number": row["number"],
            "completed_on": row["completed_on"], "body": row["body__organisation__name"],
        })
    peer_ids = set(
        RoleAssignment.objects.filter(user_id__in=people, role=Role.PEER).values_list("user_id", flat=True)
    )
    trainings = list(
        InHouseTraining.objects.filter(organisation=organisation, held_on__range=(fy_start, fy_end))
        .prefetch_related("given_by", "attendees").order_by("held_on", "id")
    )
    publication = StaffingPublication.objects.filter(organisation=organisation, fiscal_year=year).first()
    delivery = PeerSupportDeliveryCount.objects.filter(organisation=organisation, month=first).first()

    results = []
    for code in Addition.values:
        rule = rules.get(code)
        if rule is None:
            results.append(AdditionResult(
                code=code, rule=None, eligible=False, meets=False, units=0, people=[],
                missing=[bilingual(_("No version of this rule is in force in this month."))]))
            continue
        eligible_ids = {service.pk for service in rule.eligible_services.all()}
        eligible = bool(eligible_ids & services_of.get(organisation.pk, set()))
        co_eligible = {pk for pk in co_located if eligible_ids & services_of.get(pk, set())}
        transitional = rule.transitional_until is not None and first <= rule.transitional_until
        lines = [
            _evaluate_person(
                person=people[pid], role=PEER if pid in peer_ids else PARTNER, rule=rule,
                engagements=by_person[pid], here_id=organisation.pk, co_located=co_located,
                co_eligible=co_eligible, kinds=kinds_by_person.get(pid, {}), transitional=transitional,
                first=first, last=last,
            )
            for pid in people
        ]
        lines.sort(key=lambda line: (not line.counts, line.role != PEER, -line.fte, line.person.display_name))
        placed = {line.person.pk for line in lines if line.counts}
        counted_trainings = [
            t for t in trainings
            if not rule.training_by_placed_staff or any(person.pk in placed for person in t.given_by.all())
        ]
        missing = []
        if not eligible:
            missing.append(bilingual(
                _("The office is not designated for a service this addition applies to (%(services)s): "
                  "record its designated services."),
                services=_names(rule.eligible_services.all())))
        if not any(line.counts and line.role == PEER for line in lines):
            missing.append(bilingual(
                _("No peer staff member counts yet: a person with lived experience of disability, employed "
                  "here at %(floor)s FTE or more, who completed %(courses)s (see each person's line)."),
                floor=fte_text(rule.fte_floor), courses=_course_names(rule.peer_courses)))
        if not any(line.counts and line.role == PARTNER for line in lines):
            missing.append(bilingual(
                _("No manager or co-worker counts yet: employed here at %(floor)s FTE or more, who completed "
                  "%(courses)s (see each person's line)."),
                floor=fte_text(rule.fte_floor), courses=_course_names(rule.partner_courses)))
        if len(counted_trainings) < rule.trainings_per_fiscal_year:
            if trainings and rule.training_by_placed_staff:
                missing.append(bilingual(
                    _("The staff training of fiscal year %(year)s must be given by (or with) the placed peer "
                      "staff or co-worker; the ones recorded were given by others."), year=year))
            else:
                missing.append(bilingual(
                    _("Record the staff training on consideration for disabled people for fiscal year "
                      "%(year)s (at least %(count)s)."), year=year, count=rule.trainings_per_fiscal_year))
        if rule.publication_required and publication is None:
            missing.append(bilingual(_("Publish the staffing for fiscal year %(year)s and record where."), year=year))
        service_users = delivery.service_users if delivery else None
        if rule.units_per_service_user and delivery is None:
            missing.append(bilingual(_("Record how many service users received peer support this month.")))
        meets = not missing
        if not meets:
            units = 0
        elif rule.units_per_service_user:
            units = rule.units * (service_users or 0)
        else:
            units = rule.units
        results.append(AdditionResult(
            code=code, rule=rule, eligible=eligible, meets=meets, units=units, missing=missing, people=lines,
            trainings=trainings, counted_trainings=counted_trainings,
            service_users=service_users if rule.units_per_service_user else None, transitional=transitional,
        ))
    return StaffingCheck(
        organisation=organisation, month=first, additions=results, designated=designated, co_located=co_located,
        trainings=trainings, publication=publication, delivery=delivery, fiscal_year=year,
    )
