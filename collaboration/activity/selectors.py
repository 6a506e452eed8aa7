"""Reads about the activity log. Who may see which entry, and which aggregate, is decided here:
peers their own entries; named colleagues the entries that name them; managers (and the
supervisors they name) their organisations' entries; coordinators only aggregates for their
prefectures, with any cell under 5 shown as "<5"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.access import two_step_passed
from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
    Role,
    User,
)
from peers.selectors import prefecture_list_coordinated_by, role_assignment_list_for, user_is_admin

from .models import (
    ActivityColleague,
    ActivityEntry,
    ActivityRoleRollup,
    ActivityRollup,
    ActivityVerifier,
    EntryStatus,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
    SupervisionSession,
)

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
SUPERVISION = "supervision"

_VERIFIER_CACHE = "_kakehashi_activity_org_ids"


def organisation_ids_verified_by(user) -> set[int] | None:
    """Organisations whose entries this user sees and verifies (None: every one, an administrator).
    Read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user_is_admin(user):
        return None
    managed = {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}
    # A named supervisor holds staff work without a staff role: it applies only after two-step
    # sign-in in this session, like a role (peers.access).
    if not two_step_passed(user):
        return managed
    cached = getattr(user, _VERIFIER_CACHE, None)
    if cached is None:
        cached = set(
            ActivityVerifier.objects.filter(user=user, removed_at__isnull=True).values_list("organisation_id", flat=True)
        )
        setattr(user, _VERIFIER_CACHE, cached)
    return managed | cached


def organisation_ids_managed_by(user) -> set[int] | None:
    """Organisations whose supervisors this user names and removes (None: every one, an
    administrator). No query beyond the roles already read for the request."""
    if user_is_admin(user):
        return None
    return {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}


def can_manage_verifiers(user, organisation: Organisation) -> bool:
    managed = organisation_ids_managed_by(user)
    return managed is None or organisation.pk in managed


def verifier_list_for_organisation(organisation: Organisation) -> QuerySet[ActivityVerifier]:
    """The supervisors named for this organisation who may verify now (not those removed)."""
    return (
        ActivityVerifier.objects.filter(organisation=organisation, removed_at__isnull=True)
        .select_related("user", "named_by")
        .order_by("user__display_name", "id")
    )


def forget_verifier_cache(user) -> None:
    if hasattr(user, _VERIFIER_CACHE):
        delattr(user, _VERIFIER_CACHE)


def _base() -> QuerySet[ActivityEntry]:
    return ActivityEntry.objects.select_related("author", "organisation", "activity", "setting")


def activity_entry_list_own(user) -> QuerySet[ActivityEntry]:
    return _base().filter(author=user)


def activity_entry_list_for(user) -> QuerySet[ActivityEntry]:
    """Every entry this person may read: their own, those naming them, their organisations'."""
    if not getattr(user, "is_authenticated", False):
        return ActivityEntry.objects.none()
    org_ids = organisation_ids_verified_by(user)
    if org_ids is None:
        return _base().all()
    q = Q(author=user) | Q(id__in=ActivityColleague.objects.filter(user=user).values("entry_id"))
    if org_ids:
        q |= Q(organisation_id__in=org_ids)
    return _base().filter(q)


def activity_entry_get_for(user, pk: int) -> ActivityEntry | None:
    return (
        activity_entry_list_for(user)
        .select_related("engagement")
        .prefetch_related("professional_roles", "colleague_links__user", "history__actor")
        .filter(pk=pk)
        .first()
    )


def activity_organisation_get_for(user, pk: int) -> Organisation | None:
    """An organisation whose team activity this user may see (its manager, a named supervisor)."""
    org_ids = organisation_ids_verified_by(user)
    qs = Organisation.objects.select_related("prefecture", "kind")
    if org_ids is None:
        return qs.filter(pk=pk).first()
    if pk not in org_ids:
        return None
    return qs.filter(pk=pk).first()


def activity_organisation_list_for(user) -> QuerySet[Organisation]:
    org_ids = organisation_ids_verified_by(user)
    qs = Organisation.objects.select_related("prefecture")
    return qs if org_ids is None else qs.filter(pk__in=org_ids)


def can_verify(user, entry: ActivityEntry) -> bool:
    """The organisation's manager or a supervisor they named, never the author themselves."""
    if entry.author_id == getattr(user, "pk", None):
        return False
    org_ids = organisation_ids_verified_by(user)
    return org_ids is None or entry.organisation_id in org_ids


def reflection_visible(viewer, entry: ActivityEntry) -> bool:
    """Private to the author; shared, it is read by those who verify the entry (their supervisors)."""
    if viewer.pk == entry.author_id:
        return True
    return entry.reflection_shared and can_verify(viewer, entry)


def activity_entry_list_for_organisation(organisation: Organisation) -> QuerySet[ActivityEntry]:
    """Call only with an organisation from activity_organisation_get_for."""
    return _base().filter(organisation=organisation)


def verification_queue(user, organisation: Organisation) -> QuerySet[ActivityEntry]:
    return (
        activity_entry_list_for_organisation(organisation)
        .filter(status=EntryStatus.SUBMITTED)
        .exclude(author=user)
    )


def possible_duplicates(*, author, date: datetime.date, activity_id: int, start_time=None,
                        exclude_pk: int | None = None) -> list[int]:
    """Entries by the same person on the same day for the same activity (and start time, if given)."""
    qs = ActivityEntry.objects.filter(author=author, date=date, activity_id=activity_id).exclude(
        status=EntryStatus.DECLINED
    )
    if start_time is not None:
        qs = qs.filter(Q(start_time=start_time) | Q(start_time__isnull=True))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.values_list("pk", flat=True)[:5])


def last_entry_defaults(user) -> dict:
    """What the quick entry remembers: the last engagement, activity, setting, mode and stage."""
    last = (
        ActivityEntry.objects.filter(author=user)
        .order_by("-created_at", "-id")
        .values("engagement_id", "activity_id", "setting_id", "mode", "stage", "duration_minutes")
        .first()
    )
    if not last:
        return {}
    return {
        "engagement": last["engagement_id"], "activity": last["activity_id"], "setting": last["setting_id"],
        "mode": last["mode"], "stage": last["stage"], "duration_minutes": last["duration_minutes"],
    }


# --- Hours ------------------------------------------------------------------------------------


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def verified_hours_for(person, since: datetime.date, until: datetime.date,
                       categories: list[str] | None = None) -> Decimal:
    """Hours a person did between two dates (inclusive) that count for certification: verified
    activity entries and confirmed supervision sessions.

    `categories` limits what counts: activity codes (the Activity vocabulary) and/or "supervision";
    None counts everything. For training's renewal rules (issue 4)."""
    entries = ActivityEntry.objects.filter(
        author=person, status=EntryStatus.VERIFIED, date__gte=since, date__lte=until
    )
    activity_codes = None if categories is None else [c for c in categories if c != SUPERVISION]
    minutes = 0
    if activity_codes is None or activity_codes:
        if activity_codes:
            entries = entries.filter(activity__code__in=activity_codes)
        minutes += entries.aggregate(m=Sum("duration_minutes"))["m"] or 0
    if categories is None or SUPERVISION in categories:
        minutes += (
            SupervisionSession.objects.filter(
                peer=person, confirmed_at__isnull=False, date__gte=since, date__lte=until
            ).aggregate(m=Sum("minutes"))["m"]
            or 0
        )
    return _hours(minutes)


@dataclass
class RenewalOverview:
    """The person's current certifications with their renewal progress (training's rules), and
    the practice hours still waiting for verification or confirmation."""

    progress: list  # training.selectors.RenewalProgress, one per current certification
    waiting_hours: Decimal

    @property
    def practice_counts(self) -> bool:
        return any(p.practice_counts for p in self.progress)


def renewal_overview_for(user) -> RenewalOverview:
    """Every current certification in a fixed number of queries (one when there is none)."""
    from training.selectors import certification_list_current_of, renewal_progress_list

    progress = renewal_progress_list(list(certification_list_current_of(user)))
    overview = RenewalOverview(progress=progress, waiting_hours=Decimal("0"))
    cycles = [p.certification.cycle_started_on for p in progress if p.practice_counts]
    if cycles:
        since = min(cycles)
        minutes = ActivityEntry.objects.filter(
            author=user, status=EntryStatus.SUBMITTED, date__gte=since
        ).aggregate(m=Sum("duration_minutes"))["m"] or 0
        minutes += SupervisionSession.objects.filter(
            peer=user, confirmed_at__isnull=True, date__gte=since
        ).aggregate(m=Sum("minutes"))["m"] or 0
        overview.waiting_hours = _hours(minutes)
    return overview


PALETTE = ["#1f5f8b", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00838f", "#6d4c41", "#ad1457",
           "#455a64", "#827717"]


@dataclass
class Chart:
    """Hours per month as stacked bars (inline SVG), with the same figures as a table."""

    title: str
    months: list[datetime.date]
    series: list[tuple[str, str]]  # (key, label)
    cells: dict  # (month, key) -> Decimal hours

    @property
    def legend(self):
        # `swatch`: the class of the colour in site.css (no inline style under our CSP).
        return [{"label": label, "colour": PALETTE[i % len(PALETTE)], "swatch": i % len(PALETTE)}
                for i, (_k, label) in enumerate(self.series)]

    def rows(self):
        totals = {m: sum((self.cells.get((m, k), Decimal(0)) for k, _l in self.series), Decimal(0))
                  for m in self.months}
        biggest = max(totals.values(), default=Decimal(0)) or Decimal(1)
        for index, month in enumerate(self.months):
            values, offset = [], Decimal(0)
            for i, (key, label) in enumerate(self.series):
                hours = self.cells.get((month, key), Decimal(0))
                width = hours * 100 / biggest
                values.append({"label": label, "hours": hours, "x": float(offset), "width": float(width),
                               "colour": PALETTE[i % len(PALETTE)]})
                offset += width
            yield {"month": month, "values": values, "total": totals[month], "y": index * 28}

    @property
    def height(self) -> int:
        return len(self.months) * 28


def my_activity_charts(user, since: datetime.date) -> tuple[Chart, Chart]:
    """Hours per month (entries not declined) by activity type, and by kind of engagement."""
    from django.utils.translation import gettext as _

    from peers.models import Engagement

    base = ActivityEntry.objects.filter(author=user, date__gte=since).exclude(status=EntryStatus.DECLINED)
    by_activity = (
        base.annotate(month=TruncMonth("date")).values("month", "activity_id")
        .annotate(m=Sum("duration_minutes")).order_by()
    )
    by_kind = (
        base.annotate(month=TruncMonth("date")).values("month", "engagement_kind")
        .annotate(m=Sum("duration_minutes")).order_by()
    )
    activities = {a.pk: a for a in Activity.objects.all()}
    months = _months(since)

    def chart(title, rows, key_field, labels):
        cells = {}
        for row in rows:
            month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
            cells[(month, row[key_field])] = _hours(row["m"])
        keys = sorted({k for _m, k in cells}, key=lambda k: str(labels.get(k, k)))
        series = [(k, str(labels.get(k, k))) for k in keys]
        return Chart(title=title, months=months, series=series, cells=cells)

    return (
        chart(_("Hours per month by activity type"), by_activity, "activity_id",
              {pk: a.name for pk, a in activities.items()}),
        chart(_("Hours per month by kind of engagement"), by_kind, "engagement_kind",
              dict(Engagement.Kind.choices)),
    )


def _months(since: datetime.date) -> list[datetime.date]:
    from django.utils import timezone

    today = timezone.localdate()
    month = since.replace(day=1)
    out = []
    while month <= today:
        out.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return out


# --- Organisation and region reports ----------------------------------------------------------


def collaboration_matrix(organisation: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """Verified entries of one organisation by activity type × professional role worked with
    (from its rollup: the cost does not grow with the entries)."""
    rows = (
        OrganisationRoleRollup.objects.filter(organisation=organisation, month__gte=since.replace(day=1),
                                              month__lte=until)
        .values("activity_id", "role_id").annotate(n=Sum("entries")).order_by()
    )
    cells = {(r["activity_id"], r["role_id"]): r["n"] for r in rows if r["n"]}
    activity_ids = {a for a, _r in cells}
    role_ids = {r for _a, r in cells}
    roles = [r for r in ProfessionalRole.objects.all() if r.pk in role_ids]
    return {
        "roles": roles,
        "rows": [
            {"activity": a, "cells": [cells.get((a.pk, r.pk), 0) for r in roles]}
            for a in Activity.objects.all() if a.pk in activity_ids
        ],
        "cells": cells,
    }


def team_summary(organisation: Organisation, since: datetime.date, until: datetime.date) -> list[dict]:
    """Per person: verified entries and hours (from the rollup), and how many wait for verification."""
    rows = (
        OrganisationActivityRollup.objects.filter(organisation=organisation, month__gte=since.replace(day=1),
                                                  month__lte=until)
        .values("author_id", "author__display_name")
        .annotate(n=Sum("entries"), m=Sum("minutes"))
        .order_by()
    )
    waiting = {
        r["author_id"]: r
        for r in ActivityEntry.objects.filter(organisation=organisation, status=EntryStatus.SUBMITTED)
        .values("author_id", "author__display_name").annotate(n=Count("id")).order_by()
    }
    people = {}
    for r in rows:
        if r["n"]:
            people[r["author_id"]] = {"name": r["author__display_name"], "entries": r["n"], "hours": _hours(r["m"]),
                                      "waiting": 0}
    for pk, r in waiting.items():
        people.setdefault(pk, {"name": r["author__display_name"], "entries": 0, "hours": _hours(0), "waiting": 0})
        people[pk]["waiting"] = r["n"]
    return sorted(people.values(), key=lambda row: row["name"])


def _suppress(value: int):
    return SUPPRESSED if 0 < value < SUPPRESS_BELOW else value


@dataclass
class RegionReport:
    prefectures: list
    by_setting: list[dict]
    by_activity: list[dict]
    by_role: list[dict]


def region_report_for(user, since: datetime.date, until: datetime.date) -> RegionReport:
    """Verified entries in the coordinator's prefectures, from the rollup tables. Any count under 5
    (and its minutes) is shown as "<5" so that no one can be singled out."""
    prefectures = list(prefecture_list_coordinated_by(user))
    codes = [p.code for p in prefectures]
    window = {"prefecture_id__in": codes, "month__gte": since.replace(day=1), "month__lte": until}
    base = ActivityRollup.objects.filter(**window)
    settings_ = {k.pk: k for k in OrganisationKind.objects.all()}
    activities = {a.pk: a for a in Activity.objects.all()}
    roles = {r.pk: r for r in ProfessionalRole.objects.all()}

    def table(rows, key, names):
        out = []
        for r in rows:
            entries = r["n"] or 0
            hidden = 0 < entries < SUPPRESS_BELOW
            out.append({
                "label": names[r[key]].name if r[key] in names else r[key],
                "entries": _suppress(entries),
                "hours": SUPPRESSED if hidden else _hours(r["m"]),
            })
        return sorted(out, key=lambda row: str(row["label"]))

    by_setting = base.values("setting_id").annotate(n=Sum("entries"), m=Sum("minutes")).order_by()
    by_activity = base.values("activity_id").annotate(n=Sum("entries"), m=Sum("minutes")).order_by()
    by_role = (
        ActivityRoleRollup.objects.filter(**window).values("role_id")
        .annotate(n=Sum("entries"), m=Sum("minutes")).order_by()
    )
    return RegionReport(
        prefectures=prefectures,
        by_setting=table(by_setting, "setting_id", settings_),
        by_activity=table(by_activity, "activity_id", activities),
        by_role=table(by_role, "role_id", roles),
    )


# --- Supervision ------------------------------------------------------------------------------


def supervision_list_for(user) -> QuerySet[SupervisionSession]:
    """Sessions this person took part in (as supervisor or peer)."""
    return SupervisionSession.objects.select_related("supervisor", "peer", "recorded_by").filter(
        Q(supervisor=user) | Q(peer=user)
    )


def supervision_get_for(user, pk: int) -> SupervisionSession | None:
    return supervision_list_for(user).filter(pk=pk).first()



# Who may be named in a supervision record. A session is between a peer and a supervisor who
# really work together: the supervisor is a manager, or a supervisor the manager named (an
# ActivityVerifier not removed), of an organisation where the peer has a current engagement
# (started, not ended). Nobody else, administrators included: naming anyone else, like naming an
# id that does not exist, answers "not someone you work with" and sends nothing.
SUPERVISOR = "supervisor"
PEER = "peer"
# The one answer for an id that does not exist, a person who is not active, and a person one does
# not work with: the same words, so that the answer never tells which ids exist.
NOT_A_COUNTERPART = _(
    "Choose someone you work with: a manager or named supervisor of the organisation where the peer works."
)


def _current_engagements():
    today = timezone.localdate()
    return Engagement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)


def _supervising_organisations(user):
    """Organisations this person supervises for: as their manager or as a named supervisor."""
    managed = {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}
    # Named supervision is staff work: it applies only after two-step sign-in (peers.access).
    if not two_step_passed(user):
        return managed
    named = set(
        ActivityVerifier.objects.filter(user=user, removed_at__isnull=True).values_list("organisation_id", flat=True)
    )
    return managed | named


def supervision_supervisor_list_for(peer) -> QuerySet[User]:
    """Who may be named as this peer's supervisor: the managers and the named supervisors of the
    organisations where the peer works now."""
    if not getattr(peer, "is_authenticated", False):
        return User.objects.none()
    org_ids = _current_engagements().filter(person=peer).values("organisation_id")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__role=Role.MANAGER, role_assignments__organisation_id__in=org_ids)
            | Q(pk__in=ActivityVerifier.objects.filter(organisation_id__in=org_ids, removed_at__isnull=True)
                .values("user_id"))
        )
        .exclude(pk=peer.pk)
        .distinct()
        .order_by("display_name", "id")
    )


def supervision_peer_list_for(supervisor) -> QuerySet[User]:
    """Whom this person may name as the peer they supervised: the people who work now at an
    organisation they manage or were named a supervisor for."""
    if not getattr(supervisor, "is_authenticated", False):
        return User.objects.none()
    org_ids = _supervising_organisations(supervisor)
    if not org_ids:
        return User.objects.none()
    people = _current_engagements().filter(organisation_id__in=org_ids).values("person_id")
    return (
        User.objects.filter(is_active=True, pk__in=people)
        .exclude(pk=supervisor.pk)
        .order_by("display_name", "id")
    )


@dataclass(frozen=True)
class SupervisionCounterparts:
    supervisors: list  # people who may be named as this user's supervisor
    peers: list  # people this user may name as the peer they supervised

    def get(self, part: str, pk) -> User | None:
        """The person `pk` as the other side, `part` being what *they* were in the session."""
        people = self.supervisors if part == SUPERVISOR else self.peers
        return next((p for p in people if p.pk == pk), None)


def supervision_counterpart_list_for(user) -> SupervisionCounterparts:
    """Everyone this user may name in a supervision record, by the part the other person had.
    The form's choices and the API's check both come from here."""
    return SupervisionCounterparts(
        supervisors=list(supervision_supervisor_list_for(user)), peers=list(supervision_peer_list_for(user))
    )


def supervision_pair_allowed(*, supervisor, peer) -> bool:
    """The one rule, for the service: the supervisor works with the peer (see above)."""
    return supervision_supervisor_list_for(peer).filter(pk=supervisor.pk).exists()


def month_start_before(months: int) -> datetime.date:
    """The first day of the month `months - 1` months before this one (12: a year of months)."""
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return datetime.date(year, month, 1)


def region_report_allowed(user) -> bool:
    """Who reads the region report: administrators and regional coordinators."""
    from peers.models import Role
    from peers.selectors import user_has_role

    return user_is_admin(user) or user_has_role(user, Role.COORDINATOR)
